// Copies between buffers and images and between images, checked byte for byte: every texel size,
// mip levels, array layers, 3D slices, sub-boxes with bufferRowLength/bufferImageHeight, and the
// depth and stencil aspects one at a time.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "image/images.hpp"

namespace {

std::vector<uint8_t> pattern(size_t size, uint64_t seed) {
  std::vector<uint8_t> bytes(size);
  test::fillPattern(bytes.data(), size, seed);
  return bytes;
}

// The offset of texel (x, y, z) of layer `layer` in a packed copy of level `mip` that starts at
// `base`: the addressing of section "Copying Data Between Buffers and Images".
size_t packedOffset(const images::Image& image, uint32_t mip, uint32_t texel, uint32_t x,
                    uint32_t y, uint32_t z, uint32_t layer) {
  const VkExtent3D e = images::mipExtent(image.info, mip);
  return ((size_t(layer) * e.depth + z) * e.height + y) * e.width * texel + size_t(x) * texel;
}

}  // namespace

TEST_CASE("image: buffer -> image -> buffer round trips for every texel size, mips and layers",
          "[image]") {
  test::Instance instance;
  test::Device device(instance);
  // One format per texel size (copies never convert, so the numeric format does not matter).
  for (VkFormat format :
       {VK_FORMAT_R8_UINT, VK_FORMAT_R16_SFLOAT, VK_FORMAT_B8G8R8A8_SRGB,
        VK_FORMAT_A2B10G10R10_UNORM_PACK32, VK_FORMAT_R32G32_SINT, VK_FORMAT_R32G32B32A32_SFLOAT}) {
    for (VkImageTiling tiling : {VK_IMAGE_TILING_LINEAR, VK_IMAGE_TILING_OPTIMAL}) {
      CAPTURE(format, tiling);
      auto image =
          images::createImage(device, images::imageInfo(format, {37, 19, 1}, 4, 3, tiling));
      images::makeGeneral(device, image);
      const uint32_t texel = images::formatCase(format).texelSize;
      const auto sent = pattern(images::packedImageSize(image, texel), format + 1);
      images::upload(device, image, VK_IMAGE_ASPECT_COLOR_BIT, texel, sent);
      CHECK(images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, texel) == sent);
      images::destroy(device, image);
    }
  }
}

TEST_CASE("image: a 3D image round trips slice by slice, and a box inside it", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  auto image =
      images::createImage(device, images::imageInfo(VK_FORMAT_R8G8B8A8_UINT, {19, 13, 7}, 3, 1,
                                                    VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_TYPE_3D));
  images::makeGeneral(device, image);
  auto sent = pattern(images::packedImageSize(image, 4), 33);
  images::upload(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 4, sent);
  REQUIRE(images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 4) == sent);

  // A 5x4x3 box at (2, 3, 1) of level 0, from a tightly packed buffer.
  const auto box = pattern(5 * 4 * 3 * 4, 34);
  auto buffer = device.createBuffer(box.size());
  std::memcpy(buffer.data, box.data(), box.size());
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageOffset = {2, 3, 1};
  region.imageExtent = {5, 4, 3};
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyBufferToImage(cb, buffer.buffer, image.image, VK_IMAGE_LAYOUT_GENERAL, 1, &region);
  });
  for (uint32_t z = 0; z < 3; ++z)
    for (uint32_t y = 0; y < 4; ++y)
      std::memcpy(&sent[packedOffset(image, 0, 4, 2, 3 + y, 1 + z, 0)], &box[(z * 4 + y) * 5 * 4],
                  5 * 4);
  CHECK(images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 4) == sent);
  device.destroy(buffer);
  images::destroy(device, image);
}

TEST_CASE("image: bufferRowLength, bufferImageHeight and offsets select a sub-box", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  auto image =
      images::createImage(device, images::imageInfo(VK_FORMAT_R16G16_UINT, {40, 30, 1}, 1, 3));
  images::makeGeneral(device, image);
  auto expected = pattern(images::packedImageSize(image, 4), 51);
  images::upload(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 4, expected);

  // Buffer rows of 50 texels, 25 rows a layer, starting 12 bytes in (a multiple of the texel
  // size, VUID-vkCmdCopyBufferToImage-bufferOffset-00193); the region is 20x10 at (5, 7) of layers
  // 1-2.
  const uint32_t rowLength = 50, imageHeight = 25, bufferOffset = 12;
  const auto source = pattern(bufferOffset + 2 * imageHeight * rowLength * 4, 52);
  auto buffer = device.createBuffer(source.size());
  std::memcpy(buffer.data, source.data(), source.size());
  VkBufferImageCopy region{bufferOffset, rowLength, imageHeight};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 2};
  region.imageOffset = {5, 7, 0};
  region.imageExtent = {20, 10, 1};
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyBufferToImage(cb, buffer.buffer, image.image, VK_IMAGE_LAYOUT_GENERAL, 1, &region);
  });
  for (uint32_t layer = 0; layer < 2; ++layer)
    for (uint32_t y = 0; y < 10; ++y)
      std::memcpy(&expected[packedOffset(image, 0, 4, 5, 7 + y, 0, 1 + layer)],
                  &source[bufferOffset + ((layer * imageHeight + y) * rowLength) * 4], 20 * 4);
  CHECK(images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 4) == expected);

  // And back out into the same sparse buffer shape: only the box's texels are written.
  std::memset(buffer.data, 0xEE, source.size());
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyImageToBuffer(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, buffer.buffer, 1, &region);
    test::barrierToHost(cb);
  });
  std::vector<uint8_t> out(source.size(), 0xEE);
  for (uint32_t layer = 0; layer < 2; ++layer)
    for (uint32_t y = 0; y < 10; ++y) {
      const size_t at = bufferOffset + ((layer * imageHeight + y) * rowLength) * 4;
      std::memcpy(&out[at], &source[at], 20 * 4);
    }
  CHECK(std::memcmp(buffer.data, out.data(), out.size()) == 0);
  device.destroy(buffer);
  images::destroy(device, image);
}

