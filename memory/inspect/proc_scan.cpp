#include "memory/inspect/proc_scan.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "memory/inspect/process.hpp"
#include "memory/inspect/record_reader.hpp"

namespace emvk::inspect {
namespace {

// Which emvk object a /proc path names: readlink of an fd gives "/memfd:NAME (deleted)", maps
// lines end in the same text. A memfd that was not named by emvk, even one whose name merely
// starts like emvk's, is no match.
std::optional<ObjectKind> kindOf(std::string_view path) {
  constexpr std::string_view kPrefix = "/memfd:";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  for (auto [name, kind] : {std::pair{std::string_view(kMemoryName), ObjectKind::Memory},
                            std::pair{std::string_view(kSyncName), ObjectKind::Sync}}) {
    if (!path.starts_with(name)) continue;
    const std::string_view rest = path.substr(name.size());
    if (rest.empty() || rest == " (deleted)") return kind;
  }
  return std::nullopt;
}

struct Found {
  ObjectKind kind;
  FileKey key;
};

using Objects = std::map<FileKey, SharedObject>;

Holder& holderIn(Objects& objects, const Found& found, pid_t pid, const std::string& name) {
  SharedObject& object = objects[found.key];
  object.kind = found.kind;
  object.key = found.key;
  for (Holder& h : object.holders)
    if (h.pid == pid) return h;
  object.holders.push_back(Holder{pid, name, {}, 0, {}});
  return object.holders.back();
}

bool denied(int error) { return error == EACCES || error == EPERM; }

// The process's emvk fds. False when /proc would not show them (permission denied).
bool scanFds(pid_t pid, const std::string& name, Objects& objects) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::unique_ptr<DIR, int (*)(DIR*)> fds(opendir(dir.c_str()), closedir);
  if (!fds) return !denied(errno);  // ENOENT: the process has just exited
  while (const dirent* entry = readdir(fds.get())) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const std::string path = dir + "/" + entry->d_name;
    char target[256];
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;  // closed meanwhile
    const auto kind = kindOf(std::string_view(target, static_cast<size_t>(n)));
    if (!kind) continue;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) continue;
    const Found found{*kind, {major(st.st_dev), minor(st.st_dev), st.st_ino}};
    Holder& holder = holderIn(objects, found, pid, name);
    holder.fds.push_back(std::atoi(entry->d_name));
    holder.openPaths.push_back(path);
  }
  return true;
}

// The process's emvk mappings: "start-end perms offset major:minor inode path".
bool scanMaps(pid_t pid, const std::string& name, Objects& objects) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream maps(base + "/maps");
  if (!maps) return !denied(errno);
  for (std::string line; std::getline(maps, line);) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const auto kind = kindOf(std::string_view(line).substr(slash));
    if (!kind) continue;
    unsigned long start = 0, end = 0;
    unsigned major = 0, minor = 0;
    uint64_t inode = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*x %x:%x %" SCNu64, &start, &end, &major, &minor,
                    &inode) != 5)
      continue;
    Holder& holder = holderIn(objects, {*kind, {major, minor, inode}}, pid, name);
    ++holder.mappings;
    // map_files opens the mapped file itself; the kernel allows it to CAP_SYS_ADMIN only, so it
    // is the fallback for a process that keeps a mapping but closed every fd.
    char range[64];
    std::snprintf(range, sizeof(range), "/map_files/%lx-%lx", start, end);
    holder.openPaths.push_back(base + range);
  }
  return true;
}

std::vector<SharedObject> ofKind(Objects& objects, ObjectKind kind) {
  std::vector<SharedObject> out;
  for (auto& [key, object] : objects)
    if (object.kind == kind) out.push_back(std::move(object));
  return out;
}

}  // namespace

Scan scanProcesses() {
  Scan scan;
  Objects objects;
  const pid_t self = getpid();
  std::unique_ptr<DIR, int (*)(DIR*)> proc(opendir("/proc"), closedir);
  if (!proc) return scan;
  while (const dirent* entry = readdir(proc.get())) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != 0 || pid <= 0 || pid == self) continue;
    const std::string name = processName(static_cast<pid_t>(pid));
    if (name == "emvk-inspect") continue;
    ++scan.processesScanned;
    const bool fdsShown = scanFds(static_cast<pid_t>(pid), name, objects);
    const bool mapsShown = scanMaps(static_cast<pid_t>(pid), name, objects);
    if (!fdsShown || !mapsShown) scan.unreadable.push_back(static_cast<pid_t>(pid));
  }
  for (auto& [key, object] : objects) {
    std::sort(object.holders.begin(), object.holders.end(),
              [](const Holder& a, const Holder& b) { return a.pid < b.pid; });
    for (Holder& h : object.holders) std::sort(h.fds.begin(), h.fds.end());
    readObject(object);
  }
  scan.memory = ofKind(objects, ObjectKind::Memory);
  scan.sync = ofKind(objects, ObjectKind::Sync);
  std::sort(scan.unreadable.begin(), scan.unreadable.end());
  return scan;
}

void keepObjectsOf(Scan& scan, pid_t pid) {
  auto unrelated = [pid](const SharedObject& o) {
    if (o.holder(pid)) return false;
    if (o.record && static_cast<pid_t>(o.record->exporterPid) == pid) return false;
    if (o.sync &&
        std::find(o.sync->attached.begin(), o.sync->attached.end(), pid) != o.sync->attached.end())
      return false;
    return true;
  };
  std::erase_if(scan.memory, unrelated);
  std::erase_if(scan.sync, unrelated);
}

}  // namespace emvk::inspect
