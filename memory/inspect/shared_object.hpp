// What emvk-inspect knows about one exported memfd: which processes hold it (from /proc) and what
// its own bytes say (the identity record of memory, the payload page of a semaphore or fence).
#pragma once
#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memory/identity_record.hpp"
#include "memory/sync_payload.hpp"

namespace emvk::inspect {

// The memfd names emvk gives its exportable objects (memory/allocation.cpp,
// memory/sync_payload.cpp).
inline constexpr char kMemoryName[] = "emvk-device-memory";
inline constexpr char kSyncName[] = "emvk-sync-payload";

enum class ObjectKind { Memory, Sync };

// A file, as the kernel names it: the same memfd has the same key in every process, whether seen
// through an fd (stat) or a mapping (/proc/<pid>/maps prints major:minor and the inode).
struct FileKey {
  uint32_t major = 0, minor = 0;
  uint64_t inode = 0;
  auto operator<=>(const FileKey&) const = default;
};

// One process's hold on the object.
struct Holder {
  pid_t pid = 0;
  std::string name;
  std::vector<int> fds;  // descriptor numbers, ascending
  int mappings = 0;      // lines of /proc/<pid>/maps (one mapping may be split into several)
  // Where the object can be opened read-only: /proc/<pid>/fd/N or /proc/<pid>/map_files/A-B.
  std::vector<std::string> openPaths;
};

// A semaphore's or fence's page (memory/sync_payload.hpp), copied out field by field.
struct SyncState {
  memory::SyncKind kind{};
  uint64_t value = 0;
  uint8_t driverUUID[16] = {};
  std::vector<pid_t> attached;  // the non-empty slots of processes[]
};

struct SharedObject {
  ObjectKind kind = ObjectKind::Memory;
  FileKey key;
  std::vector<Holder> holders;  // by pid
  uint64_t fileSize = 0;        // 0 while no holder's view of it could be opened
  // "ok", or a sentence saying why the object's own bytes are not (fully) shown.
  std::string status;
  std::optional<memory::IdentityRecord> record;  // memory: magic and version matched
  bool checksumOk = false;                       // memory: the record's checksum is right
  std::optional<SyncState> sync;                 // sync: magic and version matched

  const Holder* holder(pid_t pid) const {
    for (const Holder& h : holders)
      if (h.pid == pid) return &h;
    return nullptr;
  }
};

}  // namespace emvk::inspect
