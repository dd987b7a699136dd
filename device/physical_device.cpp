#include "device/physical_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "build_identity.h"  // generated: EMVK_BUILD_ID, EMVK_*_UUID
#include "device/extensions.hpp"
#include "device/external_memory.hpp"
#include "device/format_properties.hpp"
#include "device/instance.hpp"
#include "icd/pnext.hpp"
#include "jit/jit.hpp"
#include "memory/host.hpp"

namespace emvk {
namespace {

std::array<uint8_t, VK_UUID_SIZE> parseUUID(const char* hex) {
  std::array<uint8_t, VK_UUID_SIZE> uuid{};
  for (size_t i = 0; i < uuid.size(); ++i) {
    unsigned byte = 0;
    std::sscanf(hex + 2 * i, "%2x", &byte);
    uuid[i] = static_cast<uint8_t>(byte);
  }
  return uuid;
}

// A subgroup is one SIMD group of the JIT (jit/translator.hpp).
uint32_t nativeSubgroupSize() { return jit::subgroupSize(); }

void copyString(char* dst, size_t size, const std::string& src) {
  std::memset(dst, 0, size);
  std::strncpy(dst, src.c_str(), size - 1);
}

}  // namespace

// Both UUIDs are hashes of the build identity (all driver sources) and the layout ABI version,
// computed by CMake: every instance and process of one build agrees, different builds do not.
const std::array<uint8_t, VK_UUID_SIZE>& PhysicalDevice::driverUUID() {
  static const auto uuid = parseUUID(EMVK_DRIVER_UUID);
  return uuid;
}

const std::array<uint8_t, VK_UUID_SIZE>& PhysicalDevice::deviceUUID() {
  static const auto uuid = parseUUID(EMVK_DEVICE_UUID);
  return uuid;
}

PhysicalDevice::PhysicalDevice(Instance& instance)
    : Object(VK_OBJECT_TYPE_PHYSICAL_DEVICE), instance_(instance) {
  properties_.apiVersion = kApiVersion;
  properties_.driverVersion =
      VK_MAKE_API_VERSION(0, EMVK_VERSION_MAJOR, EMVK_VERSION_MINOR, EMVK_VERSION_PATCH);
  properties_.vendorID = 0;  // emvk has no PCI or Khronos vendor ID
  properties_.deviceID = 0;
  properties_.deviceType = VK_PHYSICAL_DEVICE_TYPE_CPU;
  copyString(properties_.deviceName, sizeof(properties_.deviceName), "emvk (CPU)");
  std::memcpy(properties_.pipelineCacheUUID, deviceUUID().data(), VK_UUID_SIZE);
  properties_.limits = physicalDeviceLimits();
  properties_.sparseProperties = {};

  // Graphics features wait for a graphics queue.
  features_ = {};
  // Required by 1.0: the JIT checks every buffer access against the bound range, always
  // (jit/translator_memory.cpp, lanesInBounds; tests/jit/robust.comp).
  features_.robustBufferAccess = VK_TRUE;
  // The JIT compiles 16- and 64-bit integer and 64-bit float arithmetic (8-bit integers and
  // 16-bit floats: VkPhysicalDeviceShaderFloat16Int8Features, physical_device_features.cpp).
  features_.shaderInt16 = VK_TRUE;
  features_.shaderInt64 = VK_TRUE;
  features_.shaderFloat64 = VK_TRUE;

  // One heap of host RAM; both types are the same memory, the second merely says HOST_CACHED.
  // VkPhysicalDeviceMemoryProperties: a type whose flags are a strict subset of another's comes
  // first.
  constexpr VkMemoryPropertyFlags kCoherent = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
                                              VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                              VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  memory_.memoryHeapCount = 1;
  memory_.memoryHeaps[0] = {memory::hostMemorySize(), VK_MEMORY_HEAP_DEVICE_LOCAL_BIT};
  memory_.memoryTypeCount = 2;
  memory_.memoryTypes[0] = {kCoherent, 0};
  memory_.memoryTypes[1] = {kCoherent | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0};
  const auto offered = supportedDeviceExtensions();
  extensions_.assign(offered.begin(), offered.end());
}

PhysicalDevice::~PhysicalDevice() = default;

VkResult PhysicalDevice::applyProfile() {
  Profile::Findings findings;
  auto loaded = Profile::fromEnvironment(*this, findings);
  const std::vector<std::string>& lacking = findings.lacking;
  if (!loaded) {
    EMVK_LOG(&instance_, Error, logObject(this), "vkCreateInstance: EMVK_PROFILE=\"",
             std::getenv("EMVK_PROFILE"), "\" cannot be used: ", loaded.error().why);
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  if (!loaded.value()) return VK_SUCCESS;
  // Narrowed with the profile not yet in force: fillProperties gives emvk's own values first.
  VkPhysicalDeviceProperties2 reported{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  reported.properties = properties_;
  loaded.value()->narrowProperties(reinterpret_cast<VkBaseOutStructure*>(&reported));
  profile_ = loaded.take();
  // Only limits, sparse properties and the version change: deviceUUID, driverUUID and
  // pipelineCacheUUID stay, interop and caches match on them.
  properties_.limits = reported.properties.limits;
  properties_.sparseProperties = reported.properties.sparseProperties;
  properties_.apiVersion = profile_->apiVersion(properties_.apiVersion);
  copyString(properties_.deviceName, sizeof(properties_.deviceName),
             concat(properties_.deviceName, " (profile ", profile_->name(), ")"));
  std::erase_if(extensions_, [&](ExtensionId id) { return !profile_->keeps(id); });

  EMVK_LOG(&instance_, Info, logObject(this), "EMVK_PROFILE: profile ", profile_->name(),
           " in force: Vulkan ", VK_API_VERSION_MAJOR(properties_.apiVersion), ".",
           VK_API_VERSION_MINOR(properties_.apiVersion), ", ", extensions_.size(),
           " device extensions");
  for (const std::string& section : findings.notNarrowed)
    EMVK_LOG(&instance_, Info, logObject(this), "EMVK_PROFILE: ", section,
             " is read but not applied (emvk has one queue family, reported as it is)");
  if (!lacking.empty()) {
    std::string list;
    for (const std::string& item : lacking) list += concat(list.empty() ? "" : ", ", item);
    // Only remove, never add: what emvk lacks stays absent, so the device does not satisfy the
    // profile in full.
    EMVK_LOG(&instance_, Warn, logObject(this), "EMVK_PROFILE: profile ", profile_->name(),
             " asks for ", lacking.size(), " thing", lacking.size() == 1 ? "" : "s",
             " emvk does not have, which stay absent (emvk does not fully satisfy it): ", list);
  }
  return VK_SUCCESS;
}

bool PhysicalDevice::offers(ExtensionId id) const {
  return std::find(extensions_.begin(), extensions_.end(), id) != extensions_.end();
}

VkFormatProperties PhysicalDevice::formatProperties(VkFormat format) const {
  const VkFormatFeatureFlags image = imageFormatFeatures(format);
  const VkFormatProperties native{image, image, bufferFormatFeatures(format)};
  return profile_ ? profile_->narrowFormat(format, native) : native;
}

void PhysicalDevice::fillProperties(VkBaseOutStructure* chain) const {
  for (auto* s = chain; s; s = s->pNext)
    if (fillPropertyStruct(s) && profile_) profile_->narrowProperties(s);
}

bool PhysicalDevice::fillPropertyStruct(VkBaseOutStructure* s) const {
  switch (s->sType) {
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2:
      reinterpret_cast<VkPhysicalDeviceProperties2*>(s)->properties = properties_;
      break;
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES: {
      auto* p = reinterpret_cast<VkPhysicalDeviceIDProperties*>(s);
      std::memcpy(p->deviceUUID, deviceUUID().data(), VK_UUID_SIZE);
      std::memcpy(p->driverUUID, driverUUID().data(), VK_UUID_SIZE);
      std::memset(p->deviceLUID, 0, VK_LUID_SIZE);
      p->deviceNodeMask = 0;
      p->deviceLUIDValid = VK_FALSE;  // LUIDs are a Windows concept
      break;
    }
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES: {
      auto* p = reinterpret_cast<VkPhysicalDeviceMaintenance3Properties*>(s);
      p->maxPerSetDescriptors = 1024;
      p->maxMemoryAllocationSize = heapSize();
      break;
    }
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_PROPERTIES: {
      auto* p = reinterpret_cast<VkPhysicalDeviceMultiviewProperties*>(s);
      p->maxMultiviewViewCount = 6;
      p->maxMultiviewInstanceIndex = (1u << 27) - 1;
      break;
    }
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_POINT_CLIPPING_PROPERTIES:
      reinterpret_cast<VkPhysicalDevicePointClippingProperties*>(s)->pointClippingBehavior =
          VK_POINT_CLIPPING_BEHAVIOR_ALL_CLIP_PLANES;
      break;
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROTECTED_MEMORY_PROPERTIES:
      reinterpret_cast<VkPhysicalDeviceProtectedMemoryProperties*>(s)->protectedNoFault = VK_FALSE;
      break;
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES: {
      // Compute is emvk's only stage; every operation below is tested in
      // tests/jit/subgroup_ops.comp and tests/compute/subgroup.cpp.
      auto* p = reinterpret_cast<VkPhysicalDeviceSubgroupProperties*>(s);
      p->subgroupSize = nativeSubgroupSize();
      p->supportedStages = VK_SHADER_STAGE_COMPUTE_BIT;
      p->supportedOperations = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_VOTE_BIT |
                               VK_SUBGROUP_FEATURE_ARITHMETIC_BIT | VK_SUBGROUP_FEATURE_BALLOT_BIT |
                               VK_SUBGROUP_FEATURE_SHUFFLE_BIT |
                               VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT |
                               VK_SUBGROUP_FEATURE_CLUSTERED_BIT | VK_SUBGROUP_FEATURE_QUAD_BIT;
      p->quadOperationsInAllStages = VK_FALSE;
      break;
    }
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES: {
      auto* p = reinterpret_cast<VkPhysicalDeviceDriverProperties*>(s);
      p->driverID = static_cast<VkDriverId>(0);  // no VkDriverId is registered for emvk yet
      copyString(p->driverName, sizeof(p->driverName), "emvk");
      copyString(p->driverInfo, sizeof(p->driverInfo),
                 concat("emvk ", EMVK_VERSION_STRING, ", build ", std::string(EMVK_BUILD_ID, 12),
                        ", layout ABI ", EMVK_LAYOUT_ABI_VERSION));
      p->conformanceVersion = {0, 0, 0, 0};  // no CTS submission has been made
      break;
    }
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT:
      reinterpret_cast<VkPhysicalDeviceExternalMemoryHostPropertiesEXT*>(s)
          ->minImportedHostPointerAlignment = kHostPointerAlignment;
      break;
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_PROPERTIES:
      reinterpret_cast<VkPhysicalDeviceTimelineSemaphoreProperties*>(s)
          ->maxTimelineSemaphoreValueDifference = UINT64_MAX;
      break;
    case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_PROPERTIES_EXT: {
      // Bounds are checked per scalar to the byte: the range is not rounded up at all.
      auto* p = reinterpret_cast<VkPhysicalDeviceRobustness2PropertiesEXT*>(s);
      p->robustStorageBufferAccessSizeAlignment = 1;
      p->robustUniformBufferAccessSizeAlignment = 1;
      break;
    }
    default:
      return false;  // structures of extensions emvk does not offer are left as they were
  }
  return true;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceProperties(
    VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties* pProperties) {
  *pProperties = fromHandle(physicalDevice)->properties();
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceProperties2(
    VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties2* pProperties) {
  fromHandle(physicalDevice)->fillProperties(reinterpret_cast<VkBaseOutStructure*>(pProperties));
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFeatures(VkPhysicalDevice physicalDevice,
                                                          VkPhysicalDeviceFeatures* pFeatures) {
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  fromHandle(physicalDevice)->fillFeatures(reinterpret_cast<VkBaseOutStructure*>(&features));
  *pFeatures = features.features;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFeatures2(VkPhysicalDevice physicalDevice,
                                                           VkPhysicalDeviceFeatures2* pFeatures) {
  fromHandle(physicalDevice)->fillFeatures(reinterpret_cast<VkBaseOutStructure*>(pFeatures));
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceMemoryProperties(
    VkPhysicalDevice physicalDevice, VkPhysicalDeviceMemoryProperties* pProperties) {
  *pProperties = fromHandle(physicalDevice)->memoryProperties();
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceMemoryProperties2(
    VkPhysicalDevice physicalDevice, VkPhysicalDeviceMemoryProperties2* pProperties) {
  PhysicalDevice* pd = fromHandle(physicalDevice);
  pProperties->memoryProperties = pd->memoryProperties();
  if (auto* budget = findInChain<VkPhysicalDeviceMemoryBudgetPropertiesEXT>(pProperties->pNext)) {
    // VK_EXT_memory_budget: usage is what every emvk device of this process holds; the budget is
    // that plus what the host could still give, never more than the heap.
    const uint64_t used = memory::bytesAllocated();
    const uint64_t budgetBytes = std::min(pd->heapSize(), used + memory::hostAvailableMemory());
    std::memset(budget->heapBudget, 0, sizeof(budget->heapBudget));
    std::memset(budget->heapUsage, 0, sizeof(budget->heapUsage));
    budget->heapBudget[0] = budgetBytes;
    budget->heapUsage[0] = used;
  }
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceQueueFamilyProperties(
    VkPhysicalDevice, uint32_t* pCount, VkQueueFamilyProperties* pProperties) {
  if (!pProperties) {
    *pCount = 1;
    return;
  }
  if (*pCount == 0) return;
  *pCount = 1;
  pProperties[0].queueFlags = PhysicalDevice::kQueueFlags;
  pProperties[0].queueCount = PhysicalDevice::kQueueCount;
  pProperties[0].timestampValidBits = 64;
  pProperties[0].minImageTransferGranularity = {1, 1, 1};
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceQueueFamilyProperties2(
    VkPhysicalDevice physicalDevice, uint32_t* pCount, VkQueueFamilyProperties2* pProperties) {
  if (!pProperties) {
    *pCount = 1;
    return;
  }
  if (*pCount == 0) return;
  emvk_GetPhysicalDeviceQueueFamilyProperties(physicalDevice, pCount,
                                              &pProperties[0].queueFamilyProperties);
}

// Core 1.1 external-handle query for buffers; device/external_memory.cpp decides. (The fence and
// semaphore queries live with their objects, in fence.cpp and semaphore.cpp.)
VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceExternalBufferProperties(
    VkPhysicalDevice, const VkPhysicalDeviceExternalBufferInfo* pInfo,
    VkExternalBufferProperties* pProperties) {
  // Buffers of any usage and flags share memory the same way on a CPU: only the type matters.
  pProperties->externalMemoryProperties = externalMemoryProperties(pInfo->handleType);
}

VKAPI_ATTR VkResult VKAPI_CALL
emvk_EnumerateDeviceExtensionProperties(VkPhysicalDevice physicalDevice, const char* pLayerName,
                                        uint32_t* pCount, VkExtensionProperties* pProperties) {
  if (pLayerName) return VK_ERROR_LAYER_NOT_PRESENT;
  return enumerateExtensions(fromHandle(physicalDevice)->extensions(), pCount, pProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EnumerateDeviceLayerProperties(VkPhysicalDevice,
                                                                   uint32_t* pCount,
                                                                   VkLayerProperties*) {
  *pCount = 0;
  return VK_SUCCESS;
}
