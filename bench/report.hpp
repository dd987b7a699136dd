#pragma once
// Turns the host measurement and the two driver runs into a table for people or JSON for scripts.

#include <cstddef>
#include <cstdio>

#include "child_process.hpp"
#include "host_copy.hpp"

namespace emvk::bench {

struct Report {
  HostCopyBandwidth host;
  HostTriadBandwidth triad;  // y = a * x + y over kSaxpyElements floats, 12 bytes per element
  std::size_t copyBytes = 0;
  int hostRepetitions = 0;
  DriverRun emvk;
  DriverRun peer;
};

void printTable(const Report& report, std::FILE* out);
void printJson(const Report& report, std::FILE* out);

}  // namespace emvk::bench
