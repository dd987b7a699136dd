// vkCmdBindDescriptorSets and vkCmdPushConstants: recorded into a command buffer that then runs,
// with dynamic offsets consumed in binding order, partial rebinds and partial pushes; and the binds
// and pushes emvk refuses, each with a reason.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "descriptor/descriptors.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using descriptors::binding;

namespace {

constexpr VkShaderStageFlags kCompute = VK_SHADER_STAGE_COMPUTE_BIT;

// Two set layouts, both with dynamic descriptors, the sets written, and a pipeline layout over them
// with 128 bytes of compute push constants.
struct Scene {
  test::Device& device;
  test::Buffer buffer = device.createBuffer(4096, descriptors::kBufferUsage);
  VkDescriptorSetLayout storage = descriptors::createLayout(
      device.handle, {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2),
                      binding(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)});
  VkDescriptorSetLayout uniform = descriptors::createLayout(
      device.handle, {binding(0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC),
                      binding(1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER),
                      binding(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)});
  VkPipelineLayout layout =
      descriptors::createPipelineLayout(device.handle, {storage, uniform}, {{kCompute, 0, 128}});
  VkDescriptorPool pool = descriptors::createPool(device.handle, 4,
                                                  {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4},
                                                   {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 4},
                                                   {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 2},
                                                   {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 2}});
  VkDescriptorSet sets[2] = {descriptors::allocateOne(device.handle, pool, storage),
                             descriptors::allocateOne(device.handle, pool, uniform)};

  explicit Scene(test::Device& d) : device(d) {
    const VkDescriptorBufferInfo infos[] = {{buffer.buffer, 0, 1024},
                                            {buffer.buffer, 1024, 1024},
                                            {buffer.buffer, 2048, 256},
                                            {buffer.buffer, 0, 256}};
    const VkWriteDescriptorSet writes[] = {
        descriptors::bufferWrite(sets[0], 0, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, infos, 2),
        descriptors::bufferWrite(sets[0], 1, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
                                 &infos[2]),
        descriptors::bufferWrite(sets[1], 0, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
                                 &infos[3]),
        descriptors::bufferWrite(sets[1], 1, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, &infos[3]),
        descriptors::bufferWrite(sets[1], 2, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
                                 &infos[3]),
    };
    vkUpdateDescriptorSets(device.handle, 5, writes, 0, nullptr);
  }
  ~Scene() {
    vkDestroyDescriptorPool(device.handle, pool, nullptr);
    vkDestroyPipelineLayout(device.handle, layout, nullptr);
    vkDestroyDescriptorSetLayout(device.handle, storage, nullptr);
    vkDestroyDescriptorSetLayout(device.handle, uniform, nullptr);
    device.destroy(buffer);
  }
};

}  // namespace

TEST_CASE("descriptor: sets bound with dynamic offsets and push constants record and run cleanly",
          "[descriptor]") {
  test::Instance instance;
  test::Device device(instance);
  Scene scene(device);
  std::vector<uint8_t> constants(128);
  for (size_t i = 0; i < constants.size(); ++i) constants[i] = static_cast<uint8_t>(i * 7);

  VkCommandBuffer cb = device.begin(0);
  // Three dynamic offsets in binding order: set 0 binding 1, set 1 binding 0, set 1 binding 2.
  const uint32_t offsets[] = {1024, 512, 3840};
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, scene.layout, 0, 2, scene.sets, 3,
                          offsets);
  vkCmdPushConstants(cb, scene.layout, kCompute, 0, 128, constants.data());
  vkCmdPushConstants(cb, scene.layout, kCompute, 64, 16, constants.data());
  // Set 1 again, alone, with its own two offsets.
  const uint32_t again[] = {0, 16};
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, scene.layout, 1, 1, &scene.sets[1], 2,
                          again);
  VK_CHECK(vkEndCommandBuffer(cb));
  device.submitAndWait({cb});
  // Recording again starts from nothing bound; the same binds are made anew.
  test::beginCommandBuffer(cb);
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, scene.layout, 0, 1, scene.sets, 1,
                          offsets);
  vkCmdPushConstants(cb, scene.layout, kCompute, 124, 4, constants.data());
  VK_CHECK(vkEndCommandBuffer(cb));
  device.submitAndWait({cb});
  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
  CHECK(descriptors::driverErrors(instance) == 0);
}

