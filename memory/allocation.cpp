#include "memory/allocation.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "memory/host.hpp"

namespace emvk::memory {
namespace {

std::atomic<uint64_t> gAllocated{0};

// The record page is a fixed 4 KiB whatever the host's page size, so the file layout is the same
// on every host (the aliasing contract extends to the fd itself).
constexpr uint64_t kRecordPage = 4096;
constexpr uint64_t kHugePage = 2ull << 20;

Error outOfMemory(std::string why) { return Error{VK_ERROR_OUT_OF_DEVICE_MEMORY, std::move(why)}; }
Error invalidHandle(std::string why) {
  return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, std::move(why)};
}

std::string errnoText(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

uint64_t roundToPages(uint64_t size) { return (size + pageSize() - 1) / pageSize() * pageSize(); }

// Takes `bytes` of the heap's budget, or says why not.
Result<bool> reserve(uint64_t requested, uint64_t bytes, uint64_t limit) {
  if (requested == 0 || requested > limit)
    return outOfMemory("allocation of " + std::to_string(requested) +
                       " bytes exceeds the heap of " + std::to_string(limit) + " bytes");
  // Account before mapping so two threads cannot both take the last free bytes of the heap.
  const uint64_t before = gAllocated.fetch_add(bytes);
  if (before + bytes > limit) {
    gAllocated.fetch_sub(bytes);
    return outOfMemory("allocation of " + std::to_string(requested) +
                       " bytes does not fit: " + std::to_string(before) + " of " +
                       std::to_string(limit) + " heap bytes are in use");
  }
  return true;
}

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

const char* fileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a pipe";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// EMVK_POISON_MEMORY=1: new memory is filled with kPoison instead of the kernel's zeros, so a
// program that reads memory it never wrote (undefined in Vulkan) sees an unmistakable pattern
// rather than zeros that happen to work. Read at each allocation, so a test can set it in-process.
// Imported memory is never touched: it holds someone else's data.
void poisonIfAsked(uint8_t* data, uint64_t size) {
  const char* value = std::getenv("EMVK_POISON_MEMORY");
  if (value && value[0] == '1') std::memset(data, kPoison, size);
}

}  // namespace

uint64_t bytesAllocated() { return gAllocated.load(std::memory_order_relaxed); }

Result<Allocation> Allocation::create(uint64_t size, uint64_t limit) {
  const uint64_t mapped = roundToPages(size);
  if (auto ok = reserve(size, mapped, limit); !ok) return ok.error();
  void* data = mapAnonymous(mapped);
  if (data == MAP_FAILED) {
    gAllocated.fetch_sub(mapped);
    return outOfMemory("the host refused " + std::to_string(mapped) + " bytes (" +
                       errnoText("mmap") + ")");
  }
  poisonIfAsked(static_cast<uint8_t*>(data), mapped);
  return Allocation(static_cast<uint8_t*>(data), size, mapped, UniqueFd(), Backing::Anonymous);
}

Result<Allocation> Allocation::createExportable(uint64_t size, uint64_t limit,
                                                const IdentityRecord& record) {
  const uint64_t mapped = (size + kRecordPage - 1) / kRecordPage * kRecordPage;
  if (auto ok = reserve(size, mapped, limit); !ok) return ok.error();
  UniqueFd fd(memfd_create("emvk-device-memory", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  std::string failure;
  if (!fd)
    failure = errnoText("memfd_create");
  else if (ftruncate(fd.get(), static_cast<off_t>(mapped + kRecordPage)) != 0)
    failure = errnoText("ftruncate");
  else if (pwrite(fd.get(), &record, sizeof(record), static_cast<off_t>(mapped)) != sizeof(record))
    failure = errnoText("pwrite of the identity record");
  // Sealed so no holder of the fd, here or in a peer process, can shrink it under a mapping.
  else if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
    failure = errnoText("F_ADD_SEALS");
  void* data = MAP_FAILED;
  if (failure.empty()) {
    data = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (data == MAP_FAILED) failure = errnoText("mmap");
  }
  if (!failure.empty()) {
    gAllocated.fetch_sub(mapped);
    return outOfMemory("exportable allocation of " + std::to_string(size) +
                       " bytes failed: " + failure);
  }
  poisonIfAsked(static_cast<uint8_t*>(data), mapped);
  return Allocation(static_cast<uint8_t*>(data), size, mapped, std::move(fd), Backing::Memfd);
}

Result<Allocation> Allocation::importFd(int fd, const ImportExpectation& expected,
                                        IdentityRecord* found) {
  // Every check below only reads: nothing blocks (a pipe or socket is refused by fstat before any
  // read) and nothing changes the fd, so a refused fd is handed back exactly as it came.
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0)
    return invalidHandle("fd " + std::to_string(fd) + " is not an open file descriptor");
  if (!S_ISREG(st.st_mode))
    return invalidHandle("fd " + std::to_string(fd) + " is " + fileKind(st.st_mode) +
                         ", not memory exported by emvk");
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0)
    return invalidHandle("fd " + std::to_string(fd) +
                         " is a file that cannot be sealed, not a memfd exported by emvk");
  if ((seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
    return invalidHandle("fd " + std::to_string(fd) +
                         " is an unsealed memfd: its owner could shrink it under the mapping "
                         "(SIGBUS); emvk only imports its own sealed exports");
  const auto fileSize = static_cast<uint64_t>(st.st_size);
  if (fileSize < kRecordPage || fileSize % kRecordPage != 0)
    return invalidHandle("fd " + std::to_string(fd) + " is " + std::to_string(fileSize) +
                         " bytes: too small or not a whole number of pages for an emvk export");
  IdentityRecord record;
  if (pread(fd, &record, sizeof(record), static_cast<off_t>(recordOffset(fileSize))) !=
      sizeof(record))
    return invalidHandle("fd " + std::to_string(fd) + ": the identity record cannot be read (" +
                         errnoText("pread") + ")");
  if (found) *found = record;
  if (auto ok = checkRecord(record, expected); !ok) return ok.error();
  // The data pages, rounded up, and the record page fill the file exactly. The size is compared
  // before it is rounded up: a record claiming nearly 2^64 bytes must not wrap around to a
  // small mapping.
  const uint64_t mapped = fileSize - kRecordPage;
  if (record.allocationSize > mapped ||
      (record.allocationSize + kRecordPage - 1) / kRecordPage * kRecordPage != mapped)
    return invalidHandle("fd " + std::to_string(fd) + " is " + std::to_string(fileSize) +
                         " bytes, but its record describes " +
                         std::to_string(record.allocationSize) +
                         " bytes of data (in whole pages, then one page for the record): the "
                         "memfd is truncated or padded");
  void* data = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED)
    return Error{VK_ERROR_OUT_OF_DEVICE_MEMORY,
                 "mapping the imported memfd failed: " + errnoText("mmap")};
  gAllocated.fetch_add(mapped);
  // VkImportMemoryFdInfoKHR: a successful import takes ownership of the fd.
  return Allocation(static_cast<uint8_t*>(data), record.allocationSize, mapped, UniqueFd(fd),
                    Backing::ImportedFd);
}

Result<Allocation> Allocation::importHostPointer(void* pointer, uint64_t size) {
  // The range must lie in the address space at all; allocationSize is the application's word.
  const auto start = reinterpret_cast<uintptr_t>(pointer);
  if (size > UINTPTR_MAX - start)
    return invalidHandle("host pointer range of " + std::to_string(size) +
                         " bytes runs past the end of the address space");
  // mincore() fails with ENOMEM if any page of the range is not mapped in this process. It is
  // asked a bounded stretch at a time: one byte of answer per page of a range as large as the
  // application says would be an allocation of any size (the fuzzer asked for 2.6 PiB).
  constexpr uint64_t kPagesPerCall = 4096;
  unsigned char residency[kPagesPerCall];
  const uint64_t stretch = kPagesPerCall * pageSize();
  for (uint64_t offset = 0; offset < size; offset += stretch) {
    if (mincore(static_cast<uint8_t*>(pointer) + offset, std::min(stretch, size - offset),
                residency) != 0)
      return invalidHandle("host pointer range is not mapped memory of this process (" +
                           errnoText("mincore") + ")");
  }
  return Allocation(static_cast<uint8_t*>(pointer), size, 0, UniqueFd(), Backing::HostPointer);
}

Result<int> Allocation::exportFd() const {
  if (!fd_) return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, "the memory has no file descriptor"};
  const int copy = fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error{VK_ERROR_TOO_MANY_OBJECTS, errnoText("dup of the memfd")};
  return copy;
}

Allocation::Allocation(uint8_t* data, uint64_t size, uint64_t mappedSize, UniqueFd fd,
                       Backing backing)
    : data_(data), size_(size), mappedSize_(mappedSize), fd_(std::move(fd)), backing_(backing) {}

Allocation::Allocation(Allocation&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mappedSize_(std::exchange(other.mappedSize_, 0)),
      fd_(std::move(other.fd_)),
      backing_(other.backing_) {}

Allocation::~Allocation() {
  if (!data_ || backing_ == Backing::HostPointer) return;  // borrowed pages stay the application's
  munmap(data_, mappedSize_);
  gAllocated.fetch_sub(mappedSize_);
}

}  // namespace emvk::memory
