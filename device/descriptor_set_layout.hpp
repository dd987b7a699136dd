// VkDescriptorSetLayout: the bindings of a descriptor set, flattened into a table of slots. A set
// is one array of slots; binding b's array element i lives in slot `firstSlot + i`, and the
// bindings are sorted by number, so an update that runs past the end of one binding continues in
// the next one (section "Descriptor Set Updates", consecutive binding updates) simply by going on
// to the next slot.
//
// The table outlives its handle: the spec lets the application destroy a set layout while sets
// allocated with it and pipeline layouts made from it are still in use, so those keep the table
// through a shared_ptr.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device/object.hpp"
#include "memory/result.hpp"

namespace emvk {

class PhysicalDevice;

// The eleven descriptor types of core Vulkan 1.0 (SAMPLER = 0 to INPUT_ATTACHMENT = 10). The
// extension types (inline uniform blocks, acceleration structures, mutable) need extensions emvk
// does not offer.
constexpr uint32_t kDescriptorTypeCount = VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT + 1;
inline bool isCoreDescriptorType(VkDescriptorType type) {
  return static_cast<uint32_t>(type) < kDescriptorTypeCount;
}
// Descriptors of each core type, indexed by VkDescriptorType.
using DescriptorCounts = std::array<uint32_t, kDescriptorTypeCount>;
// "STORAGE_BUFFER" for VK_DESCRIPTOR_TYPE_STORAGE_BUFFER; the number for types outside the core.
std::string descriptorTypeName(VkDescriptorType type);

inline bool isBufferDescriptor(VkDescriptorType type) {
  return type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER ||
         type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
         type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}
inline bool isDynamicDescriptor(VkDescriptorType type) {
  return type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
         type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}
inline bool isTexelBufferDescriptor(VkDescriptorType type) {
  return type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
         type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
}

struct SlotTable {
  struct Binding {
    uint32_t binding;  // the application's binding number
    VkDescriptorType type;
    uint32_t count;  // array size; 0 reserves the number but gives it no slots
    VkShaderStageFlags stages;
    uint32_t firstSlot;     // element i is slot firstSlot + i
    uint32_t firstDynamic;  // dynamic types: element i takes dynamic offset firstDynamic + i
  };

  std::vector<Binding> bindings;  // sorted by binding number
  uint32_t slotCount = 0;
  // Dynamic uniform and storage buffers, which vkCmdBindDescriptorSets gives one offset each, in
  // binding order (VUID-vkCmdBindDescriptorSets-dynamicOffsetCount-00359).
  uint32_t dynamicCount = 0;
  DescriptorCounts counts{};  // what a set of this layout takes from its pool

  // The binding numbered `binding`, or null.
  const Binding* find(uint32_t binding) const;
  // The first slot of an update of `count` descriptors from (binding, element), after checking
  // that it stays inside the set and that every binding it spills into has the type and stages of
  // the first; an error saying why not otherwise.
  Result<uint32_t> span(uint32_t binding, uint32_t element, uint32_t count) const;
};

// The table of `info`, or why emvk cannot make it. Shared by vkCreateDescriptorSetLayout and
// vkGetDescriptorSetLayoutSupport, so the two always agree.
Result<SlotTable> buildSlotTable(const PhysicalDevice& physical,
                                 const VkDescriptorSetLayoutCreateInfo& info);

class DescriptorSetLayout : public Object {
 public:
  explicit DescriptorSetLayout(std::shared_ptr<const SlotTable> table)
      : Object(VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT), table_(std::move(table)) {}

  const SlotTable& table() const { return *table_; }
  // For objects that must keep the table after the handle is destroyed.
  const std::shared_ptr<const SlotTable>& sharedTable() const { return table_; }

 private:
  std::shared_ptr<const SlotTable> table_;
};
EMVK_DEFINE_HANDLE(DescriptorSetLayout, VkDescriptorSetLayout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT)

}  // namespace emvk
