// Texel buffers' formats: which VkFormats a uniform or storage texel buffer view may have, and
// how their texels become the 32-bit components a shader sees and back (section "Conversion to
// RGBA", "Fixed-Point Data Conversions"). The generated code calls the emvk_texel_* functions
// below once per SIMD group; DispatchContext::texelFormats gives each binding's view format at
// dispatch time, since a uniform texel buffer's format is not in the SPIR-V.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>

namespace emvk::jit {

// What emvk supports for one format as a texel buffer; null when it supports nothing.
struct TexelBufferFormat {
  VkFormat format;
  uint8_t texelSize;  // bytes
  bool storage;       // STORAGE_TEXEL_BUFFER as well as UNIFORM_TEXEL_BUFFER
  bool atomic;        // STORAGE_TEXEL_BUFFER_ATOMIC (R32_UINT, R32_SINT)
};
const TexelBufferFormat* findTexelBufferFormat(VkFormat format);

// Texel `texel` (texelSize bytes) as four 32-bit words: floats for UNORM, SNORM and float formats,
// integers for UINT and SINT; missing components read 0, a missing alpha 1 (or 1.0).
void decodeTexel(VkFormat format, const uint8_t* texel, uint32_t out[4]);
// The reverse, for storage formats: float to UNORM/SNORM rounds to nearest and clamps; integers
// keep their low bits; floats to half round to nearest even.
void encodeTexel(VkFormat format, const uint32_t in[4], uint8_t* texel);

}  // namespace emvk::jit

// The runtime of the generated code (registered in jit/compiler.cpp). `values` holds 4 * lanes
// words, component-major (x of every lane, then y...). Lanes not in `mask` and lanes whose index
// is not below the view's texel count read 0 and write nothing (robust buffer access).
extern "C" {
void emvk_texel_read(const uint8_t* data, uint64_t range, uint32_t format, const uint32_t* indexes,
                     uint32_t lanes, uint64_t mask, uint32_t* values);
void emvk_texel_write(uint8_t* data, uint64_t range, uint32_t format, const uint32_t* indexes,
                      uint32_t lanes, uint64_t mask, const uint32_t* values);
// The view's size in texels (OpImageQuerySize).
uint32_t emvk_texel_count(uint64_t range, uint32_t format);
}
