#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>

extern char** environ;

namespace emvk::bench {
namespace {

// A child silent for this long is hung (a fence wait alone gives up after 30 s).
constexpr auto kSilenceLimit = std::chrono::seconds(300);
constexpr int kChildResultFd = 3;

std::string selfExecutable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return {};
  return std::string(path, static_cast<std::size_t>(n));
}

bool startsWith(const char* text, const char* prefix) {
  return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

// The child's loader must see exactly one driver and no implicit layers (Mesa's device-select
// layer, overlays…), so the numbers belong to the driver alone; the tests do the same.
std::vector<std::string> childEnvironment(const std::string& manifest) {
  std::vector<std::string> env;
  bool layersChosen = false;
  for (char** e = environ; *e; ++e) {
    if (startsWith(*e, "VK_DRIVER_FILES=") || startsWith(*e, "VK_ICD_FILENAMES=") ||
        startsWith(*e, "VK_ADD_DRIVER_FILES=") || startsWith(*e, "MESA_SHADER_CACHE_DISABLE=") ||
        startsWith(*e, "EMVK_SHADER_CACHE="))
      continue;
    layersChosen |= startsWith(*e, "VK_LOADER_LAYERS_DISABLE=");
    env.emplace_back(*e);
  }
  env.push_back("VK_DRIVER_FILES=" + manifest);
  if (!layersChosen) env.push_back("VK_LOADER_LAYERS_DISABLE=~implicit~");
  // Pipeline creation is measured without a disk cache on both sides, so that neither driver
  // compiles once and loads from ~/.cache ever after; the disk cache row turns both on itself,
  // in a temporary folder (driver_child.cpp, pipelineCaches).
  env.push_back("MESA_SHADER_CACHE_DISABLE=true");
  env.push_back("EMVK_SHADER_CACHE=0");
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void parseLine(const std::string& line, DriverRun& run) {
  const auto space = line.find(' ');
  const std::string kind = line.substr(0, space);
  const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
  if (kind == "device") {
    run.device = rest;
  } else if (kind == "api") {
    run.api = rest;
  } else if (kind == "error") {
    run.errors.push_back(rest);
  } else if (kind == "skipped") {
    run.skipped.push_back(rest);
  } else if (kind == "metric") {
    std::istringstream in(rest);
    std::string name;
    double value = 0;
    if (in >> name >> value) run.metrics[name] = value;
  }
}

// Reads result lines until the child closes its end; kills it if it goes silent for too long.
void collectResults(int fd, pid_t child, DriverRun& run) {
  std::string pending;
  auto lastHeard = std::chrono::steady_clock::now();
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (std::chrono::steady_clock::now() - lastHeard < kSilenceLimit) continue;
      ::kill(child, SIGKILL);
      run.errors.push_back("no result for 300 s: killed the child as hung");
      return;
    }
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    lastHeard = std::chrono::steady_clock::now();
    pending.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
      parseLine(pending.substr(0, eol), run);
      pending.erase(0, eol + 1);
    }
  }
  if (!pending.empty()) parseLine(pending, run);
}

void reportExit(int status, DriverRun& run) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    run.errors.push_back("child killed by signal " + std::to_string(sig) + " (" + strsignal(sig) +
                         ")");
    return;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0 || !run.errors.empty()) return;
  if (code == 127 && run.device.empty())
    run.errors.push_back("could not exec the benchmark binary for the child");
  else
    run.errors.push_back("child exited with status " + std::to_string(code));
}

}  // namespace

DriverRun runDriverInChild(const std::string& label, const std::string& manifest,
                           const ChildOptions& options) {
  DriverRun run{.label = label, .manifest = manifest, .ran = true};
  char resolved[PATH_MAX];
  if (!::realpath(manifest.c_str(), resolved)) {
    run.errors.push_back("manifest " + manifest + ": " + std::strerror(errno));
    return run;
  }
  run.manifest = resolved;

  const std::string exe = selfExecutable();
  std::vector<std::string> args = {exe,
                                   "--driver-child",
                                   run.manifest,
                                   "--iterations",
                                   std::to_string(options.iterations),
                                   "--copy-reps",
                                   std::to_string(options.copyRepetitions),
                                   "--export-reps",
                                   std::to_string(options.exportRepetitions),
                                   "--saxpy-reps",
                                   std::to_string(options.saxpyRepetitions),
                                   "--sgemm-n",
                                   std::to_string(options.sgemmN),
                                   "--result-fd",
                                   std::to_string(kChildResultFd)};
  std::vector<std::string> env = childEnvironment(run.manifest);
  // Everything exec needs is built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.errors.push_back(std::string("pipe2: ") + std::strerror(errno));
    return run;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    run.errors.push_back(std::string("fork: ") + std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return run;
  }
  if (child == 0) {
    if (fds[1] == kChildResultFd)
      ::fcntl(kChildResultFd, F_SETFD, 0);  // dup2 onto itself would leave CLOEXEC set
    else
      ::dup2(fds[1], kChildResultFd);
    // Whatever the driver prints must not land in the parent's table or JSON.
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  collectResults(fds[0], child, run);
  ::close(fds[0]);

  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  reportExit(status, run);
  return run;
}

}  // namespace emvk::bench
