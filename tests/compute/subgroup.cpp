// Subgroups through the loader: the size VkPhysicalDeviceSubgroupProperties reports is the size
// shaders see, and every operation it lists runs (tests/jit/subgroup_ops.comp; the JIT tests
// check each result against a model, this one the link between the property and the shader).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "compute/jit_shaders.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

TEST_CASE("compute: subgroups are as large as reported, and all reported operations run",
          "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDeviceSubgroupProperties subgroup{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &subgroup};
  vkGetPhysicalDeviceProperties2(instance.physical, &properties);
  const uint32_t w = subgroup.subgroupSize;
  const VkSubgroupFeatureFlags all =
      VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_VOTE_BIT |
      VK_SUBGROUP_FEATURE_ARITHMETIC_BIT | VK_SUBGROUP_FEATURE_BALLOT_BIT |
      VK_SUBGROUP_FEATURE_SHUFFLE_BIT | VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT |
      VK_SUBGROUP_FEATURE_CLUSTERED_BIT | VK_SUBGROUP_FEATURE_QUAD_BIT;
  CHECK(subgroup.supportedOperations == all);
  CHECK(w >= 4);

  test::Device device(instance);
  VkDescriptorSetLayoutBinding bindings[2] = {
      {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          nullptr, 0, 2, bindings};
  VkDescriptorSetLayout setLayout;
  REQUIRE(vkCreateDescriptorSetLayout(device.handle, &setInfo, nullptr, &setLayout) == VK_SUCCESS);
  VkPipelineLayoutCreateInfo layoutInfo{
      VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, nullptr, 0, 1, &setLayout, 0, nullptr};
  VkPipelineLayout layout;
  REQUIRE(vkCreatePipelineLayout(device.handle, &layoutInfo, nullptr, &layout) == VK_SUCCESS);
  const std::vector<uint32_t> words = compute_test::jitShader("subgroup_ops.optimized.spv");
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                      words.size() * 4, words.data()};
  VkShaderModule module;
  REQUIRE(vkCreateShaderModule(device.handle, &moduleInfo, nullptr, &module) == VK_SUCCESS);
  const uint32_t size = 64;  // local_size_x_id 0
  VkSpecializationMapEntry entry{0, 0, 4};
  VkSpecializationInfo specialization{1, &entry, 4, &size};
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                nullptr,
                0,
                VK_SHADER_STAGE_COMPUTE_BIT,
                module,
                "main",
                &specialization};
  info.layout = layout;
  VkPipeline pipeline;
  REQUIRE(vkCreateComputePipelines(device.handle, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline) ==
          VK_SUCCESS);
  vkDestroyShaderModule(device.handle, module, nullptr);

  const uint32_t groups = 4, n = groups * size, outputs = 34;
  auto in = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto out = device.createBuffer(n * outputs * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  for (uint32_t i = 0; i < n; ++i) in.as<uint32_t>()[i] = i * 7 + 1;
  VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2};
  VkDescriptorPoolCreateInfo poolInfo{
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, 1, 1, &poolSize};
  VkDescriptorPool pool;
  REQUIRE(vkCreateDescriptorPool(device.handle, &poolInfo, nullptr, &pool) == VK_SUCCESS);
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr, pool,
                                    1, &setLayout};
  VkDescriptorSet set;
  REQUIRE(vkAllocateDescriptorSets(device.handle, &alloc, &set) == VK_SUCCESS);
  VkDescriptorBufferInfo infos[2] = {{in.buffer, 0, VK_WHOLE_SIZE}, {out.buffer, 0, VK_WHOLE_SIZE}};
  VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set,   0,      0, 2,
                             VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, infos, nullptr};
  vkUpdateDescriptorSets(device.handle, 1, &write, 0, nullptr);
  device.run([&](VkCommandBuffer cb) {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    vkCmdDispatch(cb, groups, 1, 1);
    VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT,
                      VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                         &b, 0, nullptr, 0, nullptr);
  });
  // Subgroup s of the dispatch holds invocations s*W ... s*W + W-1.
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t* o = &out.as<uint32_t>()[i * outputs];
    const uint32_t lane = i % w, first = i - lane;
    uint32_t sum = 0, inclusive = 0;
    for (uint32_t k = 0; k < w; ++k) sum += in.as<uint32_t>()[first + k];
    for (uint32_t k = 0; k <= lane; ++k) inclusive += in.as<uint32_t>()[first + k];
    INFO("invocation " << i << ", lane " << lane << " of " << w);
    CHECK(o[0] == sum);
    CHECK(o[7] == inclusive);
    CHECK((o[29] & 0xffff) == (1u << lane));
    CHECK(o[24] == in.as<uint32_t>()[first + (lane ^ 1)]);
  }
  device.destroy(in);
  device.destroy(out);
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyPipeline(device.handle, pipeline, nullptr);
  vkDestroyPipelineLayout(device.handle, layout, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, setLayout, nullptr);
}
