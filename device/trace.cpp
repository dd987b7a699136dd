#include "device/trace.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

#include "device/json.hpp"

namespace emvk::trace {

namespace detail {
std::atomic<bool> on{false};
}

namespace {

constexpr std::string_view kClosing = "\n]}\n";
constexpr size_t kFlushBytes = 256 * 1024;

// The open trace of this process. Several processes may append to one file: each holds a shared
// flock while it writes, so the one that finds nobody else left writes the closing brackets, and a
// process that starts while another is writing appends instead of starting the file over.
struct Writer {
  std::mutex mutex;
  int instances = 0;
  int fd = -1;
  std::string path;
  std::string buffer;
  uint64_t generation = 0;  // bumped per opening, so threads name their tracks again

  ~Writer() {
    std::lock_guard lock(mutex);
    close();
  }

  std::string open() {
    const char* env = std::getenv("EMVK_TRACE");
    if (!env || !*env) return {};
    path = expand(env);
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
      return "EMVK_TRACE: cannot open " + path + ": " + std::strerror(errno) + "; not tracing";
    ++generation;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      // Nobody else is writing: a new trace, or this process continuing its own.
      if (endsWithClosing() && startedByThisProcess()) {
        stripClosing();
        appendProcessName();
      } else {
        if (ftruncate(fd, 0) != 0) {
        }
        // Written at once: a peer that starts later appends its blocks after it.
        writeAll("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + processNameEvent());
      }
      flock(fd, LOCK_SH);
    } else {
      flock(fd, LOCK_SH);
      // The last writer may have closed the file between our two flock calls.
      if (endsWithClosing() && flock(fd, LOCK_EX | LOCK_NB) == 0) {
        if (endsWithClosing()) stripClosing();
        flock(fd, LOCK_SH);
      }
      appendProcessName();
    }
    detail::on.store(true, std::memory_order_relaxed);
    return {};
  }

  void close() {
    detail::on.store(false, std::memory_order_relaxed);
    if (fd < 0) return;
    flush();
    flock(fd, LOCK_UN);
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      if (!endsWithClosing()) writeAll(kClosing);
      flock(fd, LOCK_UN);
    }
    ::close(fd);
    fd = -1;
  }

  void append(const std::string& event) {
    if (fd < 0) return;
    buffer += ",\n";
    buffer += event;
    if (buffer.size() >= kFlushBytes) flush();
  }

  void flush() {
    writeAll(buffer);
    buffer.clear();
  }

  // One write() per block: appends of whole blocks by several processes do not interleave.
  void writeAll(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  bool endsWithClosing() {
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kClosing.size())) return false;
    char tail[8];
    if (pread(fd, tail, kClosing.size(), st.st_size - static_cast<off_t>(kClosing.size())) !=
        static_cast<ssize_t>(kClosing.size()))
      return false;
    return std::string_view(tail, kClosing.size()) == kClosing;
  }

  // The file's head names the process that started it. The loader unloads the driver with the
  // last instance, so this is how a later instance of the same process knows to continue.
  bool startedByThisProcess() {
    char head[256];
    const ssize_t n = pread(fd, head, sizeof head, 0);
    if (n <= 0) return false;
    const std::string expected = "\"pid\":" + std::to_string(getpid()) + ",";
    return std::string_view(head, static_cast<size_t>(n)).find(expected) != std::string_view::npos;
  }

  void stripClosing() {
    struct stat st {};
    if (fstat(fd, &st) == 0 && ftruncate(fd, st.st_size - static_cast<off_t>(kClosing.size()))) {
    }
  }

  void appendProcessName() { append(processNameEvent()); }

  static std::string processNameEvent() {
    char comm[64] = "?";
    if (FILE* f = std::fopen("/proc/self/comm", "r")) {
      if (std::fgets(comm, sizeof comm, f)) comm[std::strcspn(comm, "\n")] = 0;
      std::fclose(f);
    }
    return "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(getpid()) +
           ",\"tid\":" + std::to_string(gettid()) + ",\"args\":{\"name\":" +
           json::quote(std::string(comm) + " (pid " + std::to_string(getpid()) + ")") + "}}";
  }

  // "%p" in the path becomes the process id, for one file per process.
  static std::string expand(std::string_view pattern) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'p') {
        out += std::to_string(getpid());
        ++i;
      } else {
        out += pattern[i];
      }
    }
    return out;
  }
};

Writer& writer() {
  static Writer w;
  return w;
}

// Plain data only: a thread_local with a destructor would pin libemvk.so in memory (and its
// exit-time record is what LeakSanitizer reports).
thread_local uint64_t namedGeneration = 0;
thread_local char threadName[64] = "";

