// Creating images and views: what the format query promises, what vkCreateImage accepts and
// refuses, and what memory an image asks for.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "image/images.hpp"
#include "tools/probe.hpp"

using images::kTransfer;

namespace {

VkResult queryImage(VkPhysicalDevice physical, VkFormat format, VkImageType type,
                    VkImageUsageFlags usage, VkImageCreateFlags flags = 0,
                    VkImageFormatProperties* out = nullptr,
                    VkImageTiling tiling = VK_IMAGE_TILING_OPTIMAL) {
  VkImageFormatProperties properties;
  const VkResult r = vkGetPhysicalDeviceImageFormatProperties(physical, format, type, tiling, usage,
                                                              flags, out ? out : &properties);
  // The ...2 query must agree.
  VkPhysicalDeviceImageFormatInfo2 info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2};
  info.format = format;
  info.type = type;
  info.tiling = tiling;
  info.usage = usage;
  info.flags = flags;
  VkImageFormatProperties2 properties2{VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2};
  CHECK(vkGetPhysicalDeviceImageFormatProperties2(physical, &info, &properties2) == r);
  return r;
}

}  // namespace

TEST_CASE("image: every supported format creates in LINEAR and OPTIMAL with honest requirements",
          "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  for (const auto& format : images::supportedFormats()) {
    for (VkImageTiling tiling : {VK_IMAGE_TILING_LINEAR, VK_IMAGE_TILING_OPTIMAL}) {
      CAPTURE(format.format, tiling);
      VkFormatProperties properties;
      vkGetPhysicalDeviceFormatProperties(instance.physical, format.format, &properties);
      CHECK(properties.linearTilingFeatures ==
            (VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT));
      REQUIRE(queryImage(instance.physical, format.format, VK_IMAGE_TYPE_2D, kTransfer, 0, nullptr,
                         tiling) == VK_SUCCESS);

      const VkImageCreateInfo info =
          images::imageInfo(format.format, {17, 9, 1}, 3, 4, tiling, VK_IMAGE_TYPE_2D);
      auto image = images::createImage(device, info);
      // The size is the layout's, with nothing hidden: docs/IMAGE_LAYOUT.md.
      CHECK(image.requirements.size == images::abi1Size(info));
      CHECK(image.requirements.alignment == 64);
      CHECK(image.requirements.memoryTypeBits == 0b11);

      VkMemoryDedicatedRequirements dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS};
      VkMemoryRequirements2 requirements2{VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2, &dedicated};
      VkImageMemoryRequirementsInfo2 which{VK_STRUCTURE_TYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2};
      which.image = image.image;
      vkGetImageMemoryRequirements2(device.handle, &which, &requirements2);
      CHECK(requirements2.memoryRequirements.size == image.requirements.size);
      CHECK(dedicated.prefersDedicatedAllocation == VK_FALSE);
      CHECK(dedicated.requiresDedicatedAllocation == VK_FALSE);
      images::destroy(device, image);
    }
  }
}

TEST_CASE("image: 1D, 3D and cube-compatible images and vkBindImageMemory2", "[image]") {
  test::Instance instance;
  test::Device device(instance);
  auto oneD =
      images::createImage(device, images::imageInfo(VK_FORMAT_R32_SFLOAT, {4096, 1, 1}, 13, 2,
                                                    VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_TYPE_1D));
  auto threeD =
      images::createImage(device, images::imageInfo(VK_FORMAT_R16G16_UNORM, {256, 8, 256}, 9, 1,
                                                    VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_TYPE_3D));
  VkImageCreateInfo cubeInfo = images::imageInfo(VK_FORMAT_B8G8R8A8_SRGB, {32, 32, 1}, 6, 12);
  cubeInfo.flags = VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT | VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT;
  auto cube = images::createImage(device, cubeInfo);
  if (probe::isEmvk(instance.physical)) {
    CHECK(oneD.requirements.size == images::abi1Size(oneD.info));
    CHECK(threeD.requirements.size == images::abi1Size(threeD.info));
    CHECK(cube.requirements.size == images::abi1Size(cube.info));
  }

  // Two images bound with one vkBindImageMemory2 call, side by side in one allocation.
  VkImage pair[2];
  const VkImageCreateInfo info = images::imageInfo(VK_FORMAT_R8_UINT, {100, 3, 1});
  for (VkImage& image : pair) VK_CHECK(vkCreateImage(device.handle, &info, nullptr, &image));
  VkMemoryRequirements r;
  vkGetImageMemoryRequirements(device.handle, pair[0], &r);
  const VkDeviceSize second = (r.size + r.alignment - 1) / r.alignment * r.alignment;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = second + r.size;
  alloc.memoryTypeIndex = device.hostVisibleMemoryType();
  VkDeviceMemory memory;
  VK_CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &memory));
  VkBindImageMemoryInfo binds[2] = {{VK_STRUCTURE_TYPE_BIND_IMAGE_MEMORY_INFO},
                                    {VK_STRUCTURE_TYPE_BIND_IMAGE_MEMORY_INFO}};
  binds[0].image = pair[0];
  binds[0].memory = memory;
  binds[1].image = pair[1];
  binds[1].memory = memory;
  binds[1].memoryOffset = second;
  VK_CHECK(vkBindImageMemory2(device.handle, 2, binds));

  uint32_t sparseCount = 7;
  vkGetImageSparseMemoryRequirements(device.handle, pair[0], &sparseCount, nullptr);
  CHECK(sparseCount == 0);  // no sparse images

  for (VkImage image : pair) vkDestroyImage(device.handle, image, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
  for (auto* image : {&oneD, &threeD, &cube}) images::destroy(device, *image);
}

