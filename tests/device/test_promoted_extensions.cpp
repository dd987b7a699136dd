// Extensions whose functionality became core 1.1 (VK_KHR_get_memory_requirements2,
// VK_KHR_bind_memory2, VK_KHR_dedicated_allocation): older programs call the KHR names. Once the
// extensions are enabled those names must resolve, and they must do what the core functions do.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "tools/probe.hpp"

TEST_CASE("device: the KHR names of promoted memory extensions work once enabled",
          "[device][extensions]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::DeviceOptions options;
  options.extensions = {VK_KHR_GET_MEMORY_REQUIREMENTS_2_EXTENSION_NAME,
                        VK_KHR_BIND_MEMORY_2_EXTENSION_NAME,
                        VK_KHR_DEDICATED_ALLOCATION_EXTENSION_NAME};
  test::Device device(instance, options);
  auto requirements2 =
      device.proc<PFN_vkGetBufferMemoryRequirements2KHR>("vkGetBufferMemoryRequirements2KHR");
  auto bind2 = device.proc<PFN_vkBindBufferMemory2KHR>("vkBindBufferMemory2KHR");
  REQUIRE(requirements2);
  REQUIRE(bind2);
  CHECK(device.proc<PFN_vkGetImageMemoryRequirements2KHR>("vkGetImageMemoryRequirements2KHR"));
  CHECK(device.proc<PFN_vkBindImageMemory2KHR>("vkBindImageMemory2KHR"));
  CHECK(device.proc<PFN_vkGetImageSparseMemoryRequirements2KHR>(
      "vkGetImageSparseMemoryRequirements2KHR"));

  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = 1000;
  info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  VkBuffer buffer;
  REQUIRE(vkCreateBuffer(device.handle, &info, nullptr, &buffer) == VK_SUCCESS);
  VkMemoryDedicatedRequirements dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS};
  VkMemoryRequirements2 req{VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2, &dedicated};
  VkBufferMemoryRequirementsInfo2 query{VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2,
                                        nullptr, buffer};
  requirements2(device.handle, &query, &req);
  VkMemoryRequirements core;
  vkGetBufferMemoryRequirements(device.handle, buffer, &core);
  CHECK(req.memoryRequirements.size == core.size);
  CHECK(req.memoryRequirements.alignment == core.alignment);
  CHECK(dedicated.requiresDedicatedAllocation == VK_FALSE);

  // A dedicated allocation for the buffer, bound through the KHR name.
  VkMemoryDedicatedAllocateInfo dedicate{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, nullptr,
                                         VK_NULL_HANDLE, buffer};
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &dedicate, core.size,
                             device.hostVisibleMemoryType()};
  VkDeviceMemory memory;
  REQUIRE(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) == VK_SUCCESS);
  VkBindBufferMemoryInfo bind{VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_INFO, nullptr, buffer, memory,
                              0};
  CHECK(bind2(device.handle, 1, &bind) == VK_SUCCESS);
  device.run([&](VkCommandBuffer cb) {
    vkCmdFillBuffer(cb, buffer, 0, VK_WHOLE_SIZE, 0x01020304);
    test::barrierToHost(cb);
  });
  void* data = nullptr;
  REQUIRE(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &data) == VK_SUCCESS);
  CHECK(static_cast<uint32_t*>(data)[249] == 0x01020304);  // the last whole word of 1000 bytes
  vkUnmapMemory(device.handle, memory);
  vkDestroyBuffer(device.handle, buffer, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
}
