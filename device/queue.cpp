#include "device/queue.hpp"

#include <pthread.h>
#include <unistd.h>

#include "device/command_buffer.hpp"
#include "device/device.hpp"
#include "device/fence.hpp"
#include "device/semaphore.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"

namespace emvk {

Queue::Queue(Device& device, uint32_t family, uint32_t index, VkDeviceQueueCreateFlags flags)
    : Object(VK_OBJECT_TYPE_QUEUE), device_(device), family_(family), index_(index), flags_(flags) {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), ("emvk-queue" + std::to_string(index)).c_str());
}

Queue::~Queue() {
  stopping_.store(true, std::memory_order_seq_cst);
  workWord_.fetch_add(1, std::memory_order_seq_cst);
  futexWakeAll(workWord_);
  thread_.join();
}

void Queue::submit(Submission submission) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(submission));
  }
  submitted_.fetch_add(1, std::memory_order_seq_cst);
  workWord_.fetch_add(1, std::memory_order_seq_cst);
  if (executorSleeping_.load(std::memory_order_seq_cst)) futexWakeAll(workWord_);
}

VkResult Queue::waitIdle() {
  const uint64_t target = submitted_.load(std::memory_order_acquire);
  device_.board().waitUntil([&] { return completed_.load(std::memory_order_acquire) >= target; },
                            Clock::time_point::max());
  return device_.lost() ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
}

bool Queue::takeNext(Submission& out) {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return false;
  out = std::move(pending_.front());
  pending_.pop_front();
  return true;
}

// Spin briefly (a new submission often follows at once), then sleep on the futex word.
void Queue::sleepUntilWork(uint32_t seen) {
  const auto spinEnd = Clock::now() + std::chrono::nanoseconds(spinBudgetNs());
  for (unsigned i = 0; workWord_.load(std::memory_order_acquire) == seen; ++i) {
    if ((i & 63) == 0 && Clock::now() >= spinEnd) {
      executorSleeping_.store(1, std::memory_order_seq_cst);
      if (workWord_.load(std::memory_order_seq_cst) == seen)
        futexWait(workWord_, seen, Clock::time_point::max());
      executorSleeping_.store(0, std::memory_order_seq_cst);
      return;
    }
    spinStep(i);
  }
}

void Queue::run() {
  trace::nameThread("queue " + std::to_string(family_) + "." + std::to_string(index_));
  for (;;) {
    const uint32_t seen = workWord_.load(std::memory_order_seq_cst);
    Submission submission;
    if (takeNext(submission)) {
      execute(submission);
      completed_.fetch_add(1, std::memory_order_release);
      device_.board().notify();
      continue;
    }
    if (stopping_.load(std::memory_order_seq_cst)) return;
    sleepUntilWork(seen);
  }
}

void Queue::execute(const Submission& submission) {
  // EMVK_TRACE is looked at once per submission: untraced, this loop is all there is.
  if (trace::enabled()) [[unlikely]]
    return executeTraced(submission);
  for (const Batch& batch : submission.batches) {
    for (const SemaphoreOp& wait : batch.waits) awaitSemaphore(wait, nullptr);
    // After a loss nothing more executes; fences still signal so that nobody waits forever
    // (their waits report VK_ERROR_DEVICE_LOST).
    if (device_.lost()) break;
    for (CommandBuffer* cb : batch.commandBuffers) cb->execute();
    for (const SemaphoreOp& signal : batch.signals) signal.semaphore->signal(signal.value);
  }
  if (submission.fence) submission.fence->signal();
}

void Queue::awaitSemaphore(const SemaphoreOp& wait, uint64_t* flow) {
  // Wait-before-signal (timeline semaphores): the signal may come from another queue, the host or
  // another process at any later time, so this executor sleeps until it does — unless every other
  // process sharing the semaphore has died (device/sync_wait.hpp).
  if (wait.semaphore->wait(wait.value, Clock::time_point::max(), flow) == WaitStatus::PeerGone)
    device_.lose("a queue waited on a semaphore whose every other holder process has exited");
}

}  // namespace emvk

using namespace emvk;

