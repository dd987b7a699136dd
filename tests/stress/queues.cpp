// Many threads record and submit small work to every queue at once: each iteration of each thread
// is a chain of three submissions on three different queues — fill, copy, saxpy dispatch — ordered
// by the thread's own timeline semaphore, ended by a fence or a host wait on the timeline, and
// checked to the last element.
#include <bit>
#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "compute/saxpy.hpp"
#include "stress/stress_device.hpp"

namespace {

constexpr uint32_t kThreads = 8;
constexpr uint32_t kElements = 4096;          // floats per buffer: 16 KiB, 64 workgroups of saxpy
constexpr uint64_t kWaitNs = 20'000'000'000;  // a lost signal fails the test instead of hanging it

struct Counts {
  std::atomic<uint64_t> chains{0}, submissions{0}, dispatches{0}, bytesChecked{0};
};

// One worker thread's objects: its command pool and three command buffers, its buffers A and B,
// its descriptor set for saxpy (x = A, y = B), its timeline and its fence.
class Worker {
 public:
  Worker(test::Device& device, compute_test::Saxpy& saxpy, VkDescriptorPool sets, uint32_t index)
      : device_(device), saxpy_(saxpy), index_(index) {
    VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = device.family;
    VK_CHECK(vkCreateCommandPool(device.handle, &poolInfo, nullptr, &pool_));
    VkCommandBufferAllocateInfo cbInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, nullptr,
                                       pool_, VK_COMMAND_BUFFER_LEVEL_PRIMARY, 3};
    VK_CHECK(vkAllocateCommandBuffers(device.handle, &cbInfo, cbs_));
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    a_ = device.createBuffer(kElements * 4, usage);
    b_ = device.createBuffer(kElements * 4, usage);
    VkDescriptorSetAllocateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr,
                                        sets, 1, &saxpy.setLayout};
    VK_CHECK(vkAllocateDescriptorSets(device.handle, &setInfo, &set_));
    VkDescriptorBufferInfo infos[2] = {{a_.buffer, 0, VK_WHOLE_SIZE},
                                       {b_.buffer, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set_,  0,      0, 2,
                               VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, infos, nullptr};
    vkUpdateDescriptorSets(device.handle, 1, &write, 0, nullptr);
    VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, nullptr,
                                   VK_SEMAPHORE_TYPE_TIMELINE, 0};
    VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
    VK_CHECK(vkCreateSemaphore(device.handle, &semaphoreInfo, nullptr, &timeline_));
    fence_ = device.createFence();
    waitSemaphores_ = device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR");
  }
  ~Worker() {
    vkDestroyFence(device_.handle, fence_, nullptr);
    vkDestroySemaphore(device_.handle, timeline_, nullptr);
    device_.destroy(a_);
    device_.destroy(b_);
    vkDestroyCommandPool(device_.handle, pool_, nullptr);  // frees the command buffers
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Chains until `deadline`; stops at the first error (the chain's objects may still be in use).
  void run(stress::QueueLocks& queues, stress::Clock::time_point deadline, Counts& counts,
           stress::Errors& errors) {
    for (uint64_t k = 1; stress::Clock::now() < deadline && !errors.any(); ++k) {
      std::string error = chain(queues, k);
      if (!error.empty()) {
        errors.add("thread " + std::to_string(index_) + ", chain " + std::to_string(k) + ": " +
                   error);
        return;
      }
      counts.chains.fetch_add(1, std::memory_order_relaxed);
      counts.submissions.fetch_add(3, std::memory_order_relaxed);
      counts.dispatches.fetch_add(1, std::memory_order_relaxed);
      counts.bytesChecked.fetch_add(kElements * 4, std::memory_order_relaxed);
    }
  }

 private:
  // Chain k: queue i fills A with v and signals 3k-2; queue i+1 waits for it, copies A to B and
  // signals 3k-1; queue i+2 waits for that, runs B = 2A + B = 3v and signals 3k (and the fence, on
  // odd k). The host waits for the fence or for 3k, then reads B.
  std::string chain(stress::QueueLocks& queues, uint64_t k) {
    const float v = static_cast<float>(k % 1024 + 1);
    if (vkResetCommandPool(device_.handle, pool_, 0) != VK_SUCCESS) return "reset pool";
    const VkBufferCopy whole{0, 0, kElements * 4};
    // (Not test::beginCommandBuffer: its REQUIRE may not run on a worker thread.)
    const VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, nullptr,
                                         VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    for (VkCommandBuffer cb : cbs_)
      if (vkBeginCommandBuffer(cb, &begin) != VK_SUCCESS) return "begin command buffer";
    vkCmdFillBuffer(cbs_[0], a_.buffer, 0, VK_WHOLE_SIZE, std::bit_cast<uint32_t>(v));
    vkCmdCopyBuffer(cbs_[1], a_.buffer, b_.buffer, 1, &whole);
    vkCmdBindPipeline(cbs_[2], VK_PIPELINE_BIND_POINT_COMPUTE, saxpy_.pipeline);
    vkCmdBindDescriptorSets(cbs_[2], VK_PIPELINE_BIND_POINT_COMPUTE, saxpy_.layout, 0, 1, &set_, 0,
                            nullptr);
    const struct {
      float a;
      uint32_t n;
    } constants{2.0f, kElements};
    vkCmdPushConstants(cbs_[2], saxpy_.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(constants),
                       &constants);
    vkCmdDispatch(cbs_[2], kElements / 64, 1, 1);
    compute_test::toHost(cbs_[2]);
    for (VkCommandBuffer cb : cbs_)
      if (vkEndCommandBuffer(cb) != VK_SUCCESS) return "end command buffer";

    const VkPipelineStageFlags stages[3] = {0, VK_PIPELINE_STAGE_TRANSFER_BIT,
                                            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT};
    const bool useFence = k % 2 == 1;
    for (uint32_t step = 0; step < 3; ++step) {
      const uint64_t wait = 3 * k - 3 + step, signal = 3 * k - 2 + step;
      VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
      values.waitSemaphoreValueCount = step ? 1 : 0;
      values.pWaitSemaphoreValues = &wait;
      values.signalSemaphoreValueCount = 1;
      values.pSignalSemaphoreValues = &signal;
      VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
      submit.waitSemaphoreCount = step ? 1 : 0;
      submit.pWaitSemaphores = &timeline_;
      submit.pWaitDstStageMask = &stages[step];
      submit.commandBufferCount = 1;
      submit.pCommandBuffers = &cbs_[step];
      submit.signalSemaphoreCount = 1;
      submit.pSignalSemaphores = &timeline_;
      const VkFence fence = step == 2 && useFence ? fence_ : VK_NULL_HANDLE;
      if (VkResult r = queues.submit(index_ + k + step, submit, fence); r != VK_SUCCESS)
        return "vkQueueSubmit returned " + std::to_string(r);
    }
    if (useFence) {
      if (VkResult r = vkWaitForFences(device_.handle, 1, &fence_, VK_TRUE, kWaitNs);
          r != VK_SUCCESS)
        return "vkWaitForFences returned " + std::to_string(r);
      vkResetFences(device_.handle, 1, &fence_);
    } else {
      const uint64_t value = 3 * k;
      VkSemaphoreWaitInfo info{
          VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, 0, 1, &timeline_, &value};
      if (VkResult r = waitSemaphores_(device_.handle, &info, kWaitNs); r != VK_SUCCESS)
        return "vkWaitSemaphores returned " + std::to_string(r);
    }
    const float* result = b_.as<float>();
    for (uint32_t i = 0; i < kElements; ++i)
      if (result[i] != 3 * v)
        return "B[" + std::to_string(i) + "] = " + std::to_string(result[i]) + ", not " +
               std::to_string(3 * v);
    return {};
  }

  test::Device& device_;
  compute_test::Saxpy& saxpy_;
  uint32_t index_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cbs_[3] = {};
  test::Buffer a_, b_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
  VkSemaphore timeline_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  PFN_vkWaitSemaphoresKHR waitSemaphores_ = nullptr;
};

void submitFromThreads(stress::Clock::duration budget) {
  test::Instance instance;
  stress::DeviceFeatures features;
  const uint32_t queueCount = test::queueFamilies(instance.physical).at(0).queueCount;
  test::Device device(instance, features.options(queueCount));
  compute_test::Saxpy saxpy(device, 0);
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 * kThreads};
  VkDescriptorPoolCreateInfo poolInfo{
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, kThreads, 1, &size};
  VkDescriptorPool sets;
  VK_CHECK(vkCreateDescriptorPool(device.handle, &poolInfo, nullptr, &sets));
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t t = 0; t < kThreads; ++t)
    workers.push_back(std::make_unique<Worker>(device, saxpy, sets, t));

  stress::QueueLocks queues(device.queues);
  stress::Errors errors;
  Counts counts;
  const auto start = stress::Clock::now();
  std::vector<std::thread> threads;
  for (auto& worker : workers)
    threads.emplace_back([&, w = worker.get()] { w->run(queues, start + budget, counts, errors); });
  for (auto& thread : threads) thread.join();
  const double seconds = stress::secondsSince(start);
  // After an error a chain may still wait on the queues: let them finish before anything is freed.
  vkDeviceWaitIdle(device.handle);
  errors.check();
  workers.clear();
  vkDestroyDescriptorPool(device.handle, sets, nullptr);

  if (budget < std::chrono::seconds(1)) return;  // the warm-up run reports nothing
  const std::string setting =
      std::to_string(kThreads) + " threads, " + std::to_string(queueCount) + " queues";
  stress::report("queue chains (3 submits)", counts.chains, seconds, setting);
  stress::report("queue submissions", counts.submissions, seconds, setting);
  stress::report("checked MiB", counts.bytesChecked >> 20, seconds, setting);
  CHECK(counts.chains > 0);
}

}  // namespace

TEST_CASE("stress: threads chain fills, copies and dispatches across every queue",
          "[stress][sync][compute]") {
  if (!stress::isEmvk()) return;
  stress::runWithLeakCheck(10, submitFromThreads);
}
