// Divergent control flow through the loader: tests/compute/shaders/divergence.comp, where adjacent
// invocations take different paths through nested loops, breaks, continues, early returns and a
// switch before meeting at a barrier. The same arithmetic in C++ gives every output element.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

constexpr uint32_t kLocal = 32, kGroups = 40, kCount = kLocal * kGroups, kOutputs = 6;

uint32_t firstPair(uint32_t i, uint32_t x) {
  for (uint32_t k = 0; k < 40; ++k) {
    if (((x >> (k % 16)) & 3) == 3 && k > (i & 7)) return k * 100 + (x & 0xff);
    x = x * 1664525u + 1013904223u;
  }
  return 7;
}

// Everything divergence.comp computes before its barrier, for invocation `i` reading `x`; the
// sixth output (o[6i+4]) is a neighbour's, filled in by the caller.
std::array<uint32_t, kOutputs> reference(uint32_t i, uint32_t x) {
  uint32_t acc = 0, last = 0;
  for (uint32_t a = 0; a < (x & 7) + (i & 1); ++a) {
    uint32_t b = 0;
    while (true) {
      if (b >= ((x >> 3) & 7) + a) break;
      if (((b + i) & 1) == 0) {
        b++;
        continue;
      }
      acc += a * 10 + b;
      if (acc > 200 + (i & 31)) {
        last = a * 1000 + b;
        break;
      }
      b++;
    }
    if ((a ^ i) % 3 == 2) continue;
    acc ^= a << 4;
    last += 1;
  }
  uint32_t chosen = 0;
  switch ((x + i) % 6) {
    case 0:
      chosen = acc + 1;
      break;
    case 1:
      chosen = acc * 3;
      break;
    case 2:
      for (uint32_t k = 0; k < (x & 15); ++k) chosen += k * k;
      break;
    case 3:
      chosen = firstPair(i, x);
      break;
    case 5:
      chosen = 0xabcd;
      break;
    default:
      chosen = last;
      break;
  }
  uint32_t y = x, steps = 0, lastOdd = 0;
  do {
    if (y & 1) lastOdd = y;
    y >>= 1;
    steps++;
  } while (y != 0 && steps < i % 13 + 1);
  uint32_t exit = 99;
  for (uint32_t k = 0; k < 8; ++k) {
    if (k == (x ^ i) % 11) {
      exit = k;
      break;
    }
  }
  return {acc, last, chosen, lastOdd * 16 + steps, acc + chosen, exit};
}

}  // namespace

TEST_CASE("compute: divergent loops, breaks, returns and switches, then a barrier",
          "[compute][divergence]") {
  std::vector<uint32_t> in(kCount);
  for (uint32_t i = 0; i < kCount; ++i) in[i] = (i * 2654435761u) >> (i % 7 * 3);
  in[0] = 0, in[1] = 1, in[2] = 0xffffffffu, in[3] = 0x80000000u;
  std::vector<uint32_t> expected(kCount * kOutputs);
  for (uint32_t i = 0; i < kCount; ++i) {
    const auto r = reference(i, in[i]);
    std::memcpy(&expected[i * kOutputs], r.data(), sizeof r);
  }
  for (uint32_t i = 0; i < kCount; ++i) {  // mirror[31 - l]: the reflected invocation's acc+chosen
    const uint32_t mirrored = i / kLocal * kLocal + (kLocal - 1 - i % kLocal);
    expected[i * kOutputs + 4] = reference(mirrored, in[mirrored])[4];
  }

  forEachWorkerCount([&] {
    test::Instance instance;
    test::Device device(instance);
    for (Variant variant : {Variant::Plain, Variant::Optimized}) {
      INFO(variantName(variant));
      const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
      auto input = device.createBuffer(kCount * 4, usage);
      auto output = device.createBuffer(kCount * kOutputs * 4, usage);
      std::memcpy(input.data, in.data(), kCount * 4);
      std::memset(output.data, 0xee, kCount * kOutputs * 4);
      Program program(device, spirv("divergence", variant), 2);
      program.bindBuffers({&input, &output});
      const VkPipeline pipeline = program.pipeline();
      device.run([&](VkCommandBuffer cb) {
        program.bind(cb, pipeline);
        vkCmdDispatch(cb, kGroups, 1, 1);
        toHost(cb);
      });
      const char* names[kOutputs] = {"acc", "last", "chosen", "do-while", "mirror", "return"};
      int failures = 0;
      for (uint32_t i = 0; i < kCount * kOutputs && failures < 10; ++i) {
        const uint32_t got = output.as<uint32_t>()[i];
        if (got == expected[i]) continue;
        ++failures;
        UNSCOPED_INFO("invocation " << i / kOutputs << " (input " << in[i / kOutputs] << "), "
                                    << names[i % kOutputs] << " = " << got << ", expected "
                                    << expected[i]);
      }
      CHECK(failures == 0);
      device.destroy(input);
      device.destroy(output);
    }
  });
}
