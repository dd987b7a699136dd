// vkCmdCopyBufferToImage, vkCmdCopyImageToBuffer, vkCmdCopyImage (and their ...2 forms),
// vkCmdClearColorImage, vkCmdClearDepthStencilImage: recording and execution.
//
// Every copy is a box of rows: memory/image_layout.hpp puts each row of a subresource at
// rowPitch, and each aspect of a depth/stencil format in its own plane with the texel size the
// spec gives that aspect in buffers, so a copy of any aspect is one memcpy per row. Large boxes
// are split over the device's workers.
#include <algorithm>
#include <cstring>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/device.hpp"
#include "device/image.hpp"

namespace emvk {
namespace {

constexpr size_t kParallelGrain = 1u << 20;  // below this one thread beats waking others

// One side of a copy: the first texel, and the distance between rows and between slices.
struct Surface {
  uint8_t* base;
  uint64_t rowPitch;
  uint64_t slicePitch;
};

bool is3D(const Image& image) { return image.description().imageType == VK_IMAGE_TYPE_3D; }

uint32_t texelSize(const Image& image, VkImageAspectFlags aspect) {
  return image.format().texelSize[image.format().planeOf(aspect)];
}

// A 3D image steps through depth slices, an array through layers: a 3D image has one layer
// (VUID-vkCmdCopyBufferToImage-baseArrayLayer-00213, VUID-vkCmdCopyImage-srcImage-04443).
Surface imageSurface(const Image& image, VkImageAspectFlags aspect,
                     const VkImageSubresourceLayers& sub, const VkOffset3D& offset) {
  const memory::SubresourceLayout s = image.subresource(aspect, sub.mipLevel, sub.baseArrayLayer);
  const uint64_t start = s.offset + uint64_t(offset.z) * s.depthPitch +
                         uint64_t(offset.y) * s.rowPitch +
                         uint64_t(offset.x) * texelSize(image, aspect);
  return {image.data() + start, s.rowPitch, is3D(image) ? s.depthPitch : s.arrayPitch};
}

uint32_t sliceCount(const Image& image, const VkImageSubresourceLayers& sub,
                    const VkExtent3D& extent) {
  return is3D(image) ? extent.depth : sub.layerCount;
}

// Section "Copying Data Between Buffers and Images": rows of bufferRowLength texels, slices (and
// layers) of bufferImageHeight rows; 0 means tightly packed to imageExtent.
Surface bufferSurface(const Buffer& buffer, const VkBufferImageCopy& r, uint32_t texel) {
  const uint64_t rowLength = r.bufferRowLength ? r.bufferRowLength : r.imageExtent.width;
  const uint64_t imageHeight = r.bufferImageHeight ? r.bufferImageHeight : r.imageExtent.height;
  return {buffer.data() + r.bufferOffset, rowLength * texel, rowLength * imageHeight * texel};
}

// Copies `slices` × `rows` rows of `rowBytes` bytes from `src` to `dst`.
void copyRows(Device& device, const Surface& dst, const Surface& src, uint64_t rowBytes,
              uint32_t rows, uint32_t slices) {
  const size_t count = size_t(rows) * slices;
  if (count == 0 || rowBytes == 0) return;
  // Small boxes run inline; large ones go in about one piece per worker (as copies of buffers
  // do, transfer_commands.cpp), never smaller than the grain.
  const size_t workers = device.workers().count();
  const size_t grain =
      count * rowBytes <= kParallelGrain
          ? count
          : std::max((kParallelGrain + rowBytes - 1) / rowBytes, (count + workers - 1) / workers);
  device.workers().parallelFor(count, grain, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const uint64_t slice = i / rows;
      const uint64_t row = i % rows;
      std::memcpy(dst.base + slice * dst.slicePitch + row * dst.rowPitch,
                  src.base + slice * src.slicePitch + row * src.rowPitch, rowBytes);
    }
  });
}

// Fills `size` bytes with copies of a texel of `texelSize` bytes. Every texel size divides 16 and
// every row pitch is a multiple of 16, so the pattern runs on through row padding unbroken and a
// whole range of subresources is filled in one go.
void fillTexels(Device& device, uint8_t* dst, uint64_t size, const std::array<uint8_t, 16>& texel,
                uint32_t texelSize) {
  constexpr size_t kBlock = 256;  // a multiple of every texel size: blocks keep the phase
  std::array<uint8_t, kBlock> block;
  for (size_t i = 0; i < kBlock; i += texelSize) std::memcpy(&block[i], texel.data(), texelSize);
  const size_t blocks = (size + kBlock - 1) / kBlock;
  device.workers().parallelFor(blocks, kParallelGrain / kBlock, [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; ++b)
      std::memcpy(dst + b * kBlock, block.data(), std::min<uint64_t>(kBlock, size - b * kBlock));
  });
}

