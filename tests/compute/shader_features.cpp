// A pipeline's SPIR-V capabilities need device features the application enabled, or subgroup
// operations the device reports (VUID-VkShaderModuleCreateInfo-pCode-08740). emvk checks when the
// pipeline is built, so a program tried under a reduced profile (EMVK_PROFILE) hears that its
// shader would not run on the device it poses as.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "compute/jit_shaders.hpp"
#include "harness.hpp"
#include "tools/scoped_env.hpp"

namespace {

// vkCreateComputePipelines of `file`'s "main" with `bindings` storage buffers.
VkResult createPipeline(test::Device& device, const std::string& file, uint32_t bindings) {
  const std::vector<uint32_t> words = compute_test::jitShader(file);
  std::vector<VkDescriptorSetLayoutBinding> slots;
  for (uint32_t i = 0; i < bindings; ++i)
    slots.push_back(
        {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          nullptr, 0, bindings, slots.data()};
  VkDescriptorSetLayout setLayout;
  REQUIRE(vkCreateDescriptorSetLayout(device.handle, &setInfo, nullptr, &setLayout) == VK_SUCCESS);
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, nullptr, 0,
                                        1, &setLayout};
  VkPipelineLayout layout;
  REQUIRE(vkCreatePipelineLayout(device.handle, &layoutInfo, nullptr, &layout) == VK_SUCCESS);
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
  VkPipeline pipeline = VK_NULL_HANDLE;
  const VkResult result =
      vkCreateComputePipelines(device.handle, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
  vkDestroyPipeline(device.handle, pipeline, nullptr);
  vkDestroyShaderModule(device.handle, module, nullptr);
  vkDestroyPipelineLayout(device.handle, layout, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, setLayout, nullptr);
  return result;
}

}  // namespace

TEST_CASE("shader features: a Float64 shader needs shaderFloat64 enabled", "[compute][features]") {
  SECTION("not enabled: refused, and the message names the capability and the feature") {
    test::Instance instance;
    instance.expectInvalidUsage = true;  // the validation layer says so at vkCreateShaderModule
    test::Device device(instance);
    CHECK(createPipeline(device, "float64.optimized.spv", 1) == VK_ERROR_UNKNOWN);
    CHECK(instance.messages.contains(
        "capability Float64 needs VkPhysicalDeviceFeatures::shaderFloat64 enabled"));
  }
  SECTION("enabled: built") {
    test::Instance instance;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.features.shaderFloat64 = VK_TRUE;
    test::Device device(instance, {.pNext = &features});
    CHECK(createPipeline(device, "float64.optimized.spv", 1) == VK_SUCCESS);
  }
}

TEST_CASE("shader features: a profile without subgroup arithmetic refuses a shader using it",
          "[compute][features][profile]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("emvk-shader-features-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "basic_subgroups.json").string();
  std::ofstream(file) << R"({
    "profiles": {"VP_TEST_basic_subgroups": {"version": 1, "api-version": "1.1.0",
      "label": "basic subgroups", "description": "subgroups without arithmetic",
      "capabilities": ["base"]}},
    "capabilities": {"base": {"properties": {"VkPhysicalDeviceSubgroupProperties": {
      "supportedOperations": ["VK_SUBGROUP_FEATURE_BASIC_BIT", "VK_SUBGROUP_FEATURE_VOTE_BIT"]}}}}
  })";
  test::ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  instance.expectInvalidUsage = true;  // so does the validation layer
  test::Device device(instance);
  CHECK(createPipeline(device, "subgroup_ops.optimized.spv", 2) == VK_ERROR_UNKNOWN);
  CHECK(
      instance.messages.contains("capability GroupNonUniformArithmetic needs "
                                 "VK_SUBGROUP_FEATURE_ARITHMETIC_BIT"));
}
