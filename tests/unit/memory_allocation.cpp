// Unit tests of memory/ on its own, below the Vulkan API: the backings and their guarantees, and
// the import checks that keep a bad fd from ever being mapped.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>

#include "memory/allocation.hpp"
#include "memory/host.hpp"

using emvk::memory::Allocation;
using emvk::memory::Backing;
using emvk::memory::Dedication;
using emvk::memory::IdentityRecord;
using emvk::memory::ImportExpectation;

namespace {

const uint8_t kDriver[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
const uint8_t kDevice[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

ImportExpectation expectation(uint64_t size) {
  ImportExpectation e{};
  e.layoutAbiVersion = 1;
  e.driverUUID = kDriver;
  e.deviceUUID = kDevice;
  e.allocationSize = size;
  e.memoryTypeIndex = 0;
  return e;
}

Allocation exportable(uint64_t size) {
  auto a = Allocation::createExportable(
      size, 1ull << 40,
      emvk::memory::makeRecord(expectation(size), Dedication::None, nullptr, nullptr));
  REQUIRE(a.ok());
  return a.take();
}

// An fd the import refused must still be open and unchanged (VkImportMemoryFdInfoKHR: ownership
// passes only on success).
void requireRefusedAndUntouched(int fd, const ImportExpectation& e, const char* why) {
  struct stat before, after;
  const bool wasOpen = fstat(fd, &before) == 0;
  auto imported = Allocation::importFd(fd, e, nullptr);
  REQUIRE_FALSE(imported.ok());
  CHECK(imported.error().code == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  INFO(imported.error().why);
  CHECK(imported.error().why.find(why) != std::string::npos);
  if (wasOpen) {
    REQUIRE(fstat(fd, &after) == 0);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_size == before.st_size);
  }
}

}  // namespace

TEST_CASE("unit memory: anonymous allocations are zeroed, writable and accounted",
          "[unit][memory]") {
  const uint64_t before = emvk::memory::bytesAllocated();
  {
    auto a = Allocation::create(3 << 20, 1ull << 40);
    REQUIRE(a.ok());
    CHECK(a.value().fd() == -1);
    CHECK(a.value().backing() == Backing::Anonymous);
    CHECK(a.value().size() == (3u << 20));
    // 2 MiB alignment lets the kernel back large allocations with huge pages.
    CHECK(reinterpret_cast<uintptr_t>(a.value().data()) % (2u << 20) == 0);
    for (uint64_t i = 0; i < a.value().size(); i += 4096) REQUIRE(a.value().data()[i] == 0);
    std::memset(a.value().data(), 0x5a, a.value().size());
    CHECK(emvk::memory::bytesAllocated() == before + (3u << 20));
  }
  CHECK(emvk::memory::bytesAllocated() == before);
}

TEST_CASE("unit memory: exportable memfds are sealed and end with an identity record",
          "[unit][memory]") {
  Allocation alloc = exportable(10000);
  REQUIRE(alloc.fd() >= 0);
  // Close-on-exec: a child process must not inherit device memory by accident.
  CHECK((fcntl(alloc.fd(), F_GETFD) & FD_CLOEXEC) != 0);
  const int seals = fcntl(alloc.fd(), F_GET_SEALS);
  CHECK((seals & F_SEAL_SHRINK) != 0);
  CHECK((seals & F_SEAL_GROW) != 0);
  struct stat st;
  REQUIRE(fstat(alloc.fd(), &st) == 0);
  CHECK(static_cast<uint64_t>(st.st_size) == 12288 + 4096);  // data pages + the record page
  CHECK(ftruncate(alloc.fd(), 4096) != 0);                   // shrink refused
  CHECK(ftruncate(alloc.fd(), 1 << 20) != 0);                // grow refused

  IdentityRecord record;
  REQUIRE(pread(alloc.fd(), &record, sizeof(record), 12288) == sizeof(record));
  CHECK(std::memcmp(record.magic, IdentityRecord::kMagic, 8) == 0);
  CHECK(record.allocationSize == 10000);
  CHECK(record.exporterPid == static_cast<uint32_t>(getpid()));

  // The mapping is shared: what the driver writes, another mapping of the fd sees.
  std::memcpy(alloc.data() + 100, "emvk", 4);
  char seen[4];
  REQUIRE(pread(alloc.fd(), seen, 4, 100) == 4);
  CHECK(std::memcmp(seen, "emvk", 4) == 0);
}

TEST_CASE("unit memory: an import maps the same pages and owns a new fd", "[unit][memory]") {
  Allocation exporter = exportable(1 << 20);
  auto fd = exporter.exportFd();
  REQUIRE(fd.ok());
  CHECK(fd.value() != exporter.fd());
  CHECK((fcntl(fd.value(), F_GETFD) & FD_CLOEXEC) != 0);
  auto imported = Allocation::importFd(fd.value(), expectation(1 << 20), nullptr);
  REQUIRE(imported.ok());
  CHECK(imported.value().fd() == fd.value());  // consumed: the allocation closes it
  std::memcpy(exporter.data() + 4096, "zero-copy", 9);
  CHECK(std::memcmp(imported.value().data() + 4096, "zero-copy", 9) == 0);
}

TEST_CASE("unit memory: imports of anything but an emvk export are refused, fd untouched",
          "[unit][memory]") {
  const ImportExpectation e = expectation(1 << 16);

  SECTION("a closed fd") { requireRefusedAndUntouched(987654, e, "not an open file descriptor"); }
  SECTION("a pipe, which would block a read") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    requireRefusedAndUntouched(p[0], e, "a pipe");
    close(p[0]);
    close(p[1]);
  }
  SECTION("a socket") {
    int s[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    requireRefusedAndUntouched(s[0], e, "a socket");
    close(s[0]);
    close(s[1]);
  }
  SECTION("a regular file") {
    FILE* f = tmpfile();
    REQUIRE(f);
    REQUIRE(ftruncate(fileno(f), 1 << 17) == 0);
    requireRefusedAndUntouched(fileno(f), e, "");
    fclose(f);
  }
  SECTION("another driver's unsealed memfd") {
    int fd = memfd_create("other-driver", MFD_CLOEXEC);
    REQUIRE(ftruncate(fd, 1 << 17) == 0);
    requireRefusedAndUntouched(fd, e, "unsealed memfd");
    close(fd);
  }
  SECTION("a sealed memfd without an emvk record") {
    int fd = memfd_create("other-driver", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    REQUIRE(ftruncate(fd, 1 << 17) == 0);
    REQUIRE(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
    requireRefusedAndUntouched(fd, e, "no emvk identity record");
    close(fd);
  }
  SECTION("a memfd too small to hold a record") {
    int fd = memfd_create("tiny", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    REQUIRE(ftruncate(fd, 100) == 0);
    REQUIRE(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
    requireRefusedAndUntouched(fd, e, "too small");
    close(fd);
  }
  SECTION("an export of another build (driverUUID differs)") {
    Allocation a = exportable(1 << 16);
    ImportExpectation other = e;
    const uint8_t otherDriver[16] = {0xee};
    other.driverUUID = otherDriver;
    requireRefusedAndUntouched(a.fd(), other, "another driver or another emvk build");
  }
  SECTION("an allocationSize that differs from the export") {
    Allocation a = exportable(1 << 16);
    requireRefusedAndUntouched(a.fd(), expectation(1 << 15),
                               "differs from the exported allocation");
  }
  SECTION("a record modified after export") {
    Allocation a = exportable(1 << 16);
    const uint64_t wrong = 12345;
    REQUIRE(pwrite(a.fd(), &wrong, sizeof(wrong),
                   (1 << 16) + offsetof(IdentityRecord, allocationSize)) == sizeof(wrong));
    requireRefusedAndUntouched(a.fd(), e, "checksum");
  }
}

TEST_CASE("unit memory: sizes the heap cannot hold fail with a reason and leak nothing",
          "[unit][memory]") {
  const uint64_t before = emvk::memory::bytesAllocated();
  auto tooBig = Allocation::create(1ull << 62, 1ull << 34);
  REQUIRE_FALSE(tooBig.ok());
  CHECK(tooBig.error().code == VK_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(tooBig.error().why.find("exceeds the heap") != std::string::npos);

  auto zero = Allocation::create(0, 1ull << 34);
  REQUIRE_FALSE(zero.ok());

  // Two allocations that each fit but not together: the second is refused.
  auto first = Allocation::create(3ull << 20, before + (4ull << 20));
  REQUIRE(first.ok());
  auto second = Allocation::create(3ull << 20, before + (4ull << 20));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().why.find("in use") != std::string::npos);
  CHECK(emvk::memory::bytesAllocated() == before + (3ull << 20));
}
