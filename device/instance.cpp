#include "device/instance.hpp"

#include "device/extensions.hpp"
#include "device/physical_device.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {

Instance::Instance(const VkInstanceCreateInfo& info) : Object(VK_OBJECT_TYPE_INSTANCE) {
  // A null pApplicationInfo or apiVersion 0 means 1.0 (VkApplicationInfo, apiVersion).
  const VkApplicationInfo* app = info.pApplicationInfo;
  apiVersion_ = app && app->apiVersion ? app->apiVersion : VK_API_VERSION_1_0;
  for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext) {
    if (s->sType != VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT) continue;
    creationMessengers_.push_back(std::make_unique<DebugMessenger>(
        *reinterpret_cast<const VkDebugUtilsMessengerCreateInfoEXT*>(s)));
    messengers_.add(creationMessengers_.back().get());
  }
  physicalDevice_ = std::make_unique<PhysicalDevice>(*this);
}

Instance::~Instance() = default;

void Instance::creationFinished() {
  for (const auto& m : creationMessengers_) messengers_.remove(m.get());
}

void Instance::destructionStarting() {
  for (const auto& m : creationMessengers_) messengers_.add(m.get());
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumerateInstanceVersion(uint32_t* pApiVersion) {
  *pApiVersion = Instance::kApiVersion;
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumerateInstanceExtensionProperties(
    const char* pLayerName, uint32_t* pPropertyCount, VkExtensionProperties* pProperties) {
  if (pLayerName) return VK_ERROR_LAYER_NOT_PRESENT;  // emvk ships no layers
  return enumerateExtensions(supportedInstanceExtensions(), pPropertyCount, pProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumerateInstanceLayerProperties(uint32_t* pPropertyCount,
                                                                     VkLayerProperties*) {
  *pPropertyCount = 0;
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateInstance(const VkInstanceCreateInfo* pCreateInfo,
                                                   const VkAllocationCallbacks*,
                                                   VkInstance* pInstance) {
  // Built first so that messengers chained into pCreateInfo hear why creation fails.
  auto instance = std::make_unique<Instance>(*pCreateInfo);
  for (uint32_t i = 0; i < pCreateInfo->enabledExtensionCount; ++i) {
    const char* name = pCreateInfo->ppEnabledExtensionNames[i];
    ExtensionSet one;
    if (!parseEnabledExtensions(&name, 1, supportedInstanceExtensions(), one)) {
      EMVK_LOG(instance.get(), Error, LogObject{},
               "vkCreateInstance: emvk does not offer the instance extension ", name);
      return VK_ERROR_EXTENSION_NOT_PRESENT;
    }
    instance->mutableExtensions() |= one;
  }
  // EMVK_PROFILE is read here, per instance, so a profile never outlives the environment it was
  // read from; a bad one fails creation rather than run unprofiled (docs/PROFILES.md).
  if (VkResult r = instance->physicalDevice().applyProfile(); r != VK_SUCCESS) return r;
  EMVK_LOG(instance.get(), Info, LogObject{}, "instance created: application API version ",
           VK_API_VERSION_MAJOR(instance->apiVersion()), ".",
           VK_API_VERSION_MINOR(instance->apiVersion()), ", ", instance->extensions().count(),
           " extensions");
  // EMVK_TRACE is read here, so each instance may trace or not; a bad path costs only the trace.
  if (std::string problem = trace::instanceCreated(); !problem.empty())
    EMVK_LOG(instance.get(), Warn, LogObject{}, problem);
  instance->creationFinished();
  *pInstance = release<VkInstance>(std::move(instance));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyInstance(VkInstance instance, const VkAllocationCallbacks*) {
  if (!instance) return;
  fromHandle(instance)->destructionStarting();
  reclaim(instance);
  trace::instanceDestroyed();
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumeratePhysicalDevices(VkInstance instance, uint32_t* pCount,
                                                             VkPhysicalDevice* pDevices) {
  if (!pDevices) {
    *pCount = 1;
    return VK_SUCCESS;
  }
  if (*pCount == 0) return VK_INCOMPLETE;
  *pCount = 1;
  pDevices[0] = toHandle(&fromHandle(instance)->physicalDevice());
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumeratePhysicalDeviceGroups(
    VkInstance instance, uint32_t* pCount, VkPhysicalDeviceGroupProperties* pGroups) {
  if (!pGroups) {
    *pCount = 1;
    return VK_SUCCESS;
  }
  if (*pCount == 0) return VK_INCOMPLETE;
  *pCount = 1;
  pGroups[0].physicalDeviceCount = 1;
  pGroups[0].physicalDevices[0] = toHandle(&fromHandle(instance)->physicalDevice());
  pGroups[0].subsetAllocation = VK_FALSE;
  return VK_SUCCESS;
}
