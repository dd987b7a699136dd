// Depth and stencil aspects, one at a time: copied between images, into buffers, and from buffers.
// In a buffer, D16 takes 2 bytes a texel, D24 4 bytes (24 bits in the low bits), D32 4 bytes and
// stencil 1 byte (section "Copying Data Between Buffers and Images").
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "image/images.hpp"

namespace {

constexpr VkImageAspectFlags kDepth = VK_IMAGE_ASPECT_DEPTH_BIT;
constexpr VkImageAspectFlags kStencil = VK_IMAGE_ASPECT_STENCIL_BIT;

// Valid texels of one aspect: D24 with its top byte 0, D32 as floats in [0, 1]
// (VUID-vkCmdCopyBufferToImage-None-00214 asks that of depth copied from buffers).
std::vector<uint8_t> aspectPattern(VkFormat format, VkImageAspectFlags aspect, size_t texels,
                                   uint64_t seed) {
  const auto& f = images::formatCase(format);
  const uint32_t size = aspect == kDepth ? f.texelSize : f.stencilSize;
  std::vector<uint8_t> bytes(texels * size);
  test::Pattern pattern(seed);
  for (size_t i = 0; i < texels; ++i) {
    const uint64_t r = pattern.next();
    uint32_t word = uint32_t(r);
    if (aspect == kDepth && size == 4) {
      const bool d24 =
          format == VK_FORMAT_X8_D24_UNORM_PACK32 || format == VK_FORMAT_D24_UNORM_S8_UINT;
      const float d = float(r % 1000001) / 1000000.0f;
      if (d24)
        word &= 0xFFFFFF;
      else
        std::memcpy(&word, &d, 4);
    }
    std::memcpy(&bytes[i * size], &word, size);
  }
  return bytes;
}

size_t texelCount(const images::Image& image) {
  size_t n = 0;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
    const VkExtent3D e = images::mipExtent(image.info, mip);
    n += size_t(e.width) * e.height * e.depth * image.info.arrayLayers;
  }
  return n;
}

// Writes packed `bytes` of one aspect into a mapped LINEAR image where vkGetImageSubresourceLayout
// puts each row: the only valid way to give a depth image content on a queue without graphics.
void hostWrite(test::Device& device, const images::Image& image, VkImageAspectFlags aspect,
               uint32_t texel, const std::vector<uint8_t>& bytes) {
  size_t at = 0;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
    const VkExtent3D e = images::mipExtent(image.info, mip);
    for (uint32_t layer = 0; layer < image.info.arrayLayers; ++layer) {
      const VkImageSubresource which{aspect, mip, layer};
      VkSubresourceLayout layout;
      vkGetImageSubresourceLayout(device.handle, image.image, &which, &layout);
      for (uint32_t y = 0; y < e.height; ++y, at += e.width * texel)
        std::memcpy(image.data + layout.offset + y * layout.rowPitch, &bytes[at], e.width * texel);
    }
  }
}

// Regions that copy every level and layer of `aspect` (one or both depth/stencil bits).
std::vector<VkImageCopy> everyLevel(const images::Image& image, VkImageAspectFlags aspect) {
  std::vector<VkImageCopy> regions;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
    VkImageCopy r{};
    r.srcSubresource = r.dstSubresource = {aspect, mip, 0, image.info.arrayLayers};
    r.extent = images::mipExtent(image.info, mip);
    regions.push_back(r);
  }
  return regions;
}

void copyImage(test::Device& device, const images::Image& src, const images::Image& dst,
               VkImageAspectFlags aspect) {
  const auto regions = everyLevel(src, aspect);
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyImage(cb, src.image, VK_IMAGE_LAYOUT_GENERAL, dst.image, VK_IMAGE_LAYOUT_GENERAL,
                   uint32_t(regions.size()), regions.data());
  });
}

