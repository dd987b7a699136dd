// External memory: which handle types emvk can export and import, and the answers the capability
// queries give about them. (Work in progress for issue 3; see docs/ARCHITECTURE.md.)
#pragma once
#include <vulkan/vulkan.h>

namespace emvk {

// For vkGetPhysicalDeviceImageFormatProperties2 with VkPhysicalDeviceExternalImageFormatInfo in
// the chain: fills VkExternalImageFormatProperties (if chained) and returns VK_SUCCESS when the
// handle type can back an image with these parameters, VK_ERROR_FORMAT_NOT_SUPPORTED otherwise.
// Without external info in the chain it returns VK_SUCCESS and touches nothing.
VkResult fillExternalImageFormatProperties(const VkPhysicalDeviceImageFormatInfo2& info,
                                           VkImageFormatProperties2& properties);

}  // namespace emvk
