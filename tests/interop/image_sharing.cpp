// Images in shared memory: dedicated LINEAR and OPTIMAL images shared both ways between two
// instances and with another process, byte for byte; identical layouts on both sides; refusal of
// an importer whose image differs; the capability queries (KHR and NV); and the interop warning
// at a release to VK_QUEUE_FAMILY_EXTERNAL in a layout other than GENERAL.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "harness.hpp"
#include "interop/external_image.hpp"
#include "interop/peer.hpp"
#include "tools/probe.hpp"

namespace {

test::DeviceOptions imageOptions() {
  test::DeviceOptions o;
  o.extensions = {VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                  VK_KHR_DEDICATED_ALLOCATION_EXTENSION_NAME,
                  VK_KHR_GET_MEMORY_REQUIREMENTS_2_EXTENSION_NAME,
                  VK_NV_EXTERNAL_MEMORY_EXTENSION_NAME};
  return o;
}

test::InstanceOptions nvInstance() {
  test::InstanceOptions o;
  o.extensions = {VK_NV_EXTERNAL_MEMORY_CAPABILITIES_EXTENSION_NAME};
  return o;
}

// An ownership transfer of the whole image on this device's family 0 (release or acquire).
void transfer(VkCommandBuffer cb, VkImage image, VkImageLayout oldLayout, VkImageLayout newLayout,
              uint32_t srcFamily, uint32_t dstFamily) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.srcAccessMask = srcFamily == VK_QUEUE_FAMILY_EXTERNAL ? 0 : VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = dstFamily == VK_QUEUE_FAMILY_EXTERNAL
                        ? 0
                        : VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.oldLayout = oldLayout;
  b.newLayout = newLayout;
  b.srcQueueFamilyIndex = srcFamily;
  b.dstQueueFamilyIndex = dstFamily;
  b.image = image;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS, 0,
                        VK_REMAINING_ARRAY_LAYERS};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 0, nullptr, 1, &b);
}

// Writes pattern `seed` into every subresource with a queue copy, then releases the image to
// VK_QUEUE_FAMILY_EXTERNAL in GENERAL. `first`: the image's contents so far are undefined.
void writeAndRelease(test::Device& device, VkImage image, const external::ImageParams& p,
                     uint64_t seed, bool first) {
  VkDeviceSize packed = 0;
  const auto regions = external::packedRegions(p, &packed);
  auto staging = device.createBuffer(packed);
  external::writePattern(staging.data, packed, seed);
  device.run([&](VkCommandBuffer cb) {
    if (first)
      transfer(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL,
               VK_QUEUE_FAMILY_IGNORED, VK_QUEUE_FAMILY_IGNORED);
    else
      transfer(cb, image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL,
               VK_QUEUE_FAMILY_EXTERNAL, 0);
    vkCmdCopyBufferToImage(cb, staging.buffer, image, VK_IMAGE_LAYOUT_GENERAL,
                           static_cast<uint32_t>(regions.size()), regions.data());
    transfer(cb, image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL, 0,
             VK_QUEUE_FAMILY_EXTERNAL);
  });
  device.destroy(staging);
}

// Acquires the image from VK_QUEUE_FAMILY_EXTERNAL, copies it out and returns the first
// mismatching packed byte against pattern `seed`, or -1.
int64_t acquireAndCheck(test::Device& device, VkImage image, const external::ImageParams& p,
                        uint64_t seed) {
  VkDeviceSize packed = 0;
  const auto regions = external::packedRegions(p, &packed);
  auto staging = device.createBuffer(packed);
  device.run([&](VkCommandBuffer cb) {
    transfer(cb, image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL, VK_QUEUE_FAMILY_EXTERNAL,
             0);
    vkCmdCopyImageToBuffer(cb, image, VK_IMAGE_LAYOUT_GENERAL, staging.buffer,
                           static_cast<uint32_t>(regions.size()), regions.data());
    transfer(cb, image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL, 0,
             VK_QUEUE_FAMILY_EXTERNAL);
    test::barrierToHost(cb);
  });
  const int64_t at = external::firstMismatch(staging.data, packed, seed);
  device.destroy(staging);
  return at;
}

}  // namespace

