#include "device/external_memory.hpp"

#include "icd/pnext.hpp"

namespace emvk {

VkResult fillExternalImageFormatProperties(const VkPhysicalDeviceImageFormatInfo2& info,
                                           VkImageFormatProperties2& properties) {
  const auto* external = findInChain<VkPhysicalDeviceExternalImageFormatInfo>(info.pNext);
  if (!external || external->handleType == 0) return VK_SUCCESS;
  if (auto* out = findInChain<VkExternalImageFormatProperties>(properties.pNext))
    out->externalMemoryProperties = {};
  return VK_ERROR_FORMAT_NOT_SUPPORTED;  // nothing is exportable yet
}

}  // namespace emvk
