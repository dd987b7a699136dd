// Where each texel of an image lives in its memory: a pure function of the image's shape.
//
// Why pure: two emvk instances, processes or hosts that import the same memory and create images
// with identical parameters must agree byte for byte (the aliasing contract of external memory,
// docs/IMAGE_LAYOUT.md). So nothing here may depend on the host (no cache-line or page size), and
// nothing lies outside the size that memory requirements report. Changing any rule below changes
// the layout ABI: bump EMVK_LAYOUT_ABI_VERSION in CMakeLists.txt.
//
// Layout ABI 1, for every plane in turn (plane 1, the stencil of a combined depth/stencil format,
// follows plane 0):
//   - mip-major: mip level 0 of every array layer, then mip level 1 of every layer, and so on;
//   - rowPitch   = width × texel size, rounded up to 16 bytes;
//   - depthPitch = rowPitch × height (one 2D slice); arrayPitch = depthPitch × depth;
//   - every subresource starts on 16 bytes (it falls out: all pitches are multiples of 16);
//   - the image starts on 64 bytes and its size is rounded up to 64.
// Linear and optimal tiling share these rules in ABI 1, which is why tiling is not an input.
// Image type is not one either: a 1D image is a 2D image of height 1, and a 3D image is the only
// kind whose depth is above 1.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace emvk::memory {

constexpr uint32_t kMaxImagePlanes = 2;

// What the layout depends on, and nothing else.
struct ImageShape {
  uint32_t planeCount = 1;
  std::array<uint32_t, kMaxImagePlanes> texelSize{};  // bytes per texel of each plane
  uint32_t width = 1;
  uint32_t height = 1;
  uint32_t depth = 1;
  uint32_t mipLevels = 1;
  uint32_t arrayLayers = 1;
};

// One subresource (plane, mip level, array layer), with the meaning vkGetImageSubresourceLayout
// gives these words. Offsets count from the start of the image.
struct SubresourceLayout {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t rowPitch = 0;
  uint64_t arrayPitch = 0;
  uint64_t depthPitch = 0;
  uint32_t width = 0;  // the extent of this mip level
  uint32_t height = 0;
  uint32_t depth = 0;
  bool operator==(const SubresourceLayout&) const = default;
};

class ImageLayout {
 public:
  static constexpr uint64_t kRowAlignment = 16;
  static constexpr uint64_t kImageAlignment = 64;

  // The layout of ABI 1 (see the top of this file). `shape` must describe a valid image: at least
  // one texel, one mip level and one layer, and at most the full mip chain.
  static ImageLayout compute(const ImageShape& shape);

  // Layer `layer` of mip level `mip` of plane `plane`.
  SubresourceLayout subresource(uint32_t plane, uint32_t mip, uint32_t layer) const;
  uint64_t size() const { return size_; }  // rounded up to kImageAlignment
  uint64_t alignment() const { return kImageAlignment; }
  uint32_t planeCount() const { return planeCount_; }
  uint32_t mipLevels() const { return mipLevels_; }
  uint32_t arrayLayers() const { return arrayLayers_; }

 private:
  uint32_t planeCount_ = 0;
  uint32_t mipLevels_ = 0;
  uint32_t arrayLayers_ = 0;
  uint64_t size_ = 0;
  // Layer 0 of each (plane, mip): the other layers follow at arrayPitch.
  std::vector<SubresourceLayout> levels_;
};

}  // namespace emvk::memory
