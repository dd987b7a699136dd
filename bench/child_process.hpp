#pragma once
// The parent's side of a driver run: fork + exec this same binary with `--driver-child`, point
// the child's loader at one manifest, collect its result lines (see driver_child.hpp).

#include <map>
#include <string>
#include <vector>

#include "driver_child.hpp"

namespace emvk::bench {

struct DriverRun {
  std::string label;     // column heading: "emvk", "lavapipe" or "peer"
  std::string manifest;  // absolute once resolved
  bool ran = false;      // false: skipped by --only
  std::string device;    // VkPhysicalDeviceProperties::deviceName of the first physical device
  std::string api;       // its apiVersion
  std::map<std::string, double> metrics;
  std::vector<std::string> errors;
  std::vector<std::string> skipped;  // "<workload>: <why>", for what the driver lacks; not errors

  bool has(const std::string& metric) const { return metrics.count(metric) != 0; }
};

// Never throws for a driver's failure: a missing manifest, a crash or a hang ends up in `errors`
// next to whatever was measured before it.
DriverRun runDriverInChild(const std::string& label, const std::string& manifest,
                           const ChildOptions& options);

}  // namespace emvk::bench