namespace {

std::vector<SemaphoreOp> semaphoreOps(uint32_t count, const VkSemaphore* semaphores,
                                      const uint64_t* values, uint32_t valueCount) {
  std::vector<SemaphoreOp> ops(count);
  for (uint32_t i = 0; i < count; ++i)
    ops[i] = {fromHandle(semaphores[i]), values && i < valueCount ? values[i] : 0};
  return ops;
}

// The application's side of a submission in the trace, with an arrow to where the queue runs it.
[[gnu::cold, gnu::noinline]] void traceSubmit(const Queue& queue, Submission& submission) {
  static std::atomic<uint64_t> submissions{0};
  submission.traceFlow =
      ((static_cast<uint64_t>(getpid()) << 24) + submissions.fetch_add(1) + 1) & ((1ull << 53) - 1);
  size_t commandBuffers = 0;
  for (const Batch& b : submission.batches) commandBuffers += b.commandBuffers.size();
  trace::Span span("queue", "vkQueueSubmit");
  span.args()
      .add("queue", std::to_string(queue.family()) + "." + std::to_string(queue.index()))
      .add("batches", submission.batches.size())
      .add("commandBuffers", commandBuffers)
      .addHandle("fence", submission.fence);
  trace::flowStart("submit", "vkQueueSubmit", submission.traceFlow);
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_QueueSubmit(VkQueue queue, uint32_t count,
                                                const VkSubmitInfo* pSubmits, VkFence fence) {
  if (fromHandle(queue)->device().lost()) return VK_ERROR_DEVICE_LOST;
  Submission submission;
  submission.fence = fromHandle(fence);
  submission.batches.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const VkSubmitInfo& s = pSubmits[i];
    const auto* timeline = findInChain<VkTimelineSemaphoreSubmitInfo>(s.pNext);
    Batch& b = submission.batches[i];
    b.waits = semaphoreOps(s.waitSemaphoreCount, s.pWaitSemaphores,
                           timeline ? timeline->pWaitSemaphoreValues : nullptr,
                           timeline ? timeline->waitSemaphoreValueCount : 0);
    b.signals = semaphoreOps(s.signalSemaphoreCount, s.pSignalSemaphores,
                             timeline ? timeline->pSignalSemaphoreValues : nullptr,
                             timeline ? timeline->signalSemaphoreValueCount : 0);
    for (uint32_t c = 0; c < s.commandBufferCount; ++c)
      b.commandBuffers.push_back(fromHandle(s.pCommandBuffers[c]));
  }
  if (trace::enabled()) [[unlikely]]
    traceSubmit(*fromHandle(queue), submission);
  fromHandle(queue)->submit(std::move(submission));
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_QueueSubmit2(VkQueue queue, uint32_t count,
                                                 const VkSubmitInfo2* pSubmits, VkFence fence) {
  if (fromHandle(queue)->device().lost()) return VK_ERROR_DEVICE_LOST;
  Submission submission;
  submission.fence = fromHandle(fence);
  submission.batches.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const VkSubmitInfo2& s = pSubmits[i];
    Batch& b = submission.batches[i];
    for (uint32_t w = 0; w < s.waitSemaphoreInfoCount; ++w)
      b.waits.push_back(
          {fromHandle(s.pWaitSemaphoreInfos[w].semaphore), s.pWaitSemaphoreInfos[w].value});
    for (uint32_t c = 0; c < s.commandBufferInfoCount; ++c)
      b.commandBuffers.push_back(fromHandle(s.pCommandBufferInfos[c].commandBuffer));
    for (uint32_t g = 0; g < s.signalSemaphoreInfoCount; ++g)
      b.signals.push_back(
          {fromHandle(s.pSignalSemaphoreInfos[g].semaphore), s.pSignalSemaphoreInfos[g].value});
  }
  if (trace::enabled()) [[unlikely]]
    traceSubmit(*fromHandle(queue), submission);
  fromHandle(queue)->submit(std::move(submission));
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_QueueWaitIdle(VkQueue queue) {
  return fromHandle(queue)->waitIdle();
}
