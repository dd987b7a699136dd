// A token ring between processes: N participants share one buffer and one timeline semaphore per
// ring. Participant p's turns are the values t = p, p + N, p + 2N, ...: it waits (on the host)
// until the timeline reaches t, checks that the ring's words hold t and that participant t-1
// wrote them, writes t + 1 — with a queue fill whose submission signals t + 1, or with the host
// and vkSignalSemaphore, in turn (End::hostWrites) — and so hands the token on. Participant 0 ends
// the ring: at its first turn after its deadline it raises the stop word and passes the token once
// more round.
//
// Plain Vulkan, no Catch: the test process and tests/programs/stress_peer.cpp both run it.
#pragma once
#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ring {

// Words of a ring's region of the shared buffer: [0] stop, [1] last writer, [2...] the value.
constexpr uint32_t kWords = 4096;
constexpr uint64_t kRegionBytes = kWords * 4;
// A turn that does not come within this long means a lost signal: the ring fails, never hangs.
constexpr uint64_t kTurnTimeoutNs = 30'000'000'000;

struct End {
  VkDevice device = VK_NULL_HANDLE;
  uint32_t family = 0;
  VkQueue queue = VK_NULL_HANDLE;
  std::mutex* queueLock = nullptr;  // vkQueueSubmit needs the queue externally synchronized
  VkSemaphore timeline = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;  // the whole shared buffer, host-visible and coherent
  uint32_t* mapped = nullptr;        // the whole buffer, mapped
  uint32_t index = 0;                // which ring: its region starts at index * kRegionBytes
  uint32_t self = 0, participants = 2;
  // Whether every other write goes through the host and vkSignalSemaphore. The test process turns
  // this off under the validation layer, which takes a value another process signalled for a
  // pending signal of this one and then reports this process's next host signal as smaller than
  // it (VUID-VkSemaphoreSignalInfo-value-03259), though no signal of its own is pending.
  bool hostWrites = true;
};

struct Result {
  uint64_t writes = 0;      // turns at which this participant wrote
  uint64_t finalValue = 0;  // participant 0 only: the value the ring ended on
  std::string error;        // empty when all went well
};

namespace detail {

inline std::string fail(const End& e, uint64_t t, const std::string& what) {
  return "ring " + std::to_string(e.index) + ", participant " + std::to_string(e.self) + ", turn " +
         std::to_string(t) + ": " + what;
}

// First word of the value that is not `value`, or kWords.
inline uint32_t firstOther(const uint32_t* region, uint64_t value) {
  for (uint32_t i = 2; i < kWords; ++i)
    if (region[i] != static_cast<uint32_t>(value)) return i;
  return kWords;
}

}  // namespace detail