TEST_CASE(
    "external: dedicated LINEAR and OPTIMAL images are shared both ways between two instances",
    "[external][image]") {
  test::Instance first(nvInstance()), second(nvInstance());
  if (!probe::isEmvk(first.physical)) return;
  test::Device a(first, imageOptions()), b(second, imageOptions());
  for (VkImageTiling tiling : {VK_IMAGE_TILING_LINEAR, VK_IMAGE_TILING_OPTIMAL}) {
    INFO("tiling " << tiling);
    external::ImageParams p;
    p.tiling = tiling;
    if (tiling == VK_IMAGE_TILING_LINEAR)
      p.mipLevels = p.arrayLayers = 1;  // LINEAR: one subresource
    external::SharedImage exported, imported;
    REQUIRE(external::sharedImage(a.handle, p, a.hostVisibleMemoryType(), -1, 0, exported) ==
            VK_SUCCESS);
    int fd = -1;
    REQUIRE(external::exportFd(a.handle, exported.memory, &fd) == VK_SUCCESS);
    REQUIRE(external::sharedImage(b.handle, p, b.hostVisibleMemoryType(), fd,
                                  exported.allocationSize, imported) == VK_SUCCESS);

    writeAndRelease(a, exported.image, p, 51, true);         // A writes with its queue
    CHECK(acquireAndCheck(b, imported.image, p, 51) == -1);  // B reads with its queue
    writeAndRelease(b, imported.image, p, 52, false);        // and back
    CHECK(acquireAndCheck(a, exported.image, p, 52) == -1);

    if (tiling == VK_IMAGE_TILING_LINEAR) {
      // The aliasing contract made visible: both instances report the same layout, and a texel
      // written through one mapping is at that offset in the other.
      const VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
      VkSubresourceLayout la, lb;
      vkGetImageSubresourceLayout(a.handle, exported.image, &sub, &la);
      vkGetImageSubresourceLayout(b.handle, imported.image, &sub, &lb);
      CHECK(std::memcmp(&la, &lb, sizeof(la)) == 0);
      void *ma = nullptr, *mb = nullptr;
      REQUIRE(vkMapMemory(a.handle, exported.memory, 0, VK_WHOLE_SIZE, 0, &ma) == VK_SUCCESS);
      REQUIRE(vkMapMemory(b.handle, imported.memory, 0, VK_WHOLE_SIZE, 0, &mb) == VK_SUCCESS);
      const VkDeviceSize texel = la.offset + 5 * la.rowPitch + 7 * 4;  // (7, 5)
      const uint32_t value = 0xC0FFEE42;
      std::memcpy(static_cast<char*>(ma) + texel, &value, 4);
      uint32_t seen = 0;
      std::memcpy(&seen, static_cast<char*>(mb) + lb.offset + 5 * lb.rowPitch + 7 * 4, 4);
      CHECK(seen == value);
      vkUnmapMemory(a.handle, exported.memory);
      vkUnmapMemory(b.handle, imported.memory);
    }
    external::destroy(b.handle, imported);
    external::destroy(a.handle, exported);
  }
}

