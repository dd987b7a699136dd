// saxpy through the loader, shared by the compute tests: the shader (tests/jit/saxpy.comp, compiled
// by glslc at build time), its layouts, pipeline and descriptor set, and the recording of one
// dispatch. Header-only: tests/CMakeLists.txt globs tests/*/*.cpp.
#pragma once
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "compute/jit_shaders.hpp"
#include "harness.hpp"

namespace compute_test {

inline std::vector<uint32_t> spirv(const std::string& name) { return jitShader(name); }

// saxpy's interface: two storage buffers (x, y) and push constants {float a; uint n;}.
struct Saxpy {
  VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;

  Saxpy(test::Device& device, VkPipelineCreateFlags flags, VkPipelineCache cache = VK_NULL_HANDLE)
      : device_(device) {
    VkDescriptorSetLayoutBinding bindings[2] = {
        {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            nullptr, 0, 2, bindings};
    REQUIRE(vkCreateDescriptorSetLayout(device.handle, &setInfo, nullptr, &setLayout) ==
            VK_SUCCESS);
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, 8};
    VkPipelineLayoutCreateInfo layoutInfo{
        VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, nullptr, 0, 1, &setLayout, 1, &push};
    REQUIRE(vkCreatePipelineLayout(device.handle, &layoutInfo, nullptr, &layout) == VK_SUCCESS);

    const std::vector<uint32_t> words = spirv("saxpy.optimized.spv");
    VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                        words.size() * 4, words.data()};
    VkShaderModule module;
    REQUIRE(vkCreateShaderModule(device.handle, &moduleInfo, nullptr, &module) == VK_SUCCESS);
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.flags = flags;
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  nullptr,
                  0,
                  VK_SHADER_STAGE_COMPUTE_BIT,
                  module,
                  "main",
                  nullptr};
    info.layout = layout;
    REQUIRE(vkCreateComputePipelines(device.handle, cache, 1, &info, nullptr, &pipeline) ==
            VK_SUCCESS);
    vkDestroyShaderModule(device.handle, module,
                          nullptr);  // the pipeline does not need it any more

    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2};
    VkDescriptorPoolCreateInfo poolInfo{
        VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, 1, 1, &size};
    REQUIRE(vkCreateDescriptorPool(device.handle, &poolInfo, nullptr, &pool) == VK_SUCCESS);
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr, pool,
                                      1, &setLayout};
    REQUIRE(vkAllocateDescriptorSets(device.handle, &alloc, &set) == VK_SUCCESS);
  }
  ~Saxpy() {
    vkDestroyDescriptorPool(device_.handle, pool, nullptr);
    vkDestroyPipeline(device_.handle, pipeline, nullptr);
    vkDestroyPipelineLayout(device_.handle, layout, nullptr);
    vkDestroyDescriptorSetLayout(device_.handle, setLayout, nullptr);
  }

  void bindBuffers(const test::Buffer& x, const test::Buffer& y) {
    VkDescriptorBufferInfo infos[2] = {{x.buffer, 0, VK_WHOLE_SIZE}, {y.buffer, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set,   0,      0, 2,
                               VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, infos, nullptr};
    vkUpdateDescriptorSets(device_.handle, 1, &write, 0, nullptr);
  }

  void record(VkCommandBuffer cb, float a, uint32_t n) {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    struct {
      float a;
      uint32_t n;
    } constants{a, n};
    vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(constants), &constants);
  }

 private:
  test::Device& device_;
};

inline void toHost(VkCommandBuffer cb) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &b, 0, nullptr, 0, nullptr);
}

}  // namespace compute_test
