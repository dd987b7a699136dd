// What /proc says about one process: its name and whether it still runs. Read without stopping or
// attaching to it; a process may vanish between any two reads, and every function here answers
// that case instead of failing.
#pragma once
#include <sys/types.h>

#include <string>

namespace emvk::inspect {

enum class Liveness { Alive, Zombie, Gone };

// /proc/<pid>/comm (at most 15 characters, the kernel's limit), or "?" when unreadable or gone.
std::string processName(pid_t pid);

// Alive, or Zombie (exited, not reaped yet: it holds nothing and can signal nothing), or Gone.
// A pid may have been reused by an unrelated process since a record named it: callers that care
// check that the process still holds the object (docs/INSPECT.md, "Limits").
Liveness liveness(pid_t pid);

inline bool alive(pid_t pid) { return liveness(pid) == Liveness::Alive; }

}  // namespace emvk::inspect
