#include "memory/host.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "memory/allocation.hpp"

namespace emvk::memory {

uint64_t pageSize() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

uint64_t hostMemorySize() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * pageSize();
  return size;
}

uint64_t hostAvailableMemory() {
  FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return hostMemorySize() / 2;
  char line[256];
  unsigned long long kib = 0;
  while (std::fgets(line, sizeof(line), f))
    if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) break;
  std::fclose(f);
  return kib ? kib * 1024ull : hostMemorySize() / 2;
}

}  // namespace emvk::memory
