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

void Workers::parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (count_ <= 1 || n <= grain) {
    body(0, n);
    return;
  }
  arena_->arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, n, grain),
        [&](const tbb::blocked_range<size_t>& r) { body(r.begin(), r.end()); },
        tbb::simple_partitioner());
  });
}

}  // namespace emvk