// The aspects a region names, one at a time: COLOR, or DEPTH and/or STENCIL.
template <class Fn>
void forEachAspect(VkImageAspectFlags mask, Fn fn) {
  for (VkImageAspectFlags bit :
       {VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_ASPECT_DEPTH_BIT, VK_IMAGE_ASPECT_STENCIL_BIT})
    if (mask & bit) fn(bit);
}

}  // namespace

void run(Device& device, const cmd::CopyBufferToImage& c) {
  for (const VkBufferImageCopy& r : c.regions) {
    // VUID-VkBufferImageCopy-aspectMask-00212: one aspect per region.
    const VkImageAspectFlags aspect = r.imageSubresource.aspectMask;
    const uint32_t texel = texelSize(*c.dst, aspect);
    copyRows(device, imageSurface(*c.dst, aspect, r.imageSubresource, r.imageOffset),
             bufferSurface(*c.src, r, texel), uint64_t(r.imageExtent.width) * texel,
             r.imageExtent.height, sliceCount(*c.dst, r.imageSubresource, r.imageExtent));
  }
}

void run(Device& device, const cmd::CopyImageToBuffer& c) {
  for (const VkBufferImageCopy& r : c.regions) {
    const VkImageAspectFlags aspect = r.imageSubresource.aspectMask;
    const uint32_t texel = texelSize(*c.src, aspect);
    copyRows(device, bufferSurface(*c.dst, r, texel),
             imageSurface(*c.src, aspect, r.imageSubresource, r.imageOffset),
             uint64_t(r.imageExtent.width) * texel, r.imageExtent.height,
             sliceCount(*c.src, r.imageSubresource, r.imageExtent));
  }
}

void run(Device& device, const cmd::CopyImage& c) {
  for (const VkImageCopy& r : c.regions) {
    // VUID-vkCmdCopyImage-srcImage-01548: the formats are size-compatible, so the source's texel
    // size is the destination's; depth/stencil formats match and are copied aspect by aspect.
    // VUID-vkCmdCopyImage-srcImage-01791, -dstImage-01792: a 3D side's depth is the other's
    // layer count, so both sides have the same number of slices.
    forEachAspect(r.srcSubresource.aspectMask, [&](VkImageAspectFlags aspect) {
      const uint64_t rowBytes = uint64_t(r.extent.width) * texelSize(*c.src, aspect);
      copyRows(device, imageSurface(*c.dst, aspect, r.dstSubresource, r.dstOffset),
               imageSurface(*c.src, aspect, r.srcSubresource, r.srcOffset), rowBytes,
               r.extent.height, sliceCount(*c.src, r.srcSubresource, r.extent));
    });
  }
}

void run(Device& device, const cmd::ClearImage& c) {
  const Image& image = *c.image;
  for (const VkImageSubresourceRange& range : c.ranges) {
    forEachAspect(range.aspectMask, [&](VkImageAspectFlags aspect) {
      const uint32_t plane = image.format().planeOf(aspect);
      for (uint32_t mip = range.baseMipLevel; mip < range.baseMipLevel + range.levelCount; ++mip) {
        // Mip-major layout: the layers of one level lie back to back, one contiguous range.
        const memory::SubresourceLayout first =
            image.subresource(aspect, mip, range.baseArrayLayer);
        fillTexels(device, image.data() + first.offset, first.arrayPitch * range.layerCount,
                   c.texels[plane], image.format().texelSize[plane]);
      }
    });
  }
}

}  // namespace emvk

using namespace emvk;

