#include "memory/inspect/vk_names.hpp"

#include <vulkan/vulkan.h>

#include <cstdio>
#include <string_view>

#include "device/format.hpp"

namespace emvk::inspect {
namespace {

struct Bit {
  uint32_t bit;
  const char* name;
};

#define EMVK_BIT(prefix, name) \
  { prefix##name##_BIT, #prefix #name "_BIT" }
constexpr Bit kImageUsage[] = {
    EMVK_BIT(VK_IMAGE_USAGE_, TRANSFER_SRC),
    EMVK_BIT(VK_IMAGE_USAGE_, TRANSFER_DST),
    EMVK_BIT(VK_IMAGE_USAGE_, SAMPLED),
    EMVK_BIT(VK_IMAGE_USAGE_, STORAGE),
    EMVK_BIT(VK_IMAGE_USAGE_, COLOR_ATTACHMENT),
    EMVK_BIT(VK_IMAGE_USAGE_, DEPTH_STENCIL_ATTACHMENT),
    EMVK_BIT(VK_IMAGE_USAGE_, TRANSIENT_ATTACHMENT),
    EMVK_BIT(VK_IMAGE_USAGE_, INPUT_ATTACHMENT),
};
constexpr Bit kBufferUsage[] = {
    EMVK_BIT(VK_BUFFER_USAGE_, TRANSFER_SRC),
    EMVK_BIT(VK_BUFFER_USAGE_, TRANSFER_DST),
    EMVK_BIT(VK_BUFFER_USAGE_, UNIFORM_TEXEL_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, STORAGE_TEXEL_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, UNIFORM_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, STORAGE_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, INDEX_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, VERTEX_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, INDIRECT_BUFFER),
    EMVK_BIT(VK_BUFFER_USAGE_, SHADER_DEVICE_ADDRESS),
};
#undef EMVK_BIT

std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%x", value);
  return text;
}

template <size_t N>
std::vector<std::string> bitNames(uint32_t flags, const Bit (&table)[N]) {
  std::vector<std::string> names;
  for (const Bit& b : table)
    if (flags & b.bit) {
      names.push_back(b.name);
      flags &= ~b.bit;
    }
  for (uint32_t bit = 1; flags != 0; bit <<= 1)
    if (flags & bit) {
      names.push_back(hex(bit));
      flags &= ~bit;
    }
  return names;
}

}  // namespace

std::string formatName(uint32_t format) {
  if (const FormatInfo* info = findFormat(static_cast<VkFormat>(format))) return info->name;
  return "VkFormat " + std::to_string(format);
}

std::string imageTypeName(uint32_t imageType) {
  switch (imageType) {
    case VK_IMAGE_TYPE_1D:
      return "VK_IMAGE_TYPE_1D";
    case VK_IMAGE_TYPE_2D:
      return "VK_IMAGE_TYPE_2D";
    case VK_IMAGE_TYPE_3D:
      return "VK_IMAGE_TYPE_3D";
  }
  return "VkImageType " + std::to_string(imageType);
}

std::string tilingName(uint32_t tiling) {
  switch (tiling) {
    case VK_IMAGE_TILING_OPTIMAL:
      return "VK_IMAGE_TILING_OPTIMAL";
    case VK_IMAGE_TILING_LINEAR:
      return "VK_IMAGE_TILING_LINEAR";
  }
  return "VkImageTiling " + std::to_string(tiling);
}

std::vector<std::string> imageUsageNames(uint32_t usage) { return bitNames(usage, kImageUsage); }
std::vector<std::string> bufferUsageNames(uint32_t usage) { return bitNames(usage, kBufferUsage); }

std::string shortName(const std::string& name) {
  std::string_view s = name;
  for (std::string_view prefix :
       {"VK_IMAGE_USAGE_", "VK_BUFFER_USAGE_", "VK_IMAGE_TYPE_", "VK_IMAGE_TILING_"})
    if (s.starts_with(prefix)) {
      s.remove_prefix(prefix.size());
      break;
    }
  if (s.ends_with("_BIT")) s.remove_suffix(4);
  return std::string(s);
}

}  // namespace emvk::inspect
