#include "memory/sync_payload.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

namespace emvk::memory {
namespace {

constexpr size_t kPage = 4096;

Error invalid(std::string why) { return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, std::move(why)}; }

const char* kindName(SyncKind kind) {
  switch (kind) {
    case SyncKind::BinarySemaphore:
      return "a binary semaphore";
    case SyncKind::TimelineSemaphore:
      return "a timeline semaphore";
    case SyncKind::Fence:
      return "a fence";
  }
  return "an unknown object";
}

void initialise(SyncPayload* p, SyncKind kind, uint64_t initial, const uint8_t* driverUUID) {
  std::memcpy(p->magic, SyncPayload::kMagic, sizeof(p->magic));
  p->version = SyncPayload::kVersion;
  p->kind = kind;
  if (driverUUID) std::memcpy(p->driverUUID, driverUUID, 16);
  p->value.store(initial);
  // Not a secret, only distinct: a collision merely draws a wrong arrow in a trace.
  if (getrandom(&p->traceName, sizeof p->traceName, 0) != sizeof p->traceName)
    p->traceName = reinterpret_cast<uintptr_t>(p) ^ static_cast<uint64_t>(getpid()) << 40;
}

// Whether process `pid` can still signal anything. kill(pid, 0) probes existence without sending
// anything (EPERM still means "alive"), but it also succeeds for a zombie: a peer that died and
// that its parent has not reaped yet. The parent is often the waiter's own process, blocked in
// this very wait, so a zombie must count as dead or the wait never ends (tests/stress/fault.cpp).
// /proc/<pid>/stat says so in its state field; without procfs, kill()'s answer stands.
bool processAlive(int32_t pid) {
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  char path[32];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  UniqueFd stat(open(path, O_RDONLY | O_CLOEXEC));
  if (!stat) return true;  // no procfs view of it (hidepid): trust kill()
  char text[256];          // "pid (comm) S ...": comm is at most 16 bytes
  const ssize_t n = read(stat.get(), text, sizeof(text) - 1);
  if (n <= 0) return true;
  text[n] = 0;
  // The state follows the last ')' (comm itself may hold parentheses): Z zombie, X dead.
  const char* end = std::strrchr(text, ')');
  return !(end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X'));
}

// Puts this process's pid in a free slot, unless it is there already.
void attach(SyncPayload* p) {
  const int32_t self = getpid();
  for (auto& slot : p->processes)
    if (slot.load() == self) return;
  for (auto& slot : p->processes) {
    int32_t expected = 0;
    if (slot.compare_exchange_strong(expected, self)) return;
  }
  // Every slot taken. A process that was killed or crashed never detached: take over the slot of
  // one that is gone, or this process would be invisible to waiters, which would then give up on
  // a payload it may still signal (tests/stress/dead_peers.cpp).
  for (auto& slot : p->processes) {
    int32_t pid = slot.load();
    if (pid != 0 && !processAlive(pid) && slot.compare_exchange_strong(pid, self)) return;
  }
}

void detach(SyncPayload* p) {
  const int32_t self = getpid();
  for (auto& slot : p->processes) {
    int32_t expected = self;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

}  // namespace

Result<SyncPage> SyncPage::createLocal(SyncKind kind, uint64_t initial) {
  void* page = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return Error{VK_ERROR_OUT_OF_HOST_MEMORY, std::strerror(errno)};
  auto* p = static_cast<SyncPayload*>(page);
  initialise(p, kind, initial, nullptr);
  return SyncPage(p, UniqueFd());
}

Result<SyncPage> SyncPage::createShared(SyncKind kind, uint64_t initial,
                                        const uint8_t* driverUUID) {
  UniqueFd fd(memfd_create("emvk-sync-payload", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd || ftruncate(fd.get(), kPage) != 0 ||
      fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY,
                 std::string("sync payload memfd: ") + std::strerror(errno)};
  void* page = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (page == MAP_FAILED) return Error{VK_ERROR_OUT_OF_HOST_MEMORY, std::strerror(errno)};
  auto* p = static_cast<SyncPayload*>(page);
  initialise(p, kind, initial, driverUUID);
  attach(p);
  return SyncPage(p, std::move(fd));
}

Result<SyncPage> SyncPage::import(int fd, SyncKind kind, const uint8_t* driverUUID) {
  // Only reads until every check passed: a refused fd is handed back as it came.
  struct stat st;
  const std::string name = "fd " + std::to_string(fd);
  if (fd < 0 || fstat(fd, &st) != 0) return invalid(name + " is not an open file descriptor");
  if (!S_ISREG(st.st_mode))
    return invalid(name + " is not a regular file (a pipe, socket or device?)");
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
    return invalid(name + " is not a sealed memfd exported by emvk");
  if (st.st_size != static_cast<off_t>(kPage))
    return invalid(name + " is " + std::to_string(st.st_size) +
                   " bytes, not an emvk sync payload (4096)");
  SyncPayload header;
  if (pread(fd, &header, offsetof(SyncPayload, value), 0) !=
      static_cast<ssize_t>(offsetof(SyncPayload, value)))
    return invalid(name + ": the payload header cannot be read");
  if (std::memcmp(header.magic, SyncPayload::kMagic, sizeof(header.magic)) != 0)
    return invalid(name + " holds no emvk sync payload: it was not exported by emvk");
  if (header.version != SyncPayload::kVersion)
    return invalid(name + ": sync payload version " + std::to_string(header.version) + " is not " +
                   std::to_string(SyncPayload::kVersion) + ": exported by another emvk build");
  if (std::memcmp(header.driverUUID, driverUUID, 16) != 0)
    return invalid(name + ": driverUUID differs: exported by another driver or another emvk build");
  if (header.kind != kind)
    return invalid(name + " holds " + kindName(header.kind) + ", not " + kindName(kind));
  void* page = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (page == MAP_FAILED) return Error{VK_ERROR_OUT_OF_HOST_MEMORY, std::strerror(errno)};
  auto* p = static_cast<SyncPayload*>(page);
  attach(p);
  return SyncPage(p, UniqueFd(fd));
}

SyncPage::SyncPage(SyncPayload* payload, UniqueFd fd) : payload_(payload), fd_(std::move(fd)) {}

SyncPage::SyncPage(SyncPage&& other) noexcept
    : payload_(std::exchange(other.payload_, nullptr)), fd_(std::move(other.fd_)) {}

SyncPage& SyncPage::operator=(SyncPage&& other) noexcept {
  if (this != &other) {
    release();
    payload_ = std::exchange(other.payload_, nullptr);
    fd_ = std::move(other.fd_);
  }
  return *this;
}

SyncPage::~SyncPage() { release(); }

void SyncPage::release() {
  if (!payload_) return;
  if (fd_) detach(payload_);
  munmap(payload_, kPage);
  payload_ = nullptr;
}

Result<int> SyncPage::exportFd() const {
  if (!fd_) return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, "the object was not created exportable"};
  const int copy = fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error{VK_ERROR_TOO_MANY_OBJECTS, std::strerror(errno)};
  return copy;
}

// Shared pages need the non-private futex operations: a private futex is keyed by this process's
// address, a shared one by the page itself, which is what a peer process waits on too.
void SyncPage::notify() const {
  payload_->epoch.fetch_add(1, std::memory_order_seq_cst);
  if (payload_->sleepers.load(std::memory_order_seq_cst) == 0) return;
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&payload_->epoch),
          shared() ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

void SyncPage::sleep(uint32_t seen, int64_t timeoutNs) const {
  if (timeoutNs <= 0) return;
  timespec ts{static_cast<time_t>(timeoutNs / 1000000000),
              static_cast<long>(timeoutNs % 1000000000)};
  payload_->sleepers.fetch_add(1, std::memory_order_seq_cst);
  if (payload_->epoch.load(std::memory_order_seq_cst) == seen)
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&payload_->epoch),
            shared() ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, seen, &ts, nullptr, 0);
  payload_->sleepers.fetch_sub(1, std::memory_order_seq_cst);
}

bool SyncPage::peerAlive() const {
  const int32_t self = getpid();
  for (const auto& slot : payload_->processes) {
    const int32_t pid = slot.load();
    if (pid != 0 && pid != self && processAlive(pid)) return true;
  }
  return false;
}

}  // namespace emvk::memory
