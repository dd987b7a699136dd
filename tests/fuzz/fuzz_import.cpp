// Fuzz target: the external-memory import path of vkAllocateMemory. Each input makes one
// descriptor (a memfd with fuzzed size, seals and identity record, or a pipe, /dev/null, a closed
// number) or a host-pointer range, and imports it with VkImportMemoryFdInfoKHR or
// VkImportMemoryHostPointerInfoEXT.
//
// What every input must leave as it found it: the number of open descriptors. A successful import
// owns the fd (VkImportMemoryFdInfoKHR: "the implementation takes ownership"), so vkFreeMemory
// must close it; a refused one must leave it open and untouched, the application's still.
//
// Input, read front to back (fuzz::InputReader; zeros past the end):
//   u8 kind   % 9: 0-4 memfd, 5 pipe, 6 /dev/null, 7 a closed descriptor number, 8 host pointer
//   memfd:  u8 record (% 2: plain export, export dedicated to a buffer), u8 pages (% 6),
//           u16 extra bytes (% 4096), u8 seals (bit0 SHRINK, 1 GROW, 2 WRITE, 3 FUTURE_WRITE,
//           4 SEAL), u8 flags (bit0 recompute the record's checksum after the patches, bit1 a u64
//           allocationSize follows, bit2 dedicate the import to the buffer, bit3 a u32 handleType
//           follows, bit4 write no record, bit5 no MFD_ALLOW_SEALING), u8 memory type (0: the
//           record's, n: n - 1), u8 patch count (% 16) x {u8 offset, u8 value} into the record,
//           then the u64 / u32 the flags announced.
//   host:   u8 page (1 + % 16), u16 misalignment (% 4096), u8 flags (bit0 a u64 size follows, else
//           u8 pages (% 17); bit1 a u32 handleType follows).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fuzz_driver.hpp"
#include "memory/identity_record.hpp"

namespace {

using emvk::memory::IdentityRecord;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kExportSize = 2 * kPage;  // the exports' allocationSize: 3 pages with the record

constexpr uint64_t kHostPages = 18;
constexpr uint64_t kHostHoles[] = {0, 12, kHostPages - 1};

enum Kind : uint8_t { kMemfd = 0, kPipe = 5, kDevNull = 6, kClosed = 7, kHost = 8, kKinds = 9 };

struct Known {
  IdentityRecord records[2];         // a plain export's, and a buffer-dedicated export's
  VkBuffer buffer = VK_NULL_HANDLE;  // the buffer the second one was dedicated to
  // 18 pages, of which 0, 12 and 17 are unmapped: every range the inputs name either lies in
  // mapped pages of the harness or crosses a hole. A range beyond the holes would be other memory
  // of the process, which VUID-VkImportMemoryHostPointerInfoEXT-handleType-01750 rules out (the
  // pointer must be to allocationSize bytes of the application's memory), and the harness's
  // touch after the import could fault there.
  uint8_t* hostPages = nullptr;
};

// Exports kExportSize bytes (dedicated to `buffer` if given) and reads back the record.
IdentityRecord exportRecord(const fuzz::Driver& d, VkBuffer buffer) {
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicated.buffer = buffer;
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO};
  exportInfo.pNext = buffer ? &dedicated : nullptr;
  exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportInfo, kExportSize, 0};
  VkDeviceMemory memory = VK_NULL_HANDLE;
  fuzz::require(d.AllocateMemory(d.device, &info, nullptr, &memory) == VK_SUCCESS, "export");
  VkMemoryGetFdInfoKHR get{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR};
  get.memory = memory;
  get.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  int fd = -1;
  fuzz::require(d.GetMemoryFdKHR(d.device, &get, &fd) == VK_SUCCESS, "vkGetMemoryFdKHR");
  struct stat st;
  IdentityRecord record;
  fuzz::require(fstat(fd, &st) == 0 &&
                    pread(fd, &record, sizeof(record), st.st_size - kPage) == sizeof(record),
                "reading an exported record");
  close(fd);
  d.FreeMemory(d.device, memory, nullptr);
  return record;
}

