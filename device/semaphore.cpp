#include "device/semaphore.hpp"

#include <algorithm>
#include <vector>

#include "device/device.hpp"
#include "device/external_memory.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {

memory::SyncKind Semaphore::kind() const {
  return timeline() ? memory::SyncKind::TimelineSemaphore : memory::SyncKind::BinarySemaphore;
}

uint64_t Semaphore::flowId(uint64_t valueOrOrdinal) const {
  const uint64_t name = payload_.page().payload().traceName;
  return (name ^ (valueOrOrdinal * 0x9E3779B97F4A7C15ull)) & ((uint64_t{1} << 53) - 1);
}

uint64_t Semaphore::signal(uint64_t value) {
  SyncPayloadSlot::Signalling guard(payload_);
  SignalBoard& board = device_.board();
  auto& payload = payload_.page().payload().value;
  uint64_t flow;
  if (!timeline()) {
    flow = flowId(payload_.page().payload().binarySignals.fetch_add(1) + 1);
    payload.store(1, std::memory_order_release);
  } else {
    flow = flowId(value);
    // VUID-VkSemaphoreSignalInfo-value-03258: values only grow; keep the largest seen.
    uint64_t current = payload.load(std::memory_order_relaxed);
    while (value > current &&
           !payload.compare_exchange_weak(current, value, std::memory_order_release)) {
    }
  }
  payload_.page().notify();
  board.notify();
  return flow;
}

bool Semaphore::tryAcquire(uint64_t value, uint64_t* flow) {
  if (const memory::SyncFile* file = payload_.syncFile()) {
    if (!file->signaled()) return false;
    payload_.dropTemporary();  // consumed by this wait
    return true;
  }
  auto& payload = payload_.page().payload().value;
  if (timeline()) {
    if (payload.load(std::memory_order_acquire) < value) return false;
    if (flow) *flow = flowId(value);
    return true;
  }
  uint64_t expected = 1;
  if (!payload.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return false;
  const uint64_t ordinal = payload_.page().payload().binaryAcquires.fetch_add(1) + 1;
  if (flow) *flow = flowId(ordinal);
  // A temporarily imported payload is used by one wait, then the permanent one is back
  // (section "Importing Semaphore Payloads", temporary transference).
  payload_.dropTemporary();
  return true;
}

WaitStatus Semaphore::wait(uint64_t value, Clock::time_point deadline, uint64_t* flow) {
  return payload_.wait([&] { return tryAcquire(value, flow); }, deadline);
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
  // Dated before the signal: the wait it releases may end (and be written) before we go on.
  const double at = trace::enabled() ? trace::nowUs() : 0;
  const uint64_t flow = fromHandle(pInfo->semaphore)->signal(pInfo->value);
  if (trace::enabled()) {
    trace::instant(
        "sync", "vkSignalSemaphore",
        trace::Args().addHandle("semaphore", pInfo->semaphore).add("value", pInfo->value), at);
    trace::flowStart("sync", "semaphore", flow, at);
  }
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_WaitSemaphores(VkDevice device,
                                                   const VkSemaphoreWaitInfo* pInfo,
                                                   uint64_t timeout) {
  Device* d = fromHandle(device);
  trace::Span span("sync", "vkWaitSemaphores");
  if (span) {
    std::string values;
    for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i)
      values += concat(i ? ", " : "", pInfo->pSemaphores[i], " >= ", pInfo->pValues[i]);
    span.args()
        .add("semaphores", values)
        .add("any", bool(pInfo->flags & VK_SEMAPHORE_WAIT_ANY_BIT));
    span.args().add("timeoutNs", timeout);
  }
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
  if (trace::enabled()) {
    trace::instant(
        "interop", "export semaphore",
        trace::Args().addHandle("semaphore", s).add("fd", *pFd).add("inode", fileInode(*pFd)));
  }
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
  const uint64_t inode = trace::enabled() ? fileInode(pInfo->fd) : 0;
  auto imported = s->payload().importFd(pInfo->fd, syncFd, s->kind(), temporary);
  if (trace::enabled()) {
    trace::Args args;
    args.addHandle("semaphore", s).add("fd", pInfo->fd).add("syncFd", syncFd);
    args.add("temporary", temporary).add("inode", inode);
    if (!imported) args.add("refused", imported.error().why);
    trace::instant("interop", imported ? "import semaphore" : "import semaphore refused", args);
  }
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
