#include "jit/texel_formats.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

namespace emvk::jit {
namespace {

enum class Numeric : uint8_t { Unorm, Snorm, Uint, Sint, Sfloat, Ufloat };

// One component: its channel (0..3 = R, G, B, A) and its bits, counted from the texel's first
// byte's lowest bit (a packed format's word is host-endian, little-endian on every host emvk
// runs on, so both kinds of format read the same way).
struct Field {
  uint8_t channel, offset, bits;
};

struct Format {
  TexelBufferFormat support;
  Numeric numeric;
  uint8_t count;
  std::array<Field, 4> fields;
};

constexpr Format plain(VkFormat f, Numeric n, uint8_t bits, uint8_t count, bool storage,
                       bool atomic = false, bool bgra = false) {
  Format format{{f, uint8_t(bits / 8 * count), storage, atomic}, n, count, {}};
  for (uint8_t i = 0; i < count; ++i) {
    format.fields[i] = {uint8_t(bgra && i < 3 ? 2 - i : i), uint8_t(i * bits), bits};
  }
  return format;
}

constexpr Format packed(VkFormat f, Numeric n, std::array<Field, 4> fields, uint8_t count,
                        bool storage) {
  return {{f, 4, storage, false}, n, count, fields};
}

constexpr std::array<Field, 4> kAbgr8{{{0, 0, 8}, {1, 8, 8}, {2, 16, 8}, {3, 24, 8}}};
constexpr std::array<Field, 4> kA2B10G10R10{{{0, 0, 10}, {1, 10, 10}, {2, 20, 10}, {3, 30, 2}}};
constexpr std::array<Field, 4> kB10G11R11{{{0, 0, 11}, {1, 11, 11}, {2, 22, 10}, {}}};

using enum Numeric;
// Section "Required Format Support": the formats with mandatory UNIFORM_TEXEL_BUFFER and
// STORAGE_TEXEL_BUFFER (and STORAGE_TEXEL_BUFFER_ATOMIC for R32_UINT, R32_SINT).
constexpr Format kFormats[] = {
    plain(VK_FORMAT_R8_UNORM, Unorm, 8, 1, false),
    plain(VK_FORMAT_R8_SNORM, Snorm, 8, 1, false),
    plain(VK_FORMAT_R8_UINT, Uint, 8, 1, false),
    plain(VK_FORMAT_R8_SINT, Sint, 8, 1, false),
    plain(VK_FORMAT_R8G8_UNORM, Unorm, 8, 2, false),
    plain(VK_FORMAT_R8G8_SNORM, Snorm, 8, 2, false),
    plain(VK_FORMAT_R8G8_UINT, Uint, 8, 2, false),
    plain(VK_FORMAT_R8G8_SINT, Sint, 8, 2, false),
    plain(VK_FORMAT_R8G8B8A8_UNORM, Unorm, 8, 4, true),
    plain(VK_FORMAT_R8G8B8A8_SNORM, Snorm, 8, 4, true),
    plain(VK_FORMAT_R8G8B8A8_UINT, Uint, 8, 4, true),
    plain(VK_FORMAT_R8G8B8A8_SINT, Sint, 8, 4, true),
    plain(VK_FORMAT_B8G8R8A8_UNORM, Unorm, 8, 4, false, false, true),
    packed(VK_FORMAT_A8B8G8R8_UNORM_PACK32, Unorm, kAbgr8, 4, true),
    packed(VK_FORMAT_A8B8G8R8_SNORM_PACK32, Snorm, kAbgr8, 4, true),
    packed(VK_FORMAT_A8B8G8R8_UINT_PACK32, Uint, kAbgr8, 4, true),
    packed(VK_FORMAT_A8B8G8R8_SINT_PACK32, Sint, kAbgr8, 4, true),
    packed(VK_FORMAT_A2B10G10R10_UNORM_PACK32, Unorm, kA2B10G10R10, 4, false),
    packed(VK_FORMAT_A2B10G10R10_UINT_PACK32, Uint, kA2B10G10R10, 4, false),
    packed(VK_FORMAT_B10G11R11_UFLOAT_PACK32, Ufloat, kB10G11R11, 3, false),
    plain(VK_FORMAT_R16_UINT, Uint, 16, 1, false),
    plain(VK_FORMAT_R16_SINT, Sint, 16, 1, false),
    plain(VK_FORMAT_R16_SFLOAT, Sfloat, 16, 1, false),
    plain(VK_FORMAT_R16G16_UINT, Uint, 16, 2, false),
    plain(VK_FORMAT_R16G16_SINT, Sint, 16, 2, false),
    plain(VK_FORMAT_R16G16_SFLOAT, Sfloat, 16, 2, false),
    plain(VK_FORMAT_R16G16B16A16_UINT, Uint, 16, 4, true),
    plain(VK_FORMAT_R16G16B16A16_SINT, Sint, 16, 4, true),
    plain(VK_FORMAT_R16G16B16A16_SFLOAT, Sfloat, 16, 4, true),
    plain(VK_FORMAT_R32_UINT, Uint, 32, 1, true, true),
    plain(VK_FORMAT_R32_SINT, Sint, 32, 1, true, true),
    plain(VK_FORMAT_R32_SFLOAT, Sfloat, 32, 1, true),
    // Not storage yet: GLSL's rg32* formats need shaderStorageImageExtendedFormats.
    plain(VK_FORMAT_R32G32_UINT, Uint, 32, 2, false),
    plain(VK_FORMAT_R32G32_SINT, Sint, 32, 2, false),
    plain(VK_FORMAT_R32G32_SFLOAT, Sfloat, 32, 2, false),
    plain(VK_FORMAT_R32G32B32A32_UINT, Uint, 32, 4, true),
    plain(VK_FORMAT_R32G32B32A32_SINT, Sint, 32, 4, true),
    plain(VK_FORMAT_R32G32B32A32_SFLOAT, Sfloat, 32, 4, true),
};

const Format* find(uint32_t format) {
  for (const Format& f : kFormats) {
    if (f.support.format == static_cast<VkFormat>(format)) return &f;
  }
  return nullptr;
}

bool isInteger(Numeric n) { return n == Uint || n == Sint; }
uint32_t bitsOf(float f) { return std::bit_cast<uint32_t>(f); }
float floatOf(uint32_t bits) { return std::bit_cast<float>(bits); }
uint64_t lowBits(uint8_t bits) { return bits == 64 ? ~0ull : (1ull << bits) - 1; }

uint64_t readField(const uint8_t* texel, const Field& f) {
  uint64_t word = 0;
  std::memcpy(&word, texel + f.offset / 8, (f.offset % 8 + f.bits + 7) / 8);
  return (word >> (f.offset % 8)) & lowBits(f.bits);
}

void writeField(uint8_t* texel, const Field& f, uint64_t value) {
  const size_t bytes = (f.offset % 8 + f.bits + 7) / 8;
  uint64_t word = 0;
  std::memcpy(&word, texel + f.offset / 8, bytes);
  const uint64_t mask = lowBits(f.bits) << (f.offset % 8);
  word = (word & ~mask) | ((value << (f.offset % 8)) & mask);
  std::memcpy(texel + f.offset / 8, &word, bytes);
}

// Section "Unsigned 11-Bit/10-Bit Floating-Point Numbers": 5 exponent bits, no sign.
float unsignedSmallFloat(uint64_t bits, uint8_t mantissaBits) {
  const uint32_t exponent = uint32_t(bits >> mantissaBits) & 31;
  const float mantissa = float(bits & lowBits(mantissaBits)) / float(1u << mantissaBits);
  if (exponent == 0) return std::ldexp(mantissa, -14);
  if (exponent == 31) return mantissa == 0 ? INFINITY : NAN;
  return std::ldexp(1.0f + mantissa, int(exponent) - 15);
}

uint32_t decodeComponent(const Format& format, const Field& f, uint64_t raw) {
  switch (format.numeric) {
    case Unorm:  // section "Conversion from Normalized Fixed-Point to Floating-Point"
      return bitsOf(float(raw) / float(lowBits(f.bits)));
    case Snorm: {
      const int64_t value = int64_t(raw << (64 - f.bits)) >> (64 - f.bits);
      return bitsOf(std::max(float(value) / float(lowBits(f.bits - 1)), -1.0f));
    }
    case Uint:
      return uint32_t(raw);
    case Sint:
      return uint32_t(int32_t(int64_t(raw << (64 - f.bits)) >> (64 - f.bits)));
    case Sfloat:
      if (f.bits == 16) return bitsOf(float(std::bit_cast<_Float16>(uint16_t(raw))));
      return uint32_t(raw);
    case Ufloat:
      return bitsOf(unsignedSmallFloat(raw, f.bits - 5));
  }
  return 0;
}

// Section "Conversion from Floating-Point to Normalized Fixed-Point": clamp, then round to nearest.
uint64_t encodeComponent(const Format& format, const Field& f, uint32_t word) {
  const float value = floatOf(word);
  switch (format.numeric) {
    case Unorm:
      if (std::isnan(value)) return 0;
      return uint64_t(std::nearbyint(std::clamp(value, 0.0f, 1.0f) * float(lowBits(f.bits))));
    case Snorm: {
      if (std::isnan(value)) return 0;
      const float scaled = std::clamp(value, -1.0f, 1.0f) * float(lowBits(f.bits - 1));
      return uint64_t(int64_t(std::nearbyint(scaled)));
    }
    case Uint:
    case Sint:
      return word;
    case Sfloat:
      if (f.bits == 16) return std::bit_cast<uint16_t>(static_cast<_Float16>(value));
      return word;
    case Ufloat:
      return 0;  // no storage format is UFLOAT
  }
  return 0;
}

}  // namespace

const TexelBufferFormat* findTexelBufferFormat(VkFormat format) {
  const Format* f = find(format);
  return f ? &f->support : nullptr;
}

void decodeTexel(VkFormat format, const uint8_t* texel, uint32_t out[4]) {
  const Format* f = find(format);
  out[0] = out[1] = out[2] = 0;
  out[3] = f && isInteger(f->numeric) ? 1 : bitsOf(1.0f);
  if (!f) return;
  for (uint8_t i = 0; i < f->count; ++i) {
    const Field& field = f->fields[i];
    out[field.channel] = decodeComponent(*f, field, readField(texel, field));
  }
}

void encodeTexel(VkFormat format, const uint32_t in[4], uint8_t* texel) {
  const Format* f = find(format);
  if (!f) return;
  for (uint8_t i = 0; i < f->count; ++i) {
    const Field& field = f->fields[i];
    writeField(texel, field, encodeComponent(*f, field, in[field.channel]));
  }
}

}  // namespace emvk::jit

