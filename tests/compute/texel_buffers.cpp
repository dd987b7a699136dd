// Uniform and storage texel buffers through the loader: for every format emvk reports with a
// texel buffer feature, a buffer view over texels of known bytes, a shader that fetches (uniform)
// or loads and stores (storage) every texel and a few past the end, and each result checked
// against the C++ reference below (section "Conversion to RGBA", "Fixed-Point Data
// Conversions"). Out-of-range reads give a texel of zeros with the format's missing components
// substituted (robustBufferAccess2), out-of-range writes change nothing; imageSize and
// textureSize give the view's texels. The last test checks that every format with a texel buffer
// bit is one tested here, so nothing untested is advertised.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

enum class Kind { Unorm, Snorm, Uint, Sint, Sfloat, Ufloat };

// A format as the test sees it: its components' bits from the texel's first bit on (a packed
// format's word is little-endian), the channel (R, G, B, A = 0..3) of each, and how the shaders
// reach it: the GLSL storage format, or null when it is a uniform texel buffer format only.
struct Case {
  VkFormat format;
  const char* name;
  Kind kind;
  std::vector<uint32_t> bits;
  std::vector<uint32_t> channels;
  const char* storage = nullptr;
  bool atomic = false;

  uint32_t texelSize() const {
    uint32_t total = 0;
    for (uint32_t b : bits) total += b;
    return total / 8;
  }
  bool isInteger() const { return kind == Kind::Uint || kind == Kind::Sint; }
  const char* sampledType() const {
    return kind == Kind::Uint ? "uint" : kind == Kind::Sint ? "int" : "float";
  }
};

#define F(f) VK_FORMAT_##f, #f
const std::vector<uint32_t> kRgba{0, 1, 2, 3};
const std::vector<Case> kCases = {
    {F(R8_UNORM), Kind::Unorm, {8}, {0}},
    {F(R8_SNORM), Kind::Snorm, {8}, {0}},
    {F(R8_UINT), Kind::Uint, {8}, {0}},
    {F(R8_SINT), Kind::Sint, {8}, {0}},
    {F(R8G8_UNORM), Kind::Unorm, {8, 8}, {0, 1}},
    {F(R8G8_SNORM), Kind::Snorm, {8, 8}, {0, 1}},
    {F(R8G8_UINT), Kind::Uint, {8, 8}, {0, 1}},
    {F(R8G8_SINT), Kind::Sint, {8, 8}, {0, 1}},
    {F(R8G8B8A8_UNORM), Kind::Unorm, {8, 8, 8, 8}, kRgba, "rgba8"},
    {F(R8G8B8A8_SNORM), Kind::Snorm, {8, 8, 8, 8}, kRgba, "rgba8_snorm"},
    {F(R8G8B8A8_UINT), Kind::Uint, {8, 8, 8, 8}, kRgba, "rgba8ui"},
    {F(R8G8B8A8_SINT), Kind::Sint, {8, 8, 8, 8}, kRgba, "rgba8i"},
    {F(B8G8R8A8_UNORM), Kind::Unorm, {8, 8, 8, 8}, {2, 1, 0, 3}},
    {F(A8B8G8R8_UNORM_PACK32), Kind::Unorm, {8, 8, 8, 8}, kRgba, "rgba8"},
    {F(A8B8G8R8_SNORM_PACK32), Kind::Snorm, {8, 8, 8, 8}, kRgba, "rgba8_snorm"},
    {F(A8B8G8R8_UINT_PACK32), Kind::Uint, {8, 8, 8, 8}, kRgba, "rgba8ui"},
    {F(A8B8G8R8_SINT_PACK32), Kind::Sint, {8, 8, 8, 8}, kRgba, "rgba8i"},
    {F(A2B10G10R10_UNORM_PACK32), Kind::Unorm, {10, 10, 10, 2}, kRgba},
    {F(A2B10G10R10_UINT_PACK32), Kind::Uint, {10, 10, 10, 2}, kRgba},
    {F(B10G11R11_UFLOAT_PACK32), Kind::Ufloat, {11, 11, 10}, {0, 1, 2}},
    {F(R16_UINT), Kind::Uint, {16}, {0}},
    {F(R16_SINT), Kind::Sint, {16}, {0}},
    {F(R16_SFLOAT), Kind::Sfloat, {16}, {0}},
    {F(R16G16_UINT), Kind::Uint, {16, 16}, {0, 1}},
    {F(R16G16_SINT), Kind::Sint, {16, 16}, {0, 1}},
    {F(R16G16_SFLOAT), Kind::Sfloat, {16, 16}, {0, 1}},
    {F(R16G16B16A16_UINT), Kind::Uint, {16, 16, 16, 16}, kRgba, "rgba16ui"},
    {F(R16G16B16A16_SINT), Kind::Sint, {16, 16, 16, 16}, kRgba, "rgba16i"},
    {F(R16G16B16A16_SFLOAT), Kind::Sfloat, {16, 16, 16, 16}, kRgba, "rgba16f"},
    {F(R32_UINT), Kind::Uint, {32}, {0}, "r32ui", true},
    {F(R32_SINT), Kind::Sint, {32}, {0}, "r32i", true},
    {F(R32_SFLOAT), Kind::Sfloat, {32}, {0}, "r32f"},
    {F(R32G32_UINT), Kind::Uint, {32, 32}, {0, 1}},
    {F(R32G32_SINT), Kind::Sint, {32, 32}, {0, 1}},
    {F(R32G32_SFLOAT), Kind::Sfloat, {32, 32}, {0, 1}},
    {F(R32G32B32A32_UINT), Kind::Uint, {32, 32, 32, 32}, kRgba, "rgba32ui"},
    {F(R32G32B32A32_SINT), Kind::Sint, {32, 32, 32, 32}, kRgba, "rgba32i"},
    {F(R32G32B32A32_SFLOAT), Kind::Sfloat, {32, 32, 32, 32}, kRgba, "rgba32f"},
};
#undef F

