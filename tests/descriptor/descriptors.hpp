// Helpers for the descriptor tests: set layouts from a list of bindings, pools from a list of
// sizes, pipeline layouts, buffer writes, and counting what the driver said. Header-only:
// tests/CMakeLists.txt globs tests/*/*.cpp into the suite.
//
// Descriptors cannot be read back through Vulkan. What these tests observe instead: result codes,
// pool accounting, the validation layer's silence, and, on emvk, the checks vkCmdBindDescriptorSets
// makes against what a set holds (a dynamic offset is accepted only while the written range still
// fits the buffer, so which offsets a bind accepts shows the range a write, copy or template left).
#pragma once
#include <vulkan/vulkan.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "harness.hpp"

namespace descriptors {

constexpr VkBufferUsageFlags kBufferUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

inline VkDescriptorSetLayoutBinding binding(
    uint32_t number, VkDescriptorType type, uint32_t count = 1,
    VkShaderStageFlags stages = VK_SHADER_STAGE_COMPUTE_BIT) {
  return {number, type, count, stages, nullptr};
}

inline VkDescriptorSetLayoutCreateInfo layoutInfo(
    const std::vector<VkDescriptorSetLayoutBinding>& bindings) {
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.bindingCount = static_cast<uint32_t>(bindings.size());
  info.pBindings = bindings.data();
  return info;
}

inline VkDescriptorSetLayout createLayout(
    VkDevice device, const std::vector<VkDescriptorSetLayoutBinding>& bindings) {
  const VkDescriptorSetLayoutCreateInfo info = layoutInfo(bindings);
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  VK_CHECK(vkCreateDescriptorSetLayout(device, &info, nullptr, &layout));
  return layout;
}

inline VkDescriptorPool createPool(VkDevice device, uint32_t maxSets,
                                   const std::vector<VkDescriptorPoolSize>& sizes,
                                   VkDescriptorPoolCreateFlags flags = 0) {
  VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  info.flags = flags;
  info.maxSets = maxSets;
  info.poolSizeCount = static_cast<uint32_t>(sizes.size());
  info.pPoolSizes = sizes.data();
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VK_CHECK(vkCreateDescriptorPool(device, &info, nullptr, &pool));
  return pool;
}

// Allocates one set per layout in one call; `sets` gets the handles (or nulls) either way.
inline VkResult allocate(VkDevice device, VkDescriptorPool pool,
                         const std::vector<VkDescriptorSetLayout>& layouts,
                         std::vector<VkDescriptorSet>& sets) {
  VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  info.descriptorPool = pool;
  info.descriptorSetCount = static_cast<uint32_t>(layouts.size());
  info.pSetLayouts = layouts.data();
  sets.assign(layouts.size(), reinterpret_cast<VkDescriptorSet>(uintptr_t{0xdead}));
  return vkAllocateDescriptorSets(device, &info, sets.data());
}

inline VkDescriptorSet allocateOne(VkDevice device, VkDescriptorPool pool,
                                   VkDescriptorSetLayout layout) {
  std::vector<VkDescriptorSet> sets;
  VK_CHECK(allocate(device, pool, {layout}, sets));
  return sets[0];
}

inline VkPipelineLayout createPipelineLayout(VkDevice device,
                                             const std::vector<VkDescriptorSetLayout>& sets,
                                             const std::vector<VkPushConstantRange>& ranges = {}) {
  VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  info.setLayoutCount = static_cast<uint32_t>(sets.size());
  info.pSetLayouts = sets.data();
  info.pushConstantRangeCount = static_cast<uint32_t>(ranges.size());
  info.pPushConstantRanges = ranges.data();
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VK_CHECK(vkCreatePipelineLayout(device, &info, nullptr, &layout));
  return layout;
}

// A write of `count` buffer descriptors from `infos` into (binding, element) of `set`.
inline VkWriteDescriptorSet bufferWrite(VkDescriptorSet set, uint32_t binding, uint32_t element,
                                        VkDescriptorType type, const VkDescriptorBufferInfo* infos,
                                        uint32_t count = 1) {
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = set;
  w.dstBinding = binding;
  w.dstArrayElement = element;
  w.descriptorCount = count;
  w.descriptorType = type;
  w.pBufferInfo = infos;
  return w;
}

inline void write(VkDevice device, const VkWriteDescriptorSet& w) {
  vkUpdateDescriptorSets(device, 1, &w, 0, nullptr);
}

// Messages so far that contain `needle` (from the driver, the layer, or both).
inline size_t countMessages(test::Instance& instance, const std::string& needle) {
  std::lock_guard lock(instance.messages.mutex);
  size_t n = 0;
  for (const std::string& m : instance.messages.all)
    if (m.find(needle) != std::string::npos) ++n;
  return n;
}

// Errors the driver itself reported ("emvk: ..."), not the validation layer.
inline size_t driverErrors(test::Instance& instance) {
  std::lock_guard lock(instance.messages.mutex);
  size_t n = 0;
  for (const std::string& m : instance.messages.errors)
    if (m.rfind("emvk: ", 0) == 0) ++n;
  return n;
}

}  // namespace descriptors
