// vkCmdClearColorImage and vkCmdClearDepthStencilImage, compared with the exact bytes each format
// must hold: UNORM/SNORM rounding, sRGB encoding, half and 11/10-bit floats, integers as given.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "image/images.hpp"

namespace {

VkClearColorValue floats(float r, float g, float b, float a) {
  VkClearColorValue v;
  v.float32[0] = r;
  v.float32[1] = g;
  v.float32[2] = b;
  v.float32[3] = a;
  return v;
}

VkClearColorValue uints(uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
  VkClearColorValue v;
  v.uint32[0] = r;
  v.uint32[1] = g;
  v.uint32[2] = b;
  v.uint32[3] = a;
  return v;
}

VkClearColorValue ints(int32_t r, int32_t g, int32_t b, int32_t a) {
  VkClearColorValue v;
  v.int32[0] = r;
  v.int32[1] = g;
  v.int32[2] = b;
  v.int32[3] = a;
  return v;
}

template <class T>
std::vector<uint8_t> bytesOf(std::initializer_list<T> values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

struct ColorCase {
  VkFormat format;
  VkClearColorValue value;
  std::vector<uint8_t> texel;  // what every cleared texel must hold
};

// Worked out by hand from the spec's conversion rules (section "Clear Values" and the numeric
// conversions it points to); values are chosen away from rounding ties.
std::vector<ColorCase> colorCases() {
  return {
      // UNORM: round(f x 255); 0.2 -> 51, 0.8 -> 204.
      {VK_FORMAT_R8G8B8A8_UNORM, floats(0.0f, 1.0f, 0.2f, 0.8f), {0, 255, 51, 204}},
      // BGRA stores blue first.
      {VK_FORMAT_B8G8R8A8_UNORM, floats(1.0f, 0.0f, 0.2f, 1.0f), {51, 0, 255, 255}},
      // SNORM: round(f x 127), -1 -> -127 (0x81); 0.3 -> 38.1 -> 38; -0.25 -> -31.75 -> -32.
      {VK_FORMAT_R8G8B8A8_SNORM, floats(-1.0f, 1.0f, 0.3f, -0.25f), {0x81, 0x7F, 0x26, 0xE0}},
      // sRGB encodes R, G, B (0.5 -> 0.7354 -> 188; 0.002 -> 0.0258 -> 7); alpha stays linear.
      {VK_FORMAT_R8G8B8A8_SRGB, floats(0.5f, 0.002f, 1.0f, 0.6f), {188, 7, 255, 153}},
      {VK_FORMAT_B8G8R8A8_SRGB, floats(0.5f, 0.0f, 0.002f, 0.2f), {7, 0, 188, 51}},
      {VK_FORMAT_R8_SRGB, floats(0.5f, 0, 0, 0), {188}},
      // Integers as given.
      {VK_FORMAT_R8_UINT, uints(200, 0, 0, 0), {200}},
      {VK_FORMAT_R8G8_SINT, ints(-5, 100, 0, 0), {0xFB, 0x64}},
      {VK_FORMAT_R16_UINT, uints(65535, 0, 0, 0), bytesOf<uint16_t>({65535})},
      {VK_FORMAT_R16G16_SINT, ints(-2, 300, 0, 0), bytesOf<int16_t>({-2, 300})},
      {VK_FORMAT_R32G32B32A32_UINT, uints(1, 2, 3, 0xFFFFFFFF),
       bytesOf<uint32_t>({1, 2, 3, 0xFFFFFFFF})},
      {VK_FORMAT_R32G32_SINT, ints(-1, 7, 0, 0), bytesOf<int32_t>({-1, 7})},
      // 16-bit normalized: 0.25 x 65535 = 16383.75 -> 16384; 0.25 x 32767 = 8191.75 -> 8192.
      {VK_FORMAT_R16_UNORM, floats(0.25f, 0, 0, 0), bytesOf<uint16_t>({16384})},
      {VK_FORMAT_R16G16_SNORM, floats(-1.0f, 0.25f, 0, 0), bytesOf<int16_t>({-32767, 8192})},
      // Half floats, round to nearest even: 0.1 -> 0x2E66, 65504 is the largest finite,
      // 1e-6 is a denormal (16.8 x 2^-24 -> 17), 1e5 overflows to infinity.
      {VK_FORMAT_R16G16B16A16_SFLOAT, floats(1.0f, -2.5f, 0.1f, 65504.0f),
       bytesOf<uint16_t>({0x3C00, 0xC100, 0x2E66, 0x7BFF})},
      {VK_FORMAT_R16G16_SFLOAT, floats(1e-6f, 1e5f, 0, 0), bytesOf<uint16_t>({0x0011, 0x7C00})},
      {VK_FORMAT_R16_SFLOAT, floats(-0.0f, 0, 0, 0), bytesOf<uint16_t>({0x8000})},
      // 32-bit floats bit for bit.
      {VK_FORMAT_R32_SFLOAT, floats(3.14159f, 0, 0, 0), bytesOf<uint32_t>({bitsOf(3.14159f)})},
      {VK_FORMAT_R32G32B32A32_SFLOAT, floats(-1.5f, 0.0f, 1e30f, 0.25f),
       bytesOf<float>({-1.5f, 0.0f, 1e30f, 0.25f})},
      // Packed: R 10 bits, G 10, B 10, A 2; 0.25 x 1023 = 255.75 -> 256; 0.33 x 3 = 0.99 -> 1.
      {VK_FORMAT_A2B10G10R10_UNORM_PACK32, floats(1.0f, 0.25f, 0.0f, 0.33f),
       bytesOf<uint32_t>({1023u | 256u << 10 | 0u << 20 | 1u << 30})},
      // Unsigned 11/11/10-bit floats (5-bit exponent, bias 15): 1.0 = 15 << 6, 2.0 = 16 << 6,
      // B 0.5 = 14 << 5; negative values clamp to 0.
      {VK_FORMAT_B10G11R11_UFLOAT_PACK32, floats(1.0f, 2.0f, 0.5f, 0),
       bytesOf<uint32_t>({0x3C0u | 0x400u << 11 | 0x1C0u << 22})},
      {VK_FORMAT_B10G11R11_UFLOAT_PACK32, floats(-1.0f, 0.0f, 1.0f, 0),
       bytesOf<uint32_t>({0u | 0u << 11 | 0x1E0u << 22})},
  };
}

// Checks that every texel of `bytes` (one aspect of a whole image, packed level after level)
// holds `inside` where (mip, layer) is in the range and `outside` elsewhere.
void checkTexels(const images::Image& image, const std::vector<uint8_t>& bytes, uint32_t texel,
                 const VkImageSubresourceRange& range, const std::vector<uint8_t>& inside,
                 const std::vector<uint8_t>& outside) {
  size_t at = 0;
  for (uint32_t mip = 0; mip < image.info.mipLevels; ++mip) {
    const VkExtent3D e = images::mipExtent(image.info, mip);
    for (uint32_t layer = 0; layer < image.info.arrayLayers; ++layer) {
      const bool cleared =
          mip >= range.baseMipLevel && mip < range.baseMipLevel + range.levelCount &&
          layer >= range.baseArrayLayer && layer < range.baseArrayLayer + range.layerCount;
      const std::vector<uint8_t>& want = cleared ? inside : outside;
      for (size_t t = 0; t < size_t(e.width) * e.height * e.depth; ++t, at += texel)
        if (std::memcmp(&bytes[at], want.data(), texel) != 0)
          FAIL("mip " << mip << " layer " << layer << " texel " << t << " differs");
    }
  }
}

}  // namespace

TEST_CASE("image: vkCmdClearColorImage writes the exact bytes of every numeric format", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  for (const ColorCase& c : colorCases()) {
    CAPTURE(c.format);
    const uint32_t texel = images::formatCase(c.format).texelSize;
    REQUIRE(c.texel.size() == texel);
    auto image = images::createImage(device, images::imageInfo(c.format, {5, 3, 1}, 2, 3));
    // First the whole image to a marker, then level 1 of layers 1-2 to the case's value.
    const VkClearColorValue marker = uints(0x5A5A5A5A, 0x5A5A5A5A, 0x5A5A5A5A, 0x5A5A5A5A);
    const VkImageSubresourceRange all{VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS, 0,
                                      VK_REMAINING_ARRAY_LAYERS};
    const VkImageSubresourceRange part{VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 1,
                                       VK_REMAINING_ARRAY_LAYERS};
    device.run([&](VkCommandBuffer cb) {
      images::transition(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL);
      vkCmdClearColorImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &marker, 1, &all);
      images::transferBarrier(cb);
      vkCmdClearColorImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &c.value, 1, &part);
    });
    const auto bytes = images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, texel);
    // Whatever the marker became, every texel outside the range still holds it: the first texel
    // (level 0, layer 0) is one of them.
    const std::vector<uint8_t> outside(bytes.begin(), bytes.begin() + texel);
    checkTexels(image, bytes, texel, {VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 1, 2}, c.texel, outside);
    images::destroy(device, image);
  }
}

