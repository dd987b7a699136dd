// A Linux sync_file (SYNC_FD handle type): a kernel fence another driver signals, which can only
// be polled. emvk imports them temporarily into binary semaphores and fences, and exports -1,
// the spec's "already signalled" sync file, after waiting for the pending signal.
#pragma once
#include "memory/result.hpp"
#include "memory/unique_fd.hpp"

namespace emvk::memory {

class SyncFile {
 public:
  // -1 is the spec's already-signalled sync file; anything else must be a sync_file fd (its
  // /proc/self/fd link says "anon_inode:sync_file"). Owned on success, untouched on failure.
  static Result<SyncFile> import(int fd);

  bool signaled() const;               // poll without waiting
  bool wait(int64_t timeoutNs) const;  // poll until signalled or the timeout passes

 private:
  explicit SyncFile(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // empty: already signalled
};

}  // namespace emvk::memory
