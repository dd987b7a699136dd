// Descriptor set layouts: every core type a compute shader may name, arrays, empty bindings and
// bindings given in any order; the support query up to maxPerSetDescriptors; and the layouts emvk
// refuses, each with a reason.
#include <catch2/catch.hpp>
#include <vector>

#include "descriptor/descriptors.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using descriptors::binding;

namespace {

uint32_t maxPerSetDescriptors(VkPhysicalDevice physical) {
  VkPhysicalDeviceMaintenance3Properties maintenance3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                         &maintenance3};
  vkGetPhysicalDeviceProperties2(physical, &properties);
  return maintenance3.maxPerSetDescriptors;
}

VkBool32 supported(VkDevice device, const std::vector<VkDescriptorSetLayoutBinding>& bindings) {
  const VkDescriptorSetLayoutCreateInfo info = descriptors::layoutInfo(bindings);
  VkDescriptorSetLayoutSupport support{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_SUPPORT};
  support.supported = VK_FALSE;
  vkGetDescriptorSetLayoutSupport(device, &info, &support);
  return support.supported;
}

}  // namespace

TEST_CASE("descriptor: set layouts take every core type, arrays and empty bindings in any order",
          "[descriptor]") {
  test::Instance instance;
  test::Device device(instance);
  // Bindings out of order, a gap (binding 9 is never named), an empty binding (count 0), and the
  // image and sampler types, which a layout may hold before anything reads them.
  const std::vector<VkDescriptorSetLayoutBinding> bindings = {
      binding(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2),
      binding(0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER),
      binding(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC),
      binding(2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 0),
      binding(5, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 3),
      binding(4, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER),
      binding(7, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 2),
      binding(8, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE),
      binding(6, VK_DESCRIPTOR_TYPE_SAMPLER),
      binding(10, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4),
  };
  CHECK(supported(device.handle, bindings) == VK_TRUE);
  VkDescriptorSetLayout layout = descriptors::createLayout(device.handle, bindings);
  VkDescriptorSetLayout empty = descriptors::createLayout(device.handle, {});
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, empty, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, VK_NULL_HANDLE, nullptr);
  CHECK(descriptors::driverErrors(instance) == 0);
}

TEST_CASE("descriptor: vkGetDescriptorSetLayoutSupport says yes up to maxPerSetDescriptors",
          "[descriptor]") {
  test::Instance instance;
  test::Device device(instance);
  const uint32_t max = maxPerSetDescriptors(instance.physical);
  REQUIRE(max >= 1024);  // the spec's minimum
  // Spread over two bindings: the limit counts descriptors of every binding together.
  const std::vector<VkDescriptorSetLayoutBinding> atLimit = {
      binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, max / 2),
      binding(1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, max - max / 2)};
  CHECK(supported(device.handle, atLimit) == VK_TRUE);
  VkDescriptorSetLayout layout = descriptors::createLayout(device.handle, atLimit);
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);

  if (!probe::isEmvk(instance.physical)) return;  // past the limit, drivers differ
  CHECK(max == 1024);
  const std::vector<VkDescriptorSetLayoutBinding> pastLimit = {
      binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, max / 2),
      binding(1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, max - max / 2 + 1)};
  CHECK(supported(device.handle, pastLimit) == VK_FALSE);
  // Creation agrees with the query, and says why.
  const VkDescriptorSetLayoutCreateInfo info = descriptors::layoutInfo(pastLimit);
  VkDescriptorSetLayout refused = VK_NULL_HANDLE;
  CHECK(vkCreateDescriptorSetLayout(device.handle, &info, nullptr, &refused) ==
        VK_ERROR_OUT_OF_HOST_MEMORY);
  CHECK(instance.messages.contains("1025 descriptors exceed maxPerSetDescriptors (1024)"));
}

TEST_CASE(
    "descriptor: set layouts that break a rule or need an extension are refused with a reason",
    "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // every layout here breaks a valid-usage rule on purpose
  test::Device device(instance);

  auto refused = [&](const VkDescriptorSetLayoutCreateInfo& info, VkResult expected,
                     const char* because) {
    VkDescriptorSetLayout layout = VK_NULL_HANDLE;
    CHECK(vkCreateDescriptorSetLayout(device.handle, &info, nullptr, &layout) == expected);
    CHECK(instance.messages.contains(std::string("vkCreateDescriptorSetLayout: ") + because));
    VkDescriptorSetLayoutSupport support{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_SUPPORT};
    vkGetDescriptorSetLayoutSupport(device.handle, &info, &support);
    CHECK(support.supported == VK_FALSE);
  };
  SECTION("a binding number twice (VUID-VkDescriptorSetLayoutCreateInfo-binding-00279)") {
    const std::vector<VkDescriptorSetLayoutBinding> twice = {
        binding(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER),
        binding(2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER)};
    refused(descriptors::layoutInfo(twice), VK_ERROR_INITIALIZATION_FAILED,
            "binding 2 appears more than once");
  }
  SECTION("push descriptors, an extension emvk does not offer") {
    const std::vector<VkDescriptorSetLayoutBinding> one = {
        binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)};
    VkDescriptorSetLayoutCreateInfo info = descriptors::layoutInfo(one);
    info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    refused(info, VK_ERROR_FEATURE_NOT_PRESENT, "flags 0x1 need extensions");
  }
  SECTION("an inline uniform block, an extension type") {
    const std::vector<VkDescriptorSetLayoutBinding> block = {
        binding(0, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 16)};
    refused(descriptors::layoutInfo(block), VK_ERROR_FEATURE_NOT_PRESENT,
            "binding 0: descriptor type 1000138000 needs an extension");
  }
}
