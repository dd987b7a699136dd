#include "device/semaphore.hpp"

#include <vector>

#include "device/device.hpp"
#include "icd/pnext.hpp"

namespace emvk {

void Semaphore::signal(uint64_t value) {
  if (!timeline()) {
    value_.store(1, std::memory_order_release);
  } else {
    // VUID-VkSemaphoreSignalInfo-value-03258: values only grow; keep the largest seen.
    uint64_t current = value_.load(std::memory_order_relaxed);
    while (value > current &&
           !value_.compare_exchange_weak(current, value, std::memory_order_release)) {
    }
  }
  device_.board().notify();
}

bool Semaphore::tryAcquire(uint64_t value) {
  if (timeline()) return value_.load(std::memory_order_acquire) >= value;
  uint64_t expected = 1;
  return value_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateSemaphore(VkDevice device,
                                                    const VkSemaphoreCreateInfo* pCreateInfo,
                                                    const VkAllocationCallbacks*,
                                                    VkSemaphore* pSemaphore) {
  VkSemaphoreType type = VK_SEMAPHORE_TYPE_BINARY;
  uint64_t initial = 0;
  if (auto* t = findInChain<VkSemaphoreTypeCreateInfo>(pCreateInfo->pNext)) {
    type = t->semaphoreType;
    if (type == VK_SEMAPHORE_TYPE_TIMELINE) initial = t->initialValue;
  }
  auto semaphore = std::make_unique<Semaphore>(*fromHandle(device), type, initial);
  *pSemaphore = release<VkSemaphore>(std::move(semaphore));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroySemaphore(VkDevice, VkSemaphore semaphore,
                                                 const VkAllocationCallbacks*) {
  reclaim(semaphore);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetSemaphoreCounterValue(VkDevice, VkSemaphore semaphore,
                                                             uint64_t* pValue) {
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
  const bool any = pInfo->flags & VK_SEMAPHORE_WAIT_ANY_BIT;
  auto ready = [&] {
    for (uint32_t i = 0; i < pInfo->semaphoreCount; ++i) {
      const bool reached = fromHandle(pInfo->pSemaphores[i])->value() >= pInfo->pValues[i];
      if (any && reached) return true;
      if (!any && !reached) return false;
    }
    return !any || pInfo->semaphoreCount == 0;
  };
  return fromHandle(device)->board().waitUntil(ready, deadlineAfter(timeout)) ? VK_SUCCESS
                                                                              : VK_TIMEOUT;
}
