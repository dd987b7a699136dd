// VkDevice: the queues, the enabled extensions and features, the signal board every wait sleeps
// on, and the workers that split large work over cores.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "device/object.hpp"
#include "device/shader_features.hpp"
#include "device/signal_board.hpp"
#include "device/watchdog.hpp"
#include "device/workers.hpp"
#include "icd/registry.hpp"

namespace emvk {

class Instance;
class PhysicalDevice;
class Queue;

class Device : public Object {
 public:
  Device(PhysicalDevice& physicalDevice, const VkDeviceCreateInfo& info,
         const ExtensionSet& extensions);
  ~Device();

  PhysicalDevice& physicalDevice() const { return physicalDevice_; }
  Instance& instance() const;
  // The version the application may use: the lower of the device's and the instance's.
  uint32_t apiVersion() const { return apiVersion_; }
  bool enabled(ExtensionId id) const { return extensions_.test(static_cast<size_t>(id)); }
  const ExtensionSet& extensions() const { return extensions_; }
  // VkPhysicalDeviceRobustness2FeaturesEXT::nullDescriptor was enabled: descriptors may be
  // VK_NULL_HANDLE (device/descriptor_set.cpp).
  bool nullDescriptor() const { return nullDescriptor_; }
  // The shader features enabled at creation, which a pipeline's capabilities need
  // (device/shader_features.hpp).
  const ShaderFeatures& shaderFeatures() const { return shaderFeatures_; }

  Queue* queue(uint32_t family, uint32_t index, VkDeviceQueueCreateFlags flags) const;

  // VUID-vkAllocateMemory-maxMemoryAllocationCount-04101: fewer live allocations than the
  // reported maxMemoryAllocationCount (which a profile may lower). False when none is left.
  bool acquireAllocationSlot();
  void releaseAllocationSlot() { allocations_.fetch_sub(1, std::memory_order_relaxed); }

  // Device loss (section "Lost Device"): from then on waits and submissions report
  // VK_ERROR_DEVICE_LOST, queues stop executing, and `why` has been logged once.
  bool lost() const { return lost_.load(std::memory_order_acquire); }
  void lose(const std::string& why);
  SignalBoard& board() { return board_; }
  Workers& workers() { return workers_; }
  Watchdog& watchdog() { return watchdog_; }
  VkResult waitIdle();

 private:
  PhysicalDevice& physicalDevice_;
  uint32_t apiVersion_;
  ExtensionSet extensions_;
  bool nullDescriptor_ = false;
  ShaderFeatures shaderFeatures_;
  std::atomic<uint32_t> allocations_{0};
  std::atomic<bool> lost_{false};
  SignalBoard board_;
  Workers workers_;
  Watchdog watchdog_;  // before queues_: it outlives every dispatch
  std::vector<std::unique_ptr<Queue>> queues_;
};
EMVK_DEFINE_HANDLE(Device, VkDevice, VK_OBJECT_TYPE_DEVICE)

}  // namespace emvk
