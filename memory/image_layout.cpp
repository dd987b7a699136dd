#include "memory/image_layout.hpp"

#include <algorithm>
#include <cassert>

namespace emvk::memory {
namespace {

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// Section "Image Mip Level Sizing": each level halves every dimension, rounding down, to at
// least 1.
uint32_t mipExtent(uint32_t extent, uint32_t mip) { return std::max(1u, extent >> mip); }

}  // namespace

ImageLayout ImageLayout::compute(const ImageShape& shape) {
  assert(shape.planeCount >= 1 && shape.planeCount <= kMaxImagePlanes);
  ImageLayout layout;
  layout.planeCount_ = shape.planeCount;
  layout.mipLevels_ = shape.mipLevels;
  layout.arrayLayers_ = shape.arrayLayers;
  layout.levels_.reserve(shape.planeCount * shape.mipLevels);

  uint64_t offset = 0;
  for (uint32_t plane = 0; plane < shape.planeCount; ++plane) {
    for (uint32_t mip = 0; mip < shape.mipLevels; ++mip) {
      SubresourceLayout level;
      level.width = mipExtent(shape.width, mip);
      level.height = mipExtent(shape.height, mip);
      level.depth = mipExtent(shape.depth, mip);
      level.rowPitch = alignUp(uint64_t{level.width} * shape.texelSize[plane], kRowAlignment);
      level.depthPitch = level.rowPitch * level.height;
      level.arrayPitch = level.depthPitch * level.depth;
      level.size = level.arrayPitch;  // rows and slices are padded already: no extra space
      level.offset = offset;
      offset += level.arrayPitch * shape.arrayLayers;
      layout.levels_.push_back(level);
    }
  }
  layout.size_ = alignUp(offset, kImageAlignment);
  return layout;
}

SubresourceLayout ImageLayout::subresource(uint32_t plane, uint32_t mip, uint32_t layer) const {
  assert(plane < planeCount_ && mip < mipLevels_ && layer < arrayLayers_);
  SubresourceLayout s = levels_[plane * mipLevels_ + mip];
  s.offset += s.arrayPitch * layer;
  return s;
}

}  // namespace emvk::memory
