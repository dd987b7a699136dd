// Multiview, the one feature Vulkan 1.1 requires beyond 1.0: render passes keep their subpasses'
// view masks. emvk has no graphics queue, so nothing executes a render pass; what is tested is
// what can be: creation with view masks, the limit, and the render-area granularity.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "tools/probe.hpp"

TEST_CASE("render pass: multiview render passes are created with their view masks",
          "[render-pass]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDeviceMultiviewFeatures multiview{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &multiview};
  vkGetPhysicalDeviceFeatures2(instance.physical, &features);
  REQUIRE(multiview.multiview == VK_TRUE);
  VkPhysicalDeviceMultiviewProperties limits{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &limits};
  vkGetPhysicalDeviceProperties2(instance.physical, &properties);
  CHECK(limits.maxMultiviewViewCount >= 6);  // the spec's minimum

  multiview.pNext = nullptr;
  test::DeviceOptions options;
  options.pNext = &multiview;  // enable it
  test::Device device(instance, options);

  // Two subpasses without attachments, each rendering to its own views.
  VkSubpassDescription subpasses[2] = {{0, VK_PIPELINE_BIND_POINT_GRAPHICS},
                                       {0, VK_PIPELINE_BIND_POINT_GRAPHICS}};
  const uint32_t viewMasks[2] = {0b000011, 0b110000};
  VkRenderPassMultiviewCreateInfo views{VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO};
  views.subpassCount = 2;
  views.pViewMasks = viewMasks;
  VkRenderPassCreateInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, &views};
  info.subpassCount = 2;
  info.pSubpasses = subpasses;
  VkRenderPass pass = VK_NULL_HANDLE;
  REQUIRE(vkCreateRenderPass(device.handle, &info, nullptr, &pass) == VK_SUCCESS);
  VkExtent2D granularity{};
  vkGetRenderAreaGranularity(device.handle, pass, &granularity);
  CHECK(granularity.width == 1);
  CHECK(granularity.height == 1);
  vkDestroyRenderPass(device.handle, pass, nullptr);

  SECTION("a view beyond maxMultiviewViewCount is refused with a reason") {
    instance.expectInvalidUsage = true;
    const uint32_t tooMany[2] = {0b1000000, 0b1};  // view 6: the seventh
    views.pViewMasks = tooMany;
    CHECK(vkCreateRenderPass(device.handle, &info, nullptr, &pass) != VK_SUCCESS);
    CHECK(instance.messages.contains("maxMultiviewViewCount"));
  }
}
