// One block of host memory behind a VkDeviceMemory, mapped for its whole life.
//
// Why several backings: memory that may be shared with another instance or process needs a file
// the other side can map (a memfd, sealed so it can never shrink under a peer and SIGBUS it, with
// an identity record in its last page: memory/identity_record.hpp); memory that is never shared
// uses an anonymous mapping, which costs no file descriptor — programs with thousands of
// allocations would otherwise run into the process's fd limit. Imported memory maps a peer's memfd;
// host-pointer imports borrow the application's own pages.
#pragma once
#include <cstdint>

#include "memory/identity_record.hpp"
#include "memory/result.hpp"
#include "memory/unique_fd.hpp"

namespace emvk::memory {

enum class Backing { Anonymous, Memfd, ImportedFd, HostPointer };

// The byte new allocations are filled with under EMVK_POISON_MEMORY=1 (as a float, 0xCDCDCDCD is
// about -4.3e8; as a uint, 3452816845).
inline constexpr uint8_t kPoison = 0xCD;

class Allocation {
 public:
  // Reserves `size` bytes (rounded up to pages), zero-filled. `limit` is the heap size: a request
  // beyond it, or beyond what is still free of it, fails with VK_ERROR_OUT_OF_DEVICE_MEMORY.
  static Result<Allocation> create(uint64_t size, uint64_t limit);
  // The same in a sealed memfd whose last page holds `record`, ready to be exported.
  static Result<Allocation> createExportable(uint64_t size, uint64_t limit,
                                             const IdentityRecord& record);
  // Validates `fd` (an exported emvk memfd) against `expected` before mapping it; on success the
  // allocation owns the fd, on failure the fd is left exactly as it was (open, untouched).
  // `found` receives the exporter's record when it could be read.
  static Result<Allocation> importFd(int fd, const ImportExpectation& expected,
                                     IdentityRecord* found);
  // Borrows `size` bytes of the application's memory at `pointer` (VK_EXT_external_memory_host).
  static Result<Allocation> importHostPointer(void* pointer, uint64_t size);

  Allocation(Allocation&& other) noexcept;
  Allocation& operator=(Allocation&&) = delete;
  Allocation(const Allocation&) = delete;
  ~Allocation();

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }              // what the application asked for
  uint64_t mappedSize() const { return mappedSize_; }  // whole pages
  Backing backing() const { return backing_; }
  int fd() const { return fd_.get(); }  // -1 unless memfd-backed (exportable or imported)
  // A new close-on-exec descriptor of the memfd, for vkGetMemoryFdKHR.
  Result<int> exportFd() const;

 private:
  Allocation(uint8_t* data, uint64_t size, uint64_t mappedSize, UniqueFd fd, Backing backing);
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t mappedSize_ = 0;
  UniqueFd fd_;
  Backing backing_ = Backing::Anonymous;
};

// Where the identity record sits in an exported memfd of `fileSize` bytes.
inline uint64_t recordOffset(uint64_t fileSize) { return fileSize - 4096; }

}  // namespace emvk::memory
