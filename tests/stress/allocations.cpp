// Many threads allocate, map, fill, check and free thousands of small allocations at once, in
// random order: plain ones (anonymous memory), exportable ones (a memfd each, exported and closed
// again) and now and then an import of an exported fd into a second allocation, which must show the
// same bytes. Every allocation holds its own pattern until it is freed: two allocations that
// overlapped, or a free that unmapped the wrong range, would show up as a wrong byte or a crash.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <thread>

#include "interop/external_buffer.hpp"
#include "stress/stress_device.hpp"

namespace {

constexpr uint32_t kThreads = 8;
constexpr size_t kLive = 48;  // allocations each thread holds at most at once

struct Counts {
  std::atomic<uint64_t> allocations{0}, exports{0}, imports{0}, bytesChecked{0};
};

// One live allocation: plain memory, or an exportable buffer's memory.
struct Allocation {
  external::SharedBuffer memory;  // .buffer is null for plain memory
  VkDeviceSize size = 0;
  uint64_t seed = 0;
  bool mapped = false;
};

bool holdsPattern(const void* data, VkDeviceSize size, uint64_t seed) {
  std::vector<uint8_t> expected(size);
  test::fillPattern(expected.data(), size, seed);
  return std::memcmp(data, expected.data(), size) == 0;
}

class Worker {
 public:
  Worker(test::Device& device, uint32_t index, Counts& counts, stress::Errors& errors)
      : device_(device), index_(index), random_(index + 1), counts_(counts), errors_(errors) {}

  void run(stress::Clock::time_point deadline) {
    std::vector<Allocation> live;
    while (stress::Clock::now() < deadline && !errors_.any()) {
      // Grow to the limit, shrink to nothing, and everything in between.
      const bool grow = live.empty() || (live.size() < kLive && random_() % 8 < 5);
      if (grow) {
        Allocation a;
        if (!allocate(a)) break;
        live.push_back(a);
        continue;
      }
      std::swap(live[random_() % live.size()], live.back());
      free(live.back());
      live.pop_back();
    }
    for (Allocation& a : live) free(a);
  }

 private:
  // 1 B to 64 KiB, small sizes as likely as large ones (log-uniform).
  VkDeviceSize randomSize() {
    const unsigned bits = random_() % 17;
    return 1 + random_() % (VkDeviceSize(1) << bits);
  }

  bool allocate(Allocation& a) {
    a.size = randomSize();
    a.seed = (uint64_t(index_) << 40) + ++serial_;
    const bool exportable = random_() % 16 == 0;
    const uint32_t type = device_.hostVisibleMemoryType();
    VkResult r;
    if (exportable) {
      r = external::exportableBuffer(device_.handle, a.size, type, false, a.memory);
    } else {
      VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, nullptr, a.size, type};
      r = vkAllocateMemory(device_.handle, &info, nullptr, &a.memory.memory);
      if (r == VK_SUCCESS)
        r = vkMapMemory(device_.handle, a.memory.memory, 0, VK_WHOLE_SIZE, 0, &a.memory.data);
    }
    if (r != VK_SUCCESS) return fail("allocating " + std::to_string(a.size) + " bytes", r);
    a.mapped = true;
    test::fillPattern(a.memory.data, a.size, a.seed);
    counts_.allocations.fetch_add(1, std::memory_order_relaxed);
    if (exportable) return exportAndImport(a);
    return true;
  }

  // Exports the memory; one time in four also imports the fd into a second allocation and checks
  // that it shows the same bytes, then frees the import (the fd went with it).
  bool exportAndImport(Allocation& a) {
    int fd = -1;
    if (VkResult r = external::exportFd(device_.handle, a.memory.memory, &fd); r != VK_SUCCESS)
      return fail("vkGetMemoryFdKHR", r);
    counts_.exports.fetch_add(1, std::memory_order_relaxed);
    if (random_() % 4 != 0) {
      close(fd);
      return true;
    }
    external::SharedBuffer imported;
    if (VkResult r = external::importBuffer(device_.handle, fd, a.size, a.memory.allocationSize,
                                            a.memory.memoryType, false, imported);
        r != VK_SUCCESS) {
      close(fd);
      return fail("importing an exported fd", r);
    }
    const bool same = holdsPattern(imported.data, a.size, a.seed);
    external::destroy(device_.handle, imported);
    counts_.imports.fetch_add(1, std::memory_order_relaxed);
    if (!same) return fail("an import shows other bytes than its exporter", VK_SUCCESS);
    return true;
  }

  void free(Allocation& a) {
    // One time in four, unmap and map again first: the bytes must still be there.
    if (random_() % 4 == 0) {
      vkUnmapMemory(device_.handle, a.memory.memory);
      if (VkResult r =
              vkMapMemory(device_.handle, a.memory.memory, 0, VK_WHOLE_SIZE, 0, &a.memory.data);
          r != VK_SUCCESS)
        fail("mapping again", r);
    }
    if (!holdsPattern(a.memory.data, a.size, a.seed))
      fail("allocation " + std::to_string(a.seed) + " of " + std::to_string(a.size) +
               " bytes lost its pattern",
           VK_SUCCESS);
    counts_.bytesChecked.fetch_add(a.size, std::memory_order_relaxed);
    if (a.memory.buffer) {
      external::destroy(device_.handle, a.memory);  // frees the memory, which unmaps it
    } else {
      vkFreeMemory(device_.handle, a.memory.memory, nullptr);
    }
    a = Allocation{};
  }

  bool fail(const std::string& what, VkResult r) {
    errors_.add("thread " + std::to_string(index_) + ": " + what +
                (r != VK_SUCCESS ? " returned " + std::to_string(r) : ""));
    return false;
  }

  test::Device& device_;
  uint32_t index_;
  std::minstd_rand random_;
  uint64_t serial_ = 0;
  Counts& counts_;
  stress::Errors& errors_;
};

void allocateFromThreads(stress::Clock::duration budget) {
  test::Instance instance;
  stress::DeviceFeatures features;
  test::Device device(instance, features.options(1));
  stress::Errors errors;
  Counts counts;
  std::vector<Worker> workers;
  workers.reserve(kThreads);
  for (uint32_t t = 0; t < kThreads; ++t) workers.emplace_back(device, t, counts, errors);
  const auto start = stress::Clock::now();
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&, w = &worker] { w->run(start + budget); });
  for (auto& thread : threads) thread.join();
  const double seconds = stress::secondsSince(start);
  errors.check();

  if (budget < std::chrono::seconds(1)) return;  // the warm-up run reports nothing
  const std::string setting = std::to_string(kThreads) + " threads, up to " +
                              std::to_string(kLive) + " live each, 1 B-64 KiB";
  stress::report("allocate+map+check+free", counts.allocations, seconds, setting);
  stress::report("exports (memfd)", counts.exports, seconds, setting);
  stress::report("imports of an export", counts.imports, seconds, setting);
  CHECK(counts.allocations > 1000);
}

}  // namespace

TEST_CASE("stress: threads allocate, map, check and free thousands of small allocations",
          "[stress][memory]") {
  if (!stress::isEmvk()) return;
  stress::runWithLeakCheck(8, allocateFromThreads);
}
