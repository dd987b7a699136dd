// What a command buffer records: one small struct per command, executed later by the queue's
// thread. Each command's run() sits next to its vkCmd* entry point (transfer_commands.cpp, ...).
// Recording copies everything it needs out of the application's structures, so they may be freed as
// soon as vkCmd* returns.
//
// Pipeline barriers record nothing: a queue runs its commands strictly one after another, and a
// command that splits its work over workers joins them before the next starts, so every memory
// dependency inside a queue already holds. Dependencies across queues go through semaphores and
// events, which do record.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <variant>
#include <vector>

namespace emvk {

class Buffer;
class CommandBuffer;
class Event;
class QueryPool;

namespace cmd {

struct CopyBuffer {
  Buffer* src;
  Buffer* dst;
  std::vector<VkBufferCopy> regions;
};
struct FillBuffer {
  Buffer* dst;
  VkDeviceSize offset;
  VkDeviceSize size;  // already resolved from VK_WHOLE_SIZE
  uint32_t data;
};
struct UpdateBuffer {
  Buffer* dst;
  VkDeviceSize offset;
  std::vector<uint8_t> data;
};
struct SetEvent {
  Event* event;
  bool value;
};
struct WaitEvents {
  std::vector<Event*> events;
};
struct WriteTimestamp {
  QueryPool* pool;
  uint32_t query;
};
struct ResetQueryPool {
  QueryPool* pool;
  uint32_t first;
  uint32_t count;
};
struct CopyQueryPoolResults {
  QueryPool* pool;
  uint32_t first;
  uint32_t count;
  Buffer* dst;
  VkDeviceSize offset;
  VkDeviceSize stride;
  VkQueryResultFlags flags;
};
struct ExecuteCommands {
  std::vector<CommandBuffer*> secondaries;
};

}  // namespace cmd

using Command = std::variant<cmd::CopyBuffer, cmd::FillBuffer, cmd::UpdateBuffer, cmd::SetEvent,
                             cmd::WaitEvents, cmd::WriteTimestamp, cmd::ResetQueryPool,
                             cmd::CopyQueryPoolResults, cmd::ExecuteCommands>;

}  // namespace emvk

namespace emvk {

class Device;

// Execution of each command, defined next to its recording entry point.
void run(Device& device, const cmd::CopyBuffer& c);
void run(Device& device, const cmd::FillBuffer& c);
void run(Device& device, const cmd::UpdateBuffer& c);
void run(Device& device, const cmd::SetEvent& c);
void run(Device& device, const cmd::WaitEvents& c);
void run(Device& device, const cmd::WriteTimestamp& c);
void run(Device& device, const cmd::ResetQueryPool& c);
void run(Device& device, const cmd::CopyQueryPoolResults& c);
void run(Device& device, const cmd::ExecuteCommands& c);

}  // namespace emvk
