// emvk-inspect: lists the emvk memory objects, semaphores and fences that processes on this
// machine share, with who exported and who imported each, read from /proc and from the objects'
// own identity records. It only reads: no process is stopped, attached to or changed.
// docs/INSPECT.md explains every column and key.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "memory/inspect/proc_scan.hpp"
#include "memory/inspect/report.hpp"

namespace {

constexpr char kUsage[] =
    "usage: emvk-inspect [--json] [--pid N] [--help]\n"
    "\n"
    "Lists the emvk device memory, semaphores and fences exported on this machine (sealed memfds\n"
    "named emvk-device-memory and emvk-sync-payload), read from /proc and from each object's\n"
    "identity record, without stopping or attaching to any process.\n"
    "\n"
    "  --json     print JSON instead of a table (keys: docs/INSPECT.md)\n"
    "  --pid N    only the objects process N holds, exported or is attached to\n"
    "  --help     print this text\n"
    "\n"
    "Other users' processes are shown only as far as /proc lets this user read them.\n"
    "Exit status: 0 (also when nothing is shared), 2 for a bad command line.\n";

std::optional<pid_t> parsePid(const char* text) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != 0 || value <= 0 || value > 0x7fffffff)
    return std::nullopt;
  return static_cast<pid_t>(value);
}

int usageError(const std::string& why) {
  std::fprintf(stderr, "emvk-inspect: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  std::optional<pid_t> onlyPid;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg == "--pid" || arg.starts_with("--pid=")) {
      const char* value = arg == "--pid" ? (i + 1 < argc ? argv[++i] : nullptr) : argv[i] + 6;
      if (!value) return usageError("--pid needs a process id");
      onlyPid = parsePid(value);
      if (!onlyPid) return usageError(std::string("--pid ") + value + " is not a process id");
    } else {
      return usageError("unknown argument " + arg);
    }
  }
  emvk::inspect::Scan scan = emvk::inspect::scanProcesses();
  if (onlyPid) emvk::inspect::keepObjectsOf(scan, *onlyPid);
  const std::string out =
      json ? emvk::inspect::jsonReport(scan, onlyPid) : emvk::inspect::textReport(scan, onlyPid);
  std::fputs(out.c_str(), stdout);
  return 0;
}
