// Reading a profile file: the Khronos Vulkan Profiles JSON format, top-level "profiles" and
// "capabilities" (docs/PROFILES.md has an example). Every name is checked against vk.xml's tables
// (device/gen_profile_tables.py): a typo fails loudly instead of silently asking for nothing.
#include "device/profile_request.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "device/json.hpp"
#include "device/log.hpp"
#include "icd/registry.hpp"

namespace emvk::profile {
namespace {

Error fail(std::string why) { return Error{VK_ERROR_INITIALIZATION_FAILED, std::move(why)}; }

// The built-in profiles: the name EMVK_PROFILE takes, and the profile's key in the embedded files.
struct Builtin {
  const char* name;
  const char* key;
};
constexpr Builtin kBuiltins[] = {
    {"vulkan-1.1-minimum", "VP_EMVK_vulkan_1_1_minimum"},
    {"vulkan-1.2-minimum", "VP_EMVK_vulkan_1_2_minimum"},
    {"vulkan-1.3-minimum", "VP_EMVK_vulkan_1_3_minimum"},
    {"roadmap-2022", "VP_KHR_roadmap_2022"},
    {"roadmap-2024", "VP_KHR_roadmap_2024"},
};

std::string builtinNames() {
  std::string names;
  for (const Builtin& b : kBuiltins) names += concat(names.empty() ? "" : ", ", b.name);
  return names;
}

const PropertyStruct* findPropertyStruct(std::string_view name) {
  for (const StructAlias& a : structAliases())
    if (name == a.alias) name = a.name;
  for (const PropertyStruct& s : propertyStructs())
    if (name == s.name) return &s;
  return nullptr;
}

const FeatureStruct* findFeatureStruct(std::string_view name) {
  for (const StructAlias& a : structAliases())
    if (name == a.alias) name = a.name;
  for (const FeatureStruct& s : featureStructs())
    if (name == s.name) return &s;
  return nullptr;
}

std::optional<int64_t> findEnumerant(const char* type, std::string_view name) {
  for (const Enumerant& e : enumerants())
    if (std::strcmp(e.type, type) == 0 && name == e.name) return e.value;
  return std::nullopt;
}

// "1.3.204" -> VK_MAKE_API_VERSION(0, 1, 3, 204).
std::optional<uint32_t> parseVersion(const std::string& text) {
  unsigned major = 0, minor = 0, patch = 0;
  char end = 0;
  const int n = std::sscanf(text.c_str(), "%u.%u.%u%c", &major, &minor, &patch, &end);
  if (n < 2 || n > 3) return std::nullopt;
  return VK_MAKE_API_VERSION(0, major, minor, patch);
}

void writeElement(const PropertyMember& m, uint8_t* bytes, size_t index, long double v) {
  uint8_t* at = bytes + index * elementSize(m.scalar);
  auto put = [&](auto value) { std::memcpy(at, &value, sizeof(value)); };
  switch (m.scalar) {
    case Scalar::U32:
    case Scalar::Bool32:
      return put(static_cast<uint32_t>(v));
    case Scalar::I32:
    case Scalar::Enum:
      return put(static_cast<int32_t>(v));
    case Scalar::U64:
      return put(static_cast<uint64_t>(v));
    case Scalar::I64:
      return put(static_cast<int64_t>(v));
    case Scalar::SizeT:
      return put(static_cast<size_t>(v));
    case Scalar::F32:
      return put(static_cast<float>(v));
    case Scalar::U8:
      return put(static_cast<uint8_t>(v));
    case Scalar::Char:
      return put(static_cast<char>(v));
  }
}

// One scalar of a member from JSON: a number, a bool, an enumerant name, or (for flags) an array
// of flag names.
Result<long double> scalarValue(const PropertyMember& m, const json::Value& v,
                                const std::string& at) {
  if (v.isBool()) return static_cast<long double>(v.boolean());
  if (v.isNumber()) {
    if (m.scalar == Scalar::F32) return static_cast<long double>(v.number());
    if (auto u = v.unsignedInteger()) return static_cast<long double>(*u);
    if (auto s = v.signedInteger()) return static_cast<long double>(*s);
    return fail(concat(at, ": ", v.number(), " is not an integer"));
  }
  if (v.isString() && m.enumType) {
    if (auto e = findEnumerant(m.enumType, v.string())) return static_cast<long double>(*e);
    // vulkaninfo --json writes a value without a name as "VK_UNKNOWN_VkDriverId_value0".
    const std::string unknown = concat("VK_UNKNOWN_", m.enumType, "_value");
    if (v.string().starts_with(unknown)) {
      const std::string digits = v.string().substr(unknown.size());
      if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos)
        return static_cast<long double>(std::stoll(digits));
    }
    return fail(concat(at, ": \"", v.string(), "\" is not a ", m.enumType));
  }
  if (v.isArray() && m.enumType && m.limit == LimitType::Bitmask) {
    uint64_t flags = 0;
    for (const json::Value& flag : v.array()) {
      auto e = flag.isString() ? findEnumerant(m.enumType, flag.string()) : std::nullopt;
      if (!e) return fail(concat(at, ": an element is not a ", m.enumType, " name"));
      flags |= static_cast<uint64_t>(*e);
    }
    return static_cast<long double>(flags);
  }
  return fail(concat(at, ": the value has the wrong JSON type"));
}

Result<std::vector<uint8_t>> memberValue(const PropertyMember& m, const json::Value& v,
                                         const std::string& at) {
  std::vector<uint8_t> bytes(m.size, 0);
  if (m.scalar == Scalar::Char) {
    if (!v.isString() || v.string().size() >= m.size)
      return fail(concat(at, ": expected a string shorter than ", m.size, " bytes"));
    std::memcpy(bytes.data(), v.string().data(), v.string().size());
    return bytes;
  }
  const size_t count = elementCount(m);
  if (count == 1) {
    auto value = scalarValue(m, v, at);
    if (!value) return value.error();
    writeElement(m, bytes.data(), 0, value.value());
    return bytes;
  }
  if (!v.isArray() || v.array().size() != count)
    return fail(concat(at, ": expected an array of ", count, " values"));
  for (size_t i = 0; i < count; ++i) {
    auto value = scalarValue(m, v.array()[i], concat(at, "[", i, "]"));
    if (!value) return value.error();
    writeElement(m, bytes.data(), i, value.value());
  }
  return bytes;
}

// Two capabilities of one profile name the same member: the profile requires both, so the
// stronger value stands (the larger "max", the smaller "min", the union of a bitmask...).
void mergeStronger(PropertyValue& into, const std::vector<uint8_t>& other) {
  const PropertyMember& m = *into.member;
  const size_t size = elementSize(m.scalar);
  for (size_t i = 0; i < elementCount(m); ++i) {
    const long double a = element(m, into.bytes.data(), i), b = element(m, other.data(), i);
    bool takeOther = true;
    switch (m.limit) {
      case LimitType::Max:
        takeOther = b > a;
        break;
      case LimitType::Min:
        takeOther = b < a;
        break;
      case LimitType::Range:
        takeOther = i == 0 ? b < a : b > a;
        break;
      case LimitType::Bitmask:
        writeElement(m, into.bytes.data(), i,
                     static_cast<long double>(static_cast<uint64_t>(a) | static_cast<uint64_t>(b)));
        continue;
      default:
        break;  // exact, bits, noauto: the later capability's value
    }
    if (takeOther) std::memcpy(into.bytes.data() + i * size, other.data() + i * size, size);
  }
}

class Reader {
 public:
  explicit Reader(Request& request) : r_(request) {}

