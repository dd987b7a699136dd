// VkPhysicalDevice: what the emulated GPU is and can do. Everything reported here is implemented
// and tested; the device version is the highest whose required features are all implemented
// (docs/ARCHITECTURE.md, "What emvk reports").
#pragma once
#include <array>
#include <string>

#include "device/log.hpp"
#include "device/object.hpp"

namespace emvk {

class Instance;

class PhysicalDevice : public Object {
 public:
  static constexpr uint32_t kApiVersion = VK_MAKE_API_VERSION(0, 1, 1, VK_HEADER_VERSION);
  static constexpr uint32_t kQueueCount = 4;  // in the single queue family
  static constexpr VkQueueFlags kQueueFlags = VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT;

  explicit PhysicalDevice(Instance& instance);

  Instance& instance() const { return instance_; }
  const VkPhysicalDeviceProperties& properties() const { return properties_; }
  const VkPhysicalDeviceFeatures& features() const { return features_; }
  const VkPhysicalDeviceMemoryProperties& memoryProperties() const { return memory_; }
  uint64_t heapSize() const { return memory_.memoryHeaps[0].size; }

  // Fill every structure of a ...2 chain that emvk knows; unknown ones are left untouched.
  void fillProperties(VkBaseOutStructure* chain) const;
  void fillFeatures(VkBaseOutStructure* chain) const;

  // VkDeviceCreateInfo asks only for features emvk has? Names the first one that is missing.
  bool supportsRequestedFeatures(const VkDeviceCreateInfo& info, std::string& missing) const;

  static const std::array<uint8_t, VK_UUID_SIZE>& driverUUID();
  static const std::array<uint8_t, VK_UUID_SIZE>& deviceUUID();

 private:
  Instance& instance_;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceFeatures features_{};
  VkPhysicalDeviceMemoryProperties memory_{};
};
EMVK_DEFINE_HANDLE(PhysicalDevice, VkPhysicalDevice, VK_OBJECT_TYPE_PHYSICAL_DEVICE)

// Limits: the spec's required values for a 1.1 compute device, raised where the CPU allows.
VkPhysicalDeviceLimits physicalDeviceLimits();

}  // namespace emvk
