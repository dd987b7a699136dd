// The compute bind state of a command buffer: which descriptor sets are bound at which set numbers,
// with their dynamic offsets, and the push constants. vkCmdBindDescriptorSets and
// vkCmdPushConstants change it while the application records, and record no command of their own.
// A command that uses it (vkCmdDispatch) copies the whole struct into what it records, so later
// binds cannot change what an earlier dispatch sees. The sets' slots are read when the dispatch
// executes: a set must not be updated between binding it and the end of execution (section
// "Descriptor Set Binding"; emvk does not offer UPDATE_AFTER_BIND).
//
// At execution, for a shader's (set s, binding b, element i):
//   BufferRange r = state.sets[s].buffer(b, i);   // base pointer and range, dynamic offset applied
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>

namespace emvk {

class DescriptorSet;

// What a shader sees through one buffer descriptor: `size` bytes from `data`.
struct BufferRange {
  uint8_t* data = nullptr;
  VkDeviceSize size = 0;
  VkFormat format = VK_FORMAT_UNDEFINED;  // of a texel buffer's view
};

struct BoundSet {
  // maxDescriptorSetUniformBuffersDynamic (8) plus maxDescriptorSetStorageBuffersDynamic (4): no
  // pipeline layout holds more, and vkCmdBindDescriptorSets refuses a set with more.
  static constexpr uint32_t kMaxDynamicOffsets = 12;

  DescriptorSet* set = nullptr;
  uint32_t dynamicOffsetCount = 0;
  // One per dynamic descriptor of the set, in binding order: element i of a dynamic binding b
  // takes dynamicOffsets[b.firstDynamic + i] (SlotTable::Binding).
  std::array<uint32_t, kMaxDynamicOffsets> dynamicOffsets{};

  // Buffer descriptor `element` of binding `binding`, dynamic offset applied; {} when the set has
  // no buffer there. Call it at execution time.
  BufferRange buffer(uint32_t binding, uint32_t element) const;
  // Texel buffer descriptor `element` of binding `binding`: its view's bytes and format; {} when
  // the set has no texel buffer there. Call it at execution time.
  BufferRange texelBuffer(uint32_t binding, uint32_t element) const;
};

struct ComputeBindState {
  static constexpr uint32_t kMaxSets = 4;             // maxBoundDescriptorSets
  static constexpr uint32_t kPushConstantSize = 128;  // maxPushConstantsSize

  std::array<BoundSet, kMaxSets> sets{};
  alignas(16) std::array<uint8_t, kPushConstantSize> pushConstants{};
};

}  // namespace emvk
