// Leak checks: what a process holds (file descriptors, mappings, threads, child processes), counted
// before a piece of work and again after it, once its instances and devices are destroyed.
// Header-only: tests/CMakeLists.txt globs tests/*/*.cpp into the suite, and this folder has no test
// cases of its own.
#pragma once
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace leaks {

// Lines of /proc/self/maps: every mapping of the process (device memory, JIT code, stacks).
inline int mappingCount() {
  std::ifstream maps("/proc/self/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) ++count;
  return count;
}

// True while this process has a child, running or a zombie nobody reaped. WNOWAIT only looks: a
// zombie stays one, so the check cannot hide the leak it is looking for.
inline bool hasChildren() {
  siginfo_t info{};
  return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

// Joined threads can linger in /proc/self/task for a moment after pthread_join returns (the
// kernel reaps them just after waking the joiner), so poll briefly instead of sampling once.
template <class Fn>
bool settles(Fn done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// What the process holds at one moment.
struct Snapshot {
  int fds = test::openFdCount();
  int maps = mappingCount();
  int threads = probe::threadCount();

  std::string describe() const {
    std::ostringstream out;
    out << fds << " fds, " << maps << " mappings, " << threads << " threads";
    return out.str();
  }
};

// Whether the process is back to `baseline` (after waiting for it to settle). Fds and threads must
// match exactly (one fewer fd is as wrong as one more: something closed a descriptor it did not
// own). The allocator may keep an arena or two mapped after threads end: `mapSlack` mappings more
// are not a leak; growth per cycle is.
struct Comparison {
  bool fds, maps, threads, children;
  std::string now;
  bool clean() const { return fds && maps && threads && children; }
};

// Sanitizer builds do not compare mappings: ASan's allocator maps a region per size class and
// thread cache as they are first used (the stress tests saw 12 to 54 more after a run), TSan its
// shadow and traces for every thread that ever ran, and both keep them. The normal build, which
// CI runs first, compares them; fds, threads and children are compared in every build.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr int kMapSlack = 1 << 20;
#else
inline constexpr int kMapSlack = 2;
#endif

inline Comparison compare(const Snapshot& baseline, int mapSlack = kMapSlack) {
  Comparison c;
  c.fds = settles([&] { return test::openFdCount() == baseline.fds; });
  c.threads = settles([&] { return probe::threadCount() == baseline.threads; });
  c.maps = settles([&] { return mappingCount() <= baseline.maps + mapSlack; });
  c.children = !hasChildren();
  c.now = Snapshot{}.describe();
  return c;
}

}  // namespace leaks
