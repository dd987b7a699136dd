#include "image/images.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

namespace images {
namespace {

constexpr VkImageAspectFlags kColor = VK_IMAGE_ASPECT_COLOR_BIT;
constexpr VkImageAspectFlags kDepth = VK_IMAGE_ASPECT_DEPTH_BIT;
constexpr VkImageAspectFlags kStencil = VK_IMAGE_ASPECT_STENCIL_BIT;

}  // namespace

const std::vector<FormatCase>& supportedFormats() {
  static const std::vector<FormatCase> formats = {
      {VK_FORMAT_R8_UNORM, kColor, 1},
      {VK_FORMAT_R8_SNORM, kColor, 1},
      {VK_FORMAT_R8_UINT, kColor, 1},
      {VK_FORMAT_R8_SINT, kColor, 1},
      {VK_FORMAT_R8_SRGB, kColor, 1},
      {VK_FORMAT_R8G8_UNORM, kColor, 2},
      {VK_FORMAT_R8G8_SNORM, kColor, 2},
      {VK_FORMAT_R8G8_UINT, kColor, 2},
      {VK_FORMAT_R8G8_SINT, kColor, 2},
      {VK_FORMAT_R8G8_SRGB, kColor, 2},
      {VK_FORMAT_R8G8B8A8_UNORM, kColor, 4},
      {VK_FORMAT_R8G8B8A8_SNORM, kColor, 4},
      {VK_FORMAT_R8G8B8A8_UINT, kColor, 4},
      {VK_FORMAT_R8G8B8A8_SINT, kColor, 4},
      {VK_FORMAT_R8G8B8A8_SRGB, kColor, 4},
      {VK_FORMAT_B8G8R8A8_UNORM, kColor, 4},
      {VK_FORMAT_B8G8R8A8_SNORM, kColor, 4},
      {VK_FORMAT_B8G8R8A8_UINT, kColor, 4},
      {VK_FORMAT_B8G8R8A8_SINT, kColor, 4},
      {VK_FORMAT_B8G8R8A8_SRGB, kColor, 4},
      {VK_FORMAT_A2B10G10R10_UNORM_PACK32, kColor, 4},
      {VK_FORMAT_B10G11R11_UFLOAT_PACK32, kColor, 4},
      {VK_FORMAT_R16_UNORM, kColor, 2},
      {VK_FORMAT_R16_SNORM, kColor, 2},
      {VK_FORMAT_R16_UINT, kColor, 2},
      {VK_FORMAT_R16_SINT, kColor, 2},
      {VK_FORMAT_R16_SFLOAT, kColor, 2},
      {VK_FORMAT_R16G16_UNORM, kColor, 4},
      {VK_FORMAT_R16G16_SNORM, kColor, 4},
      {VK_FORMAT_R16G16_UINT, kColor, 4},
      {VK_FORMAT_R16G16_SINT, kColor, 4},
      {VK_FORMAT_R16G16_SFLOAT, kColor, 4},
      {VK_FORMAT_R16G16B16A16_UNORM, kColor, 8},
      {VK_FORMAT_R16G16B16A16_SNORM, kColor, 8},
      {VK_FORMAT_R16G16B16A16_UINT, kColor, 8},
      {VK_FORMAT_R16G16B16A16_SINT, kColor, 8},
      {VK_FORMAT_R16G16B16A16_SFLOAT, kColor, 8},
      {VK_FORMAT_R32_UINT, kColor, 4},
      {VK_FORMAT_R32_SINT, kColor, 4},
      {VK_FORMAT_R32_SFLOAT, kColor, 4},
      {VK_FORMAT_R32G32_UINT, kColor, 8},
      {VK_FORMAT_R32G32_SINT, kColor, 8},
      {VK_FORMAT_R32G32_SFLOAT, kColor, 8},
      {VK_FORMAT_R32G32B32A32_UINT, kColor, 16},
      {VK_FORMAT_R32G32B32A32_SINT, kColor, 16},
      {VK_FORMAT_R32G32B32A32_SFLOAT, kColor, 16},
      {VK_FORMAT_D16_UNORM, kDepth, 2},
      {VK_FORMAT_X8_D24_UNORM_PACK32, kDepth, 4},
      {VK_FORMAT_D32_SFLOAT, kDepth, 4},
      {VK_FORMAT_S8_UINT, kStencil, 0, 1},
      {VK_FORMAT_D24_UNORM_S8_UINT, kDepth | kStencil, 4, 1},
      {VK_FORMAT_D32_SFLOAT_S8_UINT, kDepth | kStencil, 4, 1},
  };
  return formats;
}

const FormatCase& formatCase(VkFormat format) {
  for (const FormatCase& f : supportedFormats())
    if (f.format == format) return f;
  FAIL("format " << format << " is not in the test's table");
  return supportedFormats().front();
}

VkImageCreateInfo imageInfo(VkFormat format, VkExtent3D extent, uint32_t mips, uint32_t layers,
                            VkImageTiling tiling, VkImageType type) {
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = type;
  info.format = format;
  info.extent = extent;
  info.mipLevels = mips;
  info.arrayLayers = layers;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = tiling;
  info.usage = kTransfer;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  // Linear images are written by the host before their first transition, which must keep that
  // content: only PREINITIALIZED does (section "Image Layouts").
  info.initialLayout =
      tiling == VK_IMAGE_TILING_LINEAR ? VK_IMAGE_LAYOUT_PREINITIALIZED : VK_IMAGE_LAYOUT_UNDEFINED;
  return info;
}

Image createImage(test::Device& device, const VkImageCreateInfo& info, bool map) {
  Image image;
  image.info = info;
  VK_CHECK(vkCreateImage(device.handle, &info, nullptr, &image.image));
  vkGetImageMemoryRequirements(device.handle, image.image, &image.requirements);
  REQUIRE((image.requirements.memoryTypeBits & (1u << device.hostVisibleMemoryType())) != 0);
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = image.requirements.size;
  alloc.memoryTypeIndex = device.hostVisibleMemoryType();
  VK_CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &image.memory));
  VK_CHECK(vkBindImageMemory(device.handle, image.image, image.memory, 0));
  if (map) {
    void* data = nullptr;
    VK_CHECK(vkMapMemory(device.handle, image.memory, 0, VK_WHOLE_SIZE, 0, &data));
    image.data = static_cast<uint8_t*>(data);
  }
  return image;
}

