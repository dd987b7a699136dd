#include "device/device_memory.hpp"

#include "device/device.hpp"
#include "device/external_memory.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {

namespace {

// The bytes of device memory this process holds, for the trace's counter track, and how many of
// its allocations are memfds other processes may share (VK_EXT_tooling_info names emvk-inspect
// while there are any).
std::atomic<int64_t> liveBytes{0};
std::atomic<int64_t> liveShared{0};

bool sharable(memory::Backing backing) {
  return backing == memory::Backing::Memfd || backing == memory::Backing::ImportedFd;
}

const char* backingName(memory::Backing backing) {
  switch (backing) {
    case memory::Backing::Anonymous:
      return "anonymous pages";
    case memory::Backing::Memfd:
      return "exportable memfd";
    case memory::Backing::ImportedFd:
      return "imported fd";
    case memory::Backing::HostPointer:
      return "host pointer";
  }
  return "?";
}

}  // namespace

bool processHoldsSharedMemory() { return liveShared.load(std::memory_order_relaxed) > 0; }

DeviceMemory::~DeviceMemory() {
  const int64_t live = liveBytes.fetch_sub(static_cast<int64_t>(size())) - int64_t(size());
  if (sharable(allocation_.backing())) liveShared.fetch_sub(1);
  if (!trace::enabled()) return;
  trace::instant("memory", "vkFreeMemory",
                 trace::Args().addHandle("memory", this).add("size", size()));
  trace::counter("device memory", "bytes", static_cast<double>(live));
}

void DeviceMemory::traceAllocation() const {
  const int64_t live = liveBytes.fetch_add(static_cast<int64_t>(size())) + int64_t(size());
  if (sharable(allocation_.backing())) liveShared.fetch_add(1);
  if (!trace::enabled()) return;
  trace::Args args;
  args.addHandle("memory", this).add("size", size()).add("type", typeIndex());
  args.add("backing", backingName(allocation_.backing()));
  if (exportTypes_) args.addHex("exportTypes", exportTypes_);
  if (allocation_.fd() >= 0) args.add("inode", fileInode(allocation_.fd()));
  trace::instant("memory", "vkAllocateMemory", args);
  trace::counter("device memory", "bytes", static_cast<double>(live));
}

VkResult DeviceMemory::map(uint64_t offset, uint64_t size, void** ppData) {
  // VUID-vkMapMemory-memory-00678: memory must not be mapped already. Real drivers return garbage
  // or crash here; emvk says so and fails cleanly.
  bool expected = false;
  if (!mapped_.compare_exchange_strong(expected, true)) {
    EMVK_LOG(&device_.instance(), Error, logObject(this),
             "vkMapMemory: memory is already mapped (VUID-vkMapMemory-memory-00678)");
    return VK_ERROR_MEMORY_MAP_FAILED;
  }
  // VUID-vkMapMemory-offset-00679 / size-00681: the range lies inside the allocation.
  if (offset >= this->size() || (size != VK_WHOLE_SIZE && size > this->size() - offset)) {
    mapped_.store(false);
    EMVK_LOG(&device_.instance(), Error, logObject(this), "vkMapMemory: range [", offset, ", +",
             size, ") is outside the allocation of ", this->size(), " bytes");
    return VK_ERROR_MEMORY_MAP_FAILED;
  }
  *ppData = data() + offset;
  return VK_SUCCESS;
}

