// The only symbols libemvk.so exports: the loader-ICD interface (Khronos "LoaderDriverInterface").
// The loader negotiates a version, then finds every other function through these.
#include <vulkan/vk_icd.h>

#include <cstring>

#include "device/instance.hpp"
#include "icd/proc_addr.hpp"

// Interface 5: the loader accepts apiVersion > 1.0 from the driver; 6: vk_icdEnumerateAdapter...
// (Windows only); 7: the loader may call these three instead of exported vkGet*ProcAddr.
static constexpr uint32_t kMinInterfaceVersion = 5;
static constexpr uint32_t kMaxInterfaceVersion = 7;

extern "C" {

__attribute__((visibility("default"))) VKAPI_ATTR VkResult VKAPI_CALL
vk_icdNegotiateLoaderICDInterfaceVersion(uint32_t* pSupportedVersion) {
  if (*pSupportedVersion < kMinInterfaceVersion) return VK_ERROR_INCOMPATIBLE_DRIVER;
  if (*pSupportedVersion > kMaxInterfaceVersion) *pSupportedVersion = kMaxInterfaceVersion;
  return VK_SUCCESS;
}

// Only physical-device-level names; NULL for the rest tells the loader to look elsewhere.
__attribute__((visibility("default"))) VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetPhysicalDeviceProcAddr(VkInstance instance, const char* pName) {
  return emvk::physicalDeviceProcAddr(emvk::fromHandle(instance), pName);
}

__attribute__((visibility("default"))) VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetInstanceProcAddr(VkInstance instance, const char* pName) {
  // Interface 7: a loader that does not look at exports finds the other vk_icd* entry points here.
  if (pName && std::strcmp(pName, "vk_icdNegotiateLoaderICDInterfaceVersion") == 0)
    return reinterpret_cast<PFN_vkVoidFunction>(&vk_icdNegotiateLoaderICDInterfaceVersion);
  if (pName && std::strcmp(pName, "vk_icdGetPhysicalDeviceProcAddr") == 0)
    return reinterpret_cast<PFN_vkVoidFunction>(&vk_icdGetPhysicalDeviceProcAddr);
  return emvk::instanceProcAddr(emvk::fromHandle(instance), pName);
}

}  // extern "C"
