// External memory: which handle types emvk can export and import, the answers the capability
// queries give about them, and how vkAllocateMemory's export/import structures become a backing.
// The teaching walk-through is docs/EXTERNAL_MEMORY.md.
#pragma once
#include <vulkan/vulkan.h>

#include <string>

#include "memory/allocation.hpp"
#include "memory/identity_record.hpp"

namespace emvk {

class Device;

// Handle types emvk can export (and import): an opaque fd is a sealed memfd with an identity
// record.
inline constexpr VkExternalMemoryHandleTypeFlags kExportableMemoryTypes =
    VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
// Host pointers can only be imported (VK_EXT_external_memory_host).
inline constexpr VkExternalMemoryHandleTypeFlags kHostPointerTypes =
    VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
// VkPhysicalDeviceExternalMemoryHostPropertiesEXT: a fixed 4 KiB, whatever the host's page size,
// so the answer is the same on every host.
inline constexpr VkDeviceSize kHostPointerAlignment = 4096;

// What the external-memory query answers for one handle type (buffers and images alike).
VkExternalMemoryProperties externalMemoryProperties(VkExternalMemoryHandleTypeFlagBits handleType);

// For vkGetPhysicalDeviceImageFormatProperties2 with VkPhysicalDeviceExternalImageFormatInfo in
// the chain: fills VkExternalImageFormatProperties (if chained) and returns VK_SUCCESS when the
// handle type can back an image with these parameters, VK_ERROR_FORMAT_NOT_SUPPORTED otherwise.
// Without external info in the chain it returns VK_SUCCESS and touches nothing.
VkResult fillExternalImageFormatProperties(const VkPhysicalDeviceImageFormatInfo2& info,
                                           VkImageFormatProperties2& properties);

// What vkAllocateMemory's pNext chain asks for, checked against what emvk supports.
struct AllocationRequest {
  VkExternalMemoryHandleTypeFlags exportTypes = 0;
  const VkImportMemoryFdInfoKHR* importFd = nullptr;             // null: no fd import
  const VkImportMemoryHostPointerInfoEXT* importHost = nullptr;  // null: no host-pointer import
  memory::Dedication dedication = memory::Dedication::None;
  memory::DedicatedImage image{};
  memory::DedicatedBuffer buffer{};
};

// The parameters of an image as a dedicated allocation's identity record keeps them
// (device/image_identity.cpp).
memory::DedicatedImage dedicatedImageOf(VkImage image);

// The interop contract at an ownership transfer: an image bound to shared memory that is released
// to VK_QUEUE_FAMILY_EXTERNAL or VK_QUEUE_FAMILY_FOREIGN_EXT in a layout other than GENERAL gets a
// warning naming the rule (emvk's bytes do not depend on layouts, but a real GPU's do).
void checkExternalRelease(Device& device, VkImage image, uint32_t srcFamily, uint32_t dstFamily,
                          VkImageLayout newLayout);

// For EMVK_TRACE and messages: a file's inode (0 if none), the key that names one memfd in every
// process, and a dedicated image's parameters in words.
uint64_t fileInode(int fd);
std::string describeImage(const memory::DedicatedImage& image);

Result<AllocationRequest> describeAllocation(Device& device, const VkMemoryAllocateInfo& info);
Result<memory::Allocation> allocateBacking(Device& device, const VkMemoryAllocateInfo& info,
                                           const AllocationRequest& request);

}  // namespace emvk