TEST_CASE("descriptor: binds and pushes that break a rule are refused with a reason",
          "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // every command here breaks a valid-usage rule on purpose
  test::Device device(instance);
  Scene scene(device);
  VkCommandBuffer cb = device.begin(0);
  auto bindRefused = [&](VkPipelineBindPoint point, uint32_t firstSet, uint32_t count,
                         const std::vector<uint32_t>& offsets, const char* because) {
    vkCmdBindDescriptorSets(cb, point, scene.layout, firstSet, count, scene.sets,
                            static_cast<uint32_t>(offsets.size()), offsets.data());
    CHECK(instance.messages.contains("vkCmdBindDescriptorSets: refused, nothing bound: "));
    CHECK(instance.messages.contains(because));
  };
  auto pushRefused = [&](VkPipelineLayout layout, VkShaderStageFlags stages, uint32_t offset,
                         uint32_t size, const char* because) {
    const std::vector<uint8_t> data(size);
    vkCmdPushConstants(cb, layout, stages, offset, size, data.data());
    CHECK(instance.messages.contains("vkCmdPushConstants: refused, nothing pushed: "));
    CHECK(instance.messages.contains(because));
  };

  SECTION("too few dynamic offsets (VUID-vkCmdBindDescriptorSets-dynamicOffsetCount-00359)") {
    // The validation layer (1.3.239) reads past the two offsets; emvk's answer is checked without
    // it.
    if (!instance.validationEnabled)
      bindRefused(VK_PIPELINE_BIND_POINT_COMPUTE, 0, 2, {0, 0},
                  "2 dynamic offsets for 3 dynamic descriptors in the sets");
  }
  SECTION("a misaligned dynamic offset (VUID-vkCmdBindDescriptorSets-pDynamicOffsets-01971)") {
    bindRefused(VK_PIPELINE_BIND_POINT_COMPUTE, 0, 2, {0, 8, 0},
                "set 1: dynamic offset 8 of binding 0[0] is not a multiple of "
                "minUniformBufferOffsetAlignment (16)");
  }
  SECTION("a dynamic offset past the buffer (VUID-vkCmdBindDescriptorSets-pDescriptorSets-01979)") {
    bindRefused(VK_PIPELINE_BIND_POINT_COMPUTE, 0, 1, {2048},
                "set 0: binding 1[0]: offset 2048 + dynamic offset 2048 + range 256 runs past");
  }
  SECTION("sets past the pipeline layout (VUID-vkCmdBindDescriptorSets-firstSet-00360)") {
    // The validation layer (1.3.239) crashes on this bind; emvk's answer is checked without it.
    if (!instance.validationEnabled)
      bindRefused(VK_PIPELINE_BIND_POINT_COMPUTE, 1, 2, {0, 0, 0},
                  "sets [1, 3) are not all in the pipeline layout's 2");
  }
  SECTION("the graphics bind point (VUID-vkCmdBindDescriptorSets-pipelineBindPoint-00361)") {
    bindRefused(VK_PIPELINE_BIND_POINT_GRAPHICS, 0, 2, {0, 0, 0}, "is not COMPUTE");
  }
  SECTION("push constants not in whole words (VUID-vkCmdPushConstants-offset-00368)") {
    pushRefused(scene.layout, kCompute, 2, 4, "[2, +4) is not a range of whole words");
  }
  SECTION("push constants outside the stage's range (VUID-vkCmdPushConstants-offset-01795)") {
    VkPipelineLayout small =
        descriptors::createPipelineLayout(device.handle, {}, {{kCompute, 0, 64}});
    // The validation layer (1.3.239) writes past its own copy of the push constants on this
    // one; emvk's answer is checked without it.
    if (!instance.validationEnabled)
      pushRefused(small, kCompute, 32, 64, "[32, +64) is not inside the range [0, +64)");
    pushRefused(small, VK_SHADER_STAGE_VERTEX_BIT, 0, 4, "have no push constant range");
    vkDestroyPipelineLayout(device.handle, small, nullptr);
  }
  SECTION("push constants overlapping another stage's range (-offset-01796)") {
    VkPipelineLayout shared = descriptors::createPipelineLayout(
        device.handle, {}, {{kCompute, 0, 64}, {VK_SHADER_STAGE_VERTEX_BIT, 32, 32}});
    pushRefused(shared, kCompute, 0, 64, "overlaps the range [32, +32) of stages 0x1");
    vkDestroyPipelineLayout(device.handle, shared, nullptr);
  }
  VK_CHECK(vkEndCommandBuffer(cb));
  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
}
