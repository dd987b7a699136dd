// The worker threads that split large work (copies, fills, later dispatches) across cores.
// oneTBB stays behind this file: the rest of the driver sees a parallel for-loop.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

namespace emvk {

class Workers {
 public:
  // EMVK_THREADS=N sets the count; the default is every core the process may run on.
  Workers();
  ~Workers();
  unsigned count() const { return count_; }
  // Calls body(begin, end) over [0, n) in pieces of at most `grain`, on all workers.
  void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body);

 private:
  struct Arena;
  unsigned count_;
  std::unique_ptr<Arena> arena_;
};

}  // namespace emvk
