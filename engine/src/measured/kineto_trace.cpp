#include "pipescope/measured/kineto_trace.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <istream>
#include <streambuf>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "pipescope/io/input_file.hpp"

namespace pipescope {

namespace {

// The file's text as a stream: gunzipped on the fly when it starts with
// gzip's magic bytes (several members, as `cat a.gz b.gz` makes, included),
// read as it is otherwise. Holds one buffer of each, never the file.
class TraceTextBuffer : public std::streambuf {
 public:
  TraceTextBuffer(InputFile& file, std::string path, std::uint64_t max_token)
      : max_token_(max_token), file_(file), path_(std::move(path)) {
    raw_used_ = raw_size_ = file_.read(raw_.data(), raw_.size());
    raw_used_ = 0;
    gzip_ = raw_size_ >= 2 && static_cast<unsigned char>(raw_[0]) == 0x1f && static_cast<unsigned char>(raw_[1]) == 0x8b;
    if (gzip_) {
      zs_ = {};
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) throw TraceError(path_ + ": cannot start gunzip (out of memory?)");
      inflating_ = true;
    }
  }
  ~TraceTextBuffer() override {
    if (inflating_) inflateEnd(&zs_);
  }
  TraceTextBuffer(const TraceTextBuffer&) = delete;
  TraceTextBuffer& operator=(const TraceTextBuffer&) = delete;

  std::uint64_t text_bytes() const { return text_bytes_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const std::size_t n = gzip_ ? inflate_some() : copy_some();
    if (n == 0) return traits_type::eof();
    text_bytes_ += n;
    if (text_bytes_ > kMaxTraceTextBytes) {
      throw TraceError(fmt::format("{}: holds more than {} of trace text; pipescope reads traces up to that size "
                                   "(profile fewer steps: torch.profiler's schedule(active=1))",
                                   path_, size_limit_text(kMaxTraceTextBytes)));
    }
    check_tokens(n);
    setg(text_.data(), text_.data(), text_.data() + n);
    return traits_type::to_int_type(text_[0]);
  }

 private:
  bool refill_raw() {
    if (raw_used_ < raw_size_) return true;
    raw_size_ = file_.read(raw_.data(), raw_.size());
    raw_used_ = 0;
    return raw_size_ > 0;
  }
  std::size_t copy_some() {
    if (!refill_raw()) return 0;
    const std::size_t n = std::min(text_.size(), raw_size_ - raw_used_);
    std::copy_n(raw_.data() + raw_used_, n, text_.data());
    raw_used_ += n;
    return n;
  }
  std::size_t inflate_some() {
    while (true) {
      if (!refill_raw()) {
        if (!stream_ended_) {
          throw TraceError(path_ + ": ends in the middle of its gzip data (the file is truncated: copy it again)");
        }
        return 0;
      }
      if (stream_ended_) {
        // Another gzip member follows (concatenated files).
        inflateReset(&zs_);
        stream_ended_ = false;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_used_);
      zs_.avail_in = static_cast<uInt>(raw_size_ - raw_used_);
      zs_.next_out = reinterpret_cast<Bytef*>(text_.data());
      zs_.avail_out = static_cast<uInt>(text_.size());
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      raw_used_ = raw_size_ - zs_.avail_in;
      if (rc == Z_STREAM_END) stream_ended_ = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw TraceError(fmt::format("{}: its gzip data is damaged ({}): copy the file again", path_,
                                     zs_.msg ? zs_.msg : "inflate failed"));
      }
      const std::size_t n = text_.size() - zs_.avail_out;
      if (n > 0) return n;
    }
  }

