// Unit tests of memory/image_layout on its own: the rules of layout ABI 1 with concrete numbers,
// and the properties every layout must have (aligned, inside the size, no overlap).
#include "memory/image_layout.hpp"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <vector>

using emvk::memory::ImageLayout;
using emvk::memory::ImageShape;
using emvk::memory::SubresourceLayout;

namespace {

ImageShape shape(uint32_t texel, uint32_t w, uint32_t h, uint32_t d, uint32_t mips,
                 uint32_t layers) {
  ImageShape s;
  s.texelSize = {texel, 0};
  s.width = w;
  s.height = h;
  s.depth = d;
  s.mipLevels = mips;
  s.arrayLayers = layers;
  return s;
}

// Every subresource of every plane, in the order the layout places them.
std::vector<SubresourceLayout> all(const ImageLayout& layout) {
  std::vector<SubresourceLayout> out;
  for (uint32_t p = 0; p < layout.planeCount(); ++p)
    for (uint32_t m = 0; m < layout.mipLevels(); ++m)
      for (uint32_t l = 0; l < layout.arrayLayers(); ++l)
        out.push_back(layout.subresource(p, m, l));
  return out;
}

}  // namespace

TEST_CASE("unit image layout: 13x7 RGBA8, 3 mips, 2 layers gives the documented numbers",
          "[unit][image]") {
  // The worked example of docs/IMAGE_LAYOUT.md.
  const ImageLayout layout = ImageLayout::compute(shape(4, 13, 7, 1, 3, 2));
  struct Expected {
    uint32_t mip, layer;
    uint64_t offset, size, rowPitch;
  };
  const Expected expected[] = {{0, 0, 0, 448, 64},     // 13 texels = 52 bytes -> 64; 7 rows
                               {0, 1, 448, 448, 64},   // layers of one level back to back
                               {1, 0, 896, 96, 32},    // 6x3: 24 bytes -> 32
                               {1, 1, 992, 96, 32},    //
                               {2, 0, 1088, 16, 16},   // 3x1: 12 bytes -> 16
                               {2, 1, 1104, 16, 16}};  //
  for (const Expected& e : expected) {
    CAPTURE(e.mip, e.layer);
    const SubresourceLayout s = layout.subresource(0, e.mip, e.layer);
    CHECK(s.offset == e.offset);
    CHECK(s.size == e.size);
    CHECK(s.rowPitch == e.rowPitch);
    CHECK(s.depthPitch == e.size);
    CHECK(s.arrayPitch == e.size);
  }
  CHECK(layout.subresource(0, 1, 0).width == 6);
  CHECK(layout.subresource(0, 1, 0).height == 3);
  CHECK(layout.size() == 1152);  // 1120 rounded up to 64
  CHECK(layout.alignment() == 64);
}

TEST_CASE("unit image layout: a 3D image keeps its slices inside each level", "[unit][image]") {
  // 5x4x3 R16 with 3 mips: 10 bytes -> 16 per row; depth halves with each level.
  const ImageLayout layout = ImageLayout::compute(shape(2, 5, 4, 3, 3, 1));
  const SubresourceLayout m0 = layout.subresource(0, 0, 0);
  CHECK(m0.rowPitch == 16);
  CHECK(m0.depthPitch == 64);
  CHECK(m0.size == 192);
  const SubresourceLayout m1 = layout.subresource(0, 1, 0);  // 2x2x1
  CHECK(m1.offset == 192);
  CHECK(m1.depth == 1);
  CHECK(m1.size == 32);
  const SubresourceLayout m2 = layout.subresource(0, 2, 0);  // 1x1x1
  CHECK(m2.offset == 224);
  CHECK(m2.size == 16);
  CHECK(layout.size() == 256);
}

TEST_CASE("unit image layout: a depth/stencil image has its stencil plane after all depth",
          "[unit][image]") {
  ImageShape s = shape(4, 10, 10, 1, 2, 3);
  s.planeCount = 2;
  s.texelSize = {4, 1};
  const ImageLayout layout = ImageLayout::compute(s);
  // Depth: 40 bytes -> 48 per row, 480 per layer; level 1 (5x5): 20 -> 32, 160 per layer.
  CHECK(layout.subresource(0, 0, 2).offset == 960);
  CHECK(layout.subresource(0, 1, 0).offset == 1440);
  const uint64_t depthEnd = 1440 + 3 * 160;
  // Stencil: 10 bytes -> 16 per row, 160 per layer; level 1: 5 -> 16, 80 per layer.
  const SubresourceLayout stencil = layout.subresource(1, 0, 0);
  CHECK(stencil.offset == depthEnd);
  CHECK(stencil.rowPitch == 16);
  CHECK(layout.subresource(1, 1, 2).offset == depthEnd + 3 * 160 + 2 * 80);
  CHECK(layout.size() == 2688);  // depth 1920 + stencil 480 + 240 = 2640, rounded up to 64
}

TEST_CASE("unit image layout: every subresource is aligned, inside the image and apart",
          "[unit][image]") {
  for (uint32_t texel : {1u, 2u, 4u, 8u, 16u})
    for (uint32_t w : {1u, 3u, 16u, 33u, 257u})
      for (uint32_t layers : {1u, 4u})
        for (uint32_t depth : {1u, 5u}) {
          CAPTURE(texel, w, layers, depth);
          const uint32_t h = w / 3 + 1;
          const uint32_t mips = std::bit_width(std::max({w, h, depth}));
          const ImageLayout layout =
              ImageLayout::compute(shape(texel, w, h, depth, mips, depth > 1 ? 1 : layers));
          CHECK(layout.size() % 64 == 0);
          uint64_t end = 0;
          for (const SubresourceLayout& s : all(layout)) {
            CHECK(s.offset % 16 == 0);
            CHECK(s.rowPitch % 16 == 0);
            CHECK(s.rowPitch >= uint64_t{s.width} * texel);
            CHECK(s.offset >= end);  // placed in order, never overlapping
            end = s.offset + s.size;
          }
          CHECK(end <= layout.size());
          CHECK(layout.size() - end < 64);  // no padding beyond the final rounding
        }
}

TEST_CASE("unit image layout: the same shape always gives the same layout", "[unit][image]") {
  const ImageShape s = shape(8, 100, 37, 1, 7, 9);
  const ImageLayout a = ImageLayout::compute(s);
  const ImageLayout b = ImageLayout::compute(s);
  CHECK(a.size() == b.size());
  CHECK(all(a) == all(b));
}
