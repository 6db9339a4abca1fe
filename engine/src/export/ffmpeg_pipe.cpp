#include "pipescope/export/ffmpeg_pipe.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pipescope {

std::optional<std::string> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

FfmpegPipe::FfmpegPipe(const std::vector<std::string>& args) {
  const auto ffmpeg = find_on_path("ffmpeg");
  if (!ffmpeg) throw FfmpegError("ffmpeg is not installed (apt-get install ffmpeg)");
  // ffmpeg's log goes to a private file in the temporary folder ($TMPDIR, else /tmp).
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (ec) throw FfmpegError("no temporary folder for ffmpeg's log: " + ec.message() + " (check TMPDIR)");
  std::string log_template = (tmp / "pipescope-ffmpeg-XXXXXX").string();
  const int log_fd = mkstemp(log_template.data());
  if (log_fd < 0) {
    throw FfmpegError("cannot create ffmpeg's log in " + tmp.string() + ": " + std::strerror(errno) + " (check TMPDIR)");
  }
  log_path_ = log_template;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    close(log_fd);
    throw FfmpegError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(ffmpeg->c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) {
    close(fds[0]);
    close(fds[1]);
    close(log_fd);
    throw FfmpegError(std::string("cannot start ffmpeg: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    dup2(fds[0], STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    setpgid(0, 0);  // Ctrl-C reaches pipescope, which then stops ffmpeg itself
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[0]);
  close(log_fd);
  stdin_fd_ = fds[1];
}

FfmpegPipe::~FfmpegPipe() {
  if (pid_ > 0 && exit_code_ < 0) kill();
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (!log_path_.empty()) unlink(log_path_.c_str());
}

bool FfmpegPipe::write(const std::uint8_t* bytes, std::size_t size) {
  // A dead ffmpeg must make write() fail with EPIPE, not kill pipescope:
  // SIGPIPE is blocked for this thread only while writing, and one it raised
  // is taken back before unblocking (no process-wide handler is changed).
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  bool ok = true;
  while (size > 0) {
    const ssize_t n = ::write(stdin_fd_, bytes, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;  // EPIPE: ffmpeg has gone
      break;
    }
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  if (!ok) {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &now) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return ok;
}

int FfmpegPipe::finish() {
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);
    stdin_fd_ = -1;
  }
  if (pid_ > 0 && exit_code_ < 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exit_code_;
}

void FfmpegPipe::kill() {
  if (pid_ <= 0 || exit_code_ >= 0) return;
  ::kill(pid_, SIGTERM);
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);
    stdin_fd_ = -1;
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string FfmpegPipe::output_tail(std::size_t max_lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    lines.push_back(line);
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : " | ") + l;
  return out;
}

}  // namespace pipescope