  // A lexer's view of the text, just enough to see how long the current
  // token (a string, or a run of spaces or of other bytes) has grown:
  // nlohmann's lexer would hold one of gigabytes whole before the text cap.
  void check_tokens(std::size_t n) {
    const char* const begin = text_.data();
    const char* const end = begin + n;
    auto over = [&](const char* at) {
      const char* what = run_kind_ == RunKind::String  ? "string"
                         : run_kind_ == RunKind::Space ? "run of spaces"
                                                       : "number or word";
      throw TraceError(fmt::format("{}: has a {} of more than {} (at byte {}); no profiler trace holds one: is "
                                   "this a trace?",
                                   path_, what, size_limit_text(max_token_), text_bytes_ - n + (at - begin)));
    };
    for (const char* p = begin; p < end;) {
      if (in_string_) {
        // Most of a trace's bytes are inside strings: jump to the next quote or backslash.
        if (escaped_) {
          escaped_ = false;
          ++run_;
          ++p;
          continue;
        }
        const auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
        const char* limit = quote != nullptr ? quote : end;
        const auto* backslash = static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(limit - p)));
        const char* stop = backslash != nullptr ? backslash : limit;
        run_ += static_cast<std::uint64_t>(stop - p);
        if (run_ > max_token_) over(stop);
        p = stop;
        if (p == end) break;
        if (*p == '\\') {
          escaped_ = true;
          ++run_;
        } else {
          in_string_ = false;
          run_kind_ = RunKind::None;
          run_ = 0;
        }
        ++p;
        continue;
      }
      const char c = *p++;
      RunKind kind;
      if (c == '"') {
        in_string_ = true;
        run_kind_ = RunKind::String;
        run_ = 0;
        continue;
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        kind = RunKind::Space;
      } else if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':') {
        kind = RunKind::None;
      } else {
        kind = RunKind::Word;  // numbers, true/false/null, and whatever else
      }
      run_ = kind == run_kind_ ? run_ + 1 : 1;
      run_kind_ = kind;
      if (run_ > max_token_ && kind != RunKind::None) over(p - 1);
    }
  }

  enum class RunKind : std::uint8_t { None, String, Space, Word };
  std::uint64_t max_token_;
  bool in_string_ = false, escaped_ = false;
  RunKind run_kind_ = RunKind::None;
  std::uint64_t run_ = 0;

  InputFile& file_;
  std::string path_;
  std::array<char, 1 << 16> raw_{};
  std::array<char, 1 << 18> text_{};
  std::size_t raw_size_ = 0, raw_used_ = 0;
  bool gzip_ = false, inflating_ = false, stream_ended_ = false;
  z_stream zs_{};
  std::uint64_t text_bytes_ = 0;
};

EventCategory category_of(std::string_view cat) {
  if (cat == "cpu_op") return EventCategory::CpuOp;
  if (cat == "user_annotation") return EventCategory::UserAnnotation;
  if (cat == "gpu_user_annotation") return EventCategory::GpuUserAnnotation;
  if (cat == "kernel") return EventCategory::Kernel;
  if (cat == "cuda_runtime" || cat == "cuda_driver") return EventCategory::Runtime;
  if (cat == "gpu_memcpy" || cat == "gpu_memset") return EventCategory::Memory;
  return EventCategory::Other;
}

// Picks the fields pipescope reads out of the token stream. Depths: 1 the
// root object's members, 2 traceEvents' elements (or distributedInfo's
// members), 3 an event's members, 4 its args' members.
class TraceSax {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  TraceSax(KinetoTrace& out, const TraceLimits& limits, std::size_t run_events_before)
      : out_(out), limits_(limits), run_events_before_(run_events_before) {}

  bool null() { return scalar(std::nullopt, nullptr); }
  bool boolean(bool) { return scalar(std::nullopt, nullptr); }
  bool number_integer(number_integer_t v) { return scalar(static_cast<double>(v), nullptr, v); }
  bool number_unsigned(number_unsigned_t v) {
    return scalar(static_cast<double>(v), nullptr, v > static_cast<number_unsigned_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(v));
  }
  bool number_float(number_float_t v, const string_t&) { return scalar(v, nullptr); }
  bool string(string_t& s) { return scalar(std::nullopt, &s); }
  bool binary(binary_t&) { return scalar(std::nullopt, nullptr); }

  bool start_object(std::size_t) {
    if (depth_ == 0) root_is_object_ = true;
    if (depth_ == 3 && in_groups_ && out_.groups.size() < kMaxProcessGroups) out_.groups.emplace_back();
    if (depth_ == 2 && in_events_) event_ = {};
    return enter();
  }
  bool end_object() {
    if (depth_ == 3 && in_events_) finish_event();
    leave();
    return !stop_;
  }
  bool start_array(std::size_t) {
    if (depth_ == 2 && key1_ == "distributedInfo" && key2_ == "pg_config") in_groups_ = true;
    if (depth_ == 1 && key1_ == "traceEvents") {
      in_events_ = true;
      saw_events_ = true;
    }
    return enter();
  }
  bool end_array() {
    if (depth_ == 2) in_events_ = false;
    if (depth_ == 3) in_groups_ = false;
    return leave();
  }
  bool key(string_t& k) {
    if (depth_ == 1) key1_ = k;
    else if (depth_ == 2) key2_ = k;
    else if (depth_ == 3) key3_ = k;
    else if (depth_ == 4) key4_ = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    error_position_ = position;
    error_ = ex.what();
    return false;
  }

