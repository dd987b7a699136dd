// VkPhysicalDevice: what the emulated GPU is and can do. Everything reported here is implemented
// and tested; the device version is the highest whose required features are all implemented
// (docs/ARCHITECTURE.md, "What emvk reports").
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "device/log.hpp"
#include "device/object.hpp"
#include "device/profile.hpp"

namespace emvk {

class Instance;

class PhysicalDevice : public Object {
 public:
  static constexpr uint32_t kApiVersion = VK_MAKE_API_VERSION(0, 1, 1, VK_HEADER_VERSION);
  static constexpr uint32_t kQueueCount = 4;  // in the single queue family
  static constexpr VkQueueFlags kQueueFlags = VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT;

  explicit PhysicalDevice(Instance& instance);
  ~PhysicalDevice();

  Instance& instance() const { return instance_; }
  // What is reported, the profile's narrowing included: the limits every check reads.
  const VkPhysicalDeviceProperties& properties() const { return properties_; }
  // emvk's own VkPhysicalDeviceFeatures, before any profile (fillFeatures applies it).
  const VkPhysicalDeviceFeatures& features() const { return features_; }
  const VkPhysicalDeviceMemoryProperties& memoryProperties() const { return memory_; }
  uint64_t heapSize() const { return memory_.memoryHeaps[0].size; }

  // Fill every structure of a ...2 chain that emvk knows; unknown ones are left untouched.
  void fillProperties(VkBaseOutStructure* chain) const;
  void fillFeatures(VkBaseOutStructure* chain) const;
  // One structure, without following pNext; false if emvk does not report it.
  bool fillPropertyStruct(VkBaseOutStructure* s) const;
  bool fillFeatureStruct(VkBaseOutStructure* s) const;

  // VkDeviceCreateInfo asks only for features emvk has and the profile keeps? Names the first one
  // that is missing, and says whether the profile removed it.
  bool supportsRequestedFeatures(const VkDeviceCreateInfo& info, std::string& missing,
                                 bool& removedByProfile) const;

  // Device extensions offered: emvk's, less those the profile removes.
  const std::vector<ExtensionId>& extensions() const { return extensions_; }
  bool offers(ExtensionId id) const;
  VkFormatProperties formatProperties(VkFormat format) const;

  // Reads EMVK_PROFILE (at vkCreateInstance) and narrows what this device reports. An unusable
  // profile is VK_ERROR_INITIALIZATION_FAILED with the reason logged; never silently ignored.
  VkResult applyProfile();
  const Profile* profile() const { return profile_.get(); }

  static const std::array<uint8_t, VK_UUID_SIZE>& driverUUID();
  static const std::array<uint8_t, VK_UUID_SIZE>& deviceUUID();

 private:
  Instance& instance_;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceFeatures features_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  std::vector<ExtensionId> extensions_;
  std::unique_ptr<Profile> profile_;
};
EMVK_DEFINE_HANDLE(PhysicalDevice, VkPhysicalDevice, VK_OBJECT_TYPE_PHYSICAL_DEVICE)

// Limits: the spec's required values for a 1.1 compute device, raised where the CPU allows.
VkPhysicalDeviceLimits physicalDeviceLimits();

// Why a compute shader's workgroup (after specialisation) does not fit the reported limits, or "".
std::string whyOutsideComputeLimits(const PhysicalDevice& physicalDevice,
                                    const std::array<uint32_t, 3>& localSize, size_t sharedMemory);

}  // namespace emvk
