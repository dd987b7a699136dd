// VkCommandBuffer and VkCommandPool. A command buffer is a list of recorded commands; the pool
// owns the command buffers it allocated and frees them with itself.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "device/bind_state.hpp"
#include "device/commands.hpp"
#include "device/object.hpp"

namespace emvk {

class CommandPool;
class ComputePipeline;
class Device;

class CommandBuffer : public Object {
 public:
  // The lifecycle of section "Command Buffer Lifecycle".
  enum class State { Initial, Recording, Executable };

  CommandBuffer(CommandPool& pool, VkCommandBufferLevel level)
      : Object(VK_OBJECT_TYPE_COMMAND_BUFFER), pool_(pool), level_(level) {}

  CommandPool& pool() const { return pool_; }
  Device& device() const;
  VkCommandBufferLevel level() const { return level_; }

  void begin(VkCommandBufferUsageFlags flags);
  void end() { state_ = State::Executable; }
  void reset();
  void record(Command command) { commands_.push_back(std::move(command)); }

  // What vkCmdBindDescriptorSets and vkCmdPushConstants have set so far while recording
  // (device/bind_state.cpp); a dispatch copies it into its command. Cleared by begin and reset.
  const ComputeBindState& computeBindState() const { return compute_; }
  ComputeBindState& computeBindState() { return compute_; }
  ComputePipeline* computePipeline() const { return computePipeline_; }
  void bindComputePipeline(ComputePipeline* pipeline) { computePipeline_ = pipeline; }

  // Runs every command, on the calling (queue) thread.
  void execute() const;
  // The same, each command a slice of the EMVK_TRACE timeline (device/command_trace.cpp); kept out
  // of execute()'s way.
  [[gnu::cold, gnu::noinline]] void executeTraced() const;

 private:
  CommandPool& pool_;
  VkCommandBufferLevel level_;
  State state_ = State::Initial;
  VkCommandBufferUsageFlags usage_ = 0;
  std::vector<Command> commands_;
  ComputeBindState compute_;
  ComputePipeline* computePipeline_ = nullptr;
};
EMVK_DEFINE_HANDLE(CommandBuffer, VkCommandBuffer, VK_OBJECT_TYPE_COMMAND_BUFFER)

class CommandPool : public Object {
 public:
  CommandPool(Device& device, const VkCommandPoolCreateInfo& info)
      : Object(VK_OBJECT_TYPE_COMMAND_POOL), device_(device), flags_(info.flags) {}

  Device& device() const { return device_; }
  CommandBuffer* allocate(VkCommandBufferLevel level);
  void free(CommandBuffer* commandBuffer);
  void reset();
  void trim();

 private:
  Device& device_;
  VkCommandPoolCreateFlags flags_;
  // Externally synchronised per the spec (a pool and its buffers are used by one thread at a time).
  std::vector<std::unique_ptr<CommandBuffer>> buffers_;
};
EMVK_DEFINE_HANDLE(CommandPool, VkCommandPool, VK_OBJECT_TYPE_COMMAND_POOL)

}  // namespace emvk