namespace {

// VK_REMAINING_MIP_LEVELS and VK_REMAINING_ARRAY_LAYERS mean "to the end"
// (VkImageSubresourceRange).
std::vector<VkImageSubresourceRange> resolve(const Image& image, uint32_t count,
                                             const VkImageSubresourceRange* ranges) {
  const ImageDescription& d = image.description();
  std::vector<VkImageSubresourceRange> out(ranges, ranges + count);
  for (VkImageSubresourceRange& r : out) {
    if (r.levelCount == VK_REMAINING_MIP_LEVELS) r.levelCount = d.mipLevels - r.baseMipLevel;
    if (r.layerCount == VK_REMAINING_ARRAY_LAYERS) r.layerCount = d.arrayLayers - r.baseArrayLayer;
  }
  return out;
}

VkBufferImageCopy toV1(const VkBufferImageCopy2& r) {
  return {r.bufferOffset,     r.bufferRowLength, r.bufferImageHeight,
          r.imageSubresource, r.imageOffset,     r.imageExtent};
}

VkImageCopy toV1(const VkImageCopy2& r) {
  return {r.srcSubresource, r.srcOffset, r.dstSubresource, r.dstOffset, r.extent};
}

template <class V2>
auto regionsV1(uint32_t count, const V2* regions) {
  std::vector<decltype(toV1(*regions))> out;
  for (uint32_t i = 0; i < count; ++i) out.push_back(toV1(regions[i]));
  return out;
}

}  // namespace

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyBufferToImage(VkCommandBuffer commandBuffer,
                                                     VkBuffer srcBuffer, VkImage dstImage,
                                                     VkImageLayout, uint32_t regionCount,
                                                     const VkBufferImageCopy* pRegions) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyBufferToImage{
          fromHandle(srcBuffer), fromHandle(dstImage), {pRegions, pRegions + regionCount}});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyBufferToImage2(VkCommandBuffer commandBuffer,
                                                      const VkCopyBufferToImageInfo2* pInfo) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyBufferToImage{fromHandle(pInfo->srcBuffer), fromHandle(pInfo->dstImage),
                                      regionsV1(pInfo->regionCount, pInfo->pRegions)});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyImageToBuffer(VkCommandBuffer commandBuffer,
                                                     VkImage srcImage, VkImageLayout,
                                                     VkBuffer dstBuffer, uint32_t regionCount,
                                                     const VkBufferImageCopy* pRegions) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyImageToBuffer{
          fromHandle(srcImage), fromHandle(dstBuffer), {pRegions, pRegions + regionCount}});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyImageToBuffer2(VkCommandBuffer commandBuffer,
                                                      const VkCopyImageToBufferInfo2* pInfo) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyImageToBuffer{fromHandle(pInfo->srcImage), fromHandle(pInfo->dstBuffer),
                                      regionsV1(pInfo->regionCount, pInfo->pRegions)});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyImage(VkCommandBuffer commandBuffer, VkImage srcImage,
                                             VkImageLayout, VkImage dstImage, VkImageLayout,
                                             uint32_t regionCount, const VkImageCopy* pRegions) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyImage{
          fromHandle(srcImage), fromHandle(dstImage), {pRegions, pRegions + regionCount}});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyImage2(VkCommandBuffer commandBuffer,
                                              const VkCopyImageInfo2* pInfo) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyImage{fromHandle(pInfo->srcImage), fromHandle(pInfo->dstImage),
                              regionsV1(pInfo->regionCount, pInfo->pRegions)});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdClearColorImage(VkCommandBuffer commandBuffer,
                                                   VkImage imageHandle, VkImageLayout,
                                                   const VkClearColorValue* pColor,
                                                   uint32_t rangeCount,
                                                   const VkImageSubresourceRange* pRanges) {
  Image* image = fromHandle(imageHandle);
  // VUID-vkCmdClearColorImage-image-00007: a colour format, so plane 0 holds everything.
  fromHandle(commandBuffer)
      ->record(cmd::ClearImage{
          image, {packColor(image->format(), *pColor), {}}, resolve(*image, rangeCount, pRanges)});
}

VKAPI_ATTR void VKAPI_CALL
emvk_CmdClearDepthStencilImage(VkCommandBuffer commandBuffer, VkImage imageHandle, VkImageLayout,
                               const VkClearDepthStencilValue* pDepthStencil, uint32_t rangeCount,
                               const VkImageSubresourceRange* pRanges) {
  Image* image = fromHandle(imageHandle);
  const FormatInfo& format = image->format();
  cmd::ClearImage c{image, {}, resolve(*image, rangeCount, pRanges)};
  // VUID-vkCmdClearDepthStencilImage-image-02825/-02826: ranges name only aspects the format has.
  if (format.aspects & VK_IMAGE_ASPECT_DEPTH_BIT)
    c.texels[format.planeOf(VK_IMAGE_ASPECT_DEPTH_BIT)] = packDepth(format, pDepthStencil->depth);
  if (format.aspects & VK_IMAGE_ASPECT_STENCIL_BIT)
    c.texels[format.planeOf(VK_IMAGE_ASPECT_STENCIL_BIT)] = packStencil(pDepthStencil->stencil);
  fromHandle(commandBuffer)->record(std::move(c));
}