uint32_t bitsOf(float f) { return std::bit_cast<uint32_t>(f); }
float floatOf(uint32_t u) { return std::bit_cast<float>(u); }

// Bit by bit: slow, and obviously right.
uint64_t getBits(const uint8_t* texel, uint32_t first, uint32_t count) {
  uint64_t v = 0;
  for (uint32_t k = 0; k < count; ++k)
    v |= uint64_t(texel[(first + k) / 8] >> ((first + k) % 8) & 1) << k;
  return v;
}
void setBits(uint8_t* texel, uint32_t first, uint32_t count, uint64_t v) {
  for (uint32_t k = 0; k < count; ++k) {
    uint8_t& byte = texel[(first + k) / 8];
    byte = uint8_t((byte & ~(1u << ((first + k) % 8))) | ((v >> k & 1) << ((first + k) % 8)));
  }
}

int64_t signExtend(uint64_t v, uint32_t bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }

// The vec4 / ivec4 / uvec4 a shader reads from `texel`, as 32-bit words.
std::array<uint32_t, 4> decode(const Case& c, const uint8_t* texel) {
  std::array<uint32_t, 4> rgba{0, 0, 0, c.isInteger() ? 1u : bitsOf(1.0f)};
  uint32_t first = 0;
  for (size_t i = 0; i < c.bits.size(); ++i) {
    const uint32_t n = c.bits[i];
    const uint64_t raw = getBits(texel, first, n);
    first += n;
    uint32_t& out = rgba[c.channels[i]];
    switch (c.kind) {
      case Kind::Unorm:
        out = bitsOf(float(raw) / float((1ull << n) - 1));
        break;
      case Kind::Snorm:
        out = bitsOf(std::max(float(signExtend(raw, n)) / float((1ull << (n - 1)) - 1), -1.0f));
        break;
      case Kind::Uint:
        out = uint32_t(raw);
        break;
      case Kind::Sint:
        out = uint32_t(signExtend(raw, n));
        break;
      case Kind::Sfloat:
        out = n == 32 ? uint32_t(raw) : bitsOf(float(std::bit_cast<_Float16>(uint16_t(raw))));
        break;
      case Kind::Ufloat: {  // 5 exponent bits, n - 5 mantissa bits, no sign
        const uint32_t m = n - 5, e = uint32_t(raw >> m), f = uint32_t(raw & ((1u << m) - 1));
        double value = e == 0 ? std::ldexp(double(f) / (1 << m), -14)
                              : std::ldexp(1.0 + double(f) / (1 << m), int(e) - 15);
        if (e == 31) value = f ? NAN : INFINITY;
        out = bitsOf(float(value));
        break;
      }
    }
  }
  return rgba;
}