TEST_CASE("image: the image format query promises transfers and nothing more", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  const VkPhysicalDevice physical = instance.physical;
  VkImageFormatProperties p;

  REQUIRE(queryImage(physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, kTransfer, 0, &p) ==
          VK_SUCCESS);
  CHECK((p.maxExtent.width == 4096 && p.maxExtent.height == 4096 && p.maxExtent.depth == 1));
  CHECK(p.maxMipLevels == 13);  // floor(log2(4096)) + 1
  CHECK(p.maxArrayLayers == 256);
  CHECK(p.sampleCounts == VK_SAMPLE_COUNT_1_BIT);
  CHECK(p.maxResourceSize == (VkDeviceSize{1} << 40));

  REQUIRE(queryImage(physical, VK_FORMAT_D24_UNORM_S8_UINT, VK_IMAGE_TYPE_3D,
                     VK_IMAGE_USAGE_TRANSFER_SRC_BIT, 0, &p) == VK_SUCCESS);
  CHECK((p.maxExtent.width == 256 && p.maxExtent.height == 256 && p.maxExtent.depth == 256));
  CHECK(p.maxMipLevels == 9);
  CHECK(p.maxArrayLayers == 1);

  REQUIRE(queryImage(physical, VK_FORMAT_R16_SFLOAT, VK_IMAGE_TYPE_1D, kTransfer, 0, &p) ==
          VK_SUCCESS);
  CHECK((p.maxExtent.width == 4096 && p.maxExtent.height == 1 && p.maxExtent.depth == 1));
  CHECK(queryImage(physical, VK_FORMAT_R8_UNORM, VK_IMAGE_TYPE_2D, kTransfer,
                   VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT | VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT |
                       VK_IMAGE_CREATE_ALIAS_BIT) == VK_SUCCESS);

  // Anything a shader, an attachment or a blit would need is refused: none of it exists yet.
  for (VkImageUsageFlags usage :
       {VK_IMAGE_USAGE_SAMPLED_BIT, VK_IMAGE_USAGE_STORAGE_BIT, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
        VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT,
        VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT}) {
    CAPTURE(usage);
    CHECK(queryImage(physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D,
                     usage | VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0,
                     &p) == VK_ERROR_FORMAT_NOT_SUPPORTED);
    CHECK(p.maxMipLevels == 0);  // an unsupported answer reads as zeros
  }
  CHECK(queryImage(physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_3D, kTransfer,
                   VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) == VK_ERROR_FORMAT_NOT_SUPPORTED);
  CHECK(queryImage(physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, kTransfer,
                   VK_IMAGE_CREATE_SPARSE_BINDING_BIT) == VK_ERROR_FORMAT_NOT_SUPPORTED);
  CHECK(queryImage(physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, kTransfer,
                   VK_IMAGE_CREATE_EXTENDED_USAGE_BIT) == VK_ERROR_FORMAT_NOT_SUPPORTED);
  // Formats outside the table: 24-bit, compressed, 64-bit components.
  for (VkFormat format : {VK_FORMAT_R8G8B8_UNORM, VK_FORMAT_BC1_RGB_UNORM_BLOCK,
                          VK_FORMAT_R64_SFLOAT, VK_FORMAT_E5B9G9R9_UFLOAT_PACK32}) {
    CAPTURE(format);
    CHECK(queryImage(physical, format, VK_IMAGE_TYPE_2D, kTransfer) ==
          VK_ERROR_FORMAT_NOT_SUPPORTED);
  }
}

