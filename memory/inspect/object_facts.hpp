// What the table and the JSON both say about an object, worked out once: names of the record's
// enums, the exporter checked against /proc, who counts as an importer.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "memory/inspect/process.hpp"
#include "memory/inspect/shared_object.hpp"

namespace emvk::inspect {

const char* livenessName(Liveness l);
const char* dedicationName(memory::Dedication d);
// "timeline semaphore" for people, "timeline_semaphore" for JSON.
const char* syncKindName(memory::SyncKind k, bool forJson);

// The exporter as the record names it, checked against /proc: a pid that is alive but holds
// nothing of the object has freed it, or is a different process that reused the pid.
struct Exporter {
  pid_t pid;
  std::string name;
  Liveness liveness;
  bool holds;
};
Exporter exporterOf(const SharedObject& o);  // o.record must be set

// Every holder but the exporter the record names (all of them when there is no record).
bool isImporter(const SharedObject& o, const Holder& h);

// The name of a process attached to a sync payload: a holder's, else /proc's, else "" (gone).
std::string attachedName(const SharedObject& o, pid_t pid);

}  // namespace emvk::inspect
