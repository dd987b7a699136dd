// What a capability profile asks for, read from a file in the Khronos Vulkan Profiles format
// (docs/PROFILES.md): EMVK_PROFILE's value names a built-in profile, a file, or file.json#VP_NAME.
// Nothing here knows emvk's own capabilities; device/profile.cpp meets the two.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "device/profile_tables.hpp"
#include "memory/result.hpp"

namespace emvk::profile {

// One member a profile gives a value, in the member's own C representation.
struct PropertyValue {
  const PropertyStruct* owner;
  const PropertyMember* member;
  std::vector<uint8_t> bytes;  // member->size bytes
};

struct Request {
  std::string name;  // the profile's key in its file: "VP_KHR_roadmap_2022"
  uint32_t apiVersion = 0;
  std::map<std::string, uint32_t> extensions;             // name -> specVersion
  std::map<VkStructureType, std::vector<bool>> features;  // by VkBool32 member index
  std::vector<PropertyValue> properties;                  // one per member, merged
  std::map<VkFormat, VkFormatProperties> formats;
  std::vector<std::string> ignored;  // sections emvk does not narrow (queue families...)
};

// EMVK_PROFILE's value as a request, or VK_ERROR_INITIALIZATION_FAILED and why (an unknown name,
// a missing file, the JSON error's line and column, an unknown structure or member).
Result<Request> readRequest(std::string_view spec);

// The element at `index` of a member's bytes, as a number that holds every uint64_t, int64_t and
// float exactly (x86-64's long double has a 64-bit mantissa).
long double element(const PropertyMember& member, const uint8_t* bytes, size_t index);
size_t elementSize(Scalar scalar);
inline size_t elementCount(const PropertyMember& m) { return m.size / elementSize(m.scalar); }

}  // namespace emvk::profile
