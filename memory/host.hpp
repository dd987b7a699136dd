// Facts about the host's memory, read once or on demand, and the process-wide usage of emvk.
#pragma once
#include <cstdint>

namespace emvk::memory {

uint64_t hostMemorySize();       // physical RAM: the size of emvk's one heap
uint64_t hostAvailableMemory();  // MemAvailable from /proc/meminfo, for VK_EXT_memory_budget
uint64_t pageSize();
uint64_t bytesAllocated();  // live device memory of all emvk devices in this process

}  // namespace emvk::memory
