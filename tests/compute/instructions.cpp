// The instruction groups through the loader: tests/compute/shaders/instructions.comp computes, per
// invocation, integer, bit, comparison, conversion, vector, composite, float and GLSL.std.450
// results from two input words. Integers must match C++ exactly; floats within the precision
// Vulkan requires (spec: "Precision and Operation of SPIR-V Instructions"), with a margin.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

constexpr uint32_t kInts = 24, kFloats = 20, kCount = 64 * 8;

// GLSL's % on ints becomes OpSMod: the remainder takes the divisor's sign. (lavapipe 22.3.6 gives
// the dividend's sign, as OpSRem would, when the signs differ: aimed at it, io[6] fails.)
int32_t smod(int32_t x, int32_t y) {
  const int32_t r = x % y;
  return r != 0 && (r < 0) != (y < 0) ? r + y : r;
}

int32_t findMsb(uint32_t x) { return x ? 31 - std::countl_zero(x) : -1; }
int32_t findLsb(uint32_t x) { return x ? std::countr_zero(x) : -1; }

uint32_t reverseBits(uint32_t x) {
  uint32_t r = 0;
  for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1u) << (31 - i);
  return r;
}

std::vector<uint32_t> referenceInts(uint32_t a, uint32_t b) {
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  std::vector<uint32_t> o(kInts);
  o[0] = a + b;
  o[1] = a - b;
  o[2] = a * b;
  const uint32_t d = b | 1u;
  o[3] = a / d;
  o[4] = a % d;
  const int32_t sd = sb == 0 || sb == -1 ? 7 : sb;
  o[5] = static_cast<uint32_t>(sa / sd);
  o[6] = static_cast<uint32_t>(smod(sa, sd));
  o[7] = a << (b & 31);
  o[8] = a >> (b & 31);
  o[9] = static_cast<uint32_t>(sa >> (b & 31));
  o[10] = (a & b) ^ (a | ~b);
  o[11] = static_cast<uint32_t>(std::popcount(a)) * 1000 +
          static_cast<uint32_t>(findMsb(a) + 1) * 10 + static_cast<uint32_t>(findLsb(b) + 1);
  o[12] = reverseBits(a);
  o[13] = static_cast<uint32_t>(sa) * static_cast<uint32_t>(sb);  // wraps like OpIMul
  o[14] = (a >> 16) | (b << 16);
  o[15] = ~a + (0u - a);  // OpNot, OpSNegate
  o[16] = (a < b ? 1u : 0u) | (sa < sb ? 2u : 0u) | (a == b ? 4u : 0u) | (sa >= sb ? 8u : 0u) |
          (a != b && sa > 0 ? 16u : 0u);
  o[17] = static_cast<uint32_t>(std::min(sa, sb)) ^ std::max(a, b);
  o[18] = static_cast<uint32_t>(std::clamp(sa, -1000, 1000)) + std::clamp(b, 10u, 20u);
  o[19] = static_cast<uint32_t>(std::abs(sa >> 4)) + static_cast<uint32_t>((sb > 0) - (sb < 0) + 1);
  const float fa = static_cast<float>(sa) / 65536.0f;
  const float fb = static_cast<float>(b & 0xffff) / 256.0f + 0.5f;
  o[20] = static_cast<uint32_t>(static_cast<int32_t>(fa * 3.0f));
  o[21] = static_cast<uint32_t>(fb * 1000.0f);
  const uint32_t v[4] = {a, b, a ^ b, a + b};
  const uint32_t w[4] = {v[3] + v[1] * 3, v[2] + v[1] * 3, v[1] + v[0] * 3, v[0] + v[0] * 3};
  o[22] = w[b % 4] ^ w[0];
  const int32_t lows[3] = {sa, sb, -1};
  const float xs[3] = {1.0f, fa, 0.5f};
  o[23] = static_cast<uint32_t>(lows[a % 3]) + (xs[(a + 1) % 3] >= 1.0f ? 1u : 0u);
  return o;
}

struct FloatResult {
  double value;
  double scale;  // the magnitude of the terms: where they cancel, rounding is relative to these
};

std::vector<FloatResult> referenceFloats(uint32_t a, uint32_t b) {
  const float fa = static_cast<float>(static_cast<int32_t>(a)) / 65536.0f;
  const float fb = static_cast<float>(b & 0xffff) / 256.0f + 0.5f;
  const double x = fa, y = fb;
  auto fract = [](double v) { return v - std::floor(v); };
  auto sign = [](double v) { return static_cast<double>((v > 0) - (v < 0)); };
  std::vector<double> o(kFloats);
  o[0] = x + y;
  o[1] = x - y;
  o[2] = x * y;
  o[3] = x / y;
  o[4] = std::floor(x) + std::ceil(y) * 1000.0;
  o[5] = fract(x);
  o[6] = std::abs(x) + sign(x);
  o[7] = std::min(x, y) - std::max(x, -y);
  o[8] = std::clamp(x, -2.0, 3.0);
  o[9] = std::sqrt(y);
  o[10] = 1.0 / std::sqrt(y);
  o[11] = std::exp2(fract(x) * 4.0);
  o[12] = std::log2(y);
  o[13] = std::sin(fract(x) * 3.0) + std::cos(y * 0.01);
  o[14] = std::pow(y, 0.75);
  o[15] = x * 0.75 + y * 0.25;
  const double t = std::clamp(fract(y), 0.0, 1.0);
  o[16] = (x < 0.0 ? 0.0 : 1.0) + t * t * (3.0 - 2.0 * t);
  o[17] = x * 0.5 + y * -y + 1.0 * x + std::sqrt(0.25 + y * y);
  o[18] = -y * 10.0 + x;
  o[19] = 1.0 * 0.5 - x * x;  // cross(p, q).y = p.z * q.x - p.x * q.z
  std::vector<FloatResult> results(kFloats);
  for (uint32_t k = 0; k < kFloats; ++k) results[k] = {o[k], std::abs(o[k])};
  results[1].scale = results[7].scale = std::abs(x) + std::abs(y);
  results[15].scale = std::abs(x) + std::abs(y);  // mix may be x + (y - x) * a
  results[17].scale = 1.5 * std::abs(x) + y * y + y;
  results[18].scale = std::abs(x) + 10.0 * y;
  results[19].scale = 0.5 + x * x;
  return results;
}

