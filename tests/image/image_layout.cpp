// Where an image's texels live, through vkGetImageSubresourceLayout: the numbers of layout ABI 1
// (docs/IMAGE_LAYOUT.md), the same in two instances, and where copies really put the bytes.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "image/images.hpp"
#include "tools/probe.hpp"

namespace {

VkSubresourceLayout layoutOf(const test::Device& device, VkImage image, VkImageAspectFlags aspect,
                             uint32_t mip, uint32_t layer) {
  const VkImageSubresource which{aspect, mip, layer};
  VkSubresourceLayout layout;
  vkGetImageSubresourceLayout(device.handle, image, &which, &layout);
  return layout;
}

// Every answer vkGetImageSubresourceLayout gives for `info`, plus the memory requirements, as
// numbers to compare.
std::vector<VkDeviceSize> everyAnswer(const test::Device& device, const VkImageCreateInfo& info) {
  VkImage image;
  VK_CHECK(vkCreateImage(device.handle, &info, nullptr, &image));
  VkMemoryRequirements r;
  vkGetImageMemoryRequirements(device.handle, image, &r);
  std::vector<VkDeviceSize> out = {r.size, r.alignment};
  const auto& format = images::formatCase(info.format);
  for (VkImageAspectFlags aspect :
       {VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_ASPECT_DEPTH_BIT, VK_IMAGE_ASPECT_STENCIL_BIT}) {
    if (!(format.aspects & aspect)) continue;
    for (uint32_t mip = 0; mip < info.mipLevels; ++mip)
      for (uint32_t layer = 0; layer < info.arrayLayers; ++layer) {
        const VkSubresourceLayout s = layoutOf(device, image, aspect, mip, layer);
        out.insert(out.end(), {s.offset, s.size, s.rowPitch, s.arrayPitch, s.depthPitch});
      }
  }
  vkDestroyImage(device.handle, image, nullptr);
  return out;
}

std::vector<VkImageCreateInfo> someLinearImages() {
  using images::imageInfo;
  const VkImageTiling linear = VK_IMAGE_TILING_LINEAR;
  return {imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {13, 7, 1}, 3, 2, linear),
          imageInfo(VK_FORMAT_R8_UINT, {1000, 3, 1}, 10, 5, linear),
          imageInfo(VK_FORMAT_R32G32B32A32_SFLOAT, {33, 65, 1}, 7, 1, linear),
          imageInfo(VK_FORMAT_R16G16_SFLOAT, {19, 11, 9}, 4, 1, linear, VK_IMAGE_TYPE_3D),
          imageInfo(VK_FORMAT_B10G11R11_UFLOAT_PACK32, {77, 1, 1}, 7, 3, linear, VK_IMAGE_TYPE_1D),
          imageInfo(VK_FORMAT_D16_UNORM, {31, 17, 1}, 5, 2, linear),
          imageInfo(VK_FORMAT_S8_UINT, {5, 5, 1}, 3, 1, linear)};
}

std::vector<VkImageCreateInfo> someDepthStencilImages() {
  const VkImageTiling linear = VK_IMAGE_TILING_LINEAR;
  return {images::imageInfo(VK_FORMAT_D24_UNORM_S8_UINT, {31, 17, 1}, 5, 2, linear),
          images::imageInfo(VK_FORMAT_D32_SFLOAT_S8_UINT, {8, 8, 1}, 4, 6, linear)};
}

// The validation layer of this SDK flags every vkGetImageSubresourceLayout of a combined
// depth/stencil image: VUID-vkGetImageSubresourceLayout-format-04462 and -04463 ask for both
// aspects where -aspectMask-00997 allows one (KhronosGroup/Vulkan-Docs#1942). emvk answers per
// aspect, as 00997 says.
void acceptContradictoryDepthStencilRule(test::Instance& instance) {
  instance.expectInvalidUsage = true;
}

}  // namespace

TEST_CASE("image: vkGetImageSubresourceLayout of a 13x7 RGBA8 image, 3 mips, 2 layers", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  auto image = images::createImage(device, images::imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {13, 7, 1},
                                                             3, 2, VK_IMAGE_TILING_LINEAR));
  // The worked example of docs/IMAGE_LAYOUT.md: mip-major, rows rounded up to 16 bytes.
  struct Expected {
    uint32_t mip, layer;
    VkDeviceSize offset, size, rowPitch;
  };
  for (const Expected& e :
       {Expected{0, 0, 0, 448, 64}, Expected{0, 1, 448, 448, 64}, Expected{1, 0, 896, 96, 32},
        Expected{1, 1, 992, 96, 32}, Expected{2, 0, 1088, 16, 16}, Expected{2, 1, 1104, 16, 16}}) {
    CAPTURE(e.mip, e.layer);
    const VkSubresourceLayout s =
        layoutOf(device, image.image, VK_IMAGE_ASPECT_COLOR_BIT, e.mip, e.layer);
    CHECK(s.offset == e.offset);
    CHECK(s.size == e.size);
    CHECK(s.rowPitch == e.rowPitch);
    CHECK(s.arrayPitch == e.size);
  }
  CHECK(image.requirements.size == 1152);
  images::destroy(device, image);
}

