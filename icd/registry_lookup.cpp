// Lookups over the generated tables.
#include <algorithm>
#include <cstring>

#include "icd/registry.hpp"

namespace emvk {

const CommandInfo* findCommand(std::string_view name) {
  auto commands = allCommands();
  auto it = std::lower_bound(
      commands.begin(), commands.end(), name,
      [](const CommandInfo& c, std::string_view n) { return std::string_view(c.name) < n; });
  return it != commands.end() && it->name == name ? &*it : nullptr;
}

std::optional<ExtensionId> findExtension(std::string_view name) {
  auto extensions = allExtensions();
  for (size_t i = 0; i < extensions.size(); ++i)
    if (extensions[i].name == name) return static_cast<ExtensionId>(i);
  return std::nullopt;
}

}  // namespace emvk