// Within a few ULP of the float result (relative 1e-5, Vulkan allows 3 ULP for exp2 and log2 and
// 2.5 for division); sin and cos only promise an absolute error of 2^-11.
bool close(uint32_t index, double got, const FloatResult& expected) {
  const double tolerance = index == 13 ? 1e-3 : 1e-5 * std::max(1.0, expected.scale);
  return std::abs(got - expected.value) <= tolerance;
}

}  // namespace

TEST_CASE("compute: integer, bit, conversion, vector, composite and float instructions",
          "[compute][instructions]") {
  std::vector<uint32_t> in(kCount * 2);
  test::Pattern(7).fill(in.data(), in.size() * 4);
  const uint32_t edges[][2] = {{0, 0},
                               {1, 0},
                               {0xffffffffu, 1},
                               {0x80000000u, 0xffffffffu},
                               {0x7fffffffu, 0x80000000u},
                               {12345, 12345},
                               {0xfffffff0u, 31},
                               {3, 0xfffffffdu}};
  for (uint32_t e = 0; e < 8; ++e) in[2 * e] = edges[e][0], in[2 * e + 1] = edges[e][1];

  test::Instance instance;
  test::Device device(instance);
  for (Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    auto input = device.createBuffer(kCount * 8, usage);
    auto ints = device.createBuffer(kCount * kInts * 4, usage);
    auto floats = device.createBuffer(kCount * kFloats * 4, usage);
    std::memcpy(input.data, in.data(), kCount * 8);
    Program program(device, spirv("instructions", variant), 3);
    program.bindBuffers({&input, &ints, &floats});
    const VkPipeline pipeline = program.pipeline();
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      vkCmdDispatch(cb, kCount / 64, 1, 1);
      toHost(cb);
    });
    int failures = 0;
    for (uint32_t i = 0; i < kCount && failures < 20; ++i) {
      const uint32_t a = in[2 * i], b = in[2 * i + 1];
      const std::vector<uint32_t> expectedInts = referenceInts(a, b);
      const std::vector<FloatResult> expectedFloats = referenceFloats(a, b);
      for (uint32_t k = 0; k < kInts; ++k) {
        const uint32_t got = ints.as<uint32_t>()[i * kInts + k];
        if (got == expectedInts[k]) continue;
        ++failures;
        UNSCOPED_INFO("invocation " << i << " (a " << a << ", b " << b << "): io[" << k
                                    << "] = " << got << ", expected " << expectedInts[k]);
      }
      for (uint32_t k = 0; k < kFloats; ++k) {
        const float got = floats.as<float>()[i * kFloats + k];
        if (close(k, got, expectedFloats[k])) continue;
        ++failures;
        UNSCOPED_INFO("invocation " << i << " (a " << a << ", b " << b << "): fo[" << k
                                    << "] = " << got << ", expected " << expectedFloats[k].value);
      }
    }
    CHECK(failures == 0);
    device.destroy(input);
    device.destroy(ints);
    device.destroy(floats);
  }
}

// OpBitFieldUExtract / SExtract / Insert, with fields at random offsets and counts.
TEST_CASE("compute: bitfieldExtract and bitfieldInsert", "[compute][instructions]") {
  std::vector<uint32_t> in(kCount * 2);
  test::Pattern(11).fill(in.data(), in.size() * 4);
  test::Instance instance;
  test::Device device(instance);
  for (Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    auto input = device.createBuffer(kCount * 8, usage);
    auto output = device.createBuffer(kCount * 16, usage);
    std::memcpy(input.data, in.data(), kCount * 8);
    Program program(device, spirv("bitfields", variant), 2);
    program.bindBuffers({&input, &output});
    const VkPipeline pipeline = program.pipeline();
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      vkCmdDispatch(cb, kCount / 64, 1, 1);
      toHost(cb);
    });
    int failures = 0;
    for (uint32_t i = 0; i < kCount && failures < 20; ++i) {
      const uint32_t a = in[2 * i], b = in[2 * i + 1];
      const uint32_t offset = b % 16, bits = (b >> 28) + 1;
      const uint32_t ones = (1u << bits) - 1;
      const uint32_t field = (a >> offset) & ones;
      const uint32_t sign = 1u << (bits - 1);
      const uint32_t expected[4] = {field, (field ^ sign) - sign,
                                    (a & ~(ones << offset)) | ((b << offset) & (ones << offset)),
                                    0};
      for (int k = 0; k < 4; ++k) {
        const uint32_t got = output.as<uint32_t>()[i * 4 + k];
        if (got == expected[k]) continue;
        ++failures;
        UNSCOPED_INFO("invocation " << i << " (a " << a << ", b " << b << "): o[" << k
                                    << "] = " << got << ", expected " << expected[k]);
      }
    }
    CHECK(failures == 0);
    device.destroy(input);
    device.destroy(output);
  }
}
