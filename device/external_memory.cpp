#include "device/external_memory.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "build_identity.h"  // generated: EMVK_LAYOUT_ABI_VERSION
#include "device/buffer.hpp"
#include "device/device.hpp"
#include "device/device_memory.hpp"
#include "device/image.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {
namespace {

Error invalid(std::string why) { return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, std::move(why)}; }

std::string handleTypeName(VkExternalMemoryHandleTypeFlags type) {
  switch (type) {
    case VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT:
      return "OPAQUE_FD";
    case VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_WIN32_BIT:
      return "OPAQUE_WIN32";
    case VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT:
      return "DMA_BUF";
    case VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT:
      return "HOST_ALLOCATION";
    case VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_MAPPED_FOREIGN_MEMORY_BIT_EXT:
      return "HOST_MAPPED_FOREIGN_MEMORY";
    default:
      return "0x" + concat(std::hex, type);
  }
}

memory::ImportExpectation expectationFor(const VkMemoryAllocateInfo& info,
                                         const AllocationRequest& r) {
  memory::ImportExpectation e{};
  e.layoutAbiVersion = EMVK_LAYOUT_ABI_VERSION;
  e.driverUUID = PhysicalDevice::driverUUID().data();
  e.deviceUUID = PhysicalDevice::deviceUUID().data();
  e.allocationSize = info.allocationSize;
  e.memoryTypeIndex = info.memoryTypeIndex;
  e.dedication = r.dedication;
  e.image = r.image;
  e.buffer = r.buffer;
  return e;
}

}  // namespace

VkExternalMemoryProperties externalMemoryProperties(VkExternalMemoryHandleTypeFlagBits handleType) {
  VkExternalMemoryProperties p{};
  if (handleType & kExportableMemoryTypes) {
    // An opaque fd can be exported, imported, and re-exported after import. No dedicated
    // allocation is needed: the identity record describes a dedicated resource when there is one.
    p.externalMemoryFeatures =
        VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
    p.exportFromImportedHandleTypes = kExportableMemoryTypes;
    p.compatibleHandleTypes = kExportableMemoryTypes;
  } else if (handleType & kHostPointerTypes) {
    p.externalMemoryFeatures = VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
    p.compatibleHandleTypes = kHostPointerTypes;
  }
  return p;  // anything else (DMA_BUF, Win32, ...): no features, nothing compatible
}

VkResult fillExternalImageFormatProperties(const VkPhysicalDeviceImageFormatInfo2& info,
                                           VkImageFormatProperties2& properties) {
  const auto* external = findInChain<VkPhysicalDeviceExternalImageFormatInfo>(info.pNext);
  if (!external || external->handleType == 0) return VK_SUCCESS;
  const VkExternalMemoryProperties p = externalMemoryProperties(external->handleType);
  if (auto* out = findInChain<VkExternalImageFormatProperties>(properties.pNext))
    out->externalMemoryProperties = p;
  // VkPhysicalDeviceExternalImageFormatInfo: a handle type that cannot back this image makes the
  // whole query VK_ERROR_FORMAT_NOT_SUPPORTED.
  return p.externalMemoryFeatures ? VK_SUCCESS : VK_ERROR_FORMAT_NOT_SUPPORTED;
}

void checkExternalRelease(Device& device, VkImage handle, uint32_t srcFamily, uint32_t dstFamily,
                          VkImageLayout newLayout) {
  const bool released =
      dstFamily == VK_QUEUE_FAMILY_EXTERNAL || dstFamily == VK_QUEUE_FAMILY_FOREIGN_EXT;
  if (!handle || !released || srcFamily == dstFamily || newLayout == VK_IMAGE_LAYOUT_GENERAL)
    return;
  const Image* image = fromHandle(handle);
  if (!image->memory() || !image->memory()->external()) return;
  // The aliasing exception of VK_NV_external_memory / VK_KHR_external_memory: memory shared with
  // an API that is not Vulkan-compatible must be handed over in VK_IMAGE_LAYOUT_GENERAL, the one
  // layout every consumer reads the same way; other layouts are only meaningful to a Vulkan
  // acquirer that names the same layout.
  EMVK_LOG(
      &device.instance(), Warn, logObject(image), "image released to ",
      dstFamily == VK_QUEUE_FAMILY_EXTERNAL ? "VK_QUEUE_FAMILY_EXTERNAL"
                                            : "VK_QUEUE_FAMILY_FOREIGN_EXT",
      " in layout ", newLayout,
      ", not VK_IMAGE_LAYOUT_GENERAL: a consumer that is not Vulkan (or "
      "another driver) would read it in a layout it does not know; emvk's bytes are the same in "
      "every layout, a GPU's are not (external memory aliasing rules)");
}