// Runs participant `e.self` of the ring until the stop word is seen (or, for participant 0, until
// its deadline has passed and the stop has gone round).
inline Result run(const End& e, std::chrono::steady_clock::time_point deadline) {
  Result result;
  auto waitSemaphores = reinterpret_cast<PFN_vkWaitSemaphoresKHR>(
      vkGetDeviceProcAddr(e.device, "vkWaitSemaphoresKHR"));
  auto signalSemaphore = reinterpret_cast<PFN_vkSignalSemaphoreKHR>(
      vkGetDeviceProcAddr(e.device, "vkSignalSemaphoreKHR"));
  auto waitFor = [&](uint64_t value) {
    VkSemaphoreWaitInfo info{
        VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, 0, 1, &e.timeline, &value};
    return waitSemaphores(e.device, &info, kTurnTimeoutNs);
  };
  auto hostSignal = [&](uint64_t value) {
    VkSemaphoreSignalInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, e.timeline, value};
    return signalSemaphore(e.device, &info);
  };

  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, nullptr,
                                   VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT, e.family};
  VkCommandBufferAllocateInfo cbInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, nullptr,
                                     VK_NULL_HANDLE, VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if (vkCreateCommandPool(e.device, &poolInfo, nullptr, &pool) != VK_SUCCESS ||
      (cbInfo.commandPool = pool, vkAllocateCommandBuffers(e.device, &cbInfo, &cb)) != VK_SUCCESS ||
      vkCreateFence(e.device, &fenceInfo, nullptr, &fence) != VK_SUCCESS) {
    result.error = detail::fail(e, 0, "setting up the command buffer");
    vkDestroyCommandPool(e.device, pool, nullptr);
    return result;
  }

  uint32_t* region = e.mapped + e.index * kWords;
  const VkDeviceSize offset = e.index * kRegionBytes;
  // Submits `cb` (if recorded) with a signal of `value`, which hands the token on.
  auto submit = [&](bool withCommands, uint64_t value) -> VkResult {
    VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    values.signalSemaphoreValueCount = 1;
    values.pSignalSemaphoreValues = &value;
    VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
    info.commandBufferCount = withCommands ? 1 : 0;
    info.pCommandBuffers = &cb;
    info.signalSemaphoreCount = 1;
    info.pSignalSemaphores = &e.timeline;
    std::lock_guard lock(*e.queueLock);
    return vkQueueSubmit(e.queue, 1, &info, fence);
  };
  // Writes t + 1 with the queue: a fill and a one-word update, made visible to every process's
  // host reads, then the submission's signal.
  auto queueWrite = [&](uint64_t t) -> VkResult {
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, nullptr,
                                   VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    vkBeginCommandBuffer(cb, &begin);
    vkCmdFillBuffer(cb, e.buffer, offset + 8, kRegionBytes - 8, static_cast<uint32_t>(t + 1));
    vkCmdUpdateBuffer(cb, e.buffer, offset + 4, 4, &e.self);
    VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                           VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                         &toHost, 0, nullptr, 0, nullptr);
    vkEndCommandBuffer(cb);
    return submit(true, t + 1);
  };
  auto hostWrite = [&](uint64_t t) -> VkResult {
    for (uint32_t i = 2; i < kWords; ++i) region[i] = static_cast<uint32_t>(t + 1);
    region[1] = e.self;
    return hostSignal(t + 1);
  };

  bool submitted = false;  // a submission of ours may not have been waited for yet
  for (uint64_t t = e.self;; t += e.participants) {
    if (VkResult r = waitFor(t); r != VK_SUCCESS) {
      result.error = detail::fail(e, t, "waiting for the turn returned " + std::to_string(r));
      break;
    }
    // Our last submission completed before its signal came round the ring: its fence is already
    // signalled. Waiting for it retires it (for the validation layer too) and frees `cb` and
    // `fence` for this turn.
    if (submitted) {
      if (VkResult r = vkWaitForFences(e.device, 1, &fence, VK_TRUE, kTurnTimeoutNs);
          r != VK_SUCCESS) {
        result.error =
            detail::fail(e, t, "our last submission's fence returned " + std::to_string(r));
        break;
      }
      vkResetFences(e.device, 1, &fence);
      submitted = false;
    }
    const bool stopped = region[0] != 0;
    if (!stopped) {
      if (uint32_t at = detail::firstOther(region, t); at != kWords) {
        result.error = detail::fail(
            e, t, "word " + std::to_string(at) + " holds " + std::to_string(region[at]));
        break;
      }
      const uint32_t previous = static_cast<uint32_t>((t + e.participants - 1) % e.participants);
      if (t > 0 && region[1] != previous) {
        result.error = detail::fail(
            e, t,
            "last written by " + std::to_string(region[1]) + ", not " + std::to_string(previous));
        break;
      }
    }
    if (stopped || (e.self == 0 && std::chrono::steady_clock::now() >= deadline)) {
      // Pass the stop on, unchanged otherwise; participant 0 waits for it to come back.
      region[0] = 1;
      VkResult r = e.hostWrites ? hostSignal(t + 1) : submit(false, t + 1);
      submitted = !e.hostWrites && r == VK_SUCCESS;
      if (r != VK_SUCCESS)
        result.error = detail::fail(e, t, "passing the stop on returned " + std::to_string(r));
      else if (e.self == 0 && (r = waitFor(t + e.participants)) != VK_SUCCESS)
        result.error =
            detail::fail(e, t, "waiting for the stop to go round returned " + std::to_string(r));
      else if (e.self == 0 && detail::firstOther(region, t) != kWords)
        result.error = detail::fail(e, t, "the stop round changed the value");
      result.finalValue = t;
      break;
    }
    const bool byHost = e.hostWrites && result.writes % 2 == 1;
    const VkResult r = byHost ? hostWrite(t) : queueWrite(t);
    submitted = !byHost && r == VK_SUCCESS;
    if (r != VK_SUCCESS) {
      result.error = detail::fail(e, t, "writing returned " + std::to_string(r));
      break;
    }
    ++result.writes;
  }
  if (submitted) vkWaitForFences(e.device, 1, &fence, VK_TRUE, kTurnTimeoutNs);
  vkDestroyFence(e.device, fence, nullptr);
  vkDestroyCommandPool(e.device, pool, nullptr);
  return result;
}

}  // namespace ring
