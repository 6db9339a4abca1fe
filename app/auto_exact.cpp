#include "auto_exact.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "interrupts.hpp"

extern char** environ;

namespace pipescope::app {

namespace {

namespace fs = std::filesystem;

// A folder of our own for the LP and its solution, removed afterwards.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "pipescope-exact.XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

ExactResult solve_exact(const AutoProblem& problem, std::int64_t heuristic_makespan_ns, int seconds) {
  ExactResult out;
  const InterruptWatch interrupts;  // before the folder and glpsol exist: no signal is missed
  const ScratchDir dir;
  if (dir.path.empty()) {
    out.error = "cannot make a temporary folder for the LP file";
    return out;
  }
  const std::string lp = (dir.path / "auto.lp").string(), sol = (dir.path / "auto.sol").string(),
                    log = (dir.path / "glpsol.log").string();
  std::ofstream(lp) << auto_milp_lp(problem, heuristic_makespan_ns);
  // glpsol's chatter goes to a log; no shell is involved.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const std::string limit = std::to_string(seconds);
  std::vector<std::string> args = {"glpsol", "--lp", lp, "--tmlim", limit, "-o", sol};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "glpsol", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    out.error = "glpsol (GLPK's solver) is not installed: apt-get install glpk-utils";
    return out;
  }
  // Polled, not a blocking wait: a signal to us must stop glpsol too (a
  // SIGTERM reaches only this process, not its group as a terminal's Ctrl-C does).
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (interrupts.raised()) {
      kill(pid, SIGTERM);
      for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; ++i) usleep(10'000);
      if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
      out.interrupted = true;
      return out;  // the scratch folder goes with `dir`
    }
    usleep(20'000);
  }
  std::ifstream in(sol);
  if (!in) {
    std::ifstream l(log);
    std::stringstream ss;
    ss << l.rdbuf();
    out.error = fmt::format("glpsol wrote no solution (exit {}): {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                            ss.str().substr(0, 200));
    return out;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    out.solution = read_glpsol_solution(problem, text.str());
  } catch (const MilpError& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace pipescope::app
