#include "device/workers.hpp"

#include <sched.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstdlib>

namespace emvk {
namespace {

unsigned workerCountFromEnvironment() {
  if (const char* env = std::getenv("EMVK_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return static_cast<unsigned>(n);
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return 1;
}

}  // namespace

// The handle keeps oneTBB's worker threads accountable to this device: when the device goes,
// finalize() waits until they have exited. Without it they outlive vkDestroyDevice and, once the
// loader unloads libemvk.so (and libtbb with it) at vkDestroyInstance, run on unmapped code.
struct Workers::Arena {
  explicit Arena(unsigned n) : handle(tbb::attach{}), arena(static_cast<int>(n)) {}
  ~Arena() {
    arena.terminate();
    // Returns false (and leaves the threads) while another device of this process still uses
    // them; the last device to go takes them down.
    tbb::finalize(handle, std::nothrow);
  }
  tbb::task_scheduler_handle handle;
  tbb::task_arena arena;
};

Workers::Workers()
    : count_(workerCountFromEnvironment()), arena_(std::make_unique<Arena>(count_)) {}

Workers::~Workers() = default;

namespace {

// ThreadSanitizer cannot see how oneTBB (not instrumented) hands a piece of work to a worker and
// back, so every byte a worker writes would look racy to the thread that asked for it. These two
// annotations state what oneTBB guarantees: everything before parallelFor happens before each
// piece, and each piece happens before parallelFor returns. They are nothing outside TSan builds.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
void handedOver(void* token) { __tsan_release(token); }
void takenOver(void* token) { __tsan_acquire(token); }
#else
void handedOver(void*) {}
void takenOver(void*) {}
#endif

}  // namespace

void Workers::parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (count_ <= 1 || n <= grain) {
    body(0, n);
    return;
  }
  char start = 0, finish = 0;  // the annotations' addresses
  handedOver(&start);
  arena_->arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, n, grain),
        [&](const tbb::blocked_range<size_t>& r) {
          takenOver(&start);
          body(r.begin(), r.end());
          handedOver(&finish);
        },
        tbb::simple_partitioner());
  });
  takenOver(&finish);
}

}  // namespace emvk