void destroy(test::Device& device, Image& image) {
  vkDestroyImage(device.handle, image.image, nullptr);
  vkFreeMemory(device.handle, image.memory, nullptr);
  image = Image{};
}

void transition(VkCommandBuffer cb, const Image& image, VkImageLayout from, VkImageLayout to) {
  const bool fromHost = from == VK_IMAGE_LAYOUT_PREINITIALIZED;
  VkImageMemoryBarrier barrier{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  barrier.srcAccessMask = fromHost ? VK_ACCESS_HOST_WRITE_BIT : VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.oldLayout = from;
  barrier.newLayout = to;
  barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.image = image.image;
  // Depth/stencil images transition both aspects together (VUID-VkImageMemoryBarrier-image-03320).
  barrier.subresourceRange = {formatCase(image.info.format).aspects, 0, VK_REMAINING_MIP_LEVELS, 0,
                              VK_REMAINING_ARRAY_LAYERS};
  vkCmdPipelineBarrier(cb, fromHost ? VK_PIPELINE_STAGE_HOST_BIT : VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0, nullptr, 1, &barrier);
}

void transferBarrier(VkCommandBuffer cb) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
}

VkExtent3D mipExtent(const VkImageCreateInfo& info, uint32_t mip) {
  return {std::max(1u, info.extent.width >> mip), std::max(1u, info.extent.height >> mip),
          std::max(1u, info.extent.depth >> mip)};
}

