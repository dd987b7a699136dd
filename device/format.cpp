#include "device/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace emvk {
namespace {

constexpr VkImageAspectFlags kColor = VK_IMAGE_ASPECT_COLOR_BIT;
constexpr VkImageAspectFlags kDepth = VK_IMAGE_ASPECT_DEPTH_BIT;
constexpr VkImageAspectFlags kStencil = VK_IMAGE_ASPECT_STENCIL_BIT;

// `count` components of `bits` each, in memory order R, G, B, A (or B, G, R, A when `bgra`).
constexpr FormatInfo color(VkFormat format, const char* name, Numeric numeric, uint8_t bits,
                           uint8_t count, bool bgra = false) {
  FormatInfo f{format, name, kColor, 1, {uint8_t(bits / 8 * count), 0}, numeric, false, count, {}};
  for (uint8_t i = 0; i < count; ++i) {
    const uint8_t channel = bgra && i < 3 ? uint8_t(2 - i) : i;
    f.components[i] = {channel, uint8_t(i * bits), bits};
  }
  return f;
}

// One 32-bit word whose fields are the components, lowest bits first.
constexpr FormatInfo packed32(VkFormat format, const char* name, Numeric numeric,
                              std::array<Component, 4> fields, uint8_t count) {
  return {format, name, kColor, 1, {4, 0}, numeric, true, count, fields};
}

// A depth aspect of `bits` stored in `texel` bytes (low bits first), optionally with a stencil
// plane of one byte.
constexpr FormatInfo depth(VkFormat format, const char* name, Numeric numeric, uint8_t bits,
                           uint8_t texel, bool stencil) {
  return {format,
          name,
          stencil ? kDepth | kStencil : kDepth,
          uint8_t(stencil ? 2 : 1),
          {texel, uint8_t(stencil ? 1 : 0)},
          numeric,
          false,
          1,
          {Component{0, 0, bits}}};
}

#define EMVK_FORMAT(f) VK_FORMAT_##f, "VK_FORMAT_" #f
// Colour formats in four numeric variants plus SRGB where the format has it.
#define EMVK_8BIT(f, count, bgra)                                    \
  color(EMVK_FORMAT(f##_UNORM), Numeric::Unorm, 8, count, bgra),     \
      color(EMVK_FORMAT(f##_SNORM), Numeric::Snorm, 8, count, bgra), \
      color(EMVK_FORMAT(f##_UINT), Numeric::Uint, 8, count, bgra),   \
      color(EMVK_FORMAT(f##_SINT), Numeric::Sint, 8, count, bgra),   \
      color(EMVK_FORMAT(f##_SRGB), Numeric::Srgb, 8, count, bgra)
#define EMVK_16BIT(f, count)                                    \
  color(EMVK_FORMAT(f##_UNORM), Numeric::Unorm, 16, count),     \
      color(EMVK_FORMAT(f##_SNORM), Numeric::Snorm, 16, count), \
      color(EMVK_FORMAT(f##_UINT), Numeric::Uint, 16, count),   \
      color(EMVK_FORMAT(f##_SINT), Numeric::Sint, 16, count),   \
      color(EMVK_FORMAT(f##_SFLOAT), Numeric::Sfloat, 16, count)
#define EMVK_32BIT(f, count)                                  \
  color(EMVK_FORMAT(f##_UINT), Numeric::Uint, 32, count),     \
      color(EMVK_FORMAT(f##_SINT), Numeric::Sint, 32, count), \
      color(EMVK_FORMAT(f##_SFLOAT), Numeric::Sfloat, 32, count)

constexpr FormatInfo kFormats[] = {
    EMVK_8BIT(R8, 1, false),
    EMVK_8BIT(R8G8, 2, false),
    EMVK_8BIT(R8G8B8A8, 4, false),
    EMVK_8BIT(B8G8R8A8, 4, true),
    // Section "Packed Formats": R in bits 0..9, G 10..19, B 20..29, A 30..31.
    packed32(EMVK_FORMAT(A2B10G10R10_UNORM_PACK32), Numeric::Unorm,
             {{{0, 0, 10}, {1, 10, 10}, {2, 20, 10}, {3, 30, 2}}}, 4),
    // R in bits 0..10 and G in 11..21 (11-bit floats), B in 22..31 (a 10-bit float).
    packed32(EMVK_FORMAT(B10G11R11_UFLOAT_PACK32), Numeric::Ufloat,
             {{{0, 0, 11}, {1, 11, 11}, {2, 22, 10}, {}}}, 3),
    EMVK_16BIT(R16, 1),
    EMVK_16BIT(R16G16, 2),
    EMVK_16BIT(R16G16B16A16, 4),
    EMVK_32BIT(R32, 1),
    EMVK_32BIT(R32G32, 2),
    EMVK_32BIT(R32G32B32A32, 4),
    depth(EMVK_FORMAT(D16_UNORM), Numeric::Unorm, 16, 2, false),
    depth(EMVK_FORMAT(X8_D24_UNORM_PACK32), Numeric::Unorm, 24, 4, false),
    depth(EMVK_FORMAT(D32_SFLOAT), Numeric::Sfloat, 32, 4, false),
    depth(EMVK_FORMAT(D24_UNORM_S8_UINT), Numeric::Unorm, 24, 4, true),
    depth(EMVK_FORMAT(D32_SFLOAT_S8_UINT), Numeric::Sfloat, 32, 4, true),
    {EMVK_FORMAT(S8_UINT), kStencil, 1, {1, 0}, Numeric::Uint, false, 0, {}},
};

// Clears fill whole rows, padding included (device/image_commands.cpp): that keeps every texel in
// place only if each texel size divides the 16-byte row alignment of memory/image_layout.hpp.
constexpr bool texelSizesDivide16() {
  for (const FormatInfo& f : kFormats)
    for (uint32_t p = 0; p < f.planeCount; ++p)
      if (f.texelSize[p] == 0 || 16 % f.texelSize[p] != 0) return false;
  return true;
}
static_assert(texelSizesDivide16());

#undef EMVK_32BIT
#undef EMVK_16BIT
#undef EMVK_8BIT
#undef EMVK_FORMAT

uint32_t lowBits(uint32_t value, uint32_t bits) {
  return bits >= 32 ? value : value & ((1u << bits) - 1);
}

// Section "Conversion from Floating-Point to Normalized Fixed-Point": clamp, scale, round to
// nearest. NaN becomes 0.
uint32_t toUnorm(float f, uint32_t bits) {
  const double clamped = std::isnan(f) ? 0.0 : std::clamp(double(f), 0.0, 1.0);
  return uint32_t(std::floor(clamped * double((1ull << bits) - 1) + 0.5));
}

uint32_t toSnorm(float f, uint32_t bits) {
  const double clamped = std::isnan(f) ? 0.0 : std::clamp(double(f), -1.0, 1.0);
  const auto value = int32_t(std::lround(clamped * double((1u << (bits - 1)) - 1)));
  return lowBits(uint32_t(value), bits);
}

// Section "sRGB Transfer Functions": the inverse EOTF, linear to encoded.
float srgbEncode(float linear) {
  if (!(linear > 0.0f)) return 0.0f;
  if (linear >= 1.0f) return 1.0f;
  if (linear <= 0.0031308f) return linear * 12.92f;
  return 1.055f * std::pow(linear, 1.0f / 2.4f) - 0.055f;
}

// A float with a 5-bit exponent (bias 15) and `mantissaBits` of mantissa: half floats (signed,
// 10 bits) and the unsigned 11- and 10-bit floats (6 and 5 bits). Round to nearest even; too
// large becomes infinity; negative values become 0 in the unsigned ones (section "Unsigned
// 11-Bit Floating-Point Numbers").
uint32_t toSmallFloat(float f, uint32_t mantissaBits, bool hasSign) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint32_t sign = hasSign ? (bits >> 31) << (5 + mantissaBits) : 0;
  const uint32_t exponent = (bits >> 23) & 0xff;
  const uint32_t mantissa = bits & 0x7fffff;
  const uint32_t infinity = 31u << mantissaBits;
  if (exponent == 0xff && mantissa != 0) return infinity | (1u << (mantissaBits - 1));  // NaN
  if (!hasSign && (bits >> 31)) return 0;
  if (exponent == 0xff) return sign | infinity;
  if (exponent == 0) return sign;  // zero, or a float denormal far below the smallest result

  // Keep `mantissaBits` bits of the 24-bit significand; below the normal range, fewer.
  const int target = int(exponent) - 127 + 15;  // the biased exponent of the result
  const int shift = 23 - int(mantissaBits) + (target >= 1 ? 0 : 1 - target);
  if (shift > 24) return sign;  // rounds to zero
  const uint32_t significand = mantissa | 0x800000;
  uint32_t kept = significand >> shift;
  const uint32_t rest = significand & ((1u << shift) - 1);
  const uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1))) ++kept;  // a carry moves into the exponent
  const uint32_t magnitude =
      target >= 1 ? (uint32_t(target) << mantissaBits) + kept - (1u << mantissaBits) : kept;
  return sign | std::min(magnitude, infinity);
}

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

// The value of one component's bits for a float input `f` (or integer inputs `u`, `i`).
uint32_t encode(Numeric numeric, const Component& c, float f, uint32_t u, int32_t i) {
  switch (numeric) {
    case Numeric::Unorm:
      return toUnorm(f, c.bits);
    case Numeric::Snorm:
      return toSnorm(f, c.bits);
    case Numeric::Srgb:
      return toUnorm(c.channel < 3 ? srgbEncode(f) : f, c.bits);  // alpha is linear
    case Numeric::Uint:
      return lowBits(u, c.bits);
    case Numeric::Sint:
      return lowBits(uint32_t(i), c.bits);
    case Numeric::Sfloat:
      return c.bits == 16 ? toSmallFloat(f, 10, true) : floatBits(f);
    case Numeric::Ufloat:
      return toSmallFloat(f, c.bits - 5, false);
  }
  return 0;
}

// Writes a byte-aligned component as a host-endian integer of its own size.
void store(uint8_t* texel, const Component& c, uint32_t value) {
  uint8_t* at = texel + c.bitOffset / 8;
  if (c.bits == 8) *at = uint8_t(value);
  if (c.bits == 16) {
    const auto v = uint16_t(value);
    std::memcpy(at, &v, 2);
  }
  if (c.bits == 32) std::memcpy(at, &value, 4);
}

}  // namespace

const FormatInfo* findFormat(VkFormat format) {
  for (const FormatInfo& f : kFormats)
    if (f.format == format) return &f;
  return nullptr;
}

TexelBytes packColor(const FormatInfo& format, const VkClearColorValue& value) {
  TexelBytes texel{};
  uint32_t word = 0;
  for (uint32_t k = 0; k < format.componentCount; ++k) {
    const Component& c = format.components[k];
    const uint32_t bits = encode(format.numeric, c, value.float32[c.channel],
                                 value.uint32[c.channel], value.int32[c.channel]);
    if (format.packed)
      word |= bits << c.bitOffset;
    else
      store(texel.data(), c, bits);
  }
  if (format.packed) std::memcpy(texel.data(), &word, 4);
  return texel;
}

TexelBytes packDepth(const FormatInfo& format, float depth) {
  TexelBytes texel{};
  const Component& d = format.components[0];
  // X8_D24 and D24_S8 keep depth in the low 24 bits of a 32-bit word; the top byte is written 0.
  store(texel.data(), Component{0, 0, uint8_t(format.texelSize[0] * 8)},
        encode(format.numeric, d, depth, 0, 0));
  return texel;
}

TexelBytes packStencil(uint32_t stencil) {
  TexelBytes texel{};
  texel[0] = uint8_t(stencil);  // VkClearDepthStencilValue: only the low 8 bits exist in S8
  return texel;
}

}  // namespace emvk
