// One block of host memory behind a VkDeviceMemory, mapped for its whole life.
//
// Why two backings: memory that may be shared with another instance or process needs a file the
// other side can map (a memfd, sealed so it can never shrink under a peer and SIGBUS it); memory
// that is never shared uses an anonymous mapping, which costs no file descriptor — programs with
// thousands of allocations would otherwise run into the process's fd limit.
#pragma once
#include <cstdint>

#include "memory/result.hpp"
#include "memory/unique_fd.hpp"

namespace emvk::memory {

enum class Backing { Anonymous, Memfd };

class Allocation {
 public:
  // Reserves `size` bytes (rounded up to pages), zero-filled. `limit` is the heap size: a request
  // beyond it, or beyond what is still free of it, fails with VK_ERROR_OUT_OF_DEVICE_MEMORY.
  static Result<Allocation> create(uint64_t size, Backing backing, uint64_t limit);

  Allocation(Allocation&& other) noexcept;
  Allocation& operator=(Allocation&&) = delete;
  Allocation(const Allocation&) = delete;
  ~Allocation();

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }              // what the application asked for
  uint64_t mappedSize() const { return mappedSize_; }  // whole pages
  Backing backing() const { return fd_ ? Backing::Memfd : Backing::Anonymous; }
  int fd() const { return fd_.get(); }  // -1 for anonymous memory

 private:
  Allocation(uint8_t* data, uint64_t size, uint64_t mappedSize, UniqueFd fd);
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t mappedSize_ = 0;
  UniqueFd fd_;
};

}  // namespace emvk::memory
