// Reads what an emvk memfd says about itself, through a view of it another process holds
// (/proc/<pid>/fd/N or /proc/<pid>/map_files/A-B), opened read-only and read with pread: the
// object is never mapped, never written, and the process holding it never notices.
#pragma once
#include "memory/inspect/shared_object.hpp"

namespace emvk::inspect {

// Fills fileSize, status and record / checksumOk (memory) or sync (sync objects) from the first
// holder's view that can be opened and still is the same file (a process may have closed the fd,
// and reused its number, since the scan saw it).
void readObject(SharedObject& object);

}  // namespace emvk::inspect
