#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace pipescope::app {

namespace fs = std::filesystem;

OutputFile::OutputFile(const std::string& path) : path_(path), target_(path) {
  auto fail = [&](const std::string& why) { throw OutputError(path_ + ": cannot be written: " + why); };
  std::error_code ec;
  // A link's target is what the user means to replace.
  if (fs::is_symlink(path, ec)) {
    fs::path followed = fs::read_symlink(path, ec);
    if (ec) fail(ec.message());
    if (followed.is_relative()) followed = fs::path(path).parent_path() / followed;
    target_ = followed.lexically_normal().string();
  }
  struct stat st {};
  if (::stat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) fail("it is a folder");
    in_place_ = true;  // a device or FIFO: written as it is
    writing_ = target_;
    return;
  }
  const fs::path t(target_);
  std::string temp = (t.has_parent_path() ? t.parent_path() / "" : fs::path()).string() + "." +
                     t.filename().string() + ".partial-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail(std::strerror(errno));
  // mkstemp makes the file private; the output is an ordinary file (or keeps
  // the mode of the one it replaces).
  mode_t mode = 0;
  if (::stat(target_.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  ::fchmod(fd, mode);
  ::close(fd);
  writing_ = temp;
}

OutputFile::~OutputFile() {
  if (!committed_ && !in_place_) {
    std::error_code ignored;
    fs::remove(writing_, ignored);
  }
}

void OutputFile::commit() {
  if (in_place_) {
    committed_ = true;
    return;
  }
  if (std::rename(writing_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    std::error_code ignored;
    fs::remove(writing_, ignored);
    committed_ = true;  // nothing left to remove
    throw OutputError(path_ + ": cannot be written: " + std::strerror(e));
  }
  committed_ = true;
}

int finish_standard_output(const char* command) {
  std::cout.flush();
  if (std::cout) return 0;
  std::cerr << "pipescope: " << command << ": writing to standard output failed\n";
  return 1;
}

void write_whole_file(const std::string& path, std::string_view text) {
  OutputFile file(path);
  {
    std::ofstream out(file.writing(), std::ios::binary | std::ios::trunc);
    if (!out) throw OutputError(path + ": cannot be written: " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw OutputError(path + ": cannot be written: " + std::strerror(errno));
    out.close();
    if (!out) throw OutputError(path + ": cannot be written: " + std::strerror(errno));
  }
  file.commit();
}

}  // namespace pipescope::app
