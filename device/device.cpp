#include "device/device.hpp"

#include <algorithm>

#include "device/extensions.hpp"
#include "device/instance.hpp"
#include "device/physical_device.hpp"
#include "device/queue.hpp"

namespace emvk {

Device::Device(PhysicalDevice& physicalDevice, const VkDeviceCreateInfo& info,
               const ExtensionSet& extensions)
    : Object(VK_OBJECT_TYPE_DEVICE),
      physicalDevice_(physicalDevice),
      apiVersion_(
          std::min(physicalDevice.properties().apiVersion, physicalDevice.instance().apiVersion())),
      extensions_(extensions),
      shaderFeatures_(ShaderFeatures::enabledBy(info, physicalDevice)) {
  for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext)
    if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT)
      nullDescriptor_ =
          reinterpret_cast<const VkPhysicalDeviceRobustness2FeaturesEXT*>(s)->nullDescriptor;
  for (uint32_t i = 0; i < info.queueCreateInfoCount; ++i) {
    const VkDeviceQueueCreateInfo& q = info.pQueueCreateInfos[i];
    for (uint32_t index = 0; index < q.queueCount; ++index)
      queues_.push_back(std::make_unique<Queue>(*this, q.queueFamilyIndex, index, q.flags));
  }
}

Device::~Device() = default;  // each Queue finishes its work and joins its thread

Instance& Device::instance() const { return physicalDevice_.instance(); }

Queue* Device::queue(uint32_t family, uint32_t index, VkDeviceQueueCreateFlags flags) const {
  for (const auto& q : queues_)
    if (q->family() == family && q->index() == index && q->flags() == flags) return q.get();
  return nullptr;
}

bool Device::acquireAllocationSlot() {
  const uint32_t max = physicalDevice_.properties().limits.maxMemoryAllocationCount;
  uint32_t live = allocations_.load(std::memory_order_relaxed);
  do {
    if (live >= max) return false;
  } while (!allocations_.compare_exchange_weak(live, live + 1, std::memory_order_relaxed));
  return true;
}

void Device::lose(const std::string& why) {
  if (lost_.exchange(true)) return;
  EMVK_LOG(&instance(), Error, logObject(this), "device lost: ", why);
  board_.notify();
}

VkResult Device::waitIdle() {
  for (const auto& q : queues_) {
    VkResult r = q->waitIdle();
    if (r != VK_SUCCESS) return r;
  }
  return VK_SUCCESS;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateDevice(VkPhysicalDevice physicalDevice,
                                                 const VkDeviceCreateInfo* pCreateInfo,
                                                 const VkAllocationCallbacks*, VkDevice* pDevice) {
  PhysicalDevice* pd = fromHandle(physicalDevice);
  Instance* instance = &pd->instance();
  const char* profile = pd->profile() ? pd->profile()->name().c_str() : nullptr;
  ExtensionSet extensions;
  if (!parseEnabledExtensions(pCreateInfo->ppEnabledExtensionNames,
                              pCreateInfo->enabledExtensionCount, pd->extensions(), extensions)) {
    // Section "Device Creation": an extension the device does not offer (here: or the profile
    // removed) is VK_ERROR_EXTENSION_NOT_PRESENT.
    for (uint32_t i = 0; i < pCreateInfo->enabledExtensionCount; ++i) {
      const char* name = pCreateInfo->ppEnabledExtensionNames[i];
      auto id = findExtension(name);
      if (id && isSupportedDeviceExtension(*id) && !pd->offers(*id))
        EMVK_LOG(instance, Error, logObject(pd), "vkCreateDevice: the device extension ", name,
                 " is removed by the profile ", profile, " (EMVK_PROFILE)");
      else if (!id || !isSupportedDeviceExtension(*id))
        EMVK_LOG(instance, Error, logObject(pd),
                 "vkCreateDevice: emvk does not offer the device extension ", name);
    }
    return VK_ERROR_EXTENSION_NOT_PRESENT;
  }
  std::string missing;
  bool removedByProfile = false;
  if (!pd->supportsRequestedFeatures(*pCreateInfo, missing, removedByProfile)) {
    if (removedByProfile)
      EMVK_LOG(instance, Error, logObject(pd), "vkCreateDevice: requested feature ", missing,
               " is removed by the profile ", profile, " (EMVK_PROFILE)");
    else
      EMVK_LOG(instance, Error, logObject(pd),
               "vkCreateDevice: requested feature not supported: ", missing);
    return VK_ERROR_FEATURE_NOT_PRESENT;
  }
  for (uint32_t i = 0; i < pCreateInfo->queueCreateInfoCount; ++i) {
    const VkDeviceQueueCreateInfo& q = pCreateInfo->pQueueCreateInfos[i];
    // VUID-VkDeviceQueueCreateInfo-queueFamilyIndex-00381 / -queueCount-00382
    if (q.queueFamilyIndex != 0 || q.queueCount > PhysicalDevice::kQueueCount) {
      EMVK_LOG(instance, Error, logObject(pd), "vkCreateDevice: queue family ", q.queueFamilyIndex,
               " with ", q.queueCount, " queues does not exist (family 0 has ",
               PhysicalDevice::kQueueCount, ")");
      return VK_ERROR_INITIALIZATION_FAILED;
    }
    if (q.flags & VK_DEVICE_QUEUE_CREATE_PROTECTED_BIT) return VK_ERROR_FEATURE_NOT_PRESENT;
  }
  auto device = std::make_unique<Device>(*pd, *pCreateInfo, extensions);
  EMVK_LOG(instance, Info, logObject(device.get()), "device created: Vulkan ",
           VK_API_VERSION_MAJOR(device->apiVersion()), ".",
           VK_API_VERSION_MINOR(device->apiVersion()), ", ", extensions.count(), " extensions, ",
           device->workers().count(), " worker thread", device->workers().count() == 1 ? "" : "s");
  *pDevice = release<VkDevice>(std::move(device));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyDevice(VkDevice device, const VkAllocationCallbacks*) {
  reclaim(device);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_DeviceWaitIdle(VkDevice device) {
  return fromHandle(device)->waitIdle();
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDeviceQueue(VkDevice device, uint32_t family, uint32_t index,
                                               VkQueue* pQueue) {
  *pQueue = toHandle(fromHandle(device)->queue(family, index, 0));
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDeviceQueue2(VkDevice device, const VkDeviceQueueInfo2* pInfo,
                                                VkQueue* pQueue) {
  // vkGetDeviceQueue2: queues are matched by family, index *and* creation flags; no match is NULL.
  *pQueue =
      toHandle(fromHandle(device)->queue(pInfo->queueFamilyIndex, pInfo->queueIndex, pInfo->flags));
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDeviceGroupPeerMemoryFeatures(
    VkDevice, uint32_t, uint32_t, uint32_t, VkPeerMemoryFeatureFlags* pFeatures) {
  // One device per group: the only "peer" is the device itself, which can do everything.
  *pFeatures = VK_PEER_MEMORY_FEATURE_COPY_SRC_BIT | VK_PEER_MEMORY_FEATURE_COPY_DST_BIT |
               VK_PEER_MEMORY_FEATURE_GENERIC_SRC_BIT | VK_PEER_MEMORY_FEATURE_GENERIC_DST_BIT;
}
