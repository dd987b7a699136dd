#pragma once
// Turns the host measurement and the two driver runs into a table for people or JSON for scripts.

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "child_process.hpp"
#include "host_copy.hpp"
#include "host_flops.hpp"

namespace emvk::bench {

struct Report {
  HostCopyBandwidth host;
  HostTriadBandwidth triad;  // y = a * x + y over kSaxpyElements floats, 12 bytes per element
  HostFlops flops;           // the host's FP32 peak, for sgemm
  int flopsRepetitions = 0;
  std::uint32_t sgemmN = 0;
  std::size_t copyBytes = 0;
  int hostRepetitions = 0;
  DriverRun emvk;
  DriverRun peer;
};

void printTable(const Report& report, std::FILE* out);
void printJson(const Report& report, std::FILE* out);

}  // namespace emvk::bench