uint32_t emvk_texel_count(uint64_t range, uint32_t format) {
  const auto* f = emvk::jit::find(format);
  return f ? uint32_t(range / f->support.texelSize) : 0;
}

void emvk_texel_read(const uint8_t* data, uint64_t range, uint32_t format, const uint32_t* indexes,
                     uint32_t lanes, uint64_t mask, uint32_t* values) {
  const uint32_t count = emvk_texel_count(range, format);
  const auto* f = emvk::jit::find(format);
  for (uint32_t lane = 0; lane < lanes; ++lane) {
    // A null view (nullDescriptor) reads (0,0,0,0). Outside the view, robustBufferAccess2 reads a
    // texel of zeros with the format's missing components substituted: (0,0,0,1) for R32.
    static constexpr uint8_t kZeroTexel[16] = {};
    uint32_t texel[4] = {0, 0, 0, 0};
    if ((mask >> lane & 1) && f) {
      const uint8_t* at = indexes[lane] < count
                              ? data + uint64_t(indexes[lane]) * f->support.texelSize
                              : kZeroTexel;
      emvk::jit::decodeTexel(static_cast<VkFormat>(format), at, texel);
    }
    for (uint32_t c = 0; c < 4; ++c) values[c * lanes + lane] = texel[c];
  }
}

void emvk_texel_write(uint8_t* data, uint64_t range, uint32_t format, const uint32_t* indexes,
                      uint32_t lanes, uint64_t mask, const uint32_t* values) {
  const uint32_t count = emvk_texel_count(range, format);
  const auto* f = emvk::jit::find(format);
  for (uint32_t lane = 0; lane < lanes; ++lane) {
    if (!(mask >> lane & 1) || indexes[lane] >= count) continue;
    uint32_t texel[4];
    for (uint32_t c = 0; c < 4; ++c) texel[c] = values[c * lanes + lane];
    emvk::jit::encodeTexel(static_cast<VkFormat>(format), texel,
                           data + uint64_t(indexes[lane]) * f->support.texelSize);
  }
}
