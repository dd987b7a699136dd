// What EMVK_TRACE shows of each recorded command: its Vulkan name and its arguments, and the
// traced run of a command buffer (CommandBuffer::execute comes here only while tracing).
#include <cstdio>
#include <cstring>
#include <string>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/commands.hpp"
#include "device/event.hpp"
#include "device/image.hpp"
#include "device/pipeline.hpp"
#include "device/query_pool.hpp"
#include "device/trace.hpp"

namespace emvk {

namespace {

// "0x55d0c3a1b2c0", or "0x55d0c3a1b2c0 (name)" once the application named the object.
std::string objectText(const Object* object) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(object)));
  std::string name = object ? object->name() : std::string();
  return name.empty() ? text : std::string(text) + " (" + name + ")";
}

std::string layoutName(VkImageLayout layout) {
  switch (layout) {
    case VK_IMAGE_LAYOUT_UNDEFINED:
      return "UNDEFINED";
    case VK_IMAGE_LAYOUT_GENERAL:
      return "GENERAL";
    case VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL:
      return "COLOR_ATTACHMENT_OPTIMAL";
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
      return "SHADER_READ_ONLY_OPTIMAL";
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
      return "TRANSFER_SRC_OPTIMAL";
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
      return "TRANSFER_DST_OPTIMAL";
    case VK_IMAGE_LAYOUT_PREINITIALIZED:
      return "PREINITIALIZED";
    case VK_IMAGE_LAYOUT_PRESENT_SRC_KHR:
      return "PRESENT_SRC_KHR";
    default:
      return std::to_string(static_cast<int>(layout));
  }
}

std::string familyName(uint32_t family) {
  switch (family) {
    case VK_QUEUE_FAMILY_IGNORED:
      return "IGNORED";
    case VK_QUEUE_FAMILY_EXTERNAL:
      return "EXTERNAL";
    case VK_QUEUE_FAMILY_FOREIGN_EXT:
      return "FOREIGN";
    default:
      return std::to_string(family);
  }
}

template <class Region>
uint64_t copiedBytes(const std::vector<Region>& regions) {
  uint64_t bytes = 0;
  for (const auto& r : regions) bytes += r.size;
  return bytes;
}

struct Namer {
  const char* operator()(const cmd::CopyBuffer&) const { return "vkCmdCopyBuffer"; }
  const char* operator()(const cmd::FillBuffer&) const { return "vkCmdFillBuffer"; }
  const char* operator()(const cmd::UpdateBuffer&) const { return "vkCmdUpdateBuffer"; }
  const char* operator()(const cmd::CopyBufferToImage&) const { return "vkCmdCopyBufferToImage"; }
  const char* operator()(const cmd::CopyImageToBuffer&) const { return "vkCmdCopyImageToBuffer"; }
  const char* operator()(const cmd::CopyImage&) const { return "vkCmdCopyImage"; }
  const char* operator()(const cmd::ClearImage&) const { return "vkCmdClearImage"; }
  const char* operator()(const cmd::SetEvent& c) const {
    return c.value ? "vkCmdSetEvent" : "vkCmdResetEvent";
  }
  const char* operator()(const cmd::WaitEvents&) const { return "vkCmdWaitEvents"; }
  const char* operator()(const cmd::WriteTimestamp&) const { return "vkCmdWriteTimestamp"; }
  const char* operator()(const cmd::ResetQueryPool&) const { return "vkCmdResetQueryPool"; }
  const char* operator()(const cmd::CopyQueryPoolResults&) const {
    return "vkCmdCopyQueryPoolResults";
  }
  const char* operator()(const cmd::ExecuteCommands&) const { return "vkCmdExecuteCommands"; }
  const char* operator()(const cmd::Dispatch& c) const {
    if (c.indirect) return "vkCmdDispatchIndirect";
    return c.base == std::array<uint32_t, 3>{0, 0, 0} ? "vkCmdDispatch" : "vkCmdDispatchBase";
  }
  const char* operator()(const cmd::PipelineBarrier&) const { return "vkCmdPipelineBarrier"; }
};

struct Describer {
  trace::Args& a;

