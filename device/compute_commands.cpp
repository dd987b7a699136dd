// vkCmdBindPipeline (compute), vkCmdDispatch, vkCmdDispatchBase, vkCmdDispatchIndirect: recording
// and execution. A dispatch records a snapshot of the bind state (device/bind_state.hpp); when it
// runs, the bound buffers' base pointers (and texel buffers' view formats) are gathered once, and
// the workgroups are spread over the device's workers, each worker with its own shared memory.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/pipeline.hpp"
#include "device/trace.hpp"

namespace emvk {

namespace {

// A dispatch's pieces, each a slice on the track of the thread that ran it: how the work was
// spread (EMVK_TRACE only).
[[gnu::cold, gnu::noinline]] void parallelForTraced(
    Workers& workers, size_t total, size_t grain,
    const std::function<void(size_t, size_t)>& runPiece) {
  workers.parallelFor(total, grain, [&](size_t begin, size_t end) {
    trace::Span span("workers", "workgroups");
    trace::nameThreadIfUnnamed("worker");
    span.args().add("first", uint64_t(begin)).add("count", uint64_t(end - begin));
    runPiece(begin, end);
  });
}

}  // namespace

void run(Device& device, const cmd::Dispatch& c) {
  const jit::Program& program = c.pipeline->program();
  std::array<uint32_t, 3> count = c.count;
  if (c.indirect) {
    // VkDispatchIndirectCommand is read when the dispatch executes, not when it is recorded.
    VkDispatchIndirectCommand command;
    std::memcpy(&command, c.indirect->data() + c.indirectOffset, sizeof(command));
    count = {command.x, command.y, command.z};
  }
  const uint64_t total = uint64_t(count[0]) * count[1] * count[2];
  if (total == 0) return;

  const auto& bindings = program.bindings();
  std::vector<uint8_t*> buffers(bindings.size());
  std::vector<uint64_t> ranges(bindings.size());
  std::vector<uint32_t> formats(bindings.size());
  for (size_t i = 0; i < bindings.size(); ++i) {
    const BoundSet& set = c.state.sets[bindings[i].set];
    const bool texel = bindings[i].kind == jit::DescriptorKind::UniformTexelBuffer ||
                       bindings[i].kind == jit::DescriptorKind::StorageTexelBuffer;
    const BufferRange r =
        texel ? set.texelBuffer(bindings[i].binding, 0) : set.buffer(bindings[i].binding, 0);
    buffers[i] = r.data;
    ranges[i] = r.size;
    formats[i] = static_cast<uint32_t>(r.format);
  }

  const size_t sharedSize = program.sharedMemorySize();
  const size_t grain = std::max<uint64_t>(1, total / (device.workers().count() * 8));
  // The watchdog may stop a dispatch that runs too long (device/watchdog.hpp).
  static const std::atomic<uint32_t> kNeverCancelled{0};
  Watchdog::Slot* watch = device.watchdog().arm();
  const std::atomic<uint32_t>& cancel = watch ? watch->cancel : kNeverCancelled;
  const auto* cancelWord = reinterpret_cast<const uint32_t*>(&cancel);
  const auto runPiece = [&](size_t begin, size_t end) {
    // Each piece of the range runs on one thread: its workgroups take turns with one block of
    // shared memory, 16-byte aligned as the JIT assumes.
    std::vector<uint8_t> shared(sharedSize + 16);
    auto* aligned = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(shared.data()) + 15) &
                                               ~uintptr_t(15));
    jit::DispatchContext context{
        buffers.data(), ranges.data(), c.state.pushConstants.data(), {}, {}, aligned,
        formats.data(), cancelWord};
    std::copy(count.begin(), count.end(), context.numWorkgroups);
    // The ids of the first workgroup by division, then by counting (divisions per workgroup
    // would cost more than a small workgroup's work).
    uint32_t id[3] = {uint32_t(begin % count[0]), uint32_t(begin / count[0] % count[1]),
                      uint32_t(begin / (uint64_t(count[0]) * count[1]))};
    for (size_t index = begin; index < end; ++index) {
      if (cancel.load(std::memory_order_relaxed)) break;
      for (int i = 0; i < 3; ++i) context.workgroupId[i] = c.base[i] + id[i];
      program.runWorkgroup(context);
      if (++id[0] == count[0]) {
        id[0] = 0;
        if (++id[1] == count[1]) id[1] = 0, ++id[2];
      }
    }
  };
  if (trace::enabled()) [[unlikely]]
    parallelForTraced(device.workers(), total, grain, runPiece);
  else
    device.workers().parallelFor(total, grain, runPiece);
  const bool stopped = cancel.load(std::memory_order_relaxed) != 0;
  device.watchdog().disarm(watch);
  if (stopped) {
    device.lose("a dispatch ran longer than EMVK_TIMEOUT_MS = " +
                std::to_string(device.watchdog().timeoutMs()) +
                " ms (a shader that never ends?) and was stopped");
  }
}

}  // namespace emvk

using namespace emvk;

namespace {

void recordDispatch(VkCommandBuffer commandBuffer, std::array<uint32_t, 3> base,
                    std::array<uint32_t, 3> count, Buffer* indirect = nullptr,
                    VkDeviceSize offset = 0) {
  CommandBuffer* cb = fromHandle(commandBuffer);
  // VUID-vkCmdDispatch-groupCountX-00386 (and -Y, -Z), VUID-vkCmdDispatchBase-groupCountX-00424:
  // against the reported limit, which a profile (EMVK_PROFILE) may have lowered. Indirect counts
  // are read at execution and not checked here.
  const uint32_t* max = cb->device().physicalDevice().properties().limits.maxComputeWorkGroupCount;
  for (int i = 0; i < 3; ++i) {
    if (uint64_t{base[i]} + count[i] > max[i]) {
      EMVK_LOG(&cb->device().instance(), Error, logObject(cb),
               "vkCmdDispatch: refused, nothing recorded: base ", base[i], " + group count ",
               count[i], " exceed maxComputeWorkGroupCount[", i, "] = ", max[i]);
      return;
    }
  }
  cmd::Dispatch c{cb->computePipeline(), cb->computeBindState(), base, count, indirect, offset};
  cb->record(std::move(c));
}

}  // namespace

VKAPI_ATTR void VKAPI_CALL emvk_CmdBindPipeline(VkCommandBuffer commandBuffer,
                                                VkPipelineBindPoint bindPoint,
                                                VkPipeline pipeline) {
  // Only compute pipelines exist; VUID-vkCmdBindPipeline-pipelineBindPoint-00777 ties the bind
  // point to the pipeline's kind.
  if (bindPoint == VK_PIPELINE_BIND_POINT_COMPUTE)
    fromHandle(commandBuffer)->bindComputePipeline(fromHandle(pipeline));
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdDispatch(VkCommandBuffer commandBuffer, uint32_t x, uint32_t y,
                                            uint32_t z) {
  recordDispatch(commandBuffer, {0, 0, 0}, {x, y, z});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdDispatchBase(VkCommandBuffer commandBuffer, uint32_t baseX,
                                                uint32_t baseY, uint32_t baseZ, uint32_t x,
                                                uint32_t y, uint32_t z) {
  recordDispatch(commandBuffer, {baseX, baseY, baseZ}, {x, y, z});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdDispatchIndirect(VkCommandBuffer commandBuffer, VkBuffer buffer,
                                                    VkDeviceSize offset) {
  recordDispatch(commandBuffer, {0, 0, 0}, {0, 0, 0}, fromHandle(buffer), offset);
}