TEST_CASE("image: the depth and stencil of D24_UNORM_S8_UINT are two planes", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  acceptContradictoryDepthStencilRule(instance);
  test::Device device(instance);
  auto image = images::createImage(
      device,
      images::imageInfo(VK_FORMAT_D24_UNORM_S8_UINT, {10, 10, 1}, 1, 2, VK_IMAGE_TILING_LINEAR));
  // Depth: 4 bytes a texel, 40 -> 48 a row, 480 a layer; stencil after both depth layers: 1 byte
  // a texel, 10 -> 16 a row, 160 a layer.
  const VkSubresourceLayout depth1 = layoutOf(device, image.image, VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1);
  CHECK(depth1.offset == 480);
  CHECK(depth1.rowPitch == 48);
  const VkSubresourceLayout stencil0 =
      layoutOf(device, image.image, VK_IMAGE_ASPECT_STENCIL_BIT, 0, 0);
  CHECK(stencil0.offset == 960);
  CHECK(stencil0.rowPitch == 16);
  CHECK(stencil0.size == 160);
  CHECK(layoutOf(device, image.image, VK_IMAGE_ASPECT_STENCIL_BIT, 0, 1).offset == 1120);
  CHECK(image.requirements.size == 1280);
  images::destroy(device, image);
}

TEST_CASE("image: two instances lay out identical images identically", "[image]") {
  // The aliasing contract of external memory: the same parameters give the same bytes.
  test::Instance first;
  test::Instance second;
  test::Device a(first);
  test::Device b(second);
  for (const VkImageCreateInfo& info : someLinearImages()) {
    CAPTURE(info.format, info.extent.width, info.extent.height, info.extent.depth);
    CHECK(everyAnswer(a, info) == everyAnswer(b, info));
  }
}

TEST_CASE("image: two instances lay out identical depth/stencil images identically", "[image]") {
  test::Instance first;
  test::Instance second;
  acceptContradictoryDepthStencilRule(first);
  acceptContradictoryDepthStencilRule(second);
  test::Device a(first);
  test::Device b(second);
  for (const VkImageCreateInfo& info : someDepthStencilImages()) {
    CAPTURE(info.format);
    CHECK(everyAnswer(a, info) == everyAnswer(b, info));
  }
}

TEST_CASE("image: OPTIMAL images report the layout of LINEAR ones (an emvk guarantee)", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  // VUID-vkGetImageSubresourceLayout-image-07789 asks for LINEAR; emvk answers for OPTIMAL too,
  // because layout ABI 1 lays both out the same way.
  instance.expectInvalidUsage = true;
  test::Device device(instance);
  std::vector<VkImageCreateInfo> infos = someLinearImages();
  for (const VkImageCreateInfo& info : someDepthStencilImages()) infos.push_back(info);
  for (VkImageCreateInfo info : infos) {
    const auto linear = everyAnswer(device, info);
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    CHECK(everyAnswer(device, info) == linear);
  }
}

TEST_CASE("image: copied texels land where vkGetImageSubresourceLayout says", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  // A 3D image and a layered one: slices step by depthPitch, layers by arrayPitch.
  const VkImageCreateInfo infos[] = {
      images::imageInfo(VK_FORMAT_R16G16_UINT, {9, 5, 4}, 2, 1, VK_IMAGE_TILING_LINEAR,
                        VK_IMAGE_TYPE_3D),
      images::imageInfo(VK_FORMAT_R8G8B8A8_SRGB, {7, 6, 1}, 3, 3, VK_IMAGE_TILING_LINEAR)};
  for (const VkImageCreateInfo& info : infos) {
    auto image = images::createImage(device, info, true);
    const uint32_t texel = images::formatCase(info.format).texelSize;
    VkDeviceSize total = 0;
    std::vector<VkBufferImageCopy> regions;
    for (uint32_t mip = 0; mip < info.mipLevels; ++mip) {
      regions.push_back(images::wholeLevel(image, VK_IMAGE_ASPECT_COLOR_BIT, mip, total));
      total += images::packedSize(image, mip, texel);
    }
    auto source = device.createBuffer(total);
    test::fillPattern(source.data, total, 5 + info.imageType);
    device.run([&](VkCommandBuffer cb) {
      images::transition(cb, image, VK_IMAGE_LAYOUT_PREINITIALIZED, VK_IMAGE_LAYOUT_GENERAL);
      vkCmdCopyBufferToImage(cb, source.buffer, image.image, VK_IMAGE_LAYOUT_GENERAL,
                             uint32_t(regions.size()), regions.data());
      test::barrierToHost(cb);
    });

    // Walk the packed buffer texel by texel and find each texel in the mapped image.
    const auto* packed = source.as<uint8_t>();
    for (uint32_t mip = 0; mip < info.mipLevels; ++mip) {
      const VkExtent3D e = images::mipExtent(info, mip);
      for (uint32_t layer = 0; layer < info.arrayLayers; ++layer) {
        const VkSubresourceLayout s =
            layoutOf(device, image.image, VK_IMAGE_ASPECT_COLOR_BIT, mip, layer);
        for (uint32_t z = 0; z < e.depth; ++z)
          for (uint32_t y = 0; y < e.height; ++y) {
            const uint8_t* row = image.data + s.offset + z * s.depthPitch + y * s.rowPitch;
            if (std::memcmp(row, packed, e.width * texel) != 0)
              FAIL("mip " << mip << " layer " << layer << " z " << z << " row " << y);
            packed += e.width * texel;
          }
      }
    }
    device.destroy(source);
    images::destroy(device, image);
  }
}
