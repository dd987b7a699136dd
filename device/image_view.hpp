// VkImageView: which part of an image, seen in which format, through which swizzle. Nothing reads
// views yet (no shaders or attachments); they are checked and kept for when something does.
#pragma once
#include "device/object.hpp"

namespace emvk {

class Image;

class ImageView : public Object {
 public:
  // `range` has VK_REMAINING_MIP_LEVELS and VK_REMAINING_ARRAY_LAYERS already resolved.
  ImageView(Image& image, const VkImageViewCreateInfo& info, const VkImageSubresourceRange& range)
      : Object(VK_OBJECT_TYPE_IMAGE_VIEW),
        image_(image),
        viewType_(info.viewType),
        format_(info.format),
        components_(info.components),
        range_(range) {}

  Image& image() const { return image_; }
  VkImageViewType viewType() const { return viewType_; }
  VkFormat format() const { return format_; }
  const VkComponentMapping& components() const { return components_; }
  const VkImageSubresourceRange& range() const { return range_; }

 private:
  Image& image_;
  VkImageViewType viewType_;
  VkFormat format_;
  VkComponentMapping components_;
  VkImageSubresourceRange range_;
};
EMVK_DEFINE_HANDLE(ImageView, VkImageView, VK_OBJECT_TYPE_IMAGE_VIEW)

}  // namespace emvk
