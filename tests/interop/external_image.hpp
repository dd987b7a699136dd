// Shareable images in plain Vulkan, for the tests and the peer program alike (no Catch macros).
#pragma once
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

#include "interop/external_buffer.hpp"

namespace external {

struct ImageParams {
  VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
  VkImageTiling tiling = VK_IMAGE_TILING_OPTIMAL;
  uint32_t width = 61, height = 37, mipLevels = 3, arrayLayers = 2;
  static constexpr uint32_t kTexelSize = 4;  // the formats these tests share are all 32-bit
};

inline VkImageCreateInfo imageInfo(const ImageParams& p, const void* pNext) {
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, pNext};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = p.format;
  info.extent = {p.width, p.height, 1};
  info.mipLevels = p.mipLevels;
  info.arrayLayers = p.arrayLayers;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = p.tiling;
  info.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  return info;
}

// Every mip level, all layers, tightly packed one after another in a buffer.
inline std::vector<VkBufferImageCopy> packedRegions(const ImageParams& p, VkDeviceSize* totalSize) {
  std::vector<VkBufferImageCopy> regions;
  VkDeviceSize offset = 0;
  for (uint32_t mip = 0; mip < p.mipLevels; ++mip) {
    const uint32_t w = std::max(1u, p.width >> mip), h = std::max(1u, p.height >> mip);
    VkBufferImageCopy r{};
    r.bufferOffset = offset;
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, mip, 0, p.arrayLayers};
    r.imageExtent = {w, h, 1};
    regions.push_back(r);
    offset += VkDeviceSize(w) * h * ImageParams::kTexelSize * p.arrayLayers;
  }
  *totalSize = offset;
  return regions;
}

struct SharedImage {
  VkImage image = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize allocationSize = 0;
};

// An image in dedicated memory, exportable as an opaque fd (fd < 0) or imported from `fd`.
inline VkResult sharedImage(VkDevice device, const ImageParams& p, uint32_t memoryType, int fd,
                            VkDeviceSize importSize, SharedImage& out) {
  VkExternalMemoryImageCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO};
  external.handleTypes = kOpaqueFd;
  const VkImageCreateInfo info = imageInfo(p, &external);
  VkResult r = vkCreateImage(device, &info, nullptr, &out.image);
  if (r != VK_SUCCESS) return r;
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(device, out.image, &req);
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicated.image = out.image;
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, &dedicated,
                                        kOpaqueFd};
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR, &dedicated, kOpaqueFd,
                                 fd};
  out.allocationSize = fd < 0 ? req.size : importSize;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                             fd < 0 ? static_cast<const void*>(&exportInfo) : &import,
                             out.allocationSize, memoryType};
  r = vkAllocateMemory(device, &alloc, nullptr, &out.memory);
  if (r != VK_SUCCESS) {
    vkDestroyImage(device, out.image, nullptr);
    out.image = VK_NULL_HANDLE;
    return r;
  }
  return vkBindImageMemory(device, out.image, out.memory, 0);
}

// A subresource layout as text, for a peer process to send back and compare.
inline std::string describe(const VkSubresourceLayout& l) {
  return std::to_string(l.offset) + "/" + std::to_string(l.size) + "/" +
         std::to_string(l.rowPitch) + "/" + std::to_string(l.arrayPitch) + "/" +
         std::to_string(l.depthPitch);
}

inline void destroy(VkDevice device, SharedImage& i) {
  vkDestroyImage(device, i.image, nullptr);
  vkFreeMemory(device, i.memory, nullptr);
  i = SharedImage{};
}

}  // namespace external
