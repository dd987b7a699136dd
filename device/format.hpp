// The formats emvk supports for images: how big a texel is, which aspects it has, and how clear
// values become texel bytes. A format missing from this table has no features at all
// (device/format_properties.cpp), and vkCreateImage refuses it.
//
// Combined depth/stencil formats (D24_UNORM_S8_UINT, D32_SFLOAT_S8_UINT) are stored as two planes:
// plane 0 holds the depth aspect at 4 bytes per texel, plane 1 the stencil aspect at 1 byte. Those
// are exactly the sizes the spec gives the aspects in buffer copies (section "Copying Data Between
// Buffers and Images"), so a per-aspect copy is a plain copy of rows. docs/IMAGE_LAYOUT.md.
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>

namespace emvk {

// How each component is encoded (the numeric format, section "Numeric Format").
enum class Numeric : uint8_t { Unorm, Snorm, Uint, Sint, Srgb, Sfloat, Ufloat };

// One component of a texel: which channel (0..3 = R, G, B, A; 0 = D for depth) and where its
// bits are. Byte-aligned components are host-endian integers at bitOffset / 8; the components of a
// packed format are fields of one host-endian 32-bit word.
struct Component {
  uint8_t channel;
  uint8_t bitOffset;
  uint8_t bits;
};

struct FormatInfo {
  VkFormat format;
  const char* name;  // for messages
  VkImageAspectFlags aspects;
  uint8_t planeCount;
  std::array<uint8_t, 2> texelSize;  // bytes per texel of each plane
  Numeric numeric;                   // of the colour components, or of the depth component
  bool packed;                       // one 32-bit word (the ..._PACK32 formats)
  uint8_t componentCount;            // colour components, or 1 for a depth aspect, 0 for S8_UINT
  std::array<Component, 4> components;

  bool isColor() const { return aspects == VK_IMAGE_ASPECT_COLOR_BIT; }
  // The plane that stores one aspect (COLOR, DEPTH or STENCIL).
  uint32_t planeOf(VkImageAspectFlags aspect) const {
    return aspect == VK_IMAGE_ASPECT_STENCIL_BIT && (aspects & VK_IMAGE_ASPECT_DEPTH_BIT) ? 1 : 0;
  }
};

// The table row of `format`, or null when emvk does not support it.
const FormatInfo* findFormat(VkFormat format);

// The largest texel emvk supports: R32G32B32A32 (16 bytes).
constexpr size_t kMaxTexelSize = 16;
using TexelBytes = std::array<uint8_t, kMaxTexelSize>;

// A colour clear value as the texel bytes of `format` (section "Clear Values"): floats become
// UNORM/SNORM with round to nearest, sRGB-encoded for SRGB formats (alpha stays linear), or
// half/11-/10-bit floats rounded to nearest even; integers keep their low bits.
TexelBytes packColor(const FormatInfo& format, const VkClearColorValue& value);
// The depth aspect's texel (plane 0): D16 and D24 as UNORM in the low bits, D32 as a float.
TexelBytes packDepth(const FormatInfo& format, float depth);
// The stencil aspect's texel: one byte.
TexelBytes packStencil(uint32_t stencil);

}  // namespace emvk