// The texel imageStore writes for `rgba`.
void encode(const Case& c, const std::array<uint32_t, 4>& rgba, uint8_t* texel) {
  uint32_t first = 0;
  for (size_t i = 0; i < c.bits.size(); ++i) {
    const uint32_t n = c.bits[i];
    const uint32_t word = rgba[c.channels[i]];
    const float f = floatOf(word);
    uint64_t raw = word;
    if (c.kind == Kind::Unorm)
      raw = uint64_t(std::floor(std::clamp(f, 0.0f, 1.0f) * float((1ull << n) - 1) + 0.5f));
    if (c.kind == Kind::Snorm)
      raw = uint64_t(
          int64_t(std::floor(std::clamp(f, -1.0f, 1.0f) * float((1ull << (n - 1)) - 1) + 0.5f)));
    if (c.kind == Kind::Sfloat && n == 16) raw = std::bit_cast<uint16_t>(static_cast<_Float16>(f));
    setBits(texel, first, n, raw);
    first += n;
  }
}

// What a shader may store for component `k` of lane `i`: in range for the format's numbers.
uint32_t inputWord(const Case& c, uint32_t i, uint32_t k) {
  const uint32_t n = c.bits[0];
  const uint32_t hash = (i * 2654435761u) ^ (k * 40503u + 977u);
  switch (c.kind) {
    case Kind::Uint:
      return n == 32 ? hash : hash % (1u << n);
    case Kind::Sint:
      return n == 32 ? hash : uint32_t(int32_t(hash % (1u << n)) - int32_t(1u << (n - 1)));
    default:  // -1.5 .. 1.6 in steps of 0.0137, and a few larger ones
      return bitsOf(float(int(hash % 229) - 110) * 0.0137f *
                    (k == 3 && i % 7 == 0 ? 300.0f : 1.0f));
  }
}

bool sameWord(const Case& c, uint32_t got, uint32_t expected) {
  if (!c.isInteger() && std::isnan(floatOf(got)) && std::isnan(floatOf(expected))) return true;
  return got == expected;
}

constexpr uint32_t kTexels = 100;          // in each view: a group and a partial one
constexpr uint32_t kInvocations = 128;     // 2 workgroups of 64
constexpr uint32_t kCount = kTexels + 20;  // invocations that access a texel; 20 past the end

// A compute program with the given descriptor types at bindings 0, 1, ... and 4 bytes of push
// constants (the count), and the buffer views made for it.
class TexelProgram {
 public:
  TexelProgram(test::Device& device, const std::vector<uint32_t>& words,
               const std::vector<VkDescriptorType>& types)
      : device_(device.handle), program_(device, words, types, 4), pipeline_(program_.pipeline()) {}
  ~TexelProgram() {
    for (VkBufferView v : views_) vkDestroyBufferView(device_, v, nullptr);
  }
  TexelProgram(const TexelProgram&) = delete;
  TexelProgram& operator=(const TexelProgram&) = delete;

