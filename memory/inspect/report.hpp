// The two ways emvk-inspect prints a scan: a table for people (100 columns, memory objects first,
// then semaphores and fences) and JSON for programs (keys listed in docs/INSPECT.md, stable: new
// keys may be added, none is renamed or removed without bumping "format_version").
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>

#include "memory/inspect/proc_scan.hpp"

namespace emvk::inspect {

inline constexpr int kJsonFormatVersion = 1;
inline constexpr char kNothingFound[] = "no emvk objects shared on this machine";

std::string textReport(const Scan& scan, std::optional<pid_t> onlyPid);  // table_report.cpp
std::string jsonReport(const Scan& scan, std::optional<pid_t> onlyPid);  // json_report.cpp

}  // namespace emvk::inspect
