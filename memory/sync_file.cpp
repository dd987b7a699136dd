#include "memory/sync_file.hpp"

#include <poll.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>

namespace emvk::memory {

Result<SyncFile> SyncFile::import(int fd) {
  if (fd == -1) return SyncFile(UniqueFd());
  char link[64] = {};
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = readlink(path.c_str(), link, sizeof(link) - 1);
  if (n < 0)
    return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE,
                 "fd " + std::to_string(fd) + " is not an open file descriptor"};
  if (std::strcmp(link, "anon_inode:sync_file") != 0)
    return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE,
                 "fd " + std::to_string(fd) + " is " + link +
                     ", not a sync_file (SYNC_FD imports take a kernel sync "
                     "file, or -1 for one already signalled)"};
  return SyncFile(UniqueFd(fd));
}

bool SyncFile::signaled() const { return wait(0); }

bool SyncFile::wait(int64_t timeoutNs) const {
  if (!fd_) return true;
  pollfd p{fd_.get(), POLLIN, 0};
  const int ms = timeoutNs <= 0                            ? 0
                 : timeoutNs >= int64_t(INT_MAX) * 1000000 ? INT_MAX
                                                           : int((timeoutNs + 999999) / 1000000);
  return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

}  // namespace emvk::memory