Known makeKnown() {
  const fuzz::Driver& d = fuzz::driver();
  Known k;
  k.records[0] = exportRecord(d, VK_NULL_HANDLE);
  VkBufferCreateInfo bufferInfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bufferInfo.size = kExportSize;
  bufferInfo.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  fuzz::require(d.CreateBuffer(d.device, &bufferInfo, nullptr, &k.buffer) == VK_SUCCESS,
                "vkCreateBuffer");
  k.records[1] = exportRecord(d, k.buffer);
  void* pages =
      mmap(nullptr, kHostPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fuzz::require(pages != MAP_FAILED, "mmap of the host pages");
  k.hostPages = static_cast<uint8_t*>(pages);
  for (uint64_t hole : kHostHoles) munmap(k.hostPages + hole * kPage, kPage);
  return k;
}

const Known& known() {
  static const Known* const k = new Known(makeKnown());  // lives as long as the device
  return *k;
}

// Imports through vkAllocateMemory; on success maps the memory, touches its first and last byte
// and frees it. Returns whether the import succeeded.
bool importAndFree(const void* importInfo, uint64_t allocationSize, uint32_t memoryType,
                   VkBuffer dedicatedTo) {
  const fuzz::Driver& d = fuzz::driver();
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
                                          importInfo};
  dedicated.buffer = dedicatedTo;
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                            dedicatedTo ? &dedicated : importInfo, allocationSize, memoryType};
  VkDeviceMemory memory = VK_NULL_HANDLE;
  if (d.AllocateMemory(d.device, &info, nullptr, &memory) != VK_SUCCESS) return false;
  void* mapped = nullptr;
  if (d.MapMemory(d.device, memory, 0, VK_WHOLE_SIZE, 0, &mapped) == VK_SUCCESS &&
      allocationSize > 0) {
    volatile uint8_t* bytes = static_cast<uint8_t*>(mapped);
    bytes[0] = bytes[0];
    bytes[allocationSize - 1] = bytes[allocationSize - 1];
    d.UnmapMemory(d.device, memory);
  }
  d.FreeMemory(d.device, memory, nullptr);
  return true;
}

// A handle type from the input, kept within what the C++ enum can hold (31 bits: its largest
// enumerator is ..._MAX_ENUM, 0x7FFFFFFF). A value beyond breaks
// VUID-VkImportMemoryFdInfoKHR-handleType-parameter in a way the driver, written in C++, cannot
// even look at without undefined behaviour (UBSan's -fsanitize=enum reports the load).
uint32_t fuzzedHandleType(fuzz::InputReader& r) { return r.get<uint32_t>() & 0x7fffffffu; }

// What a refused import must not have changed.
struct FdState {
  ino_t inode = 0;
  off_t size = 0, offset = 0;
  int seals = 0;
  std::vector<uint8_t> lastPage;
  bool operator==(const FdState&) const = default;
};

FdState stateOf(int fd) {
  FdState s;
  struct stat st;
  fuzz::require(fstat(fd, &st) == 0, "a refused import closed its fd");
  s.inode = st.st_ino;
  s.size = st.st_size;
  s.offset = lseek(fd, 0, SEEK_CUR);
  s.seals = fcntl(fd, F_GET_SEALS);
  if (S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(kPage)) {
    s.lastPage.resize(kPage);
    fuzz::require(pread(fd, s.lastPage.data(), kPage, st.st_size - kPage) == kPage, "pread");
  }
  return s;
}

void importMemfd(fuzz::InputReader& r) {
  const Known& k = known();
  IdentityRecord record = k.records[r.get<uint8_t>() % 2];
  uint64_t size = (r.get<uint8_t>() % 6) * kPage + r.get<uint16_t>() % kPage;
  const auto seals = r.get<uint8_t>();
  const auto flags = r.get<uint8_t>();
  const auto type = r.get<uint8_t>();
  const uint32_t memoryType = type == 0 ? record.memoryTypeIndex : type - 1u;
  const int patches = r.get<uint8_t>() % 16;
  auto* recordBytes = reinterpret_cast<uint8_t*>(&record);
  for (int i = 0; i < patches; ++i) {
    const size_t offset = r.get<uint8_t>() % sizeof(record);
    recordBytes[offset] = r.get<uint8_t>();
  }
  if (flags & 1) record.checksum = emvk::memory::recordChecksum(record);
  const uint64_t allocationSize = (flags & 2) ? r.get<uint64_t>() : record.allocationSize;
  const uint32_t handleType =
      (flags & 8) ? fuzzedHandleType(r) : uint32_t{VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT};

  const int fd = memfd_create("emvk-fuzz", MFD_CLOEXEC | ((flags & 32) ? 0 : MFD_ALLOW_SEALING));
  fuzz::require(fd >= 0, "memfd_create");
  fuzz::require(ftruncate(fd, static_cast<off_t>(size)) == 0, "ftruncate");
  if (!(flags & 16) && size >= kPage)
    fuzz::require(pwrite(fd, &record, sizeof(record), size - kPage) == sizeof(record), "pwrite");
  const int sealBits[] = {F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE,
                          F_SEAL_SEAL};
  int sealSet = 0;
  for (int bit = 0; bit < 5; ++bit)
    if (seals & (1 << bit)) sealSet |= sealBits[bit];
  if (sealSet) fcntl(fd, F_ADD_SEALS, sealSet);  // refused without MFD_ALLOW_SEALING: also a case

  const FdState before = stateOf(fd);
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  import.handleType = static_cast<VkExternalMemoryHandleTypeFlagBits>(handleType);
  import.fd = fd;
  const bool allocated =
      importAndFree(&import, allocationSize, memoryType, (flags & 4) ? k.buffer : VK_NULL_HANDLE);
  // VkImportMemoryFdInfoKHR: handleType 0 imports nothing, and the fd stays the application's.
  if (allocated && handleType != 0) {
    // The memory owned the fd, and vkFreeMemory closed it.
    fuzz::require(fcntl(fd, F_GETFD) == -1, "vkFreeMemory left an imported fd open");
    return;
  }
  fuzz::require(stateOf(fd) == before, "a refused import changed its fd");
  close(fd);
}