// Two linear images A and B with different content in each aspect; the optimal image takes its
// depth from A and its stencil from B, aspect by aspect, and a second one takes both from A in a
// single region that names both aspects.
void copyAspectsSeparately(test::Instance& instance, VkFormat format) {
  test::Device device(instance);
  const auto& f = images::formatCase(format);
  const VkImageCreateInfo linear =
      images::imageInfo(format, {7, 5, 1}, 2, 2, VK_IMAGE_TILING_LINEAR);
  auto a = images::createImage(device, linear, true);
  auto b = images::createImage(device, linear, true);
  auto mixed = images::createImage(device, images::imageInfo(format, {7, 5, 1}, 2, 2));
  auto whole = images::createImage(device, images::imageInfo(format, {7, 5, 1}, 2, 2));

  std::vector<uint8_t> written[2][2];  // [image A or B][depth or stencil]
  for (int which = 0; which < 2; ++which)
    for (VkImageAspectFlags aspect : {kDepth, kStencil}) {
      if (!(f.aspects & aspect)) continue;
      const uint32_t texel = aspect == kDepth ? f.texelSize : f.stencilSize;
      auto& bytes = written[which][aspect == kStencil];
      bytes = aspectPattern(format, aspect, texelCount(a), 11 + which * 2 + (aspect == kStencil));
      hostWrite(device, which ? b : a, aspect, texel, bytes);
    }
  for (auto* image : {&a, &b, &mixed, &whole}) images::makeGeneral(device, *image);

  if (f.aspects & kDepth) copyImage(device, a, mixed, kDepth);
  if (f.aspects & kStencil) copyImage(device, b, mixed, kStencil);
  copyImage(device, a, whole, f.aspects);

  if (f.aspects & kDepth) {
    CHECK(images::download(device, mixed, kDepth, f.texelSize) == written[0][0]);
    CHECK(images::download(device, whole, kDepth, f.texelSize) == written[0][0]);
  }
  if (f.aspects & kStencil) {
    CHECK(images::download(device, mixed, kStencil, 1) == written[1][1]);
    CHECK(images::download(device, whole, kStencil, 1) == written[0][1]);
  }
  for (auto* image : {&a, &b, &mixed, &whole}) images::destroy(device, *image);
}

}  // namespace

TEST_CASE("image: depth-only and stencil-only formats copy between images and into buffers",
          "[image]") {
  test::Instance instance;
  for (VkFormat format : {VK_FORMAT_D16_UNORM, VK_FORMAT_X8_D24_UNORM_PACK32, VK_FORMAT_D32_SFLOAT,
                          VK_FORMAT_S8_UINT}) {
    CAPTURE(format);
    copyAspectsSeparately(instance, format);
  }
}

TEST_CASE("image: the depth and stencil of combined formats copy one aspect at a time", "[image]") {
  test::Instance instance;
  // Placing the host's writes needs vkGetImageSubresourceLayout per aspect, which this SDK's
  // validation layer flags for combined formats (VUID-vkGetImageSubresourceLayout-format-04462
  // and -04463 contradict -aspectMask-00997, KhronosGroup/Vulkan-Docs#1942).
  instance.expectInvalidUsage = true;
  for (VkFormat format : {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D32_SFLOAT_S8_UINT}) {
    CAPTURE(format);
    copyAspectsSeparately(instance, format);
  }
}

TEST_CASE("image: buffer-to-image copies write depth and stencil aspects", "[image]") {
  test::Instance instance;
  // VUID-vkCmdCopyBufferToImage-commandBuffer-07739: without a graphics queue family, copies from
  // buffers into depth or stencil are invalid usage. emvk implements them for the graphics queue
  // to come, and this test checks the bytes.
  instance.expectInvalidUsage = true;
  test::Device device(instance);
  for (VkFormat format : {VK_FORMAT_D16_UNORM, VK_FORMAT_D24_UNORM_S8_UINT,
                          VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_S8_UINT}) {
    CAPTURE(format);
    const auto& f = images::formatCase(format);
    auto image = images::createImage(device, images::imageInfo(format, {9, 6, 1}, 3, 2));
    images::makeGeneral(device, image);
    for (VkImageAspectFlags aspect : {kDepth, kStencil}) {
      if (!(f.aspects & aspect)) continue;
      const uint32_t texel = aspect == kDepth ? f.texelSize : f.stencilSize;
      const auto sent = aspectPattern(format, aspect, texelCount(image), 21 + aspect);
      images::upload(device, image, aspect, texel, sent);
      CHECK(images::download(device, image, aspect, texel) == sent);
    }
    images::destroy(device, image);
  }
}