TEST_CASE("image: a 3D image clears every slice of the levels named", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  auto image =
      images::createImage(device, images::imageInfo(VK_FORMAT_R16G16B16A16_UNORM, {9, 7, 5}, 3, 1,
                                                    VK_IMAGE_TILING_LINEAR, VK_IMAGE_TYPE_3D));
  const VkClearColorValue zero = floats(0, 0, 0, 0);
  const VkClearColorValue value = floats(1.0f, 0.0f, 0.75f, 0.25f);
  const VkImageSubresourceRange all{VK_IMAGE_ASPECT_COLOR_BIT, 0, 3, 0, 1};
  const VkImageSubresourceRange levels12{VK_IMAGE_ASPECT_COLOR_BIT, 1, VK_REMAINING_MIP_LEVELS, 0,
                                         1};
  device.run([&](VkCommandBuffer cb) {
    images::transition(cb, image, VK_IMAGE_LAYOUT_PREINITIALIZED, VK_IMAGE_LAYOUT_GENERAL);
    vkCmdClearColorImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &zero, 1, &all);
    images::transferBarrier(cb);
    vkCmdClearColorImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &value, 1, &levels12);
  });
  // 0.75 x 65535 = 49151.25 -> 49151; 0.25 -> 16383.75 -> 16384.
  const auto inside = bytesOf<uint16_t>({65535, 0, 49151, 16384});
  const auto bytes = images::download(device, image, VK_IMAGE_ASPECT_COLOR_BIT, 8);
  checkTexels(image, bytes, 8, {VK_IMAGE_ASPECT_COLOR_BIT, 1, 2, 0, 1}, inside,
              std::vector<uint8_t>(8, 0));
  images::destroy(device, image);
}