TEST_CASE("image: vkCreateImage refuses what the format query refuses, and says why", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // each of these breaks a VkImageCreateInfo rule
  test::Device device(instance);

  struct Case {
    const char* what;
    VkImageCreateInfo info;
    const char* because;
  };
  auto with = [](auto change) {
    VkImageCreateInfo info = images::imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {64, 64, 1});
    change(info);
    return info;
  };
  const Case cases[] = {
      {"sampled usage", with([](auto& i) { i.usage |= VK_IMAGE_USAGE_SAMPLED_BIT; }), "usage"},
      {"4 samples", with([](auto& i) { i.samples = VK_SAMPLE_COUNT_4_BIT; }), "samples"},
      {"a 24-bit format", with([](auto& i) { i.format = VK_FORMAT_R8G8B8_UNORM; }), "format"},
      {"too wide", with([](auto& i) { i.extent.width = 8192; }), "exceeds"},
      {"too many mips", with([](auto& i) { i.mipLevels = 8; }), "mip levels"},
      {"too many layers", with([](auto& i) { i.arrayLayers = 257; }), "array layers"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    VkImage image = VK_NULL_HANDLE;
    CHECK(vkCreateImage(device.handle, &c.info, nullptr, &image) == VK_ERROR_FORMAT_NOT_SUPPORTED);
    CHECK(instance.messages.contains(std::string("vkCreateImage: ")));
    CHECK(instance.messages.contains(c.because));
  }
}

TEST_CASE("image: binding an image past the end of its memory is refused", "[image]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // VUID-vkBindImageMemory-size-01049
  test::Device device(instance);
  VkImage image;
  const VkImageCreateInfo info = images::imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {64, 64, 1});
  VK_CHECK(vkCreateImage(device.handle, &info, nullptr, &image));
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = 64 * 64 * 4;
  alloc.memoryTypeIndex = device.hostVisibleMemoryType();
  VkDeviceMemory memory;
  VK_CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &memory));
  CHECK(vkBindImageMemory(device.handle, image, memory, 64) == VK_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(instance.messages.contains("vkBindImageMemory"));
  vkDestroyImage(device.handle, image, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
}

TEST_CASE("image: views keep the range they name and refuse one outside the image", "[image]") {
  test::Instance instance;
  // VUID-VkImageViewCreateInfo-image-04441: a view needs a usage that reads through views
  // (sampled, storage, attachments), and emvk offers none of them yet.
  instance.expectInvalidUsage = true;
  test::Device device(instance);
  VkImageCreateInfo info = images::imageInfo(VK_FORMAT_R8G8B8A8_UNORM, {16, 16, 1}, 3, 6);
  info.flags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT | VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT;
  auto image = images::createImage(device, info);

  VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  view.image = image.image;
  view.viewType = VK_IMAGE_VIEW_TYPE_CUBE;
  view.format = VK_FORMAT_R32_UINT;  // same texel size: allowed with MUTABLE_FORMAT
  view.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 1, VK_REMAINING_MIP_LEVELS, 0,
                           VK_REMAINING_ARRAY_LAYERS};
  VkImageView handle;
  VK_CHECK(vkCreateImageView(device.handle, &view, nullptr, &handle));
  vkDestroyImageView(device.handle, handle, nullptr);

  if (probe::isEmvk(instance.physical)) {
    view.viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY;
    view.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 4, 3};  // layers 4..6 of 6
    CHECK(vkCreateImageView(device.handle, &view, nullptr, &handle) ==
          VK_ERROR_FORMAT_NOT_SUPPORTED);
    CHECK(instance.messages.contains("array layers"));
    view.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    view.format = VK_FORMAT_R16G16B16A16_UNORM;  // 8 bytes: not compatible
    CHECK(vkCreateImageView(device.handle, &view, nullptr, &handle) ==
          VK_ERROR_FORMAT_NOT_SUPPORTED);
    CHECK(instance.messages.contains("not compatible"));
  }
  images::destroy(device, image);
}