TEST_CASE("external: LINEAR and OPTIMAL images are shared with another process",
          "[external][image]") {
  test::Instance instance(nvInstance());
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, imageOptions());
  external::Peer peer;
  for (VkImageTiling tiling : {VK_IMAGE_TILING_LINEAR, VK_IMAGE_TILING_OPTIMAL}) {
    INFO("tiling " << tiling);
    external::ImageParams p;
    p.tiling = tiling;
    if (tiling == VK_IMAGE_TILING_LINEAR) p.mipLevels = p.arrayLayers = 1;
    external::SharedImage exported;
    REQUIRE(external::sharedImage(device.handle, p, device.hostVisibleMemoryType(), -1, 0,
                                  exported) == VK_SUCCESS);
    writeAndRelease(device, exported.image, p, 61, true);
    int fd = -1;
    REQUIRE(external::exportFd(device.handle, exported.memory, &fd) == VK_SUCCESS);

    auto m = fdpass::message("image-import-check-write", exported.allocationSize,
                             device.hostVisibleMemoryType(), 61, 62);
    m.width = p.width;
    m.height = p.height;
    m.mipLevels = p.mipLevels;
    m.arrayLayers = p.arrayLayers;
    m.format = p.format;
    m.tiling = p.tiling;
    const std::string reply = peer.request(m, fd);
    close(fd);
    REQUIRE(reply.rfind("ok", 0) == 0);
    CHECK(acquireAndCheck(device, exported.image, p, 62) == -1);
    if (tiling == VK_IMAGE_TILING_LINEAR) {
      // The peer reported its vkGetImageSubresourceLayout: it must equal this process's.
      const VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
      VkSubresourceLayout here;
      vkGetImageSubresourceLayout(device.handle, exported.image, &sub, &here);
      CHECK(reply == "ok layout " + external::describe(here));
    }
    external::destroy(device.handle, exported);
  }
}

TEST_CASE("external: an importer whose image differs from the exporter's is told which parameter",
          "[external][image]") {
  test::Instance instance(nvInstance());
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage =
      true;  // importing into a different image breaks the dedicated-import rule
  test::Device device(instance, imageOptions());
  external::ImageParams p;
  external::SharedImage exported, imported;
  REQUIRE(external::sharedImage(device.handle, p, device.hostVisibleMemoryType(), -1, 0,
                                exported) == VK_SUCCESS);
  int fd = -1;
  REQUIRE(external::exportFd(device.handle, exported.memory, &fd) == VK_SUCCESS);
  external::ImageParams other = p;
  other.format = VK_FORMAT_B8G8R8A8_UNORM;  // same size, different meaning: real GPUs would corrupt
  CHECK(external::sharedImage(device.handle, other, device.hostVisibleMemoryType(), fd,
                              exported.allocationSize,
                              imported) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  CHECK(instance.messages.contains("differs from the exporter's dedicated image: format"));
  CHECK(fcntl(fd, F_GETFD) >= 0);  // refused: still the application's
  close(fd);
  external::destroy(device.handle, exported);
}

TEST_CASE("external: image-format queries answer for opaque fds, dma-bufs and NV handle types",
          "[external][image]") {
  test::Instance instance(nvInstance());
  if (!probe::isEmvk(instance.physical)) return;
  auto query = [&](VkExternalMemoryHandleTypeFlagBits type, VkExternalImageFormatProperties* out) {
    VkPhysicalDeviceExternalImageFormatInfo external{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO, nullptr, type};
    VkPhysicalDeviceImageFormatInfo2 info{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
        &external,
        VK_FORMAT_R8G8B8A8_UNORM,
        VK_IMAGE_TYPE_2D,
        VK_IMAGE_TILING_OPTIMAL,
        VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
        0};
    VkImageFormatProperties2 props{VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2, out};
    return vkGetPhysicalDeviceImageFormatProperties2(instance.physical, &info, &props);
  };
  VkExternalImageFormatProperties fd{VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
  CHECK(query(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT, &fd) == VK_SUCCESS);
  CHECK(fd.externalMemoryProperties.externalMemoryFeatures ==
        (VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT));
  VkExternalImageFormatProperties dmabuf{VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
  CHECK(query(VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, &dmabuf) ==
        VK_ERROR_FORMAT_NOT_SUPPORTED);

  auto nv = instance.proc<PFN_vkGetPhysicalDeviceExternalImageFormatPropertiesNV>(
      "vkGetPhysicalDeviceExternalImageFormatPropertiesNV");
  REQUIRE(nv);
  VkExternalImageFormatPropertiesNV out{};
  // No handle type: the ordinary image properties, nothing external.
  CHECK(nv(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_OPTIMAL,
           VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, 0, &out) == VK_SUCCESS);
  CHECK(out.imageFormatProperties.maxExtent.width >= 4096);
  CHECK(out.externalMemoryFeatures == 0);
  // Every NV handle type is a Win32 handle, which cannot exist on Linux.
  for (VkExternalMemoryHandleTypeFlagsNV type :
       {VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_WIN32_BIT_NV,
        VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_WIN32_KMT_BIT_NV,
        VK_EXTERNAL_MEMORY_HANDLE_TYPE_D3D11_IMAGE_BIT_NV,
        VK_EXTERNAL_MEMORY_HANDLE_TYPE_D3D11_IMAGE_KMT_BIT_NV})
    CHECK(nv(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_OPTIMAL,
             VK_IMAGE_USAGE_TRANSFER_DST_BIT, 0, type, &out) == VK_ERROR_FORMAT_NOT_SUPPORTED);
}

TEST_CASE(
    "external: NV structures with no handle types are honoured, Win32 ones refused with a reason",
    "[external][image]") {
  test::Instance instance(nvInstance());
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, imageOptions());
  external::ImageParams p;
  VkExternalMemoryImageCreateInfoNV nv{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO_NV,
                                       nullptr, 0};
  VkImageCreateInfo info = external::imageInfo(p, &nv);
  VkImage image;
  REQUIRE(vkCreateImage(device.handle, &info, nullptr, &image) == VK_SUCCESS);
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(device.handle, image, &req);
  VkExportMemoryAllocateInfoNV exportNV{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO_NV, nullptr,
                                        0};
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportNV, req.size,
                             device.hostVisibleMemoryType()};
  VkDeviceMemory memory;
  REQUIRE(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) == VK_SUCCESS);
  REQUIRE(vkBindImageMemory(device.handle, image, memory, 0) == VK_SUCCESS);
  vkDestroyImage(device.handle, image, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);

  SECTION("Win32 handle types are refused, naming the KHR fd path") {
    instance.expectInvalidUsage = true;  // the query said these are unsupported
    nv.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_WIN32_BIT_NV;
    CHECK(vkCreateImage(device.handle, &info, nullptr, &image) == VK_ERROR_FORMAT_NOT_SUPPORTED);
    exportNV.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_WIN32_BIT_NV;
    CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) ==
          VK_ERROR_INVALID_EXTERNAL_HANDLE);
    CHECK(instance.messages.contains("do not exist on Linux"));
  }
}

