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
//   skipped <workload>: <why>    the driver lacks something optional; not a failure

#include <cstddef>
#include <cstdint>
#include <string>

namespace emvk::bench {

// The sgemm workloads (naive and 16×16 shared-memory tiled): C = A * B for row-major N×N float
// matrices; GFLOP/s counts 2·N³ operations.
constexpr std::uint32_t kSgemmDefaultN = 1024;
constexpr std::uint32_t kSgemmTile = 16;  // the shaders' local size and tile edge

struct ChildOptions {
  int iterations = 10000;  // submit + fence round trips per latency workload, after warm-up
  int copyRepetitions = 10;
  std::size_t copyBytes = std::size_t{256} << 20;
  int exportRepetitions = 50;  // opaque-fd export + import pairs per size, after 5 warm-ups
  int saxpyRepetitions = 10;   // timed saxpy submits over kSaxpyElements, after 2 warm-ups
  std::uint32_t sgemmN = kSgemmDefaultN;  // sgemm of N×N matrices; a multiple of kSgemmTile
  int resultFd = 1;
};

// The export + import workload runs at both sizes: zero-copy means the large one costs about what
// the small one does, not 64 times as much.
constexpr std::size_t kExportLargeBytes = std::size_t{256} << 20;
constexpr std::size_t kExportSmallBytes = std::size_t{4} << 20;

// "extmem_256mib": the prefix of that size's metrics (_export_us_*, _import_us_*, _total_us_*).
inline std::string exportMetricPrefix(std::size_t bytes) {
  return "extmem_" + std::to_string(bytes >> 20) + "mib";
}

// The saxpy workload (and the host triad it is compared with): y = a * x + y over 16M floats;
// bandwidth counts 12 bytes per element (read x, read y, write y).
constexpr std::uint32_t kSaxpyElements = 1u << 24;
constexpr std::size_t kSaxpyBytesPerElement = 12;

// Returns the process exit status: 0 when every workload ran, 1 otherwise.
int runDriverChild(const ChildOptions& options);

}  // namespace emvk::bench
