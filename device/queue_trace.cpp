// What EMVK_TRACE shows of a submission on its queue's track: the submission, each semaphore wait
// (with the arrow from the signal that released it), the command buffers (their commands are
// device/command_trace.cpp's), each signal with an arrow to its waits, and the fence.
// Queue::execute comes here only while tracing, so an untraced submission pays nothing for it.
#include "device/command_buffer.hpp"
#include "device/device.hpp"
#include "device/fence.hpp"
#include "device/queue.hpp"
#include "device/semaphore.hpp"
#include "device/trace.hpp"

namespace emvk {

void Queue::executeTraced(const Submission& submission) {
  trace::Span span("queue", "submit");
  span.args().add("batches", submission.batches.size()).addHandle("fence", submission.fence);
  trace::flowEnd("submit", "vkQueueSubmit", submission.traceFlow);
  for (size_t index = 0; index < submission.batches.size(); ++index) {
    const Batch& batch = submission.batches[index];
    for (const SemaphoreOp& wait : batch.waits) {
      trace::Span waiting("sync", "wait semaphore");
      uint64_t flow = 0;
      awaitSemaphore(wait, &flow);
      waiting.args().addHandle("semaphore", wait.semaphore).add("batch", index);
      if (wait.semaphore->timeline()) waiting.args().add("value", wait.value);
      if (flow) trace::flowEnd("sync", "semaphore", flow);
    }
    if (device_.lost()) break;  // as in Queue::execute
    for (CommandBuffer* cb : batch.commandBuffers) cb->execute();
    for (const SemaphoreOp& signal : batch.signals) {
      // Dated before the signal: the wait it releases may end (and be written) before we go on.
      const double at = trace::nowUs();
      const uint64_t flow = signal.semaphore->signal(signal.value);
      trace::Args args;
      args.addHandle("semaphore", signal.semaphore).add("batch", index);
      if (signal.semaphore->timeline()) args.add("value", signal.value);
      trace::instant("sync", "signal semaphore", args, at);
      trace::flowStart("sync", "semaphore", flow, at);
    }
  }
  if (submission.fence) {
    const double at = trace::nowUs();
    submission.fence->signal();
    trace::instant("sync", "signal fence", trace::Args().addHandle("fence", submission.fence), at);
  }
}

}  // namespace emvk
