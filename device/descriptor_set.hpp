// VkDescriptorSet: an array of slots shaped by its layout's SlotTable, allocated from a
// DescriptorPool (which owns it). vkUpdateDescriptorSets and update templates fill the slots;
// nothing reads them until a command executes, so a compute dispatch gathers what a shader sees
// from here at execution time:
//
//   const SlotTable::Binding* b = set.table().find(binding);    // or walk set.table().bindings
//   for (uint32_t i = 0; i < b->count; ++i)
//     if (auto* s = std::get_if<BufferSlot>(&set.slots()[b->firstSlot + i]))
//       use(s->buffer->data() + s->offset + dynamicOffset, s->range);
//
// A dynamic buffer's offset comes from vkCmdBindDescriptorSets: see device/bind_state.hpp.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "device/descriptor_set_layout.hpp"
#include "device/object.hpp"

namespace emvk {

class Buffer;
class BufferView;
class DescriptorPool;
class ImageView;

// A uniform or storage buffer descriptor, dynamic or not. The shader sees the `range` bytes from
// `buffer->data() + offset` (plus the dynamic offset, for dynamic types); the pointer is formed at
// execution time because only then must the buffer's memory be what it will be read from.
struct BufferSlot {
  Buffer* buffer = nullptr;
  VkDeviceSize offset = 0;
  VkDeviceSize range = 0;  // VK_WHOLE_SIZE already resolved when the descriptor was written
};
// Uniform and storage texel buffers: a dispatch hands the view to the shader (bind_state.hpp).
struct TexelBufferSlot {
  BufferView* view = nullptr;
};
// Sampled and storage images and input attachments. Kept; nothing reads them yet.
struct ImageSlot {
  ImageView* view = nullptr;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
};
// One descriptor; std::monostate until it is written.
using Slot = std::variant<std::monostate, BufferSlot, TexelBufferSlot, ImageSlot>;

// One update of `count` descriptors of `type`, from array element `element` of `binding` on
// (spilling into the following bindings). Descriptor i is read at `data + i * stride` as a
// VkDescriptorBufferInfo, a VkBufferView or a VkDescriptorImageInfo, as `type` says:
// vkUpdateDescriptorSets and update templates both describe their input this way.
struct DescriptorWrite {
  uint32_t binding;
  uint32_t element;
  uint32_t count;
  VkDescriptorType type;
  const uint8_t* data;
  size_t stride;
};

class DescriptorSet : public Object {
 public:
  DescriptorSet(DescriptorPool& pool, std::shared_ptr<const SlotTable> table)
      : Object(VK_OBJECT_TYPE_DESCRIPTOR_SET),
        pool_(pool),
        table_(std::move(table)),
        slots_(table_->slotCount) {}

  DescriptorPool& pool() const { return pool_; }
  const SlotTable& table() const { return *table_; }
  // Every slot: element i of binding b is slots()[b.firstSlot + i].
  std::span<const Slot> slots() const { return slots_; }
  // The slots of binding number `binding`; empty when the layout has none.
  std::span<const Slot> slots(uint32_t binding) const;
  // Element `element` of binding `binding` when it holds a buffer, else null.
  const BufferSlot* buffer(uint32_t binding, uint32_t element) const;

  // Updates, all or nothing: false and `why` when the update breaks a rule emvk checks, and then
  // the set is unchanged.
  bool write(const DescriptorWrite& w, std::string& why);
  bool copy(const DescriptorSet& source, const VkCopyDescriptorSet& c, std::string& why);

 private:
  friend class DescriptorPool;
  DescriptorPool& pool_;
  std::shared_ptr<const SlotTable> table_;
  std::vector<Slot> slots_;
  size_t poolIndex_ = 0;  // where the pool keeps it, so freeing is O(1)
};
EMVK_DEFINE_HANDLE(DescriptorSet, VkDescriptorSet, VK_OBJECT_TYPE_DESCRIPTOR_SET)

}  // namespace emvk
