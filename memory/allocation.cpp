#include "memory/allocation.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "memory/host.hpp"

namespace emvk::memory {
namespace {

std::atomic<uint64_t> gAllocated{0};

Error outOfMemory(std::string why) { return Error{VK_ERROR_OUT_OF_DEVICE_MEMORY, std::move(why)}; }

std::string errnoText(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

constexpr uint64_t kHugePage = 2ull << 20;

// Anonymous memory of 2 MiB or more is placed on a 2 MiB boundary and marked for transparent huge
// pages: large copies then take a TLB miss per 2 MiB instead of per 4 KiB (measured in
// docs/PERFORMANCE.md). The extra address space is unmapped again at once.
void* mapAnonymous(uint64_t size) {
  if (size < kHugePage)
    return mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return raw;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

uint64_t bytesAllocated() { return gAllocated.load(std::memory_order_relaxed); }

Result<Allocation> Allocation::create(uint64_t size, Backing backing, uint64_t limit) {
  if (size == 0 || size > limit)
    return outOfMemory("allocation of " + std::to_string(size) + " bytes exceeds the heap of " +
                       std::to_string(limit) + " bytes");
  const uint64_t mapped = (size + pageSize() - 1) / pageSize() * pageSize();
  // Account before mapping so two threads cannot both take the last free bytes of the heap.
  const uint64_t before = gAllocated.fetch_add(mapped);
  if (before + mapped > limit) {
    gAllocated.fetch_sub(mapped);
    return outOfMemory("allocation of " + std::to_string(size) +
                       " bytes does not fit: " + std::to_string(before) + " of " +
                       std::to_string(limit) + " heap bytes are in use");
  }

  UniqueFd fd;
  if (backing == Backing::Memfd) {
    fd.reset(memfd_create("emvk-device-memory", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    std::string failure;
    if (!fd)
      failure = errnoText("memfd_create");
    else if (ftruncate(fd.get(), static_cast<off_t>(mapped)) != 0)
      failure = errnoText("ftruncate");
    // Sealed so no holder of the fd, here or in a peer process, can shrink it under a mapping.
    else if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
      failure = errnoText("F_ADD_SEALS");
    if (!failure.empty()) {
      gAllocated.fetch_sub(mapped);
      return outOfMemory(failure);
    }
  }
  void* data = fd ? mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0)
                  : mapAnonymous(mapped);
  if (data == MAP_FAILED) {
    gAllocated.fetch_sub(mapped);
    return outOfMemory("the host refused " + std::to_string(mapped) + " bytes (" +
                       errnoText("mmap") + ")");
  }
  return Allocation(static_cast<uint8_t*>(data), size, mapped, std::move(fd));
}

Allocation::Allocation(uint8_t* data, uint64_t size, uint64_t mappedSize, UniqueFd fd)
    : data_(data), size_(size), mappedSize_(mappedSize), fd_(std::move(fd)) {}

Allocation::Allocation(Allocation&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mappedSize_(std::exchange(other.mappedSize_, 0)),
      fd_(std::move(other.fd_)) {}

Allocation::~Allocation() {
  if (!data_) return;
  munmap(data_, mappedSize_);
  gAllocated.fetch_sub(mappedSize_);
}

}  // namespace emvk::memory