  std::optional<Error> capability(const std::string& name, const json::Value& c) {
    const std::string at = concat("capabilities.", name);
    if (!c.isObject()) return fail(at + " is not an object");
    for (const auto& [key, value] : c.members()) {
      std::optional<Error> e;
      if (key == "extensions")
        e = extensions(value, at);
      else if (key == "features")
        e = features(value, at);
      else if (key == "properties")
        e = properties(value, at);
      else if (key == "formats")
        e = formats(value, at);
      else if (key == "queueFamiliesProperties")
        r_.ignored.push_back(concat(at, ".", key));  // emvk has one queue family; not narrowed
      else
        e = fail(concat(at, ": unknown section \"", key, "\""));
      if (e) return e;
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> extensions(const json::Value& v, const std::string& at) {
    if (!v.isObject()) return fail(at + ".extensions is not an object");
    for (const auto& [name, spec] : v.members()) {
      if (name.rfind("VK_", 0) != 0 || !spec.unsignedInteger())
        return fail(
            concat(at, ".extensions: \"", name, "\" is not an extension name with a version"));
      r_.extensions[name] = static_cast<uint32_t>(*spec.unsignedInteger());
    }
    return std::nullopt;
  }

  std::optional<Error> features(const json::Value& v, const std::string& at) {
    if (!v.isObject()) return fail(at + ".features is not an object");
    for (const auto& [structName, members] : v.members()) {
      const FeatureStruct* s = findFeatureStruct(structName);
      const std::string where = concat(at, ".features.", structName);
      if (!s) return fail(where + ": not a feature structure in vk.xml");
      if (!members.isObject()) return fail(where + " is not an object");
      const auto names = featureMembers(s->sType);
      std::vector<bool>& wanted = r_.features[s->sType];
      wanted.resize(names.size(), false);
      for (const auto& [member, value] : members.members()) {
        size_t i = 0;
        while (i < names.size() && member != names[i]) ++i;
        if (i == names.size()) return fail(concat(where, ": no member \"", member, "\""));
        if (!value.isBool()) return fail(concat(where, ".", member, " is not true or false"));
        if (value.boolean()) wanted[i] = true;
      }
    }
    return std::nullopt;
  }

  std::optional<Error> properties(const json::Value& v, const std::string& at) {
    if (!v.isObject()) return fail(at + ".properties is not an object");
    for (const auto& [structName, members] : v.members()) {
      const PropertyStruct* s = findPropertyStruct(structName);
      const std::string where = concat(at, ".properties.", structName);
      if (!s) return fail(where + ": not a property structure in vk.xml");
      if (auto e = structMembers(*s, members, "", where)) return e;
    }
    return std::nullopt;
  }

  // Nested structures (limits, sparseProperties, VkExtent2D members) are paths "limits.x".
  std::optional<Error> structMembers(const PropertyStruct& s, const json::Value& v,
                                     const std::string& prefix, const std::string& where) {
    if (!v.isObject()) return fail(where + " is not an object");
    const auto members = propertyMembers().subspan(s.firstMember, s.memberCount);
    for (const auto& [key, value] : v.members()) {
      const std::string path = prefix + key;
      const PropertyMember* member = nullptr;
      bool nested = false;
      for (const PropertyMember& m : members) {
        if (path == m.path) member = &m;
        if (std::string_view(m.path).starts_with(path + ".")) nested = true;
      }
      if (nested && !member) {
        if (auto e = structMembers(s, value, path + ".", where + "." + key)) return e;
        continue;
      }
      if (!member) return fail(concat(where, ": no member \"", key, "\""));
      auto bytes = memberValue(*member, value, where + "." + key);
      if (!bytes) return bytes.error();
      add(s, *member, bytes.take());
    }
    return std::nullopt;
  }

  void add(const PropertyStruct& s, const PropertyMember& m, std::vector<uint8_t> bytes) {
    for (PropertyValue& p : r_.properties)
      if (p.member == &m) return mergeStronger(p, bytes);
    r_.properties.push_back({&s, &m, std::move(bytes)});
  }

  std::optional<Error> formats(const json::Value& v, const std::string& at) {
    if (!v.isObject()) return fail(at + ".formats is not an object");
    for (const auto& [formatName, structs] : v.members()) {
      const std::string where = concat(at, ".formats.", formatName);
      auto format = findEnumerant("VkFormat", formatName);
      if (!format) return fail(where + ": not a VkFormat");
      if (!structs.isObject()) return fail(where + " is not an object");
      VkFormatProperties& into = r_.formats[static_cast<VkFormat>(*format)];
      for (const auto& [structName, members] : structs.members()) {
        // VkFormatProperties3's 64-bit flags: the low 32 bits are VkFormatFeatureFlagBits.
        const bool three =
            structName == "VkFormatProperties3" || structName == "VkFormatProperties3KHR";
        if (structName != "VkFormatProperties" && !three)
          return fail(concat(where, ": \"", structName, "\" is not VkFormatProperties(3)"));
        if (!members.isObject()) return fail(concat(where, ".", structName, " is not an object"));
        for (const auto& [member, flags] : members.members()) {
          VkFormatFeatureFlags* field =
              member == "linearTilingFeatures"    ? &into.linearTilingFeatures
              : member == "optimalTilingFeatures" ? &into.optimalTilingFeatures
              : member == "bufferFeatures"        ? &into.bufferFeatures
                                                  : nullptr;
          if (!field) return fail(concat(where, ".", structName, ": no member \"", member, "\""));
          if (!flags.isArray())
            return fail(concat(where, ".", structName, ".", member, " is not an array"));
          for (const json::Value& flag : flags.array()) {
            const char* type = three ? "VkFormatFeatureFlagBits2" : "VkFormatFeatureFlagBits";
            auto bit = flag.isString() ? findEnumerant(type, flag.string()) : std::nullopt;
            if (!bit)
              return fail(concat(where, ".", structName, ".", member, ": an element is not a ",
                                 type, " name"));
            *field |= static_cast<VkFormatFeatureFlags>(*bit & 0xFFFFFFFF);
          }
        }
      }
    }
    return std::nullopt;
  }

  Request& r_;
};

struct Source {
  std::string text;
  std::string path;  // "" for built-ins
  std::string key;   // the profile wanted, "" for "the only one"
};

Result<Source> findSource(std::string_view spec) {
  for (const Builtin& b : kBuiltins) {
    if (spec != b.name && spec != b.key) continue;
    for (const BuiltinFile& f : builtinFiles())
      if (std::strstr(f.text, concat("\"", b.key, "\"").c_str())) return Source{f.text, "", b.key};
  }
  const bool looksLikePath =
      spec.find('/') != std::string_view::npos || spec.find(".json") != std::string_view::npos;
  if (!looksLikePath)
    return fail(concat("\"", spec, "\" is not a built-in profile (", builtinNames(),
                       ") nor a path to a .json file"));
  Source source;
  const size_t hash = spec.rfind('#');
  source.path = std::string(spec.substr(0, hash));
  if (hash != std::string_view::npos) source.key = std::string(spec.substr(hash + 1));
  // Read whole, so bounded: a device, a pipe or a runaway file must not stall vkCreateInstance.
  constexpr off_t kMaxBytes = 16 << 20;
  struct stat st {};
  if (stat(source.path.c_str(), &st) != 0)
    return fail(concat("cannot open \"", source.path, "\": ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return fail(concat("\"", source.path, "\" is not a regular file"));
  if (st.st_size > kMaxBytes)
    return fail(concat("\"", source.path, "\" has ", st.st_size,
                       " bytes; a profile file may have 16 MiB at most"));
  std::ifstream file(source.path, std::ios::binary);
  if (!file) return fail(concat("cannot open \"", source.path, "\": ", std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  source.text = text.str();
  return source;
}

}  // namespace

size_t elementSize(Scalar scalar) {
  switch (scalar) {
    case Scalar::U64:
    case Scalar::I64:
    case Scalar::SizeT:
      return 8;
    case Scalar::U8:
    case Scalar::Char:
      return 1;
    default:
      return 4;
  }
}

long double element(const PropertyMember& m, const uint8_t* bytes, size_t index) {
  const uint8_t* at = bytes + index * elementSize(m.scalar);
  auto get = [&](auto value) {
    std::memcpy(&value, at, sizeof(value));
    return static_cast<long double>(value);
  };
  switch (m.scalar) {
    case Scalar::U32:
    case Scalar::Bool32:
      return get(uint32_t{});
    case Scalar::I32:
    case Scalar::Enum:
      return get(int32_t{});
    case Scalar::U64:
      return get(uint64_t{});
    case Scalar::I64:
      return get(int64_t{});
    case Scalar::SizeT:
      return get(size_t{});
    case Scalar::F32:
      return get(float{});
    case Scalar::U8:
      return get(uint8_t{});
    case Scalar::Char:
      return get(char{});
  }
  return 0;
}

Result<Request> readRequest(std::string_view spec) {
  auto source = findSource(spec);
  if (!source) return source.error();
  const Source& s = source.value();
  const std::string where = s.path.empty() ? concat("built-in profile ", spec) : s.path;
  json::ParseResult parsed = json::parse(s.text);
  if (!parsed.value) return fail(concat(where, ": ", parsed.error));
  const json::Value& root = *parsed.value;
  const json::Value* profiles = root.find("profiles");
  if (!profiles || !profiles->isObject() || profiles->members().empty())
    return fail(where + ": no \"profiles\" object (is this a Khronos Vulkan Profiles file?)");

  const json::Value* profile = nullptr;
  Request request;
  if (s.key.empty()) {
    if (profiles->members().size() != 1) {
      std::string names;
      for (const auto& [name, _] : profiles->members()) names += " " + name;
      return fail(concat(where, " holds ", profiles->members().size(), " profiles; pick one with ",
                         s.path, "#NAME (NAME one of:", names, ")"));
    }
    request.name = profiles->members()[0].first;
    profile = &profiles->members()[0].second;
  } else {
    profile = profiles->find(s.key);
    if (!profile) return fail(concat(where, " has no profile \"", s.key, "\""));
    request.name = s.key;
  }
  if (!profile->isObject())
    return fail(concat(where, ": profile ", request.name, " is not an object"));

  if (const json::Value* version = profile->find("api-version")) {
    auto v = version->isString() ? parseVersion(version->string()) : std::nullopt;
    if (!v)
      return fail(concat(where, ": ", request.name, ".api-version is not \"major.minor.patch\""));
    request.apiVersion = *v;
  }
  const json::Value* names = profile->find("capabilities");
  if (!names || !names->isArray())
    return fail(concat(where, ": ", request.name, ".capabilities is not an array of names"));
  const json::Value* capabilities = root.find("capabilities");
  Reader reader(request);
  for (const json::Value& entry : names->array()) {
    // An array lists alternatives, any of which satisfies the profile: emvk takes the first.
    const json::Value* name =
        entry.isArray() && !entry.array().empty() ? &entry.array()[0] : &entry;
    if (!name->isString())
      return fail(concat(where, ": ", request.name, ".capabilities holds something not a name"));
    const json::Value* c = capabilities ? capabilities->find(name->string()) : nullptr;
    if (!c) return fail(concat(where, ": capability \"", name->string(), "\" is not defined"));
    if (auto e = reader.capability(name->string(), *c)) return fail(concat(where, ": ", e->why));
  }
  return request;
}

}  // namespace emvk::profile
