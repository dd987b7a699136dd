// EMVK_TRACE=file.json: a timeline of what the emulated GPU does, in the Chrome trace-event JSON
// format that the Perfetto UI (ui.perfetto.dev) and chrome://tracing open (docs/TRACE.md).
//
// Each queue is a track of its own thread: submissions, command buffers and every command with its
// arguments, semaphore waits and signals with their values, with flow arrows from each signal to
// the wait it releases (also across processes). Application threads show vkQueueSubmit, host
// waits and signals, pipeline compilations and memory allocations, exports and imports.
//
// Off (the default) costs one relaxed load of a flag per hook. On, each event is formatted and
// appended to a per-process buffer that is written out in large blocks; processes that share one
// file (a program and the peers it starts with the same environment) append to it together.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace emvk::trace {

namespace detail {
extern std::atomic<bool> on;
}

// True while a trace is being written. Read once per instance creation from EMVK_TRACE.
inline bool enabled() { return detail::on.load(std::memory_order_relaxed); }

// The file being written ("" when not tracing).
std::string path();

// The first vkCreateInstance of a process opens the trace, the last vkDestroyInstance closes it.
// Returns why EMVK_TRACE's file could not be opened, or "".
std::string instanceCreated();
void instanceDestroyed();

// An event's "args" object, built only when tracing.
class Args {
 public:
  Args& add(std::string_view key, std::string_view value);
  Args& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  Args& add(std::string_view key, uint64_t value);
  Args& add(std::string_view key, int64_t value);
  Args& add(std::string_view key, uint32_t value) { return add(key, uint64_t{value}); }
  Args& add(std::string_view key, int value) { return add(key, int64_t{value}); }
  Args& add(std::string_view key, double value);
  Args& add(std::string_view key, bool value);
  Args& addHandle(std::string_view key, const void* object);  // "0x55d0…", the Vulkan handle
  Args& addHex(std::string_view key, uint64_t value);
  bool empty() const { return json_.empty(); }
  std::string object() const { return "{" + json_ + "}"; }

 private:
  void key(std::string_view key);
  std::string json_;
};

// A slice on the calling thread's track, from construction to destruction ("ph":"X"). Off, it is
// one flag test and a null pointer: nothing is built.
class Span {
 public:
  Span(const char* category, std::string_view name) {
    if (enabled()) begin(category, name);
  }
  ~Span() {
    if (state_) end();
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  explicit operator bool() const { return state_ != nullptr; }
  // The slice's arguments (a scratch object while not tracing).
  Args& args();

 private:
  struct State {
    const char* category;
    std::string name;
    double start;
    Args args;
  };
  void begin(const char* category, std::string_view name);
  void end();
  std::unique_ptr<State> state_;
};

// A point in time on the calling thread's track ("ph":"i").
// `at` (from nowUs()) dates an event that is written after it happened; by default, now.
void instant(const char* category, std::string_view name, const Args& args = {}, double at = -1);
// A value over time, drawn as its own track in the process ("ph":"C").
void counter(std::string_view name, std::string_view series, double value);
// An arrow from the enclosing slice of the calling thread to the slice that later calls
// flowEnd() with the same id, possibly in another thread or process ("ph":"s" / "f").
void flowStart(const char* category, std::string_view name, uint64_t id, double at = -1);
void flowEnd(const char* category, std::string_view name, uint64_t id);
// Names the calling thread's track (a queue's executor calls itself "queue 0.0").
void nameThread(std::string_view name);
// Names the calling thread's track unless it has a name already (a worker of the thread pool,
// which otherwise shows the name it inherited from the thread that started it).
void nameThreadIfUnnamed(std::string_view name);

// Microseconds on CLOCK_MONOTONIC: the same clock in every process, so traces of cooperating
// processes line up.
double nowUs();

}  // namespace emvk::trace