std::string common(std::string_view name, const char* category, char phase, double ts) {
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, ",\"ph\":\"%c\",\"ts\":%.3f,\"pid\":%d,\"tid\":%d", phase,
                ts, getpid(), gettid());
  return "{\"name\":" + json::quote(name) + ",\"cat\":\"" + category + "\"" + numbers;
}

// Appends under the writer's lock; the first event of a thread in a trace names its track.
void emit(std::string event) {
  Writer& w = writer();
  std::lock_guard lock(w.mutex);
  if (w.fd < 0) return;
  if (namedGeneration != w.generation) {
    namedGeneration = w.generation;
    std::string name = threadName;
    if (name.empty()) {
      char comm[32] = "";
      pthread_getname_np(pthread_self(), comm, sizeof comm);
      name = std::string(comm) + " (thread " + std::to_string(gettid()) + ")";
    }
    w.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(getpid()) +
             ",\"tid\":" + std::to_string(gettid()) + ",\"args\":{\"name\":" + json::quote(name) +
             "}}");
  }
  w.append(event);
}

std::string withArgs(std::string event, const Args& args) {
  if (!args.empty()) event += ",\"args\":" + args.object();
  return event + "}";
}

}  // namespace

std::string path() {
  Writer& w = writer();
  std::lock_guard lock(w.mutex);
  return w.fd >= 0 ? w.path : std::string();
}

std::string instanceCreated() {
  Writer& w = writer();
  std::lock_guard lock(w.mutex);
  return w.instances++ == 0 ? w.open() : std::string();
}

void instanceDestroyed() {
  Writer& w = writer();
  std::lock_guard lock(w.mutex);
  if (w.instances > 0 && --w.instances == 0) w.close();
}

double nowUs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) * 1e-3;
}

void Args::key(std::string_view key) {
  if (!json_.empty()) json_ += ',';
  json_ += json::quote(key);
  json_ += ':';
}
Args& Args::add(std::string_view k, std::string_view value) {
  key(k);
  json_ += json::quote(value);
  return *this;
}
Args& Args::add(std::string_view k, uint64_t value) {
  key(k);
  json_ += std::to_string(value);
  return *this;
}
Args& Args::add(std::string_view k, int64_t value) {
  key(k);
  json_ += std::to_string(value);
  return *this;
}
Args& Args::add(std::string_view k, double value) {
  key(k);
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  json_ += text;
  return *this;
}
Args& Args::add(std::string_view k, bool value) {
  key(k);
  json_ += value ? "true" : "false";
  return *this;
}
Args& Args::addHex(std::string_view k, uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return add(k, std::string_view(text));
}
Args& Args::addHandle(std::string_view k, const void* object) {
  return addHex(k, reinterpret_cast<uintptr_t>(object));
}

void Span::begin(const char* category, std::string_view name) {
  state_ = std::make_unique<State>(State{category, std::string(name), nowUs(), {}});
}

void Span::end() {
  if (!enabled() || !state_->category) return;
  const double end = nowUs();
  char duration[40];
  std::snprintf(duration, sizeof duration, ",\"dur\":%.3f", end - state_->start);
  emit(withArgs(common(state_->name, state_->category, 'X', state_->start) + duration,
                state_->args));
}

Args& Span::args() {
  // Only reached untraced if the trace closed since the slice began: the arguments go nowhere.
  if (!state_) state_ = std::make_unique<State>(State{nullptr, {}, 0, {}});
  return state_->args;
}

void instant(const char* category, std::string_view name, const Args& args, double at) {
  if (!enabled()) return;
  // "s":"t": the instant belongs to its thread's track.
  emit(withArgs(common(name, category, 'i', at >= 0 ? at : nowUs()) + ",\"s\":\"t\"", args));
}

void counter(std::string_view name, std::string_view series, double value) {
  if (!enabled()) return;
  Args args;
  args.add(series, value);
  emit(withArgs(common(name, "memory", 'C', nowUs()), args));
}

void flowStart(const char* category, std::string_view name, uint64_t id, double at) {
  if (!enabled()) return;
  emit(common(name, category, 's', at >= 0 ? at : nowUs()) + ",\"id\":" + std::to_string(id) + "}");
}

void flowEnd(const char* category, std::string_view name, uint64_t id) {
  if (!enabled()) return;
  // "bp":"e": the arrow ends at the enclosing slice, the one that was waiting.
  emit(common(name, category, 'f', nowUs()) + ",\"bp\":\"e\",\"id\":" + std::to_string(id) + "}");
}

void nameThread(std::string_view name) {
  const size_t n = std::min(name.size(), sizeof threadName - 1);
  std::memcpy(threadName, name.data(), n);
  threadName[n] = '\0';
  namedGeneration = 0;
}

void nameThreadIfUnnamed(std::string_view name) {
  if (threadName[0] == '\0') nameThread(std::string(name) + " " + std::to_string(gettid()));
}

}  // namespace emvk::trace