VkResult DeviceMemory::checkBinding(const VkMemoryRequirements& r, VkDeviceSize offset,
                                    LogObject resource, const char* call) const {
  // VUID-vkBindBufferMemory-memoryOffset-01036 / -size-01037,
  // VUID-vkBindImageMemory-memoryOffset-01048 / -size-01049.
  if (offset % r.alignment == 0 && offset <= size() && size() - offset >= r.size) return VK_SUCCESS;
  EMVK_LOG(&device_.instance(), Error, resource, call, ": ", r.size, " bytes at offset ", offset,
           " (alignment ", r.alignment, ") do not fit in memory of ", size(), " bytes");
  return VK_ERROR_OUT_OF_DEVICE_MEMORY;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_AllocateMemory(VkDevice device,
                                                   const VkMemoryAllocateInfo* pAllocateInfo,
                                                   const VkAllocationCallbacks*,
                                                   VkDeviceMemory* pMemory) {
  Device* d = fromHandle(device);
  const PhysicalDevice& pd = d->physicalDevice();
  // VUID-vkAllocateMemory-pAllocateInfo-01714: the type index names one of the reported types.
  if (pAllocateInfo->memoryTypeIndex >= pd.memoryProperties().memoryTypeCount) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkAllocateMemory: memory type ",
             pAllocateInfo->memoryTypeIndex, " does not exist");
    return VK_ERROR_OUT_OF_DEVICE_MEMORY;
  }
  auto request = describeAllocation(*d, *pAllocateInfo);
  if (!request) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkAllocateMemory refused: ", request.error().why);
    return request.error().code;
  }
  auto allocation = allocateBacking(*d, *pAllocateInfo, request.value());
  if (!allocation) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkAllocateMemory failed: ", allocation.error().why);
    return allocation.error().code;
  }
  if (!d->acquireAllocationSlot()) {  // VUID-vkAllocateMemory-maxMemoryAllocationCount-04101
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkAllocateMemory refused: ", pd.properties().limits.maxMemoryAllocationCount,
             " allocations (maxMemoryAllocationCount) are live already");
    return VK_ERROR_TOO_MANY_OBJECTS;
  }
  auto memory = std::make_unique<DeviceMemory>(
      *d, allocation.take(), pAllocateInfo->memoryTypeIndex, request.value().exportTypes);
  memory->traceAllocation();
  *pMemory = release<VkDeviceMemory>(std::move(memory));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_FreeMemory(VkDevice device, VkDeviceMemory memory,
                                           const VkAllocationCallbacks*) {
  if (memory) fromHandle(device)->releaseAllocationSlot();
  reclaim(memory);  // an outstanding mapping goes with it (vkFreeMemory unmaps implicitly)
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_MapMemory(VkDevice, VkDeviceMemory memory, VkDeviceSize offset,
                                              VkDeviceSize size, VkMemoryMapFlags, void** ppData) {
  return fromHandle(memory)->map(offset, size, ppData);
}

VKAPI_ATTR void VKAPI_CALL emvk_UnmapMemory(VkDevice, VkDeviceMemory memory) {
  fromHandle(memory)->unmap();
}

// All of emvk's memory is host-coherent: the device *is* the host, so there is nothing to flush.
VKAPI_ATTR VkResult VKAPI_CALL emvk_FlushMappedMemoryRanges(VkDevice, uint32_t,
                                                            const VkMappedMemoryRange*) {
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_InvalidateMappedMemoryRanges(VkDevice, uint32_t,
                                                                 const VkMappedMemoryRange*) {
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDeviceMemoryCommitment(VkDevice, VkDeviceMemory memory,
                                                          VkDeviceSize* pCommitted) {
  // No type is LAZILY_ALLOCATED; the whole size counts as committed.
  *pCommitted = fromHandle(memory)->size();
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetMemoryFdKHR(VkDevice device,
                                                   const VkMemoryGetFdInfoKHR* pInfo, int* pFd) {
  DeviceMemory* memory = fromHandle(pInfo->memory);
  // VUID-VkMemoryGetFdInfoKHR-handleType-00671: only a type named at allocation time.
  if (!(memory->exportTypes() & pInfo->handleType)) {
    EMVK_LOG(
        &fromHandle(device)->instance(), Error, logObject(memory),
        "vkGetMemoryFdKHR: the memory was not allocated exportable as handle type 0x", std::hex,
        pInfo->handleType,
        " (VkExportMemoryAllocateInfo::handleTypes, VUID-VkMemoryGetFdInfoKHR-handleType-00671)");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  auto fd = memory->allocation().exportFd();
  if (!fd) {
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(memory),
             "vkGetMemoryFdKHR: ", fd.error().why);
    return fd.error().code;
  }
  *pFd = fd.value();  // a new descriptor each call; the application owns it
  if (trace::enabled()) {
    trace::instant("interop", "export memory",
                   trace::Args()
                       .addHandle("memory", memory)
                       .add("fd", *pFd)
                       .add("size", memory->size())
                       .add("inode", fileInode(*pFd)));
  }
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
emvk_GetMemoryFdPropertiesKHR(VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, int,
                              VkMemoryFdPropertiesKHR* pProperties) {
  // VUID-vkGetMemoryFdPropertiesKHR-handleType-00674: never asked for OPAQUE_FD, and emvk imports
  // no other fd type (DMA_BUF would need a kernel driver), so every call has one answer.
  pProperties->memoryTypeBits = 0;
  EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(fromHandle(device)),
           "vkGetMemoryFdPropertiesKHR: handle type 0x", std::hex, handleType,
           " is not an fd type emvk can import (OPAQUE_FD needs no query)");
  return VK_ERROR_INVALID_EXTERNAL_HANDLE;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetMemoryHostPointerPropertiesEXT(
    VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, const void* pHostPointer,
    VkMemoryHostPointerPropertiesEXT* pProperties) {
  Device* d = fromHandle(device);
  pProperties->memoryTypeBits = 0;
  if (!(handleType & kHostPointerTypes)) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkGetMemoryHostPointerPropertiesEXT: handle type 0x", std::hex, handleType,
             " is not HOST_ALLOCATION");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  // VUID-vkGetMemoryHostPointerPropertiesEXT-pHostPointer-01753
  if (reinterpret_cast<uintptr_t>(pHostPointer) % kHostPointerAlignment != 0) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkGetMemoryHostPointerPropertiesEXT: pointer ",
             pHostPointer, " is not aligned to ", kHostPointerAlignment, " bytes");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  pProperties->memoryTypeBits = (1u << d->physicalDevice().memoryProperties().memoryTypeCount) - 1;
  return VK_SUCCESS;
}
