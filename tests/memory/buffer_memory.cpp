// Buffers meet memory: what a buffer asks for (vkGetBufferMemoryRequirements and its ...2 form)
// and binding several buffers into one allocation with vkBindBufferMemory2.
#include <catch2/catch.hpp>
#include <cstring>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

VkBuffer createBuffer(VkDevice device, VkDeviceSize size) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VK_CHECK(vkCreateBuffer(device, &info, nullptr, &buffer));
  return buffer;
}

VkDeviceSize alignUp(VkDeviceSize value, VkDeviceSize alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool isPowerOfTwo(VkDeviceSize value) { return value != 0 && (value & (value - 1)) == 0; }

}  // namespace

TEST_CASE("memory: buffer requirements cover the buffer and allow every memory type",
          "[memory][buffer]") {
  test::Instance instance;
  test::Device device(instance);
  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(instance.physical, &memory);
  const uint32_t allTypes = (1u << memory.memoryTypeCount) - 1;
  if (probe::isEmvk(instance.physical)) REQUIRE(allTypes == 0b11);

  for (VkDeviceSize size : {1, 3, 4096, 65537, (1 << 20) + 7}) {
    INFO("buffer size " << size);
    VkBuffer buffer = createBuffer(device.handle, size);
    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(device.handle, buffer, &requirements);
    REQUIRE(requirements.size >= size);
    // The alignment member is a power of two (VkMemoryRequirements).
    REQUIRE(isPowerOfTwo(requirements.alignment));
    // Every emvk type is plain host memory, so any of them can back a buffer.
    REQUIRE(requirements.memoryTypeBits == allTypes);
    vkDestroyBuffer(device.handle, buffer, nullptr);
  }
}

TEST_CASE("memory: vkGetBufferMemoryRequirements2 matches and needs no dedicated allocation",
          "[memory][buffer]") {
  test::Instance instance;
  test::Device device(instance);
  VkBuffer buffer = createBuffer(device.handle, 100000);

  VkMemoryRequirements classic;
  vkGetBufferMemoryRequirements(device.handle, buffer, &classic);

  VkMemoryDedicatedRequirements dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS};
  dedicated.prefersDedicatedAllocation = VK_TRUE;  // poisoned: the driver must write both
  dedicated.requiresDedicatedAllocation = VK_TRUE;
  VkMemoryRequirements2 requirements{VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2};
  requirements.pNext = &dedicated;
  VkBufferMemoryRequirementsInfo2 info{VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2};
  info.buffer = buffer;
  vkGetBufferMemoryRequirements2(device.handle, &info, &requirements);

  REQUIRE(requirements.memoryRequirements.size == classic.size);
  REQUIRE(requirements.memoryRequirements.alignment == classic.alignment);
  REQUIRE(requirements.memoryRequirements.memoryTypeBits == classic.memoryTypeBits);
  // Plain buffers suballocate freely: nothing about host memory favours a dedicated allocation.
  REQUIRE(dedicated.prefersDedicatedAllocation == VK_FALSE);
  REQUIRE(dedicated.requiresDedicatedAllocation == VK_FALSE);
  vkDestroyBuffer(device.handle, buffer, nullptr);
}

TEST_CASE("memory: two buffers bound into one allocation with vkBindBufferMemory2 copy correctly",
          "[memory][buffer]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize sourceSize = 1000, destinationSize = 3001;
  VkBuffer source = createBuffer(device.handle, sourceSize);
  VkBuffer destination = createBuffer(device.handle, destinationSize);
  VkMemoryRequirements sourceNeeds, destinationNeeds;
  vkGetBufferMemoryRequirements(device.handle, source, &sourceNeeds);
  vkGetBufferMemoryRequirements(device.handle, destination, &destinationNeeds);

  // Each offset is a multiple of that buffer's alignment
  // (VUID-VkBindBufferMemoryInfo-memoryOffset-01036); neither buffer starts at offset 0, so a
  // driver that ignores memoryOffset copies the wrong bytes.
  const VkDeviceSize sourceOffset = alignUp(64, sourceNeeds.alignment);
  const VkDeviceSize destinationOffset =
      alignUp(sourceOffset + sourceNeeds.size + 1, destinationNeeds.alignment);
  const VkDeviceSize total = destinationOffset + destinationNeeds.size;
  const uint32_t typeBits = sourceNeeds.memoryTypeBits & destinationNeeds.memoryTypeBits;
  REQUIRE((typeBits & (1u << device.hostVisibleMemoryType())) != 0);

  VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocation.allocationSize = total;
  allocation.memoryTypeIndex = device.hostVisibleMemoryType();
  VkDeviceMemory memory;
  VK_CHECK(vkAllocateMemory(device.handle, &allocation, nullptr, &memory));

  VkBindBufferMemoryInfo binds[2]{};
  binds[0] = {VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_INFO, nullptr, source, memory, sourceOffset};
  binds[1] = {VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_INFO, nullptr, destination, memory,
              destinationOffset};
  VK_CHECK(vkBindBufferMemory2(device.handle, 2, binds));

  uint8_t* bytes = nullptr;
  VK_CHECK(
      vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, reinterpret_cast<void**>(&bytes)));
  std::memset(bytes, 0xEE, total);
  for (VkDeviceSize i = 0; i < sourceSize; ++i)
    bytes[sourceOffset + i] = static_cast<uint8_t>(i * 7 + 1);

  // Copy the whole source to byte 999 of the destination: a region that is aligned to nothing.
  const VkDeviceSize at = 999;
  device.run([&](VkCommandBuffer cb) {
    VkBufferCopy region{0, at, sourceSize};
    vkCmdCopyBuffer(cb, source, destination, 1, &region);
    test::barrierToHost(cb);
  });

  // The copy landed at destinationOffset + at, byte for byte, and touched nothing else.
  for (VkDeviceSize i = 0; i < total; ++i) {
    const bool inSource = i >= sourceOffset && i < sourceOffset + sourceSize;
    const VkDeviceSize copied = destinationOffset + at;
    const bool inCopy = i >= copied && i < copied + sourceSize;
    const uint8_t expected = inSource ? static_cast<uint8_t>((i - sourceOffset) * 7 + 1)
                             : inCopy ? static_cast<uint8_t>((i - copied) * 7 + 1)
                                      : 0xEE;
    if (bytes[i] != expected)
      FAIL("byte " << i << " is " << int(bytes[i]) << ", expected " << int(expected));
  }

  vkDestroyBuffer(device.handle, source, nullptr);
  vkDestroyBuffer(device.handle, destination, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
}

TEST_CASE("memory: a buffer bound past the end of its memory is refused with a reason",
          "[memory]") {
  test::Instance instance;
  instance.expectInvalidUsage = true;  // VUID-vkBindBufferMemory-size-01037, on purpose
  test::Device device(instance);
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = 4096;
  info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  VkBuffer buffer;
  VK_CHECK(vkCreateBuffer(device.handle, &info, nullptr, &buffer));
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, nullptr, 4096,
                             device.hostVisibleMemoryType()};
  VkDeviceMemory memory;
  VK_CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &memory));
  // Later fills and copies would write past the allocation: emvk refuses the bind instead.
  if (probe::isEmvk(instance.physical)) {
    CHECK(vkBindBufferMemory(device.handle, buffer, memory, 1024) == VK_ERROR_OUT_OF_DEVICE_MEMORY);
    CHECK(instance.messages.contains("do not fit in memory of 4096 bytes"));
  }
  vkDestroyBuffer(device.handle, buffer, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
}
