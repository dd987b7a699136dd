// What icd/gen_registry.py generates from vk.xml, seen from the rest of the driver: every Vulkan
// command with the level it dispatches at and what provides it, every extension, and sType names.
#pragma once
#include <vulkan/vulkan.h>

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "registry.h"  // generated: emvk_<Command> prototypes, ExtensionId, kExtensionCount

namespace emvk {

enum class CommandLevel : uint8_t { Global, Instance, PhysicalDevice, Device };

struct CommandInfo {
  const char* name;
  PFN_vkVoidFunction function;  // null when emvk does not implement the command
  CommandLevel level;
  uint32_t coreVersion;        // the core version that has this name, 0 if none
  const uint16_t* extensions;  // ExtensionIds that provide this name
  uint8_t extensionCount;
};

struct ExtensionInfo {
  const char* name;
  uint32_t specVersion;
  bool deviceLevel;
};

using ExtensionSet = std::bitset<kExtensionCount>;

std::span<const CommandInfo> allCommands();            // sorted by name
std::span<const ExtensionInfo> allExtensions();        // indexed by ExtensionId
const char* structureTypeName(VkStructureType sType);  // null for unknown values
// The VkBool32 members of a feature structure, in order (empty if sType is not one).
std::span<const char* const> featureMembers(VkStructureType sType);

const CommandInfo* findCommand(std::string_view name);
std::optional<ExtensionId> findExtension(std::string_view name);
inline const ExtensionInfo& extensionInfo(ExtensionId id) {
  return allExtensions()[static_cast<size_t>(id)];
}

}  // namespace emvk
