// Capability profiles (EMVK_PROFILE, docs/PROFILES.md): the physical device reports the
// intersection of what emvk implements and what a profile lists, and the driver enforces it.
// A profile only removes: a feature, extension, format feature or better limit it asks for and
// emvk lacks is not added, it is listed in one warning.
#pragma once
#include <vulkan/vulkan.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "icd/registry.hpp"
#include "memory/result.hpp"

namespace emvk {

class PhysicalDevice;

class Profile {
 public:
  // What reading a profile found worth telling the user.
  struct Findings {
    std::vector<std::string> lacking;      // asked for, emvk does not have: stays absent
    std::vector<std::string> notNarrowed;  // sections emvk reads but does not apply
  };
  // Reads EMVK_PROFILE now (each vkCreateInstance reads it afresh): null when unset or empty, an
  // Error (VK_ERROR_INITIALIZATION_FAILED, and why) when it names nothing usable. `native` is the
  // physical device before any profile.
  static Result<std::unique_ptr<Profile>> fromEnvironment(const PhysicalDevice& native,
                                                          Findings& findings);

  const std::string& name() const { return name_; }
  // The reported version: emvk's, lowered to the profile's major.minor, never raised.
  uint32_t apiVersion(uint32_t native) const;
  // Clears, in a feature structure emvk fills, every feature the profile does not list.
  void maskFeatures(VkBaseOutStructure* s) const;
  // True if the profile lists member `index` (featureMembers order) of a feature structure.
  bool listsFeature(VkStructureType sType, size_t index) const;
  // Writes the narrowed limits into a property structure emvk fills.
  void narrowProperties(VkBaseOutStructure* s) const;
  bool keeps(ExtensionId id) const { return extensions_.test(static_cast<size_t>(id)); }
  VkFormatProperties narrowFormat(VkFormat format, VkFormatProperties native) const;

 private:
  struct Narrowed {
    VkStructureType sType;
    size_t offset;
    std::vector<uint8_t> bytes;
  };
  std::string name_;
  uint32_t apiVersion_ = 0;  // 0: the profile gives none
  std::map<VkStructureType, std::vector<bool>> features_;
  std::vector<Narrowed> properties_;
  ExtensionSet extensions_;
  std::map<VkFormat, VkFormatProperties> formats_;
};

// The profile in force on this physical device ("" when none): for VK_EXT_tooling_info.
std::string_view activeProfileName(const PhysicalDevice& physicalDevice);

}  // namespace emvk
