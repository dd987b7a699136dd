#pragma once
// What the machine allows: host memcpy bandwidth, measured in the same run as the drivers because
// a shared VM's bandwidth moves with load (see shared/ANCHORS.md).

#include <cstddef>

namespace emvk::bench {

// Bandwidth counts bytes copied per second (one 256 MiB copy = 268435456 bytes, not read + write),
// in GB/s of 10^9 bytes: the same convention the Vulkan copy workload uses.
struct HostCopyBandwidth {
  double singleThreadGBps = 0;
  unsigned threads = 0;
  double multiThreadGBps = 0;
};

HostCopyBandwidth measureHostCopy(std::size_t bytes, int repetitions);

// The host's triad y[i] = a * x[i] + y[i] over `elements` floats, the same arithmetic as the saxpy
// workload. GB/s counts 12 bytes per element (read x, read y, write y), in 10^9 bytes per second,
// the convention the saxpy workload uses; threads get contiguous slices, start and join timed.
struct HostTriadBandwidth {
  double singleThreadGBps = 0;
  unsigned threads = 0;
  double multiThreadGBps = 0;
};

HostTriadBandwidth measureHostTriad(std::size_t elements, int repetitions);

}  // namespace emvk::bench
