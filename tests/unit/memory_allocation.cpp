// Unit tests of memory/ on its own, below the Vulkan API: the two backings and their guarantees.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "memory/allocation.hpp"
#include "memory/host.hpp"

using emvk::memory::Allocation;
using emvk::memory::Backing;

TEST_CASE("unit memory: anonymous allocations are zeroed, writable and accounted",
          "[unit][memory]") {
  const uint64_t before = emvk::memory::bytesAllocated();
  {
    auto a = Allocation::create(3 << 20, Backing::Anonymous, 1ull << 40);
    REQUIRE(a.ok());
    CHECK(a.value().fd() == -1);
    CHECK(a.value().size() == (3u << 20));
    // 2 MiB alignment lets the kernel back large allocations with huge pages.
    CHECK(reinterpret_cast<uintptr_t>(a.value().data()) % (2u << 20) == 0);
    for (uint64_t i = 0; i < a.value().size(); i += 4096) REQUIRE(a.value().data()[i] == 0);
    std::memset(a.value().data(), 0x5a, a.value().size());
    CHECK(emvk::memory::bytesAllocated() == before + (3u << 20));
  }
  CHECK(emvk::memory::bytesAllocated() == before);
}

TEST_CASE("unit memory: memfd allocations are sealed against shrinking and growing",
          "[unit][memory]") {
  auto a = Allocation::create(10000, Backing::Memfd, 1ull << 40);
  REQUIRE(a.ok());
  Allocation& alloc = a.value();
  REQUIRE(alloc.fd() >= 0);
  // Close-on-exec: a child process must not inherit device memory by accident.
  CHECK((fcntl(alloc.fd(), F_GETFD) & FD_CLOEXEC) != 0);
  const int seals = fcntl(alloc.fd(), F_GET_SEALS);
  CHECK((seals & F_SEAL_SHRINK) != 0);
  CHECK((seals & F_SEAL_GROW) != 0);
  struct stat st;
  REQUIRE(fstat(alloc.fd(), &st) == 0);
  CHECK(static_cast<uint64_t>(st.st_size) == alloc.mappedSize());
  CHECK(ftruncate(alloc.fd(), 4096) != 0);     // shrink refused
  CHECK(ftruncate(alloc.fd(), 1 << 20) != 0);  // grow refused

  // The mapping is shared: what the driver writes, another mapping of the fd sees.
  std::memcpy(alloc.data() + 100, "emvk", 4);
  char seen[4];
  REQUIRE(pread(alloc.fd(), seen, 4, 100) == 4);
  CHECK(std::memcmp(seen, "emvk", 4) == 0);
}

TEST_CASE("unit memory: sizes the heap cannot hold fail with a reason and leak nothing",
          "[unit][memory]") {
  const uint64_t before = emvk::memory::bytesAllocated();
  auto tooBig = Allocation::create(1ull << 62, Backing::Anonymous, 1ull << 34);
  REQUIRE_FALSE(tooBig.ok());
  CHECK(tooBig.error().code == VK_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(tooBig.error().why.find("exceeds the heap") != std::string::npos);

  auto zero = Allocation::create(0, Backing::Memfd, 1ull << 34);
  REQUIRE_FALSE(zero.ok());

  // Two allocations that each fit but not together: the second is refused.
  auto first = Allocation::create(3ull << 20, Backing::Anonymous, before + (4ull << 20));
  REQUIRE(first.ok());
  auto second = Allocation::create(3ull << 20, Backing::Anonymous, before + (4ull << 20));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().why.find("in use") != std::string::npos);
  CHECK(emvk::memory::bytesAllocated() == before + (3ull << 20));
}
