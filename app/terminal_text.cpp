#include "terminal_text.hpp"

#include <iostream>
#include <string>
#include <string_view>

namespace pipescope::app {

namespace {

bool is_control(unsigned char c) { return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f; }

char hex_digit(unsigned v) { return "0123456789abcdef"[v & 0xf]; }

void append_escaped(std::string& out, unsigned char c) {
  out += "\\x";
  out += hex_digit(c >> 4);
  out += hex_digit(c);
}

}  // namespace

bool TerminalSafeBuffer::put(unsigned char c) {
  auto raw = [&](std::string_view s) {
    return out_->sputn(s.data(), static_cast<std::streamsize>(s.size())) == static_cast<std::streamsize>(s.size());
  };
  if (after_c2_) {
    after_c2_ = false;
    if (c >= 0x80 && c <= 0x9f) {
      std::string e;
      append_escaped(e, 0xc2);
      append_escaped(e, c);
      return raw(e);
    }
    if (!raw("\xc2")) return false;
  }
  if (c == 0xc2) {
    after_c2_ = true;
    return true;
  }
  if (is_control(c)) {
    std::string e;
    append_escaped(e, c);
    return raw(e);
  }
  return out_->sputc(static_cast<char>(c)) != traits_type::eof();
}

TerminalSafeBuffer::int_type TerminalSafeBuffer::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  return put(static_cast<unsigned char>(traits_type::to_char_type(ch))) ? ch : traits_type::eof();
}

std::streamsize TerminalSafeBuffer::xsputn(const char* s, std::streamsize n) {
  // Runs of plain text go through in one call (a dump can be gigabytes).
  std::streamsize done = 0;
  while (done < n) {
    std::streamsize run = done;
    while (run < n && !after_c2_) {
      const auto c = static_cast<unsigned char>(s[run]);
      if (is_control(c) || c == 0xc2) break;
      ++run;
    }
    if (run > done) {
      const std::streamsize wrote = out_->sputn(s + done, run - done);
      done += wrote;
      if (done < run) return done;
    }
    if (done < n) {
      if (!put(static_cast<unsigned char>(s[done]))) return done;
      ++done;
    }
  }
  return done;
}

int TerminalSafeBuffer::sync() {
  if (after_c2_) {  // a lone lead byte at a flush: written as it came
    after_c2_ = false;
    if (out_->sputc('\xc2') == traits_type::eof()) return -1;
  }
  return out_->pubsync();
}

TerminalSafeStandardStreams::TerminalSafeStandardStreams()
    : cout_original_(std::cout.rdbuf()), cerr_original_(std::cerr.rdbuf()),
      cout_(std::make_unique<TerminalSafeBuffer>(cout_original_)),
      cerr_(std::make_unique<TerminalSafeBuffer>(cerr_original_)) {
  std::cout.rdbuf(cout_.get());
  std::cerr.rdbuf(cerr_.get());
}

TerminalSafeStandardStreams::~TerminalSafeStandardStreams() {
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(cout_original_);
  std::cerr.rdbuf(cerr_original_);
}

}  // namespace pipescope::app
