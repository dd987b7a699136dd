#include "device/semaphore.hpp"

#include <algorithm>
#include <vector>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"

namespace emvk {

memory::SyncKind Semaphore::kind() const {
  return timeline() ? memory::SyncKind::TimelineSemaphore : memory::SyncKind::BinarySemaphore;
}

void Semaphore::signal(uint64_t value) {
  SyncPayloadSlot::Signalling guard(payload_);
  SignalBoard& board = device_.board();
  auto& payload = payload_.page().payload().value;
  if (!timeline()) {
    payload.store(1, std::memory_order_release);
  } else {
    // VUID-VkSemaphoreSignalInfo-value-03258: values only grow; keep the largest seen.
    uint64_t current = payload.load(std::memory_order_relaxed);
    while (value > current &&
           !payload.compare_exchange_weak(current, value, std::memory_order_release)) {
    }
  }
  payload_.page().notify();
  board.notify();
}

bool Semaphore::tryAcquire(uint64_t value) {
  if (const memory::SyncFile* file = payload_.syncFile()) {
    if (!file->signaled()) return false;
    payload_.dropTemporary();  // consumed by this wait
    return true;
  }
  auto& payload = payload_.page().payload().value;
  if (timeline()) return payload.load(std::memory_order_acquire) >= value;
  uint64_t expected = 1;
  if (!payload.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return false;
  // A temporarily imported payload is used by one wait, then the permanent one is back
  // (section "Importing Semaphore Payloads", temporary transference).
  payload_.dropTemporary();
  return true;
}

WaitStatus Semaphore::wait(uint64_t value, Clock::time_point deadline) {
  return payload_.wait([&] { return tryAcquire(value); }, deadline);
}

}  // namespace emvk

using namespace emvk;

namespace {

constexpr VkExternalSemaphoreHandleTypeFlags kSemaphoreHandleTypes =
    VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT | VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT;

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateSemaphore(VkDevice device,
                                                    const VkSemaphoreCreateInfo* pCreateInfo,
                                                    const VkAllocationCallbacks*,
                                                    VkSemaphore* pSemaphore) {
  Device* d = fromHandle(device);
  VkSemaphoreType type = VK_SEMAPHORE_TYPE_BINARY;
  uint64_t initial = 0;
  if (auto* t = findInChain<VkSemaphoreTypeCreateInfo>(pCreateInfo->pNext)) {
    type = t->semaphoreType;
    if (type == VK_SEMAPHORE_TYPE_TIMELINE) initial = t->initialValue;
  }
  const auto kind = type == VK_SEMAPHORE_TYPE_TIMELINE ? memory::SyncKind::TimelineSemaphore
                                                       : memory::SyncKind::BinarySemaphore;
  const auto* exportInfo = findInChain<VkExportSemaphoreCreateInfo>(pCreateInfo->pNext);
  if (exportInfo && (exportInfo->handleTypes & ~kSemaphoreHandleTypes)) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateSemaphore: handle types 0x", std::hex,
             exportInfo->handleTypes & ~kSemaphoreHandleTypes,
             " are not exportable; emvk exports OPAQUE_FD");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  // Section "External Semaphore Handle Types": sync files carry binary payloads only.
  if (exportInfo && (exportInfo->handleTypes & VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT) &&
      type == VK_SEMAPHORE_TYPE_TIMELINE) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkCreateSemaphore: a timeline semaphore cannot be exported as SYNC_FD");
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  const bool opaque =
      exportInfo && (exportInfo->handleTypes & VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT);
  auto page =
      opaque ? memory::SyncPage::createShared(kind, initial, PhysicalDevice::driverUUID().data())
             : memory::SyncPage::createLocal(kind, initial);
  if (!page) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateSemaphore: ", page.error().why);
    return page.error().code;
  }
  *pSemaphore = release<VkSemaphore>(std::make_unique<Semaphore>(*d, type, page.take()));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroySemaphore(VkDevice, VkSemaphore semaphore,
                                                 const VkAllocationCallbacks*) {
  reclaim(semaphore);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetSemaphoreCounterValue(VkDevice device, VkSemaphore semaphore,
                                                             uint64_t* pValue) {
  if (fromHandle(device)->lost()) return VK_ERROR_DEVICE_LOST;
  *pValue = fromHandle(semaphore)->value();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_SignalSemaphore(VkDevice, const VkSemaphoreSignalInfo* pInfo) {
  fromHandle(pInfo->semaphore)->signal(pInfo->value);
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_WaitSemaphores(VkDevice device,
                                                   const VkSemaphoreWaitInfo* pInfo,
                                                   uint64_t timeout) {
  Device* d = fromHandle(device);
  const auto deadline = deadlineAfter(timeout);
  auto reached = [&](uint32_t i) {
    return fromHandle(pInfo->pSemaphores[i])->value() >= pInfo->pValues[i];
  };
  const bool any = (pInfo->flags & VK_SEMAPHORE_WAIT_ANY_BIT) && pInfo->semaphoreCount > 1;
  if (!any) {
    // Waiting for all is waiting for each in turn, each on its own futex word.
    for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i) {
      const SyncPayloadSlot& payload = fromHandle(pInfo->pSemaphores[i])->payload();
      switch (payload.wait([&] { return reached(i) || d->lost(); }, deadline)) {
        case WaitStatus::Ready:
          break;
        case WaitStatus::Timeout:
          return VK_TIMEOUT;
        case WaitStatus::PeerGone:
          d->lose("vkWaitSemaphores: every other process sharing the semaphore has exited");
          return VK_ERROR_DEVICE_LOST;
      }
    }
    return d->lost() ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
  }
  // Any of several: local signals wake the device's board; a signal from another process does
  // not, so with shared payloads the wait looks again every millisecond.
  bool shared = false;
  for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i)
    shared |= fromHandle(pInfo->pSemaphores[i])->payload().needsPolling();
  auto ready = [&] {
    for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i)
      if (reached(i)) return true;
    return d->lost();
  };
  // Hopeless once every semaphore is shared with processes that have all exited, as a wait on one
  // of them alone would be (device/sync_wait.hpp).
  auto abandoned = [&] {
    for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i)
      if (!fromHandle(pInfo->pSemaphores[i])->payload().abandoned()) return false;
    return true;
  };
  PeerCheckSchedule peerChecks;
  for (;;) {
    auto slice =
        shared ? std::min(deadline, Clock::now() + std::chrono::milliseconds(1)) : deadline;
    if (d->board().waitUntil(ready, slice)) return d->lost() ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
    if (Clock::now() >= deadline) return VK_TIMEOUT;
    if (shared && peerChecks.due() && abandoned()) {
      d->lose("vkWaitSemaphores: every other process sharing the semaphores has exited");
      return VK_ERROR_DEVICE_LOST;
    }
  }
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetSemaphoreFdKHR(VkDevice device,
                                                      const VkSemaphoreGetFdInfoKHR* pInfo,
                                                      int* pFd) {
  Semaphore* s = fromHandle(pInfo->semaphore);
  if (pInfo->handleType == VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT && !s->timeline()) {
    // VkSemaphoreGetFdInfoKHR: a SYNC_FD export needs a signal pending or done. emvk waits for it
    // and hands out -1, the already-signalled sync file; exporting with copy transference acts as
    // a wait on the semaphore (section "Importing Semaphore Payloads", transference).
    if (s->wait(0, Clock::time_point::max()) == WaitStatus::PeerGone) return VK_ERROR_DEVICE_LOST;
    *pFd = -1;
    return VK_SUCCESS;
  }
  auto fd = pInfo->handleType == VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT
                ? s->payload().permanent().exportFd()
                : Result<int>(Error{VK_ERROR_INVALID_EXTERNAL_HANDLE,
                                    "emvk exports semaphores as OPAQUE_FD only"});
  if (!fd) {
    // VUID-VkSemaphoreGetFdInfoKHR-handleType-01132: the type was named at creation.
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(s),
             "vkGetSemaphoreFdKHR: ", fd.error().why);
    return fd.error().code;
  }
  *pFd = fd.value();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ImportSemaphoreFdKHR(VkDevice device,
                                                         const VkImportSemaphoreFdInfoKHR* pInfo) {
  Device* d = fromHandle(device);
  Semaphore* s = fromHandle(pInfo->semaphore);
  const bool syncFd = pInfo->handleType == VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT;
  const bool temporary = pInfo->flags & VK_SEMAPHORE_IMPORT_TEMPORARY_BIT;
  std::string refused;
  if (!(pInfo->handleType & kSemaphoreHandleTypes))
    refused = concat("handle type 0x", std::hex, pInfo->handleType,
                     " is not importable; emvk imports OPAQUE_FD and SYNC_FD");
  else if (s->timeline() && syncFd)
    refused = "a timeline semaphore has no sync-file payload";
  // VUID-VkImportSemaphoreFdInfoKHR-flags-03323: timeline semaphores are never imported
  // temporarily.
  else if (s->timeline() && temporary)
    refused =
        "a timeline semaphore cannot be imported temporarily "
        "(VUID-VkImportSemaphoreFdInfoKHR-flags-03323)";
  if (!refused.empty()) {
    EMVK_LOG(&d->instance(), Error, logObject(s), "vkImportSemaphoreFdKHR: ", refused);
    return VK_ERROR_INVALID_EXTERNAL_HANDLE;
  }
  auto imported = s->payload().importFd(pInfo->fd, syncFd, s->kind(), temporary);
  if (!imported) {
    EMVK_LOG(&d->instance(), Error, logObject(s),
             "vkImportSemaphoreFdKHR refused (the fd stays open and owned by the application): ",
             imported.error().why);
    return imported.error().code;
  }
  return VK_SUCCESS;  // the fd now belongs to the semaphore
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceExternalSemaphoreProperties(
    VkPhysicalDevice, const VkPhysicalDeviceExternalSemaphoreInfo* pInfo,
    VkExternalSemaphoreProperties* pProperties) {
  // Binary and timeline semaphores alike travel as opaque fds of their payload page; binary ones
  // also as sync files (a timeline has no sync-file form).
  const auto* typeInfo = findInChain<VkSemaphoreTypeCreateInfo>(pInfo->pNext);
  const bool timeline = typeInfo && typeInfo->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE;
  const VkExternalSemaphoreHandleTypeFlags supported =
      timeline ? VkExternalSemaphoreHandleTypeFlags(VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT)
               : kSemaphoreHandleTypes;
  const bool ok = pInfo->handleType & supported;
  const VkExternalSemaphoreHandleTypeFlags type =
      ok ? static_cast<VkExternalSemaphoreHandleTypeFlags>(pInfo->handleType) : 0;
  pProperties->exportFromImportedHandleTypes = type;
  pProperties->compatibleHandleTypes = type;
  pProperties->externalSemaphoreFeatures = ok ? VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT |
                                                    VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT
                                              : 0;
}
