// VkDescriptorPool: room for maxSets sets and, per descriptor type, the sum of its pool sizes. The
// pool owns the sets it allocated; freeing one (FREE_DESCRIPTOR_SET_BIT pools only), resetting the
// pool or destroying it gives their room back. A CPU pool never fragments: any set that fits the
// counts is allocated.
#pragma once
#include <memory>
#include <vector>

#include "device/descriptor_set.hpp"
#include "device/descriptor_set_layout.hpp"
#include "device/object.hpp"
#include "memory/result.hpp"

namespace emvk {

class Device;

class DescriptorPool : public Object {
 public:
  DescriptorPool(Device& device, const VkDescriptorPoolCreateInfo& info);

  Device& device() const { return device_; }
  bool canFreeSets() const { return flags_ & VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT; }

  // A new set shaped by `table`, or VK_ERROR_OUT_OF_POOL_MEMORY and why when it does not fit.
  Result<DescriptorSet*> allocate(std::shared_ptr<const SlotTable> table);
  void free(DescriptorSet* set);
  void reset();

 private:
  Device& device_;
  VkDescriptorPoolCreateFlags flags_;
  uint32_t maxSets_;
  DescriptorCounts capacity_{};
  DescriptorCounts used_{};
  // Externally synchronised: the spec makes allocate, free and reset take the pool exclusively.
  std::vector<std::unique_ptr<DescriptorSet>> sets_;
};
EMVK_DEFINE_HANDLE(DescriptorPool, VkDescriptorPool, VK_OBJECT_TYPE_DESCRIPTOR_POOL)

}  // namespace emvk
