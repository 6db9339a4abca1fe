#include "pipescope/io/input_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace pipescope {

namespace {

const char* not_a_file(mode_t mode) {
  if (S_ISDIR(mode)) return "is a folder";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_chars) {
  auto escaped = [](std::string_view part) {
    std::string out;
    for (const char ch : part) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c >= 0x7f || c == '\\') {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out += ch;
      }
    }
    return out;
  };
  if (text.size() <= max_chars) return escaped(text);
  const std::size_t head = max_chars * 2 / 3, tail = max_chars - head;
  return escaped(text.substr(0, head)) + fmt::format("...({} more bytes)...", text.size() - head - tail) +
         escaped(text.substr(text.size() - tail));
}

std::string size_limit_text(std::size_t cap) {
  if (cap % (1u << 20) == 0) return fmt::format("{} MiB ({} bytes)", cap >> 20, cap);
  return fmt::format("{} bytes", cap);
}

InputFile::InputFile(const std::string& path, std::string_view what) : path_(path) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) throw InputFileError(fmt::format("{}: cannot be read: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int saved = errno;
    const std::string why = ::fstat(fd_, &st) != 0 ? std::string("cannot be read: ") + std::strerror(saved)
                                                   : fmt::format("{}, not {}", not_a_file(st.st_mode), what);
    ::close(fd_);
    fd_ = -1;
    throw InputFileError(path + ": " + why);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  what_ = std::string(what);
  // A regular file never blocks; reads go back to plain semantics.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(other.fd_), size_(other.size_), path_(std::move(other.path_)), what_(std::move(other.what_)) {
  other.fd_ = -1;
}

std::size_t InputFile::read(char* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd_, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw InputFileError(fmt::format("{}: cannot be read: {}", path_, std::strerror(errno)));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

bool InputFile::skip(std::uint64_t n) {
  const off_t at = ::lseek(fd_, 0, SEEK_CUR);
  if (at < 0 || static_cast<std::uint64_t>(at) + n > size_) return false;
  return ::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) >= 0;
}

std::string read_input_file(const std::string& path, std::size_t cap, std::string_view what) {
  InputFile file(path, what);
  if (file.size() > cap) {  // what it says it holds is already too much
    throw InputFileError(fmt::format("{}: is {} bytes; {} is at most {}", path, file.size(), what, size_limit_text(cap)));
  }
  std::string out;
  out.resize(std::min<std::uint64_t>(file.size(), cap) + 1);
  std::size_t have = 0;
  // Read to the cap and one byte past it, whatever the size said.
  for (;;) {
    if (have == out.size()) {
      if (out.size() > cap) break;
      out.resize(std::min<std::size_t>(out.size() * 2, cap + 1));
    }
    const std::size_t got = file.read(out.data() + have, out.size() - have);
    if (got == 0) break;
    have += got;
  }
  if (have > cap) {
    const std::string size = file.size() > cap ? fmt::format("is {} bytes", file.size()) : "grew while being read";
    throw InputFileError(fmt::format("{}: {}; {} is at most {}", path, size, what, size_limit_text(cap)));
  }
  out.resize(have);
  return out;
}

}  // namespace pipescope
