#include "memory/inspect/object_facts.hpp"

#include <cstdio>

namespace emvk::inspect {

const char* livenessName(Liveness l) {
  switch (l) {
    case Liveness::Alive:
      return "alive";
    case Liveness::Zombie:
      return "exited (zombie)";
    case Liveness::Gone:
      return "gone";
  }
  return "?";
}

const char* dedicationName(memory::Dedication d) {
  switch (d) {
    case memory::Dedication::None:
      return "none";
    case memory::Dedication::Image:
      return "image";
    case memory::Dedication::Buffer:
      return "buffer";
  }
  return "unknown";
}

const char* syncKindName(memory::SyncKind k, bool forJson) {
  switch (k) {
    case memory::SyncKind::BinarySemaphore:
      return forJson ? "binary_semaphore" : "binary semaphore";
    case memory::SyncKind::TimelineSemaphore:
      return forJson ? "timeline_semaphore" : "timeline semaphore";
    case memory::SyncKind::Fence:
      return "fence";
  }
  return "unknown";
}

Exporter exporterOf(const SharedObject& o) {
  Exporter e{static_cast<pid_t>(o.record->exporterPid), "", liveness(o.record->exporterPid), false};
  if (const Holder* h = o.holder(e.pid)) {
    e.holds = true;
    e.name = h->name;
  } else if (e.liveness != Liveness::Gone) {
    e.name = processName(e.pid);
  }
  return e;
}

bool isImporter(const SharedObject& o, const Holder& h) {
  return !o.record || static_cast<pid_t>(o.record->exporterPid) != h.pid;
}

std::string attachedName(const SharedObject& o, pid_t pid) {
  if (const Holder* h = o.holder(pid)) return h->name;
  return liveness(pid) == Liveness::Gone ? "" : processName(pid);
}

}  // namespace emvk::inspect