Result<AllocationRequest> describeAllocation(Device& device, const VkMemoryAllocateInfo& info) {
  AllocationRequest r;
  if (const auto* exportInfo = findInChain<VkExportMemoryAllocateInfo>(info.pNext)) {
    // VUID-VkExportMemoryAllocateInfo-handleTypes-00656: only types the query calls exportable.
    if (exportInfo->handleTypes & ~kExportableMemoryTypes)
      return invalid("VkExportMemoryAllocateInfo asks for handle types " +
                     handleTypeName(exportInfo->handleTypes & ~kExportableMemoryTypes) +
                     "; emvk exports OPAQUE_FD only");
    r.exportTypes = exportInfo->handleTypes;
  }
  if (const auto* exportNV = findInChain<VkExportMemoryAllocateInfoNV>(info.pNext)) {
    // Every VkExternalMemoryHandleTypeFlagBitsNV names a Win32 handle, which cannot exist on Linux
    // (vkGetPhysicalDeviceExternalImageFormatPropertiesNV says so); 0 asks for nothing.
    if (exportNV->handleTypes != 0)
      return invalid("VkExportMemoryAllocateInfoNV asks for Win32 handle types 0x" +
                     concat(std::hex, exportNV->handleTypes) +
                     ", which do not exist on Linux; share memory with "
                     "VK_KHR_external_memory_fd (docs/EXTERNAL_MEMORY.md)");
  }
  if (const auto* fd = findInChain<VkImportMemoryFdInfoKHR>(info.pNext);
      fd && fd->handleType != 0) {
    // VkImportMemoryFdInfoKHR: handleType 0 means no import at all.
    if (fd->handleType != VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT)
      return invalid("VkImportMemoryFdInfoKHR handle type " + handleTypeName(fd->handleType) +
                     " is not importable; emvk imports OPAQUE_FD fds it exported itself");
    r.importFd = fd;
  }
  if (const auto* host = findInChain<VkImportMemoryHostPointerInfoEXT>(info.pNext);
      host && host->handleType != 0) {
    if (!(host->handleType & kHostPointerTypes))
      return invalid("VkImportMemoryHostPointerInfoEXT handle type " +
                     handleTypeName(host->handleType) +
                     " is not importable; emvk imports HOST_ALLOCATION pointers");
    // VUID-VkImportMemoryHostPointerInfoEXT-pHostPointer-01749 /
    // VUID-VkMemoryAllocateInfo-allocationSize-01745
    if (reinterpret_cast<uintptr_t>(host->pHostPointer) % kHostPointerAlignment != 0)
      return invalid("host pointer " + concat(host->pHostPointer) + " is not aligned to " +
                     std::to_string(kHostPointerAlignment) +
                     " bytes (minImportedHostPointerAlignment)");
    if (info.allocationSize % kHostPointerAlignment != 0)
      return invalid("allocationSize " + std::to_string(info.allocationSize) +
                     " of a host-pointer import is not a multiple of " +
                     std::to_string(kHostPointerAlignment) + " (minImportedHostPointerAlignment)");
    r.importHost = host;
  }
  if (r.importFd && r.importHost)
    return invalid("one allocation cannot import both an fd and a host pointer");
  if (const auto* dedicated = findInChain<VkMemoryDedicatedAllocateInfo>(info.pNext)) {
    if (dedicated->buffer) {
      const Buffer* b = fromHandle(dedicated->buffer);
      r.dedication = memory::Dedication::Buffer;
      r.buffer = {b->size(), b->flags(), b->usage()};
    } else if (dedicated->image) {
      r.dedication = memory::Dedication::Image;
      r.image = dedicatedImageOf(dedicated->image);
    }
  }
  (void)device;
  return r;
}

namespace {

// EMVK_TRACE: an import, with who exported the memory (from its identity record) or why it was
// refused.
void traceImport(int fd, uint64_t size, const memory::IdentityRecord& found,
                 const std::string& refusal) {
  if (!trace::enabled()) return;
  trace::Args args;
  args.add("fd", fd).add("size", size).add("inode", fileInode(fd));
  if (found.exporterPid) args.add("exporterPid", found.exporterPid);
  if (found.dedication == memory::Dedication::Image)
    args.add("dedicatedImage", describeImage(found.image));
  if (!refusal.empty()) args.add("refused", refusal);
  trace::instant("interop", refusal.empty() ? "import memory" : "import memory refused", args);
}

}  // namespace

uint64_t fileInode(int fd) {
  struct stat st {};
  return fd >= 0 && fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

std::string describeImage(const memory::DedicatedImage& i) {
  return concat("format ", i.format, ", ", i.width, "x", i.height, "x", i.depth, ", ", i.mipLevels,
                " mips, ", i.arrayLayers, " layers, tiling ", i.tiling, ", usage 0x", std::hex,
                i.usage);
}

Result<memory::Allocation> allocateBacking(Device& device, const VkMemoryAllocateInfo& info,
                                           const AllocationRequest& r) {
  const uint64_t heap = device.physicalDevice().heapSize();
  if (r.importFd) {
    memory::IdentityRecord found{};
    auto imported = memory::Allocation::importFd(r.importFd->fd, expectationFor(info, r), &found);
    traceImport(r.importFd->fd, info.allocationSize, found,
                imported ? std::string() : imported.error().why);
    if (!imported)
      return invalid("import of fd " + std::to_string(r.importFd->fd) + " refused (the fd stays " +
                     "open and owned by the application): " + imported.error().why);
    return imported;
  }
  if (r.importHost)
    return memory::Allocation::importHostPointer(r.importHost->pHostPointer, info.allocationSize);
  if (r.exportTypes) {
    const memory::ImportExpectation self = expectationFor(info, r);
    const memory::IdentityRecord record = memory::makeRecord(
        self, r.dedication, r.dedication == memory::Dedication::Image ? &r.image : nullptr,
        r.dedication == memory::Dedication::Buffer ? &r.buffer : nullptr);
    return memory::Allocation::createExportable(info.allocationSize, heap, record);
  }
  return memory::Allocation::create(info.allocationSize, heap);
}

}  // namespace emvk
