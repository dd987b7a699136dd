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

}  // namespace emvk::bench
