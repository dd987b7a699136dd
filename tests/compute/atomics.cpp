// Atomics through the loader: tests/compute/shaders/atomics.comp, 256 workgroups of 64 invocations
// all hitting the same counters and histogram in a storage buffer, and shared memory. The totals
// are order-independent, so they are checked exactly against C++, with one worker thread and with
// every core.
#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

struct Counters {
  uint32_t total, evens, maximum;
  int32_t minimum;
  uint32_t orBits, andBits, xorBits, casCount, tickets, exchanged;
  uint32_t bins[64];
};

constexpr uint32_t kGroups = 256, kLocal = 64, kCount = kGroups * kLocal;

}  // namespace

TEST_CASE("compute: atomics from 256 workgroups count exactly, on buffers and shared memory",
          "[compute][atomics]") {
  std::vector<uint32_t> in(kCount);
  for (uint32_t i = 0; i < kCount; ++i) in[i] = (i * 2654435761u) % 100003u;
  Counters expected{0, 0, 0, INT32_MAX, 0, 0xffffffffu, 0, kCount, kCount, 12345, {}};
  std::vector<uint32_t> groups(kGroups * 8);
  for (uint32_t i = 0; i < kCount; ++i) {
    const uint32_t x = in[i];
    expected.total += x;
    expected.evens += x % 2 == 0;
    expected.maximum = std::max(expected.maximum, x);
    expected.minimum = std::min(expected.minimum, static_cast<int32_t>(x) - 50000);
    expected.orBits |= 1u << (x % 32);
    expected.andBits &= ~(1u << (x % 29));
    expected.xorBits ^= x;
    ++expected.bins[x % 64];
    uint32_t* g = &groups[i / kLocal * 8];
    if (i % kLocal == 0) g[0] = 0, g[1] = 0, g[2] = 0xffffffffu;
    g[0] += x & 0xff;
    g[1] = std::max(g[1], x);
    g[2] = std::min(g[2], x);
    ++g[4 + (x >> 3) % 4];
  }

  forEachWorkerCount([&] {
    test::Instance instance;
    test::Device device(instance);
    for (Variant variant : {Variant::Plain, Variant::Optimized}) {
      INFO(variantName(variant));
      const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
      auto input = device.createBuffer(kCount * 4, usage);
      auto counters = device.createBuffer(sizeof(Counters), usage);
      auto tickets = device.createBuffer(kCount * 4, usage);
      auto perGroup = device.createBuffer(kGroups * 32, usage);
      std::memcpy(input.data, in.data(), kCount * 4);
      *counters.as<Counters>() = {0, 0, 0, INT32_MAX, 0, 0xffffffffu, 0, 0, 0, 0, {}};
      std::memset(perGroup.data, 0, kGroups * 32);
      Program program(device, spirv("atomics", variant), 4);
      program.bindBuffers({&input, &counters, &tickets, &perGroup});
      const VkPipeline pipeline = program.pipeline();
      device.run([&](VkCommandBuffer cb) {
        program.bind(cb, pipeline);
        vkCmdDispatch(cb, kGroups, 1, 1);
        toHost(cb);
      });

      const Counters& got = *counters.as<Counters>();
      CHECK(got.total == expected.total);
      CHECK(got.evens == expected.evens);
      CHECK(got.maximum == expected.maximum);
      CHECK(got.minimum == expected.minimum);
      CHECK(got.orBits == expected.orBits);
      CHECK(got.andBits == expected.andBits);
      CHECK(got.xorBits == expected.xorBits);
      CHECK(got.casCount == expected.casCount);
      CHECK(got.tickets == expected.tickets);
      CHECK(got.exchanged == expected.exchanged);
      for (uint32_t b = 0; b < 64; ++b) {
        INFO("histogram bin " << b);
        CHECK(got.bins[b] == expected.bins[b]);
      }
      // atomicAdd returned every old value exactly once: the tickets are a permutation.
      std::vector<uint32_t> sorted(tickets.as<uint32_t>(), tickets.as<uint32_t>() + kCount);
      std::sort(sorted.begin(), sorted.end());
      for (uint32_t i = 0; i < kCount; ++i)
        if (sorted[i] != i)
          FAIL("the tickets are no permutation of 0.." << kCount - 1 << ": the " << i
                                                       << "th smallest is " << sorted[i]);
      for (uint32_t i = 0; i < kGroups * 8; ++i)
        if (perGroup.as<uint32_t>()[i] != groups[i])
          FAIL("workgroup " << i / 8 << ", shared counter " << i % 8 << " = "
                            << perGroup.as<uint32_t>()[i] << ", expected " << groups[i]);
      device.destroy(input);
      device.destroy(counters);
      device.destroy(tickets);
      device.destroy(perGroup);
    }
  });
}
