// Format and image-format queries: what each format can do on emvk.
#include "device/external_memory.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"

using namespace emvk;

// No format has any feature until images and texel buffers are implemented (issues 3 and 4).
VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFormatProperties(VkPhysicalDevice, VkFormat,
                                                                  VkFormatProperties* pProperties) {
  *pProperties = {};
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFormatProperties2(
    VkPhysicalDevice, VkFormat, VkFormatProperties2* pProperties) {
  pProperties->formatProperties = {};
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPhysicalDeviceImageFormatProperties(
    VkPhysicalDevice, VkFormat, VkImageType, VkImageTiling, VkImageUsageFlags, VkImageCreateFlags,
    VkImageFormatProperties* pProperties) {
  *pProperties = {};
  return VK_ERROR_FORMAT_NOT_SUPPORTED;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPhysicalDeviceImageFormatProperties2(
    VkPhysicalDevice, const VkPhysicalDeviceImageFormatInfo2*,
    VkImageFormatProperties2* pProperties) {
  pProperties->imageFormatProperties = {};
  return VK_ERROR_FORMAT_NOT_SUPPORTED;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceSparseImageFormatProperties(
    VkPhysicalDevice, VkFormat, VkImageType, VkSampleCountFlagBits, VkImageUsageFlags,
    VkImageTiling, uint32_t* pCount, VkSparseImageFormatProperties*) {
  *pCount = 0;  // no sparse residency
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceSparseImageFormatProperties2(
    VkPhysicalDevice, const VkPhysicalDeviceSparseImageFormatInfo2*, uint32_t* pCount,
    VkSparseImageFormatProperties2*) {
  *pCount = 0;
}