  // A view of `format` over `range` bytes (or VK_WHOLE_SIZE) from `offset`, at `binding`.
  void bindView(uint32_t binding, VkDescriptorType type, const test::Buffer& buffer,
                VkFormat format, VkDeviceSize offset, VkDeviceSize range) {
    VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
                                nullptr,
                                0,
                                buffer.buffer,
                                format,
                                offset,
                                range};
    VkBufferView view = VK_NULL_HANDLE;
    REQUIRE(vkCreateBufferView(device_, &info, nullptr, &view) == VK_SUCCESS);
    views_.push_back(view);
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                               nullptr,
                               program_.set(),
                               binding,
                               0,
                               1,
                               type,
                               nullptr,
                               nullptr,
                               &views_.back()};
    vkUpdateDescriptorSets(device_, 1, &write, 0, nullptr);
  }
  void bindBuffer(uint32_t binding, const test::Buffer& buffer) {
    VkDescriptorBufferInfo info{buffer.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet write{
        VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, program_.set(), binding, 0, 1,
        VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, &info,          nullptr};
    vkUpdateDescriptorSets(device_, 1, &write, 0, nullptr);
  }
  void dispatch(test::Device& device, uint32_t count, uint32_t groups) {
    device.run([&](VkCommandBuffer cb) {
      program_.bind(cb, pipeline_);
      program_.push(cb, count);
      vkCmdDispatch(cb, groups, 1, 1);
      toHost(cb);
    });
  }

 private:
  VkDevice device_;
  Program program_;
  VkPipeline pipeline_;
  std::vector<VkBufferView> views_;
};

uint32_t offsetAlignment(VkPhysicalDevice physical) {
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(physical, &p);
  return uint32_t(p.limits.minTexelBufferOffsetAlignment);
}

// Bytes that differ everywhere (a few are NaN as floats: they compare as NaN).
void fillPattern(uint8_t* bytes, size_t size, uint32_t seed) {
  for (size_t i = 0; i < size; ++i)
    bytes[i] = uint8_t((i * 131 + seed * 17 + (i >> 3) * 7) ^ (i >> 5));
}

}  // namespace