TEST_CASE("image: vkCmdCopyImage between a 2D array and a 3D image of another format", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  // R32_UINT and R8G8B8A8_UNORM are size-compatible (VUID-vkCmdCopyImage-srcImage-01548).
  auto array =
      images::createImage(device, images::imageInfo(VK_FORMAT_R32_UINT, {16, 16, 1}, 2, 4));
  auto volume =
      images::createImage(device, images::imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {16, 16, 4}, 1, 1,
                                                    VK_IMAGE_TILING_LINEAR, VK_IMAGE_TYPE_3D));
  images::makeGeneral(device, array);
  images::makeGeneral(device, volume);
  const auto arrayBytes = pattern(images::packedImageSize(array, 4), 61);
  auto volumeBytes = pattern(images::packedImageSize(volume, 4), 62);
  images::upload(device, array, VK_IMAGE_ASPECT_COLOR_BIT, 4, arrayBytes);
  images::upload(device, volume, VK_IMAGE_ASPECT_COLOR_BIT, 4, volumeBytes);

  // Layers 1-2 of the array, a 6x7 box at (2, 3), become slices 1-2 of the volume at (4, 5)
  // (VUID-vkCmdCopyImage-srcImage-01791: extent.depth is the layer count).
  VkImageCopy toVolume{};
  toVolume.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 2};
  toVolume.srcOffset = {2, 3, 0};
  toVolume.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  toVolume.dstOffset = {4, 5, 1};
  toVolume.extent = {6, 7, 2};
  // Level 1 of layer 0 (8x8) into layer 3 of level 1 of the same image: src and dst may be one
  // image when the regions do not overlap.
  VkImageCopy withinArray{};
  withinArray.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 1, 0, 1};
  withinArray.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 1, 3, 1};
  withinArray.extent = {8, 8, 1};
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyImage(cb, array.image, VK_IMAGE_LAYOUT_GENERAL, volume.image, VK_IMAGE_LAYOUT_GENERAL,
                   1, &toVolume);
    vkCmdCopyImage(cb, array.image, VK_IMAGE_LAYOUT_GENERAL, array.image, VK_IMAGE_LAYOUT_GENERAL,
                   1, &withinArray);
  });

  for (uint32_t s = 0; s < 2; ++s)
    for (uint32_t y = 0; y < 7; ++y)
      std::memcpy(&volumeBytes[packedOffset(volume, 0, 4, 4, 5 + y, 1 + s, 0)],
                  &arrayBytes[packedOffset(array, 0, 4, 2, 3 + y, 0, 1 + s)], 6 * 4);
  CHECK(images::download(device, volume, VK_IMAGE_ASPECT_COLOR_BIT, 4) == volumeBytes);

  auto expectedArray = arrayBytes;
  const size_t level1 = images::packedSize(array, 0, 4);
  std::memcpy(&expectedArray[level1 + packedOffset(array, 1, 4, 0, 0, 0, 3)],
              &arrayBytes[level1 + packedOffset(array, 1, 4, 0, 0, 0, 0)], 8 * 8 * 4);
  CHECK(images::download(device, array, VK_IMAGE_ASPECT_COLOR_BIT, 4) == expectedArray);
  images::destroy(device, array);
  images::destroy(device, volume);
}

TEST_CASE("image: a 64 MiB image copy is split over workers and arrives intact", "[image][large]") {
  test::Instance instance;
  test::Device device(instance);
  const VkImageCreateInfo info = images::imageInfo(VK_FORMAT_R32G32B32A32_UINT, {2048, 2048, 1});
  auto a = images::createImage(device, info);
  auto b = images::createImage(device, info);
  images::makeGeneral(device, a);
  images::makeGeneral(device, b);
  const auto sent = pattern(images::packedImageSize(a, 16), 71);
  images::upload(device, a, VK_IMAGE_ASPECT_COLOR_BIT, 16, sent);
  VkImageCopy whole{};
  whole.srcSubresource = whole.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  whole.extent = info.extent;
  device.run([&](VkCommandBuffer cb) {
    images::transferBarrier(cb);
    vkCmdCopyImage(cb, a.image, VK_IMAGE_LAYOUT_GENERAL, b.image, VK_IMAGE_LAYOUT_GENERAL, 1,
                   &whole);
  });
  CHECK(images::download(device, b, VK_IMAGE_ASPECT_COLOR_BIT, 16) == sent);
  images::destroy(device, a);
  images::destroy(device, b);
}