// Descriptors that are not memfds at all.
void importOther(Kind kind, fuzz::InputReader& r) {
  int fds[2] = {-1, -1};
  if (kind == kPipe) fuzz::require(pipe2(fds, O_CLOEXEC) == 0, "pipe2");
  if (kind == kDevNull || kind == kClosed) fds[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
  fuzz::require(fds[0] >= 0, "open");
  if (kind == kClosed) close(fds[0]);  // its number names nothing now
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  import.fd = fds[0];
  const uint64_t allocationSize = r.get<uint8_t>() * kPage;
  fuzz::require(!importAndFree(&import, allocationSize, 0, VK_NULL_HANDLE),
                "a descriptor that is no emvk export was imported");
  if (kind == kClosed) return;
  fuzz::require(fcntl(fds[0], F_GETFD) != -1, "a refused import closed its fd");
  close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);
}

void importHostPointer(fuzz::InputReader& r) {
  const Known& k = known();
  // Another mapping of the process may have landed in a hole since: then this input proves
  // nothing (and could touch pages that are not the harness's).
  for (uint64_t hole : kHostHoles) {
    unsigned char resident;
    if (mincore(k.hostPages + hole * kPage, kPage, &resident) == 0) return;
  }
  uint8_t* pointer = k.hostPages + (1 + r.get<uint8_t>() % 16) * kPage + r.get<uint16_t>() % kPage;
  const auto flags = r.get<uint8_t>();
  const uint64_t size = (flags & 1) ? r.get<uint64_t>() : (r.get<uint8_t>() % 17) * kPage;
  VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
  import.handleType = static_cast<VkExternalMemoryHandleTypeFlagBits>(
      (flags & 2) ? fuzzedHandleType(r)
                  : uint32_t{VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT});
  import.pHostPointer = pointer;
  importAndFree(&import, size, 0, VK_NULL_HANDLE);
}

void writeSeeds(const std::filesystem::path& folder) {
  auto memfd = [](uint8_t record, uint8_t pages, uint8_t flags) {
    fuzz::InputWriter w;
    w.put<uint8_t>(kMemfd).put<uint8_t>(record).put<uint8_t>(pages).put<uint16_t>(0);
    w.put<uint8_t>(0b11).put<uint8_t>(flags).put<uint8_t>(0).put<uint8_t>(0);
    return w;
  };
  fuzz::writeSeed(folder, "memfd_plain", memfd(0, 3, 0).bytes());
  fuzz::writeSeed(folder, "memfd_buffer_dedicated", memfd(1, 3, 4).bytes());
  fuzz::writeSeed(folder, "memfd_buffer_not_dedicated", memfd(1, 3, 0).bytes());
  fuzz::writeSeed(folder, "memfd_too_small", memfd(0, 2, 0).bytes());
  fuzz::writeSeed(folder, "memfd_no_record", memfd(0, 3, 16).bytes());
  // One byte of the record's allocationSize changed, and the checksum made right again.
  std::vector<uint8_t> bytes = memfd(0, 3, 1).bytes();
  bytes.back() = 1;  // one patch
  bytes.push_back(offsetof(IdentityRecord, allocationSize) + 1);
  bytes.push_back(0x30);
  fuzz::writeSeed(folder, "memfd_patched_size", bytes);
  for (auto [kind, name] : {std::pair{kPipe, "pipe"}, {kDevNull, "dev_null"}, {kClosed, "closed"}})
    fuzz::writeSeed(folder, name, fuzz::InputWriter().put<uint8_t>(kind).put<uint8_t>(3).bytes());
  auto host = [](uint8_t page, uint16_t misalign, uint8_t pages) {
    return fuzz::InputWriter()
        .put<uint8_t>(kHost)
        .put(page)
        .put(misalign)
        .put<uint8_t>(0)
        .put(pages)
        .bytes();
  };
  fuzz::writeSeed(folder, "host_pointer", host(0, 0, 4));
  fuzz::writeSeed(folder, "host_pointer_hole", host(10, 0, 4));
  fuzz::writeSeed(folder, "host_pointer_misaligned", host(0, 8, 4));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  known();
  if (const std::filesystem::path folder = fuzz::seedFolderRequested(); !folder.empty()) {
    writeSeeds(folder);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fdsBefore = fuzz::openFdCount();
  fuzz::InputReader r({data, size});
  const auto kind = static_cast<Kind>(r.get<uint8_t>() % kKinds);
  if (kind < kPipe) {
    importMemfd(r);
  } else if (kind == kHost) {
    importHostPointer(r);
  } else {
    importOther(kind, r);
  }
  fuzz::require(fuzz::openFdCount() == fdsBefore, "an input leaked (or closed) a descriptor");
  return 0;
}
