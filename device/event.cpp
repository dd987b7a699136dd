#include "device/event.hpp"

#include <algorithm>

#include "device/command_buffer.hpp"
#include "device/device.hpp"

namespace emvk {

void Event::set(bool value) {
  // The board belongs to the device, which outlives the event: once the flag is visible a waiter
  // may destroy the event, so nothing below touches it.
  SignalBoard& board = device_.board();
  set_.store(value, std::memory_order_release);
  if (value) board.notify();
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateEvent(VkDevice device, const VkEventCreateInfo*,
                                                const VkAllocationCallbacks*, VkEvent* pEvent) {
  *pEvent = release<VkEvent>(std::make_unique<Event>(*fromHandle(device)));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyEvent(VkDevice, VkEvent event,
                                             const VkAllocationCallbacks*) {
  reclaim(event);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetEventStatus(VkDevice, VkEvent event) {
  return fromHandle(event)->isSet() ? VK_EVENT_SET : VK_EVENT_RESET;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_SetEvent(VkDevice, VkEvent event) {
  fromHandle(event)->set(true);
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ResetEvent(VkDevice, VkEvent event) {
  fromHandle(event)->set(false);
  return VK_SUCCESS;
}

namespace emvk {

void run(Device&, const cmd::SetEvent& c) { c.event->set(c.value); }

void run(Device& device, const cmd::WaitEvents& c) {
  // The events may be set by the host or another queue at any later time.
  device.board().waitUntil(
      [&] {
        return std::all_of(c.events.begin(), c.events.end(), [](Event* e) { return e->isSet(); });
      },
      Clock::time_point::max());
}

}  // namespace emvk

namespace {

void recordSet(VkCommandBuffer commandBuffer, VkEvent event, bool value) {
  fromHandle(commandBuffer)->record(cmd::SetEvent{fromHandle(event), value});
}

void recordWait(VkCommandBuffer commandBuffer, uint32_t count, const VkEvent* pEvents) {
  cmd::WaitEvents c;
  for (uint32_t i = 0; i < count; ++i) c.events.push_back(fromHandle(pEvents[i]));
  fromHandle(commandBuffer)->record(std::move(c));
}

}  // namespace

VKAPI_ATTR void VKAPI_CALL emvk_CmdSetEvent(VkCommandBuffer commandBuffer, VkEvent event,
                                            VkPipelineStageFlags) {
  recordSet(commandBuffer, event, true);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdResetEvent(VkCommandBuffer commandBuffer, VkEvent event,
                                              VkPipelineStageFlags) {
  recordSet(commandBuffer, event, false);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdSetEvent2(VkCommandBuffer commandBuffer, VkEvent event,
                                             const VkDependencyInfo*) {
  recordSet(commandBuffer, event, true);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdResetEvent2(VkCommandBuffer commandBuffer, VkEvent event,
                                               VkPipelineStageFlags2) {
  recordSet(commandBuffer, event, false);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdWaitEvents(VkCommandBuffer commandBuffer, uint32_t count,
                                              const VkEvent* pEvents, VkPipelineStageFlags,
                                              VkPipelineStageFlags, uint32_t,
                                              const VkMemoryBarrier*, uint32_t,
                                              const VkBufferMemoryBarrier*, uint32_t,
                                              const VkImageMemoryBarrier*) {
  recordWait(commandBuffer, count, pEvents);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdWaitEvents2(VkCommandBuffer commandBuffer, uint32_t count,
                                               const VkEvent* pEvents, const VkDependencyInfo*) {
  recordWait(commandBuffer, count, pEvents);
}
