// Pipeline layouts: up to maxBoundDescriptorSets set layouts and maxPushConstantsSize bytes of push
// constants, and the layouts past emvk's limits, refused with a reason.
#include <catch2/catch.hpp>
#include <vector>

#include "descriptor/descriptors.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using descriptors::binding;

TEST_CASE(
    "descriptor: pipeline layouts take maxBoundDescriptorSets sets and maxPushConstantsSize "
    "bytes",
    "[descriptor]") {
  test::Instance instance;
  test::Device device(instance);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  const VkPhysicalDeviceLimits& limits = properties.limits;
  if (probe::isEmvk(instance.physical)) {
    CHECK(limits.maxBoundDescriptorSets == 4);
    CHECK(limits.maxPushConstantsSize == 128);
  }
  VkDescriptorSetLayout storage =
      descriptors::createLayout(device.handle, {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)});
  VkDescriptorSetLayout uniform = descriptors::createLayout(
      device.handle, {binding(0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER),
                      binding(1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC)});
  std::vector<VkDescriptorSetLayout> sets(limits.maxBoundDescriptorSets, storage);
  sets[1] = uniform;

  // Every set and one range of every push-constant byte, for the compute stage.
  const VkPushConstantRange all{VK_SHADER_STAGE_COMPUTE_BIT, 0, limits.maxPushConstantsSize};
  VkPipelineLayout full = descriptors::createPipelineLayout(device.handle, sets, {all});
  // Nothing at all, and ranges of different stages that overlap.
  VkPipelineLayout empty = descriptors::createPipelineLayout(device.handle, {});
  const std::vector<VkPushConstantRange> split = {{VK_SHADER_STAGE_COMPUTE_BIT, 0, 64},
                                                  {VK_SHADER_STAGE_VERTEX_BIT, 32, 96}};
  VkPipelineLayout ranges = descriptors::createPipelineLayout(device.handle, {storage}, split);

  // The set layouts may go before the pipeline layouts made from them.
  vkDestroyDescriptorSetLayout(device.handle, storage, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, uniform, nullptr);
  for (VkPipelineLayout l : {full, empty, ranges})
    vkDestroyPipelineLayout(device.handle, l, nullptr);
  CHECK(descriptors::driverErrors(instance) == 0);
}

TEST_CASE("descriptor: pipeline layouts past the limits are refused with a reason",
          "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // every layout here breaks a valid-usage rule on purpose
  test::Device device(instance);
  VkDescriptorSetLayout one =
      descriptors::createLayout(device.handle, {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)});
  VkDescriptorSetLayout three = descriptors::createLayout(
      device.handle, {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2),
                      binding(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)});
  VkDescriptorSetLayout unseen = descriptors::createLayout(
      device.handle, {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 8, 0)});

  auto refused = [&](const std::vector<VkDescriptorSetLayout>& sets,
                     const std::vector<VkPushConstantRange>& ranges, const char* because) {
    VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    info.setLayoutCount = static_cast<uint32_t>(sets.size());
    info.pSetLayouts = sets.data();
    info.pushConstantRangeCount = static_cast<uint32_t>(ranges.size());
    info.pPushConstantRanges = ranges.data();
    VkPipelineLayout layout = VK_NULL_HANDLE;
    CHECK(vkCreatePipelineLayout(device.handle, &info, nullptr, &layout) ==
          VK_ERROR_INITIALIZATION_FAILED);
    CHECK(instance.messages.contains(std::string("vkCreatePipelineLayout: ") + because));
  };
  SECTION("five sets (VUID-VkPipelineLayoutCreateInfo-setLayoutCount-00286)") {
    refused(std::vector(5, one), {}, "5 set layouts exceed maxBoundDescriptorSets (4)");
  }
  SECTION("six storage buffers for the compute stage (-descriptorType-03018)") {
    // Descriptors no stage sees count for nothing: `unseen` adds none.
    refused({three, three, unseen}, {},
            "6 descriptors for shader stage 0x20 exceed maxPerStageDescriptorStorageBuffers (4)");
  }
  SECTION("push constants past maxPushConstantsSize (VUID-VkPushConstantRange-size-00298)") {
    refused({}, {{VK_SHADER_STAGE_COMPUTE_BIT, 64, 68}},
            "push constant range 0 [64, +68) is not a non-empty range of whole words inside "
            "maxPushConstantsSize (128)");
  }
  SECTION("two ranges of one stage (-pPushConstantRanges-00292)") {
    refused({}, {{VK_SHADER_STAGE_COMPUTE_BIT, 0, 16}, {VK_SHADER_STAGE_COMPUTE_BIT, 16, 16}},
            "push constant range 1 has no stage or shares a stage with another");
  }
  for (VkDescriptorSetLayout l : {one, three, unseen})
    vkDestroyDescriptorSetLayout(device.handle, l, nullptr);
}
