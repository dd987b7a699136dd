#include "memory/inspect/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "memory/unique_fd.hpp"

namespace emvk::inspect {
namespace {

// The whole (small) file at `path`, or "" when it cannot be read.
std::string readSmallFile(const char* path) {
  memory::UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  char text[512];
  const ssize_t n = read(fd.get(), text, sizeof(text) - 1);
  return n > 0 ? std::string(text, static_cast<size_t>(n)) : "";
}

}  // namespace

std::string processName(pid_t pid) {
  char path[40];
  std::snprintf(path, sizeof(path), "/proc/%d/comm", static_cast<int>(pid));
  std::string name = readSmallFile(path);
  while (!name.empty() && name.back() == '\n') name.pop_back();
  return name.empty() ? "?" : name;
}

Liveness liveness(pid_t pid) {
  if (pid <= 0) return Liveness::Gone;
  // kill(pid, 0) sends nothing; EPERM means the process exists but belongs to someone else.
  if (kill(pid, 0) != 0 && errno != EPERM) return Liveness::Gone;
  char path[40];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  const std::string stat = readSmallFile(path);
  // "pid (comm) S ...": the state follows the last ')', since comm may itself hold one.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return Liveness::Alive;
  const char state = stat[close + 2];
  if (state == 'Z') return Liveness::Zombie;
  if (state == 'X') return Liveness::Gone;
  return Liveness::Alive;
}

}  // namespace emvk::inspect
