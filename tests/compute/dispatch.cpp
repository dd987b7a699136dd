// Compute through the loader, end to end: a GLSL shader (tests/jit/saxpy.comp, compiled by glslc
// at build time) in a shader module, a pipeline compiled when it is created, descriptor sets,
// push constants, and vkCmdDispatch / vkCmdDispatchBase / vkCmdDispatchIndirect; every output
// element is checked against the same arithmetic done in C++.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "compute/saxpy.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using namespace compute_test;

TEST_CASE("compute: saxpy runs through vkCmdDispatch and every element is right", "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  Saxpy saxpy(device, 0);
  const uint32_t n = 100003;  // not a multiple of the workgroup size (64)
  auto x = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto y = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  for (uint32_t i = 0; i < n; ++i) {
    x.as<float>()[i] = float(i) * 0.5f;
    y.as<float>()[i] = 3.0f - float(i % 7);
  }
  saxpy.bindBuffers(x, y);
  device.run([&](VkCommandBuffer cb) {
    saxpy.record(cb, 2.5f, n);
    vkCmdDispatch(cb, (n + 63) / 64, 1, 1);
    toHost(cb);
  });
  for (uint32_t i = 0; i < n; ++i) {
    const float expected = 2.5f * (float(i) * 0.5f) + (3.0f - float(i % 7));
    if (y.as<float>()[i] != expected)
      FAIL("y[" << i << "] = " << y.as<float>()[i] << ", expected " << expected);
  }
  device.destroy(x);
  device.destroy(y);
}

TEST_CASE("compute: vkCmdDispatchBase and vkCmdDispatchIndirect choose the workgroups",
          "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  Saxpy saxpy(device, VK_PIPELINE_CREATE_DISPATCH_BASE_BIT);
  const uint32_t groups = 40, n = groups * 64;
  auto x = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto y = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto indirect =
      device.createBuffer(sizeof(VkDispatchIndirectCommand), VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT);
  for (uint32_t i = 0; i < n; ++i) x.as<float>()[i] = 1.0f, y.as<float>()[i] = 0.0f;
  saxpy.bindBuffers(x, y);
  // Workgroups 10..19 only (base 10, count 10), then the first 5 through an indirect command whose
  // count is written after recording: it is read when the dispatch executes.
  VkCommandBuffer cb = device.begin();
  saxpy.record(cb, 1.0f, n);
  vkCmdDispatchBase(cb, 10, 0, 0, 10, 1, 1);
  vkCmdDispatchIndirect(cb, indirect.buffer, 0);
  toHost(cb);
  REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);
  *indirect.as<VkDispatchIndirectCommand>() = {5, 1, 1};
  device.submitAndWait({cb});
  for (uint32_t i = 0; i < n; ++i) {
    const bool inBase = i >= 10 * 64 && i < 20 * 64, inIndirect = i < 5 * 64;
    const float expected = (inBase || inIndirect) ? 1.0f : 0.0f;
    if (y.as<float>()[i] != expected)
      FAIL("y[" << i << "] = " << y.as<float>()[i] << ", expected " << expected);
  }
  device.destroy(indirect);
  device.destroy(x);
  device.destroy(y);
}

TEST_CASE(
    "compute: malformed SPIR-V is refused at vkCreateShaderModule with the validator's reason",
    "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // pCode must be valid SPIR-V
  test::Device device(instance);
  std::vector<uint32_t> words = spirv("saxpy.optimized.spv");
  words.resize(words.size() / 2);  // truncated in the middle of an instruction
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                words.size() * 4, words.data()};
  VkShaderModule module = VK_NULL_HANDLE;
  CHECK(vkCreateShaderModule(device.handle, &info, nullptr, &module) != VK_SUCCESS);
  CHECK(module == VK_NULL_HANDLE);
  CHECK(instance.messages.contains("vkCreateShaderModule refused: invalid SPIR-V"));
}

TEST_CASE("compute: a device with shaderFloat64 runs a double-precision shader", "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  vkGetPhysicalDeviceFeatures2(instance.physical, &features);
  REQUIRE(features.features.shaderFloat64 == VK_TRUE);
  REQUIRE(features.features.shaderInt64 == VK_TRUE);
  VkPhysicalDeviceFeatures2 enable{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  enable.features.shaderFloat64 = VK_TRUE;
  enable.features.shaderInt64 = VK_TRUE;
  test::DeviceOptions options;
  options.pNext = &enable;
  test::Device device(instance, options);

  VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                       VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          nullptr, 0, 1, &binding};
  VkDescriptorSetLayout setLayout;
  REQUIRE(vkCreateDescriptorSetLayout(device.handle, &setInfo, nullptr, &setLayout) == VK_SUCCESS);
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, nullptr, 0,
                                        1, &setLayout};
  VkPipelineLayout layout;
  REQUIRE(vkCreatePipelineLayout(device.handle, &layoutInfo, nullptr, &layout) == VK_SUCCESS);
  const std::vector<uint32_t> words = spirv("float64.optimized.spv");
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                      words.size() * 4, words.data()};
  VkShaderModule module;
  REQUIRE(vkCreateShaderModule(device.handle, &moduleInfo, nullptr, &module) == VK_SUCCESS);
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                nullptr,
                0,
                VK_SHADER_STAGE_COMPUTE_BIT,
                module,
                "main",
                nullptr};
  info.layout = layout;
  VkPipeline pipeline;
  REQUIRE(vkCreateComputePipelines(device.handle, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline) ==
          VK_SUCCESS);
  vkDestroyShaderModule(device.handle, module, nullptr);

  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
  VkDescriptorPoolCreateInfo poolInfo{
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, 1, 1, &size};
  VkDescriptorPool pool;
  REQUIRE(vkCreateDescriptorPool(device.handle, &poolInfo, nullptr, &pool) == VK_SUCCESS);
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr, pool,
                                    1, &setLayout};
  VkDescriptorSet set;
  REQUIRE(vkAllocateDescriptorSets(device.handle, &alloc, &set) == VK_SUCCESS);
  const uint32_t n = 8 * 32;
  auto data = device.createBuffer(n * sizeof(double), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  // Values a float could not hold exactly: the doubling must keep every bit of the mantissa.
  for (uint32_t i = 0; i < n; ++i) data.as<double>()[i] = 1.0 + i * 1e-12;
  VkDescriptorBufferInfo bufferInfo{data.buffer, 0, VK_WHOLE_SIZE};
  VkWriteDescriptorSet write{
      VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set,         0,      0, 1,
      VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, &bufferInfo, nullptr};
  vkUpdateDescriptorSets(device.handle, 1, &write, 0, nullptr);
  device.run([&](VkCommandBuffer cb) {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    vkCmdDispatch(cb, n / 8, 1, 1);
    toHost(cb);
  });
  for (uint32_t i = 0; i < n; ++i) {
    const double expected = 2.0 * (1.0 + i * 1e-12);
    if (data.as<double>()[i] != expected) FAIL("o[" << i << "] = " << data.as<double>()[i]);
  }
  device.destroy(data);
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyPipeline(device.handle, pipeline, nullptr);
  vkDestroyPipelineLayout(device.handle, layout, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, setLayout, nullptr);
}