TEST_CASE("compute: uniform texel buffers fetch every format's texels, zeros past the end",
          "[compute][texel]") {
  test::Instance instance;
  test::Device device(instance);
  const uint32_t alignment = offsetAlignment(instance.physical);
  for (const Variant variant : {Variant::Plain, Variant::Optimized})
    for (const Case& c : kCases) {
      INFO(c.name << ", " << variantName(variant));
      const uint32_t size = c.texelSize();
      // Odd cases: VK_WHOLE_SIZE over a buffer whose end is not a whole texel (it is left out).
      const bool whole = (&c - kCases.data()) % 2 == 1;
      auto texels = device.createBuffer(alignment + kTexels * size + (size - 1),
                                        VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
      auto out = device.createBuffer(16 + kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      fillPattern(texels.as<uint8_t>(), texels.size, c.format);
      std::memset(out.data, 0xcd, out.size);
      {
        TexelProgram program(
            device, spirv(std::string("texel_fetch_") + c.sampledType(), variant),
            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER});
        program.bindView(0, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, texels, c.format, alignment,
                         whole ? VK_WHOLE_SIZE : kTexels * size);
        program.bindBuffer(1, out);
        program.dispatch(device, kCount, kInvocations / 64);
      }
      CHECK(out.as<uint32_t>()[0] == kTexels);
      const uint32_t* values = out.as<uint32_t>() + 4;
      for (uint32_t i = 0; i < kCount; ++i) {
        // Past the end: a texel of zeros, missing components substituted (robustBufferAccess2).
        static constexpr uint8_t kZeroTexel[16] = {};
        std::array<uint32_t, 4> expected = decode(c, kZeroTexel);
        if (i < kTexels) expected = decode(c, texels.as<uint8_t>() + alignment + i * size);
        for (uint32_t k = 0; k < 4; ++k) {
          if (!sameWord(c, values[i * 4 + k], expected[k]))
            FAIL_CHECK("texel " << i << " component " << k << ": got 0x" << std::hex
                                << values[i * 4 + k] << ", expected 0x" << expected[k]);
        }
      }
      device.destroy(texels);
      device.destroy(out);
    }
}

TEST_CASE("compute: storage texel buffers load and store every storage format's texels",
          "[compute][texel]") {
  test::Instance instance;
  test::Device device(instance);
  const uint32_t alignment = offsetAlignment(instance.physical);
  for (const Variant variant : {Variant::Plain, Variant::Optimized})
    for (const Case& c : kCases) {
      if (!c.storage) continue;
      INFO(c.name << ", " << variantName(variant));
      const uint32_t size = c.texelSize();
      const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT;
      auto src = device.createBuffer(kTexels * size, usage);
      auto dst = device.createBuffer(2 * alignment + kTexels * size, usage);
      auto out = device.createBuffer(16 + kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      auto in = device.createBuffer(kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      fillPattern(src.as<uint8_t>(), src.size, c.format + 1);
      std::memset(dst.data, 0xa5, dst.size);
      std::memset(out.data, 0xcd, out.size);
      for (uint32_t i = 0; i < kInvocations; ++i)
        for (uint32_t k = 0; k < 4; ++k) in.as<uint32_t>()[i * 4 + k] = inputWord(c, i, k);
      {
        TexelProgram program(
            device, spirv(std::string("texel_storage_") + c.storage, variant),
            {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER,
             VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER});
        program.bindView(0, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, src, c.format, 0,
                         VK_WHOLE_SIZE);
        program.bindView(1, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, dst, c.format, alignment,
                         kTexels * size);
        program.bindBuffer(2, out);
        program.bindBuffer(3, in);
        program.dispatch(device, kCount, kInvocations / 64);
      }
      CHECK(out.as<uint32_t>()[0] == kTexels);
      CHECK(out.as<uint32_t>()[1] == kTexels);
      const uint32_t* values = out.as<uint32_t>() + 4;
      for (uint32_t i = 0; i < kCount; ++i) {
        static constexpr uint8_t kZeroTexel[16] = {};
        std::array<uint32_t, 4> expected = decode(c, kZeroTexel);
        if (i < kTexels) expected = decode(c, src.as<uint8_t>() + i * size);
        for (uint32_t k = 0; k < 4; ++k) {
          if (!sameWord(c, values[i * 4 + k], expected[k]))
            FAIL_CHECK("loaded texel " << i << " component " << k << ": got 0x" << std::hex
                                       << values[i * 4 + k] << ", expected 0x" << expected[k]);
        }
      }
      // The stored texels, and nothing before or after the view.
      std::vector<uint8_t> expected(dst.size, 0xa5);
      for (uint32_t i = 0; i < kTexels; ++i) {
        std::array<uint32_t, 4> rgba;
        std::memcpy(rgba.data(), in.as<uint32_t>() + i * 4, 16);
        encode(c, rgba, expected.data() + alignment + i * size);
      }
      for (size_t b = 0; b < dst.size; ++b) {
        if (dst.as<uint8_t>()[b] != expected[b])
          FAIL_CHECK("byte " << b << " of the stored buffer (texel "
                             << (int64_t(b) - alignment) / size << "): got "
                             << int(dst.as<uint8_t>()[b]) << ", expected " << int(expected[b]));
      }
      device.destroy(src);
      device.destroy(dst);
      device.destroy(out);
      device.destroy(in);
    }
}

TEST_CASE("compute: atomics on r32ui and r32i storage texel buffers count exactly",
          "[compute][texel][atomics]") {
  forEachWorkerCount([] {
    test::Instance instance;
    test::Device device(instance);
    for (const bool isSigned : {false, true}) {
      INFO((isSigned ? "r32i" : "r32ui"));
      const Variant variant = isSigned ? Variant::Optimized : Variant::Plain;
      constexpr uint32_t kGroups = 4, kLocal = 64, kN = kGroups * kLocal;
      auto counters = device.createBuffer(16 * 4, VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT);
      auto old = device.createBuffer(4 + kN * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      uint32_t* k = counters.as<uint32_t>();
      for (uint32_t i = 0; i < 16; ++i) k[i] = i < 8 ? 0 : 0xdeadbeefu;
      k[8] = isSigned ? uint32_t(INT32_MAX) : UINT32_MAX;
      k[9] = isSigned ? uint32_t(INT32_MIN) : 0;
      std::memset(old.data, 0, old.size);
      {
        TexelProgram program(
            device, spirv(isSigned ? "texel_atomics_r32i" : "texel_atomics_r32ui", variant),
            {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER});
        program.bindView(0, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, counters,
                         isSigned ? VK_FORMAT_R32_SINT : VK_FORMAT_R32_UINT, 0, 10 * 4);
        program.bindBuffer(1, old);
        program.dispatch(device, 0, kGroups);
      }
      for (uint32_t i = 0; i < 8; ++i) CHECK(k[i] == kN / 8);
      // min and max of i - 100 over i < kN: signed -100 and kN - 101; unsigned 0 and 2^32 - 1.
      CHECK(k[8] == (isSigned ? uint32_t(-100) : 0u));
      CHECK(k[9] == (isSigned ? kN - 101 : UINT32_MAX));
      for (uint32_t i = 10; i < 16; ++i) CHECK(k[i] == 0xdeadbeefu);  // past the view: untouched
      CHECK(old.as<uint32_t>()[0] == 0);  // atomics past the view returned 0
      // Each counter's old values are 0 .. kN/8 - 1, once each.
      for (uint32_t slot = 0; slot < 8; ++slot) {
        std::vector<uint32_t> olds;
        for (uint32_t i = slot; i < kN; i += 8) olds.push_back(old.as<uint32_t>()[1 + i]);
        std::sort(olds.begin(), olds.end());
        for (uint32_t j = 0; j < olds.size(); ++j) CHECK(olds[j] == j);
      }
      device.destroy(counters);
      device.destroy(old);
    }
  });
}

TEST_CASE("compute: every format with a texel buffer feature is one these tests cover",
          "[compute][texel]") {
  test::Instance instance;
  for (int f = VK_FORMAT_UNDEFINED; f <= VK_FORMAT_ASTC_12x12_SRGB_BLOCK; ++f) {
    CAPTURE(f);
    VkFormatFeatureFlags expected = 0;
    for (const Case& c : kCases) {
      if (c.format != VkFormat(f)) continue;
      expected = VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT;
      if (c.storage) expected |= VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT;
      if (c.atomic) expected |= VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT;
    }
    VkFormatProperties properties;
    vkGetPhysicalDeviceFormatProperties(instance.physical, VkFormat(f), &properties);
    CHECK(properties.bufferFeatures == expected);
    VkFormatProperties2 properties2{VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2};
    vkGetPhysicalDeviceFormatProperties2(instance.physical, VkFormat(f), &properties2);
    CHECK(properties2.formatProperties.bufferFeatures == expected);
  }
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(instance.physical, &p);
  CHECK(p.limits.maxTexelBufferElements >= 65536);  // section "Limit Requirements"
}

TEST_CASE("compute: vkCreateBufferView refuses views that break the rules, and says why",
          "[compute][texel]") {
  test::Instance instance;
  instance.expectInvalidUsage = true;  // every view here breaks a valid-usage rule on purpose
  test::Device device(instance);
  auto uniform = device.createBuffer(1 << 20, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
  auto storage = device.createBuffer(1 << 20, VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT);
  auto refused = [&](const test::Buffer& buffer, VkFormat format, VkDeviceSize offset,
                     VkDeviceSize range, const std::string& why) {
    INFO(why);
    VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
                                nullptr,
                                0,
                                buffer.buffer,
                                format,
                                offset,
                                range};
    VkBufferView view = VK_NULL_HANDLE;
    CHECK(vkCreateBufferView(device.handle, &info, nullptr, &view) != VK_SUCCESS);
    CHECK(view == VK_NULL_HANDLE);
    CHECK(instance.messages.contains(why));
  };
  // VUID-VkBufferViewCreateInfo-offset-02749, range-00929, range-00930, offset-00931.
  refused(uniform, VK_FORMAT_R32_UINT, 4, 64, "minTexelBufferOffsetAlignment");
  refused(uniform, VK_FORMAT_R32_UINT, 0, 6, "multiple of the texel size");
  refused(uniform, VK_FORMAT_R8_UINT, 0, 65537, "maxTexelBufferElements");
  refused(uniform, VK_FORMAT_R32_UINT, (1 << 20) - 64, 128, "past the end");
  // VUID-VkBufferViewCreateInfo-buffer-00934 (R8 is a uniform texel buffer format only), -00933.
  refused(storage, VK_FORMAT_R8_UNORM, 0, 64, "no STORAGE_TEXEL_BUFFER feature");
  refused(uniform, VK_FORMAT_R8G8B8_UNORM, 0, 63, "no texel buffer features");
  device.destroy(uniform);
  device.destroy(storage);
}