  bool root_is_object() const { return root_is_object_; }
  bool saw_events() const { return saw_events_; }
  std::size_t error_position() const { return error_position_; }
  const std::string& error() const { return error_; }
  const std::string& refusal() const { return refusal_; }

 private:
  struct PendingEvent {
    bool complete = false;  // ph == "X"
    double ts = NAN, dur = NAN;
    std::string name, cat, pid, tid;
    std::int64_t correlation = -1;
  };

  bool enter() {
    // Kineto nests 4 deep; far more is not a trace, and is refused before
    // it costs anything.
    if (++depth_ > 64) {
      refusal_ = "nests deeper than 64 levels, which no profiler trace does";
      return false;
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }

  bool scalar(std::optional<double> number, string_t* text, std::optional<std::int64_t> integer = std::nullopt) {
    if (depth_ == 1 && key1_ == "baseTimeNanoseconds" && number) {
      // Clamped to ~2096 so that adding it to any timestamp cannot overflow.
      out_.base_time_ns = std::clamp<std::int64_t>(integer ? *integer : static_cast<std::int64_t>(std::clamp(*number, -4e18, 4e18)), 0, 4'000'000'000'000'000'000);
    } else if (depth_ == 2 && key1_ == "distributedInfo") {
      if (key2_ == "rank" || key2_ == "world_size") {
        const bool rank = key2_ == "rank";
        const std::int64_t least = rank ? 0 : 1;
        int& field = rank ? out_.rank : out_.world_size;
        field = -1;
        // 3.0 is a whole number written as a float: read as 3.
        if (!integer && number && std::floor(*number) == *number && std::abs(*number) < 4e18) {
          integer = static_cast<std::int64_t>(*number);
        }
        // Said as written, so "has no distributedInfo" is never said of one that is there but wrong.
        if (!integer) {
          const std::string shown = text ? "\"" + printable(*text, 20) + "\" (a string)"
                                         : number ? fmt::format("{} (not a whole number)", *number) : "not a number";
          out_.distributed_problem = fmt::format("distributedInfo's {} is {}: it must be a whole number {}", key2_,
                                                 shown, rank ? "0 or more" : "1 or more");
        } else if (*integer < least || *integer > INT32_MAX) {
          out_.distributed_problem = fmt::format("distributedInfo's {} is {}: it must be {}", key2_, *integer,
                                                 rank ? "0 or more" : "1 or more");
        } else {
          field = static_cast<int>(*integer);
        }
      }
      if (key2_ == "backend" && text) out_.backend = printable(*text, 40);
    } else if (in_groups_ && depth_ == 4 && !out_.groups.empty()) {
      // A group's own fields: its name and description (ranks are one deeper).
      if (key4_ == "pg_name" && text) out_.groups.back().name = printable(*text, 40);
      if (key4_ == "pg_desc" && text) out_.groups.back().desc = printable(*text, 40);
    } else if (in_groups_ && depth_ == 5 && key4_ == "ranks" && !out_.groups.empty()) {
      if (integer && *integer >= 0 && *integer <= INT32_MAX && group_ranks_ < kMaxGroupRanks &&
          out_.groups.back().desc != "default_pg") {
        out_.groups.back().ranks.push_back(static_cast<int>(*integer));
        ++group_ranks_;
      }
    } else if (depth_ == 3 && in_events_) {
      if (key3_ == "ph") event_.complete = text && *text == "X";
      else if (key3_ == "ts" && number) event_.ts = *number;
      else if (key3_ == "dur" && number) event_.dur = *number;
      else if (key3_ == "name" && text) event_.name = std::move(*text);
      else if (key3_ == "cat" && text) event_.cat = std::move(*text);
      else if (key3_ == "pid") event_.pid = text ? *text : number ? fmt::format("{}", *number) : "";
      else if (key3_ == "tid") event_.tid = text ? *text : number ? fmt::format("{}", *number) : "";
    } else if (depth_ == 4 && in_events_ && key3_ == "args" && key4_ == "correlation" && integer) {
      event_.correlation = *integer;
    }
    return true;
  }

  std::int32_t intern(std::unordered_map<std::string, std::int32_t>& index, std::vector<std::string>& list,
                      std::string&& s) {
    const auto it = index.find(s);
    if (it != index.end()) return it->second;
    const auto id = static_cast<std::int32_t>(list.size());
    name_bytes_ += 2 * s.size() + 64;  // the list's copy, the index's and their overhead
    index.emplace(s, id);
    list.push_back(std::move(s));
    return id;
  }

  void finish_event() {
    if (!event_.complete) return;
    const EventCategory cat = category_of(event_.cat);
    if (cat == EventCategory::Other) return;  // python stacks, allocations, overhead: not read
    // Older Kineto writes microseconds since the epoch (1.7e15 in 2023); past
    // 4e15 (the year 2096) a time in ns would near int64's end a few sums on.
    if (!std::isfinite(event_.ts) || !std::isfinite(event_.dur) || event_.dur < 0 || std::abs(event_.ts) > 4e15 ||
        event_.dur > 1e15) {
      return;  // an instant without a span, or a time no clock gives: nothing to place
    }
    const bool file_full = out_.events.size() >= limits_.file_events;
    if (file_full || run_events_before_ + out_.events.size() >= limits_.run_events) {
      refusal_ = file_full ? fmt::format("holds more than {} events; pipescope reads traces up to that many (profile "
                                         "fewer steps: torch.profiler's schedule(active=1))",
                                         limits_.file_events)
                           : fmt::format("brings the run's traces past {} events in all; pipescope reads runs up to "
                                         "that many (profile fewer steps: torch.profiler's schedule(active=1))",
                                         limits_.run_events);
      stop_ = true;
      return;
    }
    TraceEvent e;
    e.start_ns = std::llround(event_.ts * 1000);
    e.end_ns = e.start_ns + std::llround(event_.dur * 1000);
    e.category = cat;
    e.correlation = event_.correlation;
    e.name = intern(name_index_, out_.names, std::move(event_.name));
    e.thread = intern(thread_index_, out_.threads, event_.pid + "/" + event_.tid);
    out_.events.push_back(e);
    if (name_bytes_ > kMaxTraceNameBytes) {
      refusal_ = fmt::format("holds more than {} of distinct event names and threads; real traces repeat a few "
                             "thousand names: is this a trace?",
                             size_limit_text(kMaxTraceNameBytes));
      stop_ = true;
    }
  }

 public:
  bool stopped() const { return stop_; }

 private:
  KinetoTrace& out_;
  TraceLimits limits_;
  std::size_t run_events_before_;
  std::uint64_t name_bytes_ = 0;
  int depth_ = 0;
  bool root_is_object_ = false, in_events_ = false, saw_events_ = false, stop_ = false;
  bool in_groups_ = false;  // inside distributedInfo.pg_config
  std::size_t group_ranks_ = 0;
  std::string key1_, key2_, key3_, key4_;
  PendingEvent event_;
  std::unordered_map<std::string, std::int32_t> name_index_, thread_index_;
  std::size_t error_position_ = 0;
  std::string error_, refusal_;
};

}  // namespace

