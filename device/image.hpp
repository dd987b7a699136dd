// VkImage: its create parameters, where each texel lives (memory/image_layout.hpp) and the memory
// it is bound to. One layout serves LINEAR and OPTIMAL tiling and every VkImageLayout, so layout
// transitions move no bytes (docs/IMAGE_LAYOUT.md).
#pragma once
#include <memory>
#include <type_traits>

#include "device/format.hpp"
#include "device/object.hpp"
#include "memory/image_layout.hpp"
#include "memory/result.hpp"

namespace emvk {

class Device;
class DeviceMemory;

// The parts of VkImageCreateInfo that describe the image (not its queue families or pNext).
// Trivially copyable, so it can be written as is into a record another process reads.
struct ImageDescription {
  VkImageCreateFlags flags;
  VkImageType imageType;
  VkFormat format;
  VkExtent3D extent;
  uint32_t mipLevels;
  uint32_t arrayLayers;
  VkSampleCountFlagBits samples;
  VkImageTiling tiling;
  VkImageUsageFlags usage;
  VkSharingMode sharingMode;
  VkImageLayout initialLayout;

  static ImageDescription from(const VkImageCreateInfo& info);
  bool operator==(const ImageDescription&) const = default;
};
static_assert(std::is_trivially_copyable_v<ImageDescription>);

class Image : public Object {
 public:
  // Checks `info` against what emvk supports (the same rules as the image-format query) and the
  // heap size; the error says why it refused.
  static Result<std::unique_ptr<Image>> create(Device& device, const VkImageCreateInfo& info);

  Image(const ImageDescription& description, const FormatInfo& format, memory::ImageLayout layout)
      : Object(VK_OBJECT_TYPE_IMAGE),
        description_(description),
        format_(format),
        layout_(std::move(layout)) {}

  const ImageDescription& description() const { return description_; }
  const FormatInfo& format() const { return format_; }
  const memory::ImageLayout& layout() const { return layout_; }
  // VkExternalMemoryImageCreateInfo::handleTypes (0 without one).
  VkExternalMemoryHandleTypeFlags externalHandleTypes() const { return externalHandleTypes_; }
  // VkExternalMemoryImageCreateInfoNV::handleTypes, kept apart: the NV bits mean other things.
  VkExternalMemoryHandleTypeFlagsNV externalHandleTypesNV() const { return externalHandleTypesNV_; }

  // The layout of one aspect (COLOR, DEPTH or STENCIL) of one mip level and array layer.
  memory::SubresourceLayout subresource(VkImageAspectFlags aspect, uint32_t mip,
                                        uint32_t layer) const {
    return layout_.subresource(format_.planeOf(aspect), mip, layer);
  }
  VkMemoryRequirements requirements() const;

  void bind(DeviceMemory* memory, VkDeviceSize offset) {
    memory_ = memory;
    offset_ = offset;
  }
  DeviceMemory* memory() const { return memory_; }
  VkDeviceSize memoryOffset() const { return offset_; }
  uint8_t* data() const;  // the image's first byte; bound images only

 private:
  ImageDescription description_;
  const FormatInfo& format_;
  memory::ImageLayout layout_;
  VkExternalMemoryHandleTypeFlags externalHandleTypes_ = 0;
  VkExternalMemoryHandleTypeFlagsNV externalHandleTypesNV_ = 0;
  DeviceMemory* memory_ = nullptr;
  VkDeviceSize offset_ = 0;
};
EMVK_DEFINE_HANDLE(Image, VkImage, VK_OBJECT_TYPE_IMAGE)

}  // namespace emvk
