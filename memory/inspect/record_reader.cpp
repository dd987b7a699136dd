#include "memory/inspect/record_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "memory/allocation.hpp"
#include "memory/unique_fd.hpp"

namespace emvk::inspect {
namespace {

constexpr uint64_t kPage = 4096;

// Opens the first of the holders' views that is still `key`; `why` says why none could be.
memory::UniqueFd openView(const SharedObject& object, uint64_t& size, std::string& why) {
  why = "no process's view of it could be opened";
  for (const Holder& holder : object.holders)
    for (const std::string& path : holder.openPaths) {
      memory::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) {
        // EACCES / EPERM: another user's process, or map_files without CAP_SYS_ADMIN.
        if (errno == EACCES || errno == EPERM)
          why = "permission denied opening " + path + " (run as its owner or as root)";
        continue;
      }
      struct stat st;
      if (fstat(fd.get(), &st) != 0 || major(st.st_dev) != object.key.major ||
          minor(st.st_dev) != object.key.minor || st.st_ino != object.key.inode)
        continue;  // the fd was closed and its number reused since the scan
      size = static_cast<uint64_t>(st.st_size);
      return fd;
    }
  return memory::UniqueFd();
}

void readMemory(SharedObject& object, int fd) {
  if (object.fileSize < kPage || object.fileSize % kPage != 0) {
    object.status = "not an emvk export: " + std::to_string(object.fileSize) +
                    " bytes is not a whole number of pages holding a record";
    return;
  }
  memory::IdentityRecord record;
  const off_t at = static_cast<off_t>(memory::recordOffset(object.fileSize));
  if (pread(fd, &record, sizeof(record), at) != static_cast<ssize_t>(sizeof(record))) {
    object.status = std::string("the identity record cannot be read: ") + std::strerror(errno);
    return;
  }
  if (std::memcmp(record.magic, memory::IdentityRecord::kMagic, sizeof(record.magic)) != 0) {
    object.status = "no emvk identity record in its last page (another program's memfd?)";
    return;
  }
  if (record.recordVersion != memory::IdentityRecord::kVersion) {
    object.status = "identity record version " + std::to_string(record.recordVersion) +
                    ", this emvk-inspect reads version " +
                    std::to_string(memory::IdentityRecord::kVersion);
    return;
  }
  object.record = record;
  object.checksumOk = memory::recordChecksum(record) == record.checksum;
  object.status =
      object.checksumOk ? "ok" : "checksum mismatch: the record was modified after export, or torn";
}

// The page holds atomics, so it is copied as bytes and each field taken out with memcpy at its
// offset: the layout stays memory/sync_payload.hpp's, nothing here restates it.
template <class T>
T field(const unsigned char* page, size_t offset) {
  T value;
  std::memcpy(&value, page + offset, sizeof(T));
  return value;
}

void readSync(SharedObject& object, int fd) {
  using memory::SyncPayload;
  if (object.fileSize != kPage) {
    object.status = "not an emvk sync payload: " + std::to_string(object.fileSize) +
                    " bytes instead of one 4096-byte page";
    return;
  }
  alignas(SyncPayload) unsigned char page[sizeof(SyncPayload)];
  if (pread(fd, page, sizeof(page), 0) != static_cast<ssize_t>(sizeof(page))) {
    object.status = std::string("the sync payload cannot be read: ") + std::strerror(errno);
    return;
  }
  if (std::memcmp(page + offsetof(SyncPayload, magic), SyncPayload::kMagic,
                  sizeof(SyncPayload::kMagic)) != 0) {
    object.status = "no emvk sync payload header (another program's memfd?)";
    return;
  }
  const auto version = field<uint32_t>(page, offsetof(SyncPayload, version));
  if (version != SyncPayload::kVersion) {
    object.status = "sync payload version " + std::to_string(version) +
                    ", this emvk-inspect reads version " + std::to_string(SyncPayload::kVersion);
    return;
  }
  SyncState state;
  state.kind = field<memory::SyncKind>(page, offsetof(SyncPayload, kind));
  state.value = field<uint64_t>(page, offsetof(SyncPayload, value));
  std::memcpy(state.driverUUID, page + offsetof(SyncPayload, driverUUID), 16);
  for (int i = 0; i < SyncPayload::kMaxProcesses; ++i) {
    const auto pid = field<int32_t>(
        page, offsetof(SyncPayload, processes) + i * sizeof(SyncPayload::processes[0]));
    if (pid != 0) state.attached.push_back(pid);
  }
  object.sync = state;
  object.status = "ok";
}

}  // namespace

void readObject(SharedObject& object) {
  std::string why;
  memory::UniqueFd fd = openView(object, object.fileSize, why);
  if (!fd) {
    object.status = why;
    return;
  }
  if (object.kind == ObjectKind::Memory)
    readMemory(object, fd.get());
  else
    readSync(object, fd.get());
}

}  // namespace emvk::inspect
