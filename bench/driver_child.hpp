#pragma once
// The half of emvk-bench that talks to a Vulkan driver. It runs in a child process whose
// VK_DRIVER_FILES names exactly one manifest, so two drivers never share a process.
//
// Results go to `resultFd` as text lines, one fact per line, flushed as soon as known so that a
// crash still leaves what was measured before it:
//   device <deviceName>
//   api <major.minor.patch>
//   metric <name> <value>        e.g. "metric empty_us_median 41.7"
//   error <workload>: <why>

#include <cstddef>

namespace emvk::bench {

struct ChildOptions {
  int iterations = 10000;  // submit + fence round trips per latency workload, after warm-up
  int copyRepetitions = 10;
  std::size_t copyBytes = std::size_t{256} << 20;
  int resultFd = 1;
};

// Returns the process exit status: 0 when every workload ran, 1 otherwise.
int runDriverChild(const ChildOptions& options);

}  // namespace emvk::bench
