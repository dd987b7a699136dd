// What emvk can do with each format, shared by the format queries and vkCreateImage: an image
// that the image-format query would refuse is refused at creation too, with the same reason.
#pragma once
#include <vulkan/vulkan.h>

#include "memory/result.hpp"

namespace emvk {

class PhysicalDevice;

// Transfers (copies and clears) are all emvk can do with an image until shaders and attachments
// exist: no SAMPLED, STORAGE, attachment or BLIT bits are ever claimed.
inline constexpr VkFormatFeatureFlags kImageFormatFeatures =
    VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
inline constexpr VkImageUsageFlags kImageUsages =
    VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
// MUTABLE_FORMAT and CUBE_COMPATIBLE only concern views; ALIAS is free because the layout is a
// pure function of the create info (docs/IMAGE_LAYOUT.md).
inline constexpr VkImageCreateFlags kImageCreateFlags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT |
                                                        VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT |
                                                        VK_IMAGE_CREATE_ALIAS_BIT;
// No host dependence: the same answer on every machine (the heap size is checked at creation).
inline constexpr VkDeviceSize kMaxImageResourceSize = VkDeviceSize{1} << 40;

// The format features of linear and optimal images alike.
VkFormatFeatureFlags imageFormatFeatures(VkFormat format);
// The bufferFeatures: the texel buffer formats of jit/texel_formats.hpp.
VkFormatFeatureFlags bufferFormatFeatures(VkFormat format);

struct ImageQuery {
  VkFormat format;
  VkImageType type;
  VkImageTiling tiling;
  VkImageUsageFlags usage;
  VkImageCreateFlags flags;
};

// The image creation limits (section "Image Creation Limits") for these parameters on this
// device (its reported limits and format features, which a profile may narrow), or
// VK_ERROR_FORMAT_NOT_SUPPORTED and a sentence saying why.
Result<VkImageFormatProperties> imageFormatLimits(const PhysicalDevice& physical,
                                                  const ImageQuery& query);

}  // namespace emvk
