#include "device/command_buffer.hpp"

#include <algorithm>

#include "device/device.hpp"
#include "device/external_memory.hpp"
#include "device/image.hpp"
#include "device/trace.hpp"

namespace emvk {

Device& CommandBuffer::device() const { return pool_.device(); }

void CommandBuffer::begin(VkCommandBufferUsageFlags flags) {
  // vkBeginCommandBuffer on an executable buffer implicitly resets it (pool created with
  // RESET_COMMAND_BUFFER_BIT, VUID-vkBeginCommandBuffer-commandBuffer-00050).
  commands_.clear();
  compute_ = {};  // no state is inherited from an earlier recording
  computePipeline_ = nullptr;
  usage_ = flags;
  state_ = State::Recording;
}

void CommandBuffer::reset() {
  commands_.clear();
  commands_.shrink_to_fit();
  compute_ = {};
  computePipeline_ = nullptr;
  state_ = State::Initial;
}

void CommandBuffer::execute() const {
  if (trace::enabled()) [[unlikely]]
    return executeTraced();
  Device& d = device();
  for (const Command& command : commands_) std::visit([&](const auto& c) { run(d, c); }, command);
}

void run(Device&, const cmd::ExecuteCommands& c) {
  for (const CommandBuffer* secondary : c.secondaries) secondary->execute();
}

CommandBuffer* CommandPool::allocate(VkCommandBufferLevel level) {
  buffers_.push_back(std::make_unique<CommandBuffer>(*this, level));
  return buffers_.back().get();
}

void CommandPool::free(CommandBuffer* commandBuffer) {
  std::erase_if(buffers_, [&](const auto& b) { return b.get() == commandBuffer; });
}

void CommandPool::reset() {
  for (auto& b : buffers_) b->reset();
}

void CommandPool::trim() { buffers_.shrink_to_fit(); }

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateCommandPool(VkDevice device,
                                                      const VkCommandPoolCreateInfo* pCreateInfo,
                                                      const VkAllocationCallbacks*,
                                                      VkCommandPool* pPool) {
  if (pCreateInfo->flags & VK_COMMAND_POOL_CREATE_PROTECTED_BIT)
    return VK_ERROR_FEATURE_NOT_PRESENT;
  *pPool = release<VkCommandPool>(std::make_unique<CommandPool>(*fromHandle(device), *pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyCommandPool(VkDevice, VkCommandPool pool,
                                                   const VkAllocationCallbacks*) {
  reclaim(pool);  // frees every command buffer allocated from it
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ResetCommandPool(VkDevice, VkCommandPool pool,
                                                     VkCommandPoolResetFlags) {
  fromHandle(pool)->reset();
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_TrimCommandPool(VkDevice, VkCommandPool pool,
                                                VkCommandPoolTrimFlags) {
  fromHandle(pool)->trim();
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_AllocateCommandBuffers(VkDevice,
                                                           const VkCommandBufferAllocateInfo* pInfo,
                                                           VkCommandBuffer* pCommandBuffers) {
  CommandPool* pool = fromHandle(pInfo->commandPool);
  for (uint32_t i = 0; i < pInfo->commandBufferCount; ++i)
    pCommandBuffers[i] = toHandle(pool->allocate(pInfo->level));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_FreeCommandBuffers(VkDevice, VkCommandPool pool, uint32_t count,
                                                   const VkCommandBuffer* pCommandBuffers) {
  for (uint32_t i = 0; i < count; ++i)
    if (pCommandBuffers[i]) fromHandle(pool)->free(fromHandle(pCommandBuffers[i]));
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_BeginCommandBuffer(VkCommandBuffer commandBuffer,
                                                       const VkCommandBufferBeginInfo* pBeginInfo) {
  fromHandle(commandBuffer)->begin(pBeginInfo->flags);
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_EndCommandBuffer(VkCommandBuffer commandBuffer) {
  fromHandle(commandBuffer)->end();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ResetCommandBuffer(VkCommandBuffer commandBuffer,
                                                       VkCommandBufferResetFlags) {
  fromHandle(commandBuffer)->reset();
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdExecuteCommands(VkCommandBuffer commandBuffer, uint32_t count,
                                                   const VkCommandBuffer* pCommandBuffers) {
  cmd::ExecuteCommands c;
  for (uint32_t i = 0; i < count; ++i) c.secondaries.push_back(fromHandle(pCommandBuffers[i]));
  fromHandle(commandBuffer)->record(std::move(c));
}

// Barriers: see device/commands.hpp for why a queue needs nothing recorded for them. What they
// are checked for is the interop contract: an image handed to another API (device/external_memory).
// While tracing they are recorded too, so that the timeline shows them.
VKAPI_ATTR void VKAPI_CALL emvk_CmdPipelineBarrier(
    VkCommandBuffer commandBuffer, VkPipelineStageFlags srcStages, VkPipelineStageFlags dstStages,
    VkDependencyFlags, uint32_t memoryBarrierCount, const VkMemoryBarrier*,
    uint32_t bufferBarrierCount, const VkBufferMemoryBarrier*, uint32_t imageBarrierCount,
    const VkImageMemoryBarrier* pImageBarriers) {
  CommandBuffer* cb = fromHandle(commandBuffer);
  const bool tracing = trace::enabled();
  cmd::PipelineBarrier traced{srcStages, dstStages, memoryBarrierCount, bufferBarrierCount, {}};
  for (uint32_t i = 0; i < imageBarrierCount; ++i) {
    const VkImageMemoryBarrier& b = pImageBarriers[i];
    checkExternalRelease(cb->device(), b.image, b.srcQueueFamilyIndex, b.dstQueueFamilyIndex,
                         b.newLayout);
    if (tracing)
      traced.images.push_back({fromHandle(b.image), b.oldLayout, b.newLayout, b.srcQueueFamilyIndex,
                               b.dstQueueFamilyIndex});
  }
  if (tracing) cb->record(std::move(traced));
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdPipelineBarrier2(VkCommandBuffer commandBuffer,
                                                    const VkDependencyInfo* pDependencyInfo) {
  CommandBuffer* cb = fromHandle(commandBuffer);
  const VkDependencyInfo& d = *pDependencyInfo;
  const bool tracing = trace::enabled();
  cmd::PipelineBarrier traced{0, 0, d.memoryBarrierCount, d.bufferMemoryBarrierCount, {}};
  auto stages = [&](VkPipelineStageFlags2 src, VkPipelineStageFlags2 dst) {
    traced.srcStages |= src;
    traced.dstStages |= dst;
  };
  for (uint32_t i = 0; i < d.memoryBarrierCount; ++i)
    stages(d.pMemoryBarriers[i].srcStageMask, d.pMemoryBarriers[i].dstStageMask);
  for (uint32_t i = 0; i < d.bufferMemoryBarrierCount; ++i)
    stages(d.pBufferMemoryBarriers[i].srcStageMask, d.pBufferMemoryBarriers[i].dstStageMask);
  for (uint32_t i = 0; i < d.imageMemoryBarrierCount; ++i) {
    const VkImageMemoryBarrier2& b = d.pImageMemoryBarriers[i];
    checkExternalRelease(cb->device(), b.image, b.srcQueueFamilyIndex, b.dstQueueFamilyIndex,
                         b.newLayout);
    stages(b.srcStageMask, b.dstStageMask);
    if (tracing)
      traced.images.push_back({fromHandle(b.image), b.oldLayout, b.newLayout, b.srcQueueFamilyIndex,
                               b.dstQueueFamilyIndex});
  }
  if (tracing) cb->record(std::move(traced));
}

// Device masks select physical devices of a group; emvk's groups have one device.
VKAPI_ATTR void VKAPI_CALL emvk_CmdSetDeviceMask(VkCommandBuffer, uint32_t) {}