  void operator()(const cmd::CopyBuffer& c) const {
    a.add("src", objectText(c.src)).add("dst", objectText(c.dst));
    a.add("regions", c.regions.size()).add("bytes", copiedBytes(c.regions));
  }
  void operator()(const cmd::FillBuffer& c) const {
    a.add("dst", objectText(c.dst)).add("offset", c.offset).add("bytes", c.size);
    a.addHex("data", c.data);
  }
  void operator()(const cmd::UpdateBuffer& c) const {
    a.add("dst", objectText(c.dst)).add("offset", c.offset).add("bytes", c.data.size());
  }
  void operator()(const cmd::CopyBufferToImage& c) const {
    a.add("src", objectText(c.src)).add("dst", objectText(c.dst)).add("regions", c.regions.size());
  }
  void operator()(const cmd::CopyImageToBuffer& c) const {
    a.add("src", objectText(c.src)).add("dst", objectText(c.dst)).add("regions", c.regions.size());
  }
  void operator()(const cmd::CopyImage& c) const {
    a.add("src", objectText(c.src)).add("dst", objectText(c.dst)).add("regions", c.regions.size());
  }
  void operator()(const cmd::ClearImage& c) const {
    a.add("image", objectText(c.image)).add("ranges", c.ranges.size());
  }
  void operator()(const cmd::SetEvent& c) const { a.add("event", objectText(c.event)); }
  void operator()(const cmd::WaitEvents& c) const { a.add("events", c.events.size()); }
  void operator()(const cmd::WriteTimestamp& c) const {
    a.add("pool", objectText(c.pool)).add("query", c.query);
  }
  void operator()(const cmd::ResetQueryPool& c) const {
    a.add("pool", objectText(c.pool)).add("first", c.first).add("count", c.count);
  }
  void operator()(const cmd::CopyQueryPoolResults& c) const {
    a.add("pool", objectText(c.pool)).add("first", c.first).add("count", c.count);
    a.add("dst", objectText(c.dst));
  }
  void operator()(const cmd::ExecuteCommands& c) const {
    a.add("secondaries", c.secondaries.size());
  }
  void operator()(const cmd::Dispatch& c) const {
    std::array<uint32_t, 3> count = c.count;
    if (c.indirect) {
      // The counts are read from the buffer when the dispatch runs, as run() does.
      VkDispatchIndirectCommand command;
      std::memcpy(&command, c.indirect->data() + c.indirectOffset, sizeof(command));
      count = {command.x, command.y, command.z};
      a.add("indirect", objectText(c.indirect)).add("indirectOffset", c.indirectOffset);
    }
    a.add("groupCountX", count[0]).add("groupCountY", count[1]).add("groupCountZ", count[2]);
    if (c.base != std::array<uint32_t, 3>{0, 0, 0})
      a.add("baseGroupX", c.base[0]).add("baseGroupY", c.base[1]).add("baseGroupZ", c.base[2]);
    const auto& local = c.pipeline->program().localSize();
    a.add("localSize", std::to_string(local[0]) + "x" + std::to_string(local[1]) + "x" +
                           std::to_string(local[2]));
    a.add("invocations", uint64_t(count[0]) * count[1] * count[2] * local[0] * local[1] * local[2]);
    a.add("pipeline", objectText(c.pipeline));
  }
  void operator()(const cmd::PipelineBarrier& c) const {
    a.addHex("srcStageMask", c.srcStages).addHex("dstStageMask", c.dstStages);
    a.add("memoryBarriers", c.memoryBarriers).add("bufferBarriers", c.bufferBarriers);
    a.add("imageBarriers", c.images.size());
    std::string transitions;
    for (const auto& t : c.images) {
      if (!transitions.empty()) transitions += "; ";
      transitions +=
          objectText(t.image) + ": " + layoutName(t.oldLayout) + " -> " + layoutName(t.newLayout);
      if (t.srcFamily != t.dstFamily)
        transitions +=
            ", queue family " + familyName(t.srcFamily) + " -> " + familyName(t.dstFamily);
    }
    if (!transitions.empty()) a.add("images", transitions);
  }
};

}  // namespace

const char* commandName(const Command& command) { return std::visit(Namer{}, command); }

void CommandBuffer::executeTraced() const {
  Device& d = device();
  trace::Span span("command", "command buffer");
  span.args().add("commandBuffer", name().empty() ? "" : name()).addHandle("handle", this);
  span.args().add("commands", commands_.size());
  for (const Command& command : commands_) {
    trace::Span commandSpan("command", commandName(command));
    describeCommand(command, commandSpan.args());
    std::visit([&](const auto& c) { run(d, c); }, command);
  }
}

void describeCommand(const Command& command, trace::Args& args) {
  std::visit(Describer{args}, command);
}

}  // namespace emvk
