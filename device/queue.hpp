// VkQueue: an in-order executor on its own thread. vkQueueSubmit appends a Submission and returns;
// the executor waits for each batch's semaphores, runs its command buffers, signals its semaphores
// and finally the fence. docs/ARCHITECTURE.md follows one submission through this file.
#pragma once
#include <atomic>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "device/object.hpp"

namespace emvk {

class CommandBuffer;
class Device;
class Fence;
class Semaphore;

struct SemaphoreOp {
  Semaphore* semaphore;
  uint64_t value;  // timeline value; ignored for binary semaphores
};

struct Batch {
  std::vector<SemaphoreOp> waits;
  std::vector<CommandBuffer*> commandBuffers;
  std::vector<SemaphoreOp> signals;
};

struct Submission {
  std::vector<Batch> batches;
  Fence* fence = nullptr;
  uint64_t traceFlow = 0;  // EMVK_TRACE: the arrow from vkQueueSubmit to its execution
};

class Queue : public Object {
 public:
  Queue(Device& device, uint32_t family, uint32_t index, VkDeviceQueueCreateFlags flags);
  ~Queue();  // finishes what was submitted, then joins the executor

  uint32_t family() const { return family_; }
  uint32_t index() const { return index_; }
  VkDeviceQueueCreateFlags flags() const { return flags_; }
  Device& device() const { return device_; }

  void submit(Submission submission);
  VkResult waitIdle();

 private:
  void run();
  bool takeNext(Submission& out);
  void sleepUntilWork(uint32_t seen);
  void execute(const Submission& submission);
  // The same, with every step in the EMVK_TRACE timeline (device/queue_trace.cpp).
  [[gnu::cold, gnu::noinline]] void executeTraced(const Submission& submission);
  void awaitSemaphore(const SemaphoreOp& wait, uint64_t* flow);

  Device& device_;
  uint32_t family_;
  uint32_t index_;
  VkDeviceQueueCreateFlags flags_;

  std::mutex mutex_;
  std::deque<Submission> pending_;
  std::atomic<uint32_t> workWord_{0};  // futex word: bumped by every submit
  std::atomic<uint32_t> executorSleeping_{0};
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};
EMVK_DEFINE_HANDLE(Queue, VkQueue, VK_OBJECT_TYPE_QUEUE)

}  // namespace emvk
