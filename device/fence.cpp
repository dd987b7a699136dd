#include "device/fence.hpp"

#include <algorithm>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {

void Fence::signal() {
  SyncPayloadSlot::Signalling guard(payload_);
  SignalBoard& board = device_.board();
  payload_.page().payload().value.store(1, std::memory_order_release);
  payload_.page().notify();
  board.notify();
}

void Fence::reset() {
  // A temporarily imported payload is dropped by a reset and the permanent one is back
  // (section "Importing Fence Payloads").
  if (payload_.dropTemporary()) return;
  payload_.page().payload().value.store(0, std::memory_order_release);
  payload_.page().notify();
}

WaitStatus Fence::wait(Clock::time_point deadline) const {
  return payload_.wait([&] { return signaled() || device_.lost(); }, deadline);
}

}  // namespace emvk

using namespace emvk;

namespace {

constexpr VkExternalFenceHandleTypeFlags kFenceHandleTypes =
    VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT | VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT;

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateFence(VkDevice device,
                                                const VkFenceCreateInfo* pCreateInfo,
                                                const VkAllocationCallbacks*, VkFence* pFence) {
  Device* d = fromHandle(device);
  const uint64_t initial = (pCreateInfo->flags & VK_FENCE_CREATE_SIGNALED_BIT) ? 1 : 0;
  const auto* exportInfo = findInChain<VkExportFenceCreateInfo>(pCreateInfo->pNext);
  if (exportInfo && (exportInfo->handleTypes & ~kFenceHandleTypes)) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateFence: handle types 0x", std::hex,
             exportInfo->handleTypes & ~kFenceHandleTypes,
             " are not exportable; emvk exports OPAQUE_FD");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  const bool opaque =
      exportInfo && (exportInfo->handleTypes & VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT);
  auto page = opaque ? memory::SyncPage::createShared(memory::SyncKind::Fence, initial,
                                                      PhysicalDevice::driverUUID().data())
                     : memory::SyncPage::createLocal(memory::SyncKind::Fence, initial);
  if (!page) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateFence: ", page.error().why);
    return page.error().code;
  }
  *pFence = release<VkFence>(std::make_unique<Fence>(*d, page.take()));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyFence(VkDevice, VkFence fence,
                                             const VkAllocationCallbacks*) {
  reclaim(fence);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ResetFences(VkDevice, uint32_t count, const VkFence* pFences) {
  for (uint32_t i = 0; i < count; ++i) fromHandle(pFences[i])->reset();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetFenceStatus(VkDevice device, VkFence fence) {
  if (fromHandle(device)->lost()) return VK_ERROR_DEVICE_LOST;
  return fromHandle(fence)->signaled() ? VK_SUCCESS : VK_NOT_READY;
}

namespace {

VkResult waitForFences(VkDevice device, uint32_t count, const VkFence* pFences, VkBool32 waitAll,
                       uint64_t timeout) {
  Device* d = fromHandle(device);
  // vkWaitForFences: a timeout of zero only reports the current state.
  const auto deadline = deadlineAfter(timeout);
  if (waitAll || count == 1) {
    // Waiting for all is waiting for each in turn, each on its own futex word.
    for (uint32_t i = 0; i < count; ++i) {
      switch (fromHandle(pFences[i])->wait(deadline)) {
        case WaitStatus::Ready:
          break;
        case WaitStatus::Timeout:
          return VK_TIMEOUT;
        case WaitStatus::PeerGone:
          d->lose("vkWaitForFences: every other process sharing the fence has exited");
          return VK_ERROR_DEVICE_LOST;
      }
    }
    return d->lost() ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
  }
  // Any of several: local signals wake the device's board; a signal from another process does
  // not, so with shared payloads the wait looks again every millisecond.
  bool shared = false;
  for (uint32_t i = 0; i < count; ++i) shared |= fromHandle(pFences[i])->payload().needsPolling();
  auto ready = [&] {
    for (uint32_t i = 0; i < count; ++i)
      if (fromHandle(pFences[i])->signaled()) return true;
    return d->lost();
  };
  // Hopeless once every fence is shared with processes that have all exited, as a wait on one of
  // them alone would be (device/sync_wait.hpp).
  auto abandoned = [&] {
    for (uint32_t i = 0; i < count; ++i)
      if (!fromHandle(pFences[i])->payload().abandoned()) return false;
    return true;
  };
  PeerCheckSchedule peerChecks;
  for (;;) {
    auto slice =
        shared ? std::min(deadline, Clock::now() + std::chrono::milliseconds(1)) : deadline;
    if (d->board().waitUntil(ready, slice)) return d->lost() ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
    if (Clock::now() >= deadline) return VK_TIMEOUT;
    if (shared && peerChecks.due() && abandoned()) {
      d->lose("vkWaitForFences: every other process sharing the fences has exited");
      return VK_ERROR_DEVICE_LOST;
    }
  }
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_WaitForFences(VkDevice device, uint32_t count,
                                                  const VkFence* pFences, VkBool32 waitAll,
                                                  uint64_t timeout) {
  if (!trace::enabled()) [[likely]]
    return waitForFences(device, count, pFences, waitAll, timeout);
  trace::Span span("sync", "vkWaitForFences");
  span.args().add("fences", count).add("waitAll", bool(waitAll)).add("timeoutNs", timeout);
  return waitForFences(device, count, pFences, waitAll, timeout);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetFenceFdKHR(VkDevice device, const VkFenceGetFdInfoKHR* pInfo,
                                                  int* pFd) {
  Fence* f = fromHandle(pInfo->fence);
  if (pInfo->handleType == VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT) {
    // VkFenceGetFdInfoKHR: a SYNC_FD export needs the fence signalled or a signal pending. emvk
    // waits for it and hands out -1, the already-signalled sync file; exporting with copy
    // transference resets the fence (section "Importing Fence Payloads", transference).
    if (f->wait(Clock::time_point::max()) == WaitStatus::PeerGone) return VK_ERROR_DEVICE_LOST;
    f->reset();
    *pFd = -1;
    return VK_SUCCESS;
  }
  auto fd = pInfo->handleType == VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT
                ? f->payload().permanent().exportFd()
                : Result<int>(Error{VK_ERROR_INVALID_EXTERNAL_HANDLE,
                                    "emvk exports fences as OPAQUE_FD only"});
  if (!fd) {
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(f),
             "vkGetFenceFdKHR: ", fd.error().why);
    return fd.error().code;
  }
  *pFd = fd.value();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ImportFenceFdKHR(VkDevice device,
                                                     const VkImportFenceFdInfoKHR* pInfo) {
  Device* d = fromHandle(device);
  Fence* f = fromHandle(pInfo->fence);
  if (!(pInfo->handleType & kFenceHandleTypes)) {
    EMVK_LOG(&d->instance(), Error, logObject(f), "vkImportFenceFdKHR: handle type 0x", std::hex,
             pInfo->handleType, " is not importable; emvk imports OPAQUE_FD and SYNC_FD");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  auto imported = f->payload().importFd(
      pInfo->fd, pInfo->handleType == VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
      memory::SyncKind::Fence, pInfo->flags & VK_FENCE_IMPORT_TEMPORARY_BIT);
  if (!imported) {
    EMVK_LOG(&d->instance(), Error, logObject(f),
             "vkImportFenceFdKHR refused (the fd stays open and owned by the application): ",
             imported.error().why);
    return imported.error().code;
  }
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceExternalFenceProperties(
    VkPhysicalDevice, const VkPhysicalDeviceExternalFenceInfo* pInfo,
    VkExternalFenceProperties* pProperties) {
  const bool ok = pInfo->handleType & kFenceHandleTypes;
  const VkExternalFenceHandleTypeFlags type =
      ok ? static_cast<VkExternalFenceHandleTypeFlags>(pInfo->handleType) : 0;
  pProperties->exportFromImportedHandleTypes = type;
  pProperties->compatibleHandleTypes = type;
  pProperties->externalFenceFeatures =
      ok ? VK_EXTERNAL_FENCE_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_FENCE_FEATURE_IMPORTABLE_BIT : 0;
}
