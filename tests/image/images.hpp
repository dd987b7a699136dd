// Helpers for the image tests: an image with its own memory, the layout transitions the
// validation layer expects, and copies of whole subresources into tightly packed buffers.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "harness.hpp"

namespace images {

constexpr VkImageUsageFlags kTransfer =
    VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;

// Every format emvk supports, with its aspects and the bytes per texel of each aspect in a buffer
// copy (section "Copying Data Between Buffers and Images"): the test's own table, not emvk's.
struct FormatCase {
  VkFormat format;
  VkImageAspectFlags aspects;
  uint32_t texelSize;        // colour or depth
  uint32_t stencilSize = 0;  // 1 when the format has stencil
};
const std::vector<FormatCase>& supportedFormats();
const FormatCase& formatCase(VkFormat format);

VkImageCreateInfo imageInfo(VkFormat format, VkExtent3D extent, uint32_t mips = 1,
                            uint32_t layers = 1, VkImageTiling tiling = VK_IMAGE_TILING_OPTIMAL,
                            VkImageType type = VK_IMAGE_TYPE_2D);

// A VkImage bound at offset 0 of host-visible memory of its own (mapped when `map`).
struct Image {
  VkImage image = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkImageCreateInfo info{};
  VkMemoryRequirements requirements{};
  uint8_t* data = nullptr;
};
Image createImage(test::Device& device, const VkImageCreateInfo& info, bool map = false);
void destroy(test::Device& device, Image& image);

// An image memory barrier over every subresource and aspect of `image`, from layout `from` (with
// its writes: host or transfer) to `to`, for transfers.
void transition(VkCommandBuffer cb, const Image& image, VkImageLayout from, VkImageLayout to);
// Transfer writes before transfer reads and writes (between dependent copies).
void transferBarrier(VkCommandBuffer cb);

// The extent of mip level `mip` (each dimension halves, to at least 1).
VkExtent3D mipExtent(const VkImageCreateInfo& info, uint32_t mip);
// Bytes of one aspect of every layer (or slice) of level `mip`, tightly packed.
VkDeviceSize packedSize(const Image& image, uint32_t mip, uint32_t texelSize);

// The size docs/IMAGE_LAYOUT.md's rules (layout ABI 1) give an image, worked out independently of
// emvk: per plane, per level, rows of width × texel rounded up to 16, all layers; then up to 64.
VkDeviceSize abi1Size(const VkImageCreateInfo& info);

// A region covering all of level `mip` of one aspect, at `bufferOffset`, tightly packed.
VkBufferImageCopy wholeLevel(const Image& image, VkImageAspectFlags aspect, uint32_t mip,
                             VkDeviceSize bufferOffset);

// Moves `image` from its initial layout to GENERAL, in which the tests then use it throughout.
void makeGeneral(test::Device& device, const Image& image);

// Bytes of one aspect of the whole image (every level, layer and slice), tightly packed.
VkDeviceSize packedImageSize(const Image& image, uint32_t texelSize);
// Copies one aspect of the whole image, level after level, into (or out of) tightly packed
// bytes. The image must be in GENERAL.
std::vector<uint8_t> download(test::Device& device, const Image& image, VkImageAspectFlags aspect,
                              uint32_t texelSize);
void upload(test::Device& device, const Image& image, VkImageAspectFlags aspect, uint32_t texelSize,
            const std::vector<uint8_t>& bytes);

}  // namespace images
