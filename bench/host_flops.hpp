#pragma once
// What the machine allows in arithmetic: the host's FP32 peak, measured in the same run as the
// drivers (like the host triad), so sgemm can be read as a share of it.

namespace emvk::bench {

// GFLOP/s = 10^9 floating-point operations per second, an FMA counting 2. The kernel runs
// independent FMA chains on the widest vectors the CPU has (see host_flops.cpp); `isa` says which.
struct HostFlops {
  const char* isa = "";
  double singleThreadGflops = 0;
  unsigned threads = 0;
  double multiThreadGflops = 0;
};

HostFlops measureHostFlops(int repetitions);

}  // namespace emvk::bench
