// A profile meets emvk: every feature, extension, format feature and limit becomes the weaker of
// the two, member by member, by vk.xml's limittype (docs/PROFILES.md, "The intersection rule").
#include "device/profile.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "device/extensions.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/profile_request.hpp"

namespace emvk {
namespace {

constexpr size_t kHeader = sizeof(VkBaseOutStructure);
constexpr uint32_t kMajorMinor = ~0xFFFu;  // the patch number never adds capabilities

std::string versionText(uint32_t v) {
  return concat(VK_API_VERSION_MAJOR(v), ".", VK_API_VERSION_MINOR(v));
}

std::string flagsText(uint64_t flags) { return concat("0x", std::hex, flags); }

// emvk's value of `m` and the profile's, element by element: the weaker of the two, and whether
// the profile asked for more than emvk has.
std::vector<uint8_t> weaker(const profile::PropertyMember& m, const uint8_t* native,
                            const std::vector<uint8_t>& wanted, bool& lacks) {
  using profile::LimitType;
  std::vector<uint8_t> out(native, native + m.size);
  // Names, UUIDs and the other noauto members say which device this is, not what it can do:
  // never narrowed, never compared (a profile exported by vulkaninfo holds another build's).
  if (m.limit == LimitType::NoAuto || m.scalar == profile::Scalar::Char ||
      m.scalar == profile::Scalar::U8)
    return out;
  const size_t size = profile::elementSize(m.scalar), count = profile::elementCount(m);
  for (size_t i = 0; i < count; ++i) {
    const long double have = profile::element(m, native, i);
    const long double want = profile::element(m, wanted.data(), i);
    auto takeProfile = [&] { std::memcpy(out.data() + i * size, wanted.data() + i * size, size); };
    LimitType limit = m.limit;
    if (limit == LimitType::Range) limit = i == 0 ? LimitType::Min : LimitType::Max;
    switch (limit) {
      case LimitType::Max:
        if (want > have) lacks = true;
        if (want < have) takeProfile();
        break;
      case LimitType::Min:
        if (want < have) lacks = true;
        if (want > have) takeProfile();
        break;
      case LimitType::Bitmask: {
        const auto h = static_cast<uint64_t>(have), w = static_cast<uint64_t>(want);
        if (w & ~h) lacks = true;
        const uint64_t both = h & w;
        std::memcpy(out.data() + i * size, &both, size);  // little-endian: the low bytes
        break;
      }
      default:  // exact, bits: describe the device, never changed
        if (want != have) lacks = true;
        break;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Profile>> Profile::fromEnvironment(const PhysicalDevice& native,
                                                          Findings& findings) {
  std::vector<std::string>& lacking = findings.lacking;
  const char* spec = std::getenv("EMVK_PROFILE");
  if (!spec || !*spec) return std::unique_ptr<Profile>();
  auto read = profile::readRequest(spec);
  if (!read) return read.error();
  profile::Request& request = read.value();
  auto p = std::make_unique<Profile>();
  p->name_ = request.name;

  const uint32_t nativeVersion = native.properties().apiVersion;
  if (request.apiVersion) {
    p->apiVersion_ = request.apiVersion;
    if ((request.apiVersion & kMajorMinor) > (nativeVersion & kMajorMinor))
      lacking.push_back(concat("Vulkan ", versionText(request.apiVersion), " (emvk reports ",
                               versionText(nativeVersion), ")"));
  }

  alignas(16) uint8_t buffer[4096];
  auto nativeStruct = [&](VkStructureType sType, size_t size, bool feature) -> const uint8_t* {
    if (size > sizeof(buffer)) return nullptr;
    std::memset(buffer, 0, size);
    reinterpret_cast<VkBaseOutStructure*>(buffer)->sType = sType;
    auto* s = reinterpret_cast<VkBaseOutStructure*>(buffer);
    const bool filled = feature ? native.fillFeatureStruct(s) : native.fillPropertyStruct(s);
    return filled ? buffer : nullptr;
  };

  for (const auto& [sType, wanted] : request.features) {
    const auto names = featureMembers(sType);
    // As a profile file spells it: VkPhysicalDeviceFeatures, not the ...2 that carries it.
    const char* structName = sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
                                 ? "VkPhysicalDeviceFeatures"
                                 : structureTypeName(sType);
    const uint8_t* have = nativeStruct(sType, kHeader + 4 * names.size(), true);
    for (size_t i = 0; i < wanted.size(); ++i) {
      VkBool32 has = VK_FALSE;
      if (have) std::memcpy(&has, have + kHeader + 4 * i, 4);
      if (wanted[i] && !has) lacking.push_back(concat(structName, "::", names[i]));
    }
  }
  p->features_ = std::move(request.features);

  for (const profile::PropertyValue& v : request.properties) {
    const uint8_t* have = nativeStruct(v.owner->sType, v.owner->size, false);
    if (!have) {
      lacking.push_back(concat(v.owner->name, "::", v.member->path, " (emvk does not report ",
                               v.owner->name, ")"));
      continue;
    }
    bool lacks = false;
    std::vector<uint8_t> narrowed = weaker(*v.member, have + v.member->offset, v.bytes, lacks);
    if (lacks) lacking.push_back(concat(v.owner->name, "::", v.member->path));
    // Only what narrowing changed is kept, so nothing else of emvk's (the deviceName suffix, the
    // lowered apiVersion) is ever written over.
    if (std::memcmp(narrowed.data(), have + v.member->offset, narrowed.size()) != 0)
      p->properties_.push_back({v.owner->sType, v.member->offset, std::move(narrowed)});
  }

  // Extensions the profile lists, and those its core version has promoted (a 1.2 profile keeps
  // VK_KHR_timeline_semaphore: on emvk's 1.1 device that is how the 1.2 feature is reached).
  for (ExtensionId id : supportedDeviceExtensions()) {
    const char* name = extensionInfo(id).name;
    bool keep = request.extensions.count(name) != 0;
    for (const profile::PromotedExtension& e : profile::promotedExtensions())
      if (request.apiVersion && std::strcmp(e.name, name) == 0 &&
          (e.version & kMajorMinor) <= (request.apiVersion & kMajorMinor))
        keep = true;
    if (keep) p->extensions_.set(static_cast<size_t>(id));
  }
  for (const auto& [name, specVersion] : request.extensions) {
    auto id = findExtension(name);
    const bool offered = id && (extensionInfo(*id).deviceLevel
                                    ? isSupportedDeviceExtension(*id)
                                    : std::ranges::find(supportedInstanceExtensions(), *id) !=
                                          supportedInstanceExtensions().end());
    if (!offered) lacking.push_back(name);
  }

  for (const auto& [format, wanted] : request.formats) {
    const VkFormatProperties have = native.formatProperties(format);
    const uint64_t extra = (wanted.linearTilingFeatures & ~have.linearTilingFeatures) |
                           (wanted.optimalTilingFeatures & ~have.optimalTilingFeatures) |
                           (wanted.bufferFeatures & ~have.bufferFeatures);
    if (extra) lacking.push_back(concat("format ", format, " features ", flagsText(extra)));
  }
  p->formats_ = std::move(request.formats);
  findings.notNarrowed = std::move(request.ignored);
  return p;
}

uint32_t Profile::apiVersion(uint32_t native) const {
  if (!apiVersion_ || (apiVersion_ & kMajorMinor) >= (native & kMajorMinor)) return native;
  return (apiVersion_ & kMajorMinor) | VK_API_VERSION_PATCH(native);
}

bool Profile::listsFeature(VkStructureType sType, size_t index) const {
  auto it = features_.find(sType);
  return it != features_.end() && index < it->second.size() && it->second[index];
}

void Profile::maskFeatures(VkBaseOutStructure* s) const {
  auto* bools = reinterpret_cast<VkBool32*>(reinterpret_cast<uint8_t*>(s) + kHeader);
  const size_t count = featureMembers(s->sType).size();
  for (size_t i = 0; i < count; ++i)
    if (!listsFeature(s->sType, i)) bools[i] = VK_FALSE;
}

void Profile::narrowProperties(VkBaseOutStructure* s) const {
  for (const Narrowed& n : properties_)
    if (n.sType == s->sType)
      std::memcpy(reinterpret_cast<uint8_t*>(s) + n.offset, n.bytes.data(), n.bytes.size());
}

VkFormatProperties Profile::narrowFormat(VkFormat format, VkFormatProperties native) const {
  auto it = formats_.find(format);
  if (it == formats_.end()) return native;  // a format the profile does not name stays as it is
  return {native.linearTilingFeatures & it->second.linearTilingFeatures,
          native.optimalTilingFeatures & it->second.optimalTilingFeatures,
          native.bufferFeatures & it->second.bufferFeatures};
}

std::string_view activeProfileName(const PhysicalDevice& physicalDevice) {
  const Profile* p = physicalDevice.profile();
  return p ? std::string_view(p->name()) : std::string_view();
}

}  // namespace emvk