VkDeviceSize packedSize(const Image& image, uint32_t mip, uint32_t texelSize) {
  const VkExtent3D e = mipExtent(image.info, mip);
  return VkDeviceSize{e.width} * e.height * e.depth * image.info.arrayLayers * texelSize;
}

VkDeviceSize abi1Size(const VkImageCreateInfo& info) {
  const FormatCase& f = formatCase(info.format);
  VkDeviceSize size = 0;
  for (uint32_t texel : {f.texelSize, f.stencilSize}) {
    if (texel == 0) continue;
    for (uint32_t mip = 0; mip < info.mipLevels; ++mip) {
      const VkExtent3D e = mipExtent(info, mip);
      const VkDeviceSize row = (VkDeviceSize{e.width} * texel + 15) / 16 * 16;
      size += row * e.height * e.depth * info.arrayLayers;
    }
  }
  return (size + 63) / 64 * 64;
}

VkBufferImageCopy wholeLevel(const Image& image, VkImageAspectFlags aspect, uint32_t mip,
                             VkDeviceSize bufferOffset) {
  VkBufferImageCopy region{};
  region.bufferOffset = bufferOffset;
  region.imageSubresource = {aspect, mip, 0, image.info.arrayLayers};
  region.imageExtent = mipExtent(image.info, mip);
  return region;
}

void makeGeneral(test::Device& device, const Image& image) {
  device.run([&](VkCommandBuffer cb) {
    transition(cb, image, image.info.initialLayout, VK_IMAGE_LAYOUT_GENERAL);
  });
}

VkDeviceSize packedImageSize(const Image& image, uint32_t texelSize) {
  VkDeviceSize size = 0;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip)
    size += packedSize(image, mip, texelSize);
  return size;
}

// One buffer per level, so that every region starts at offset 0 of its buffer: a packed level of
// stencil need not end on the multiple of 4 where the next region would have to start
// (VUID-vkCmdCopyBufferToImage-srcImage-04053).
std::vector<uint8_t> download(test::Device& device, const Image& image, VkImageAspectFlags aspect,
                              uint32_t texelSize) {
  std::vector<test::Buffer> levels;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip)
    levels.push_back(device.createBuffer(packedSize(image, mip, texelSize)));
  device.run([&](VkCommandBuffer cb) {
    transferBarrier(cb);  // after writes of earlier submissions (barriers reach back across them)
    for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
      const VkBufferImageCopy region = wholeLevel(image, aspect, mip, 0);
      vkCmdCopyImageToBuffer(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, levels[mip].buffer, 1,
                             &region);
    }
    test::barrierToHost(cb);
  });
  std::vector<uint8_t> bytes;
  for (test::Buffer& level : levels) {
    bytes.insert(bytes.end(), level.as<uint8_t>(), level.as<uint8_t>() + level.size);
    device.destroy(level);
  }
  return bytes;
}

void upload(test::Device& device, const Image& image, VkImageAspectFlags aspect, uint32_t texelSize,
            const std::vector<uint8_t>& bytes) {
  REQUIRE(bytes.size() == packedImageSize(image, texelSize));
  std::vector<test::Buffer> levels;
  size_t offset = 0;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
    levels.push_back(device.createBuffer(packedSize(image, mip, texelSize)));
    std::memcpy(levels.back().data, bytes.data() + offset, levels.back().size);
    offset += levels.back().size;
  }
  device.run([&](VkCommandBuffer cb) {
    transferBarrier(cb);
    for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
      const VkBufferImageCopy region = wholeLevel(image, aspect, mip, 0);
      vkCmdCopyBufferToImage(cb, levels[mip].buffer, image.image, VK_IMAGE_LAYOUT_GENERAL, 1,
                             &region);
    }
  });
  for (test::Buffer& level : levels) device.destroy(level);
}

}  // namespace images
