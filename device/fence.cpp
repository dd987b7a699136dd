#include "device/fence.hpp"

#include "device/device.hpp"

namespace emvk {

void Fence::signal() {
  signaled_.store(true, std::memory_order_release);
  device_.board().notify();
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateFence(VkDevice device,
                                                const VkFenceCreateInfo* pCreateInfo,
                                                const VkAllocationCallbacks*, VkFence* pFence) {
  auto fence = std::make_unique<Fence>(*fromHandle(device),
                                       pCreateInfo->flags & VK_FENCE_CREATE_SIGNALED_BIT);
  *pFence = release<VkFence>(std::move(fence));
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

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetFenceStatus(VkDevice, VkFence fence) {
  return fromHandle(fence)->signaled() ? VK_SUCCESS : VK_NOT_READY;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_WaitForFences(VkDevice device, uint32_t count,
                                                  const VkFence* pFences, VkBool32 waitAll,
                                                  uint64_t timeout) {
  auto ready = [&] {
    for (uint32_t i = 0; i < count; ++i) {
      const bool s = fromHandle(pFences[i])->signaled();
      if (waitAll && !s) return false;
      if (!waitAll && s) return true;
    }
    return static_cast<bool>(waitAll);
  };
  // vkWaitForFences: a timeout of zero only reports the current state.
  return fromHandle(device)->board().waitUntil(ready, deadlineAfter(timeout)) ? VK_SUCCESS
                                                                              : VK_TIMEOUT;
}
