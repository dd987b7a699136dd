// Finds every emvk memfd on the machine through /proc: each process's fds (readlink says
// "/memfd:emvk-device-memory (deleted)") and mappings (/proc/<pid>/maps), grouped by the file's
// inode. Nothing is stopped, attached to or written: the scan only reads /proc.
#pragma once
#include <sys/types.h>

#include <vector>

#include "memory/inspect/shared_object.hpp"

namespace emvk::inspect {

struct Scan {
  std::vector<SharedObject> memory;  // by inode
  std::vector<SharedObject> sync;    // by inode
  int processesScanned = 0;
  // Processes whose fds or mappings /proc would not show us (another user's, without privileges).
  std::vector<pid_t> unreadable;
};

// Scans every process except this one (and other emvk-inspect runs, whose short-lived read-only
// opens are not sharing), then reads each object's record through one of its holders.
Scan scanProcesses();

// Keeps only the objects process `pid` holds (an fd or a mapping), exported (the identity record
// names it) or is attached to (a sync payload lists it).
void keepObjectsOf(Scan& scan, pid_t pid);

}  // namespace emvk::inspect
