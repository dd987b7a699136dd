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
#include "compute/pipeline.hpp"
#include "harness.hpp"
#include "tools/scoped_env.hpp"

namespace {

// vkCreateComputePipelines of `file`'s "main" with `bindings` storage buffers.
VkResult createPipeline(test::Device& device, const std::string& file, uint32_t bindings) {
  compute_test::Program program(device, compute_test::jitShader(file), bindings);
  VkPipeline pipeline;
  return program.tryPipeline(&pipeline);
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
