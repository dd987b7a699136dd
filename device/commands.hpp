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

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "device/bind_state.hpp"

namespace emvk {

class Buffer;
class ComputePipeline;
class CommandBuffer;
class Event;
class Image;
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
// Image commands (device/image_commands.cpp). Image layouts are not recorded: every VkImageLayout
// of an emvk image is the same bytes (docs/IMAGE_LAYOUT.md).
struct CopyBufferToImage {
  Buffer* src;
  Image* dst;
  std::vector<VkBufferImageCopy> regions;
};
struct CopyImageToBuffer {
  Image* src;
  Buffer* dst;
  std::vector<VkBufferImageCopy> regions;
};
struct CopyImage {
  Image* src;
  Image* dst;
  std::vector<VkImageCopy> regions;
};
// vkCmdClearColorImage and vkCmdClearDepthStencilImage: the value is packed into texel bytes when
// recorded, one texel per plane (colour or depth in plane 0, stencil in the plane that holds it).
struct ClearImage {
  Image* image;
  std::array<std::array<uint8_t, 16>, 2> texels;
  std::vector<VkImageSubresourceRange> ranges;  // VK_REMAINING_* already resolved
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
// vkCmdPipelineBarrier(2): recorded only while EMVK_TRACE is on, so that the trace shows it; it
// does nothing when run (see above).
struct PipelineBarrier {
  struct ImageTransition {
    Image* image;
    VkImageLayout oldLayout, newLayout;
    uint32_t srcFamily, dstFamily;
  };
  VkPipelineStageFlags2 srcStages = 0, dstStages = 0;
  uint32_t memoryBarriers = 0, bufferBarriers = 0;
  std::vector<ImageTransition> images;
};

}  // namespace cmd

namespace cmd {
// vkCmdDispatch(Base/Indirect): the pipeline and a snapshot of the bind state as they were when
// it was recorded (device/compute_commands.cpp).
struct Dispatch {
  ComputePipeline* pipeline;
  ComputeBindState state;
  std::array<uint32_t, 3> base;
  std::array<uint32_t, 3> count;  // ignored when `indirect` is set
  Buffer* indirect;               // VkDispatchIndirectCommand at `indirectOffset`, or null
  VkDeviceSize indirectOffset;
};
}  // namespace cmd

using Command = std::variant<cmd::CopyBuffer, cmd::FillBuffer, cmd::UpdateBuffer,
                             cmd::CopyBufferToImage, cmd::CopyImageToBuffer, cmd::CopyImage,
                             cmd::ClearImage, cmd::SetEvent, cmd::WaitEvents, cmd::WriteTimestamp,
                             cmd::ResetQueryPool, cmd::CopyQueryPoolResults, cmd::ExecuteCommands,
                             cmd::Dispatch, cmd::PipelineBarrier>;

}  // namespace emvk

namespace emvk {

class Device;

// Execution of each command, defined next to its recording entry point.
void run(Device& device, const cmd::CopyBuffer& c);
void run(Device& device, const cmd::FillBuffer& c);
void run(Device& device, const cmd::UpdateBuffer& c);
void run(Device& device, const cmd::CopyBufferToImage& c);
void run(Device& device, const cmd::CopyImageToBuffer& c);
void run(Device& device, const cmd::CopyImage& c);
void run(Device& device, const cmd::ClearImage& c);
void run(Device& device, const cmd::SetEvent& c);
void run(Device& device, const cmd::WaitEvents& c);
void run(Device& device, const cmd::WriteTimestamp& c);
void run(Device& device, const cmd::ResetQueryPool& c);
void run(Device& device, const cmd::CopyQueryPoolResults& c);
void run(Device& device, const cmd::ExecuteCommands& c);
void run(Device& device, const cmd::Dispatch& c);
inline void run(Device&, const cmd::PipelineBarrier&) {}

// EMVK_TRACE: a command's name ("vkCmdDispatch") and what the trace shows of it
// (device/command_trace.cpp).
const char* commandName(const Command& command);
namespace trace {
class Args;
}
void describeCommand(const Command& command, trace::Args& args);

}  // namespace emvk
