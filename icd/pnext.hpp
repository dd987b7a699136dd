// Walking pNext chains. Structures that extend another are found by their sType; anything emvk
// does not know is skipped, as the spec requires of implementations (section "Valid Usage for
// Structure Pointer Chains").
#pragma once
#include <vulkan/vulkan.h>

namespace emvk {

template <class T>
struct SType;  // SType<VkFoo>::value = VK_STRUCTURE_TYPE_FOO

#define EMVK_STYPE(Struct, Value)                   \
  template <>                                       \
  struct SType<Struct> {                            \
    static constexpr VkStructureType value = Value; \
  }

template <class T>
const T* findInChain(const void* chain) {
  for (auto* s = static_cast<const VkBaseInStructure*>(chain); s; s = s->pNext)
    if (s->sType == SType<T>::value) return reinterpret_cast<const T*>(s);
  return nullptr;
}

template <class T>
T* findInChain(void* chain) {
  for (auto* s = static_cast<VkBaseOutStructure*>(chain); s; s = s->pNext)
    if (s->sType == SType<T>::value) return reinterpret_cast<T*>(s);
  return nullptr;
}

// Output structures: fill a struct in place while keeping the caller's sType and pNext.
template <class T>
void fillKeepingChain(T* out, const T& value) {
  void* next = out->pNext;
  *out = value;
  out->sType = SType<T>::value;
  out->pNext = next;
}

EMVK_STYPE(VkDebugUtilsMessengerCreateInfoEXT,
           VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT);
EMVK_STYPE(VkSemaphoreTypeCreateInfo, VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO);
EMVK_STYPE(VkTimelineSemaphoreSubmitInfo, VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);
EMVK_STYPE(VkPhysicalDeviceFeatures2, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
EMVK_STYPE(VkMemoryDedicatedRequirements, VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS);
EMVK_STYPE(VkMemoryAllocateFlagsInfo, VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO);
EMVK_STYPE(VkRenderPassMultiviewCreateInfo, VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO);
EMVK_STYPE(VkPhysicalDeviceMemoryBudgetPropertiesEXT,
           VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT);

EMVK_STYPE(VkPhysicalDeviceExternalImageFormatInfo,
           VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO);
EMVK_STYPE(VkExternalImageFormatProperties, VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES);

EMVK_STYPE(VkExternalMemoryBufferCreateInfo, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO);
EMVK_STYPE(VkExportMemoryAllocateInfo, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO);
EMVK_STYPE(VkExportMemoryAllocateInfoNV, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO_NV);
EMVK_STYPE(VkImportMemoryFdInfoKHR, VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR);
EMVK_STYPE(VkImportMemoryHostPointerInfoEXT, VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT);
EMVK_STYPE(VkMemoryDedicatedAllocateInfo, VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO);
EMVK_STYPE(VkExternalMemoryImageCreateInfo, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO);
EMVK_STYPE(VkExternalMemoryImageCreateInfoNV,
           VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO_NV);
EMVK_STYPE(VkShaderModuleCreateInfo, VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
EMVK_STYPE(VkExportSemaphoreCreateInfo, VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO);
EMVK_STYPE(VkExportFenceCreateInfo, VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO);

}  // namespace emvk