KinetoTrace read_kineto_trace(const std::string& path, const TraceLimits& limits, std::size_t run_events_before) {
  KinetoTrace trace;
  trace.path = path;
  try {
    InputFile file(path, "a profiler trace");
    TraceTextBuffer buffer(file, path, limits.token_bytes);
    std::istream in(&buffer);
    TraceSax sax(trace, limits, run_events_before);
    // Exceptions from the buffer (gzip damage, the size cap) come through
    // the parser unchanged.
    in.exceptions(std::ios::badbit);
    const bool ok = nlohmann::json::sax_parse(in, &sax, nlohmann::json::input_format_t::json, true, true);
    if (!sax.refusal().empty()) throw TraceError(path + ": " + sax.refusal());
    if (!ok) {
      if (buffer.text_bytes() == 0) throw TraceError(path + ": is empty, not a PyTorch profiler trace");
      const bool at_end = sax.error_position() + 1 >= buffer.text_bytes();
      if (!sax.root_is_object()) {
        throw TraceError(path + ": is not a PyTorch profiler trace (Kineto's JSON, an object with traceEvents)");
      }
      throw TraceError(fmt::format("{}: {} at byte {}{}", path, at_end ? "ends early" : "is not valid JSON",
                                   sax.error_position(),
                                   at_end ? " (the file is truncated: was the profiler still writing it?)"
                                          : ": " + printable(sax.error(), 80)));
    }
    if (!sax.root_is_object() || !sax.saw_events()) {
      throw TraceError(path + ": is not a PyTorch profiler trace: it has no traceEvents (export it with "
                              "torch.profiler's export_chrome_trace)");
    }
  } catch (const InputFileError& e) {
    throw TraceError(e.what());
  } catch (const std::ios_base::failure&) {
    throw TraceError(path + ": cannot be read to the end");
  }
  return trace;
}

}  // namespace pipescope