TEST_CASE("image: vkCmdClearDepthStencilImage clears depth and stencil separately", "[image]") {
  test::Instance instance;
  // VUID-vkCmdClearDepthStencilImage-commandBuffer-cmdpool: the pool's queue family must support
  // graphics, and emvk's only family is compute and transfer until rasterization exists. emvk
  // clears anyway (nothing in the clear needs graphics), and this test checks the bytes.
  instance.expectInvalidUsage = true;
  test::Device device(instance);
  struct Case {
    VkFormat format;
    VkClearDepthStencilValue first, second;
    std::vector<uint8_t> depth1, depth2;  // the depth texel after each clear (buffer layout)
  };
  const Case cases[] = {
      // 0.25 x 65535 = 16383.75 -> 16384; 1.0 -> 65535.
      {VK_FORMAT_D16_UNORM,
       {1.0f, 0},
       {0.25f, 0},
       bytesOf<uint16_t>({65535}),
       bytesOf<uint16_t>({16384})},
      // D24 in the low 24 bits of 4 bytes: 0.75 x 16777215 = 12582911.25 -> 12582911.
      {VK_FORMAT_X8_D24_UNORM_PACK32,
       {0.0f, 0},
       {0.75f, 0},
       bytesOf<uint32_t>({0}),
       bytesOf<uint32_t>({12582911})},
      {VK_FORMAT_D32_SFLOAT,
       {0.5f, 0},
       {0.125f, 0},
       bytesOf<float>({0.5f}),
       bytesOf<float>({0.125f})},
      {VK_FORMAT_S8_UINT, {0.0f, 0x33}, {0.0f, 0x1C4}, {}, {}},  // stencil keeps the low 8 bits
      {VK_FORMAT_D24_UNORM_S8_UINT,
       {1.0f, 0x33},
       {0.75f, 0x5A},
       bytesOf<uint32_t>({0xFFFFFF}),
       bytesOf<uint32_t>({12582911})},
      {VK_FORMAT_D32_SFLOAT_S8_UINT,
       {0.5f, 0x33},
       {0.125f, 0x5A},
       bytesOf<float>({0.5f}),
       bytesOf<float>({0.125f})},
  };
  for (const Case& c : cases) {
    CAPTURE(c.format);
    const auto& format = images::formatCase(c.format);
    auto image = images::createImage(device, images::imageInfo(c.format, {6, 5, 1}, 2, 2));
    const bool hasDepth = format.aspects & VK_IMAGE_ASPECT_DEPTH_BIT;
    const bool hasStencil = format.aspects & VK_IMAGE_ASPECT_STENCIL_BIT;
    // Everything to `first`; then depth of level 1 and stencil of layer 1 to `second`.
    const VkImageSubresourceRange all{format.aspects, 0, VK_REMAINING_MIP_LEVELS, 0,
                                      VK_REMAINING_ARRAY_LAYERS};
    std::vector<VkImageSubresourceRange> parts;
    if (hasDepth) parts.push_back({VK_IMAGE_ASPECT_DEPTH_BIT, 1, 1, 0, 2});
    if (hasStencil) parts.push_back({VK_IMAGE_ASPECT_STENCIL_BIT, 0, 2, 1, 1});
    device.run([&](VkCommandBuffer cb) {
      images::transition(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL);
      vkCmdClearDepthStencilImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &c.first, 1, &all);
      images::transferBarrier(cb);
      vkCmdClearDepthStencilImage(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, &c.second,
                                  uint32_t(parts.size()), parts.data());
    });
    if (hasDepth) {
      const auto depth =
          images::download(device, image, VK_IMAGE_ASPECT_DEPTH_BIT, format.texelSize);
      checkTexels(image, depth, format.texelSize, parts[0], c.depth2, c.depth1);
    }
    if (hasStencil) {
      const auto stencil = images::download(device, image, VK_IMAGE_ASPECT_STENCIL_BIT, 1);
      checkTexels(image, stencil, 1, parts.back(), {uint8_t(c.second.stencil)},
                  {uint8_t(c.first.stencil)});
    }
    images::destroy(device, image);
  }
}