TEST_CASE("external: releasing a shared image to another API outside GENERAL is warned about",
          "[external][image]") {
  test::Instance instance(nvInstance());
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, imageOptions());
  external::ImageParams p;
  external::SharedImage exported;
  REQUIRE(external::sharedImage(device.handle, p, device.hostVisibleMemoryType(), -1, 0,
                                exported) == VK_SUCCESS);
  device.run([&](VkCommandBuffer cb) {
    transfer(cb, exported.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL,
             VK_QUEUE_FAMILY_IGNORED, VK_QUEUE_FAMILY_IGNORED);
    transfer(cb, exported.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL, 0,
             VK_QUEUE_FAMILY_EXTERNAL);
  });
  CHECK_FALSE(instance.messages.contains("not VK_IMAGE_LAYOUT_GENERAL"));
  device.run([&](VkCommandBuffer cb) {
    transfer(cb, exported.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_GENERAL,
             VK_QUEUE_FAMILY_EXTERNAL, 0);
    transfer(cb, exported.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, 0,
             VK_QUEUE_FAMILY_EXTERNAL);
  });
  CHECK(instance.messages.contains("not VK_IMAGE_LAYOUT_GENERAL"));
  std::lock_guard lock(instance.messages.mutex);
  CHECK(instance.messages.warnings.size() >= 1);
  external::destroy(device.handle, exported);
}
