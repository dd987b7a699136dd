#!/usr/bin/env python3
"""Generates what capability profiles (device/profile*.cpp, EMVK_PROFILE) need to know of vk.xml,
and embeds the built-in profile files.

Outputs, written into the build tree (never into git):
  profile_tables.cpp   - every member of every VkPhysicalDeviceProperties2 structure: its name
                         path as a profile file spells it ("limits.maxImageDimension1D"), offset,
                         scalar type, element count and vk.xml's limittype (max, min, bitmask,
                         range, exact, noauto...), which decides how a profile value meets emvk's;
                         the feature structures by name; the enumerant names a profile may use for
                         flags, enums and formats.
  profile_builtins.cpp - each built-in profile file (device/profiles/*.json) as a string.

Usage: gen_profile_tables.py vk.xml OUTDIR PROFILE.json...
"""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SCALARS = {
    "uint32_t": "U32", "int32_t": "I32", "uint64_t": "U64", "int64_t": "I64", "float": "F32",
    "VkBool32": "Bool32", "size_t": "SizeT", "uint8_t": "U8", "char": "Char",
    "VkDeviceSize": "U64", "VkFlags": "U32", "VkFlags64": "U64",
}


# Where vk.xml's limittype reads the wrong way round for the application: minMemoryMapAlignment
# is a guarantee (mapped pointers are at least this aligned), so a larger value is more capable,
# as the spec's "Required Limits" table says ("min": at least 64), though vk.xml calls it min,pot.
LIMIT_OVERRIDES = {"minMemoryMapAlignment": "max"}


def for_vulkan(elem):
    api = elem.get("api")
    return api is None or "vulkan" in api.split(",")


class Registry:
    def __init__(self, root):
        self.root = root
        self.types = {}
        self.aliases = {}  # struct alias -> struct
        for t in root.find("types").findall("type"):
            if not for_vulkan(t):
                continue
            name = t.get("name") or t.findtext("name")
            if t.get("alias"):
                self.aliases[name] = t.get("alias")
            else:
                self.types[name] = t
        self.excluded = self.platform_types()
        self.enums = self.read_enums()

    def platform_types(self):
        """Types of platform and provisional extensions: their headers are never included."""
        out = set()
        for e in self.root.find("extensions").findall("extension"):
            if e.get("platform") or e.get("provisional") == "true" or \
                    "vulkan" not in e.get("supported", "").split(","):
                for t in e.iter("type"):
                    out.add(t.get("name"))
        return out

    def read_enums(self):
        """Enum or FlagBits type -> {enumerant: value}, extensions' additions included (the spec's
        "Enumerant values" rule for offsets)."""
        enums = {}
        for e in self.root.findall("enums"):
            if e.get("type") not in ("enum", "bitmask"):
                continue
            values = enums.setdefault(e.get("name"), {})
            for en in e.findall("enum"):
                if for_vulkan(en) and not en.get("alias"):
                    values[en.get("name")] = value_of(en, 0)

        def add(en, ext):
            target = en.get("extends")
            if target not in enums or en.get("alias") or not for_vulkan(en):
                return
            v = value_of(en, int(en.get("extnumber") or ext or 0))
            if v is not None:
                enums[target][en.get("name")] = v

        for f in self.root.findall("feature"):
            for en in f.iter("enum"):
                add(en, 0)
        for x in self.root.find("extensions").findall("extension"):
            if x.get("platform") or x.get("provisional") == "true":
                continue
            if "vulkan" not in x.get("supported", "").split(","):
                continue
            for en in x.iter("enum"):
                add(en, x.get("number"))
        return enums

    def category(self, name):
        t = self.types.get(self.aliases.get(name, name))
        return t.get("category") if t is not None else None

    def flag_bits(self, name):
        """The FlagBits enum behind a Flags type, or None."""
        t = self.types.get(name)
        if t is None:
            return None
        return t.get("requires") or t.get("bitvalues")

    def stype(self, struct):
        for m in self.types[struct].findall("member"):
            if m.findtext("name") == "sType":
                return m.get("values")
        return None

    def extends(self, struct, base):
        return base in (self.types[struct].get("structextends") or "").split(",")


def value_of(en, ext):
    if en.get("bitpos") is not None:
        return 1 << int(en.get("bitpos"))
    if en.get("value") is not None:
        text = en.get("value").rstrip("ULF").replace("(~0U)", "-1").replace("(~0ULL)", "-1")
        try:
            return int(text, 0)
        except ValueError:
            return None
    if en.get("offset") is not None:
        v = 1000000000 + (ext - 1) * 1000 + int(en.get("offset"))
        return -v if en.get("dir") == "-" else v
    return None


class Member:
    def __init__(self, path, cexpr, scalar, limit, enum):
        self.path, self.cexpr, self.scalar, self.limit, self.enum = path, cexpr, scalar, limit, enum


def members_of(reg, struct, json_prefix, c_prefix, inherited):
    """Flattened members: nested structures (limits, VkExtent2D...) become dotted paths."""
    out = []
    for m in reg.types[struct].findall("member"):
        if not for_vulkan(m):
            continue
        name, ctype = m.findtext("name"), m.findtext("type")
        if name in ("sType", "pNext") or "*" in "".join(m.itertext()):
            continue
        limit = (m.get("limittype") or inherited or "noauto").split(",")[0]
        limit = LIMIT_OVERRIDES.get(name, limit)
        path, cexpr = json_prefix + name, c_prefix + name
        if ctype in SCALARS:
            out.append(Member(path, cexpr, SCALARS[ctype], limit, None))
        elif reg.category(ctype) == "struct":
            out += members_of(reg, reg.aliases.get(ctype, ctype), path + ".", cexpr + ".",
                              None if limit == "struct" else limit)
        elif reg.category(ctype) == "enum":
            out.append(Member(path, cexpr, "Enum", limit, ctype))
        elif reg.category(ctype) == "bitmask":
            t = reg.types[ctype]
            wide = "VkFlags64" in "".join(t.itertext())
            out.append(Member(path, cexpr, "U64" if wide else "U32", limit, reg.flag_bits(ctype)))
    return out


def stype_const(reg, struct):
    return reg.stype(struct)


def write_tables(reg, out):
    structs = sorted(s for s, t in reg.types.items()
                     if t.get("category") == "struct" and s not in reg.excluded
                     and reg.extends(s, "VkPhysicalDeviceProperties2"))
    used_enums = set()
    lines = [
        "// Generated by device/gen_profile_tables.py from vk.xml. Do not edit.",
        "#include <cstddef>",
        "",
        "#include \"device/profile_tables.hpp\"",
        "",
        "namespace emvk::profile {",
        "namespace {",
        "",
    ]
    rows, struct_rows = [], []

    def add_struct(json_name, root, c_prefix, stype, members):
        first = len(rows)
        for m in members:
            enum = "nullptr"
            if m.enum and m.enum in reg.enums:
                used_enums.add(m.enum)
                enum = f"\"{m.enum}\""
            size = f"sizeof((({root}*)nullptr)->{m.cexpr})"
            rows.append(f"    {{\"{m.path}\", offsetof({root}, {m.cexpr}), {size}, "
                        f"Scalar::{m.scalar}, LimitType::{limit_enum(m.limit)}, {enum}}},")
        struct_rows.append(f"    {{\"{json_name}\", {stype}, sizeof({root}), {first}, {len(rows) - first}}},")

    core = members_of(reg, "VkPhysicalDeviceProperties", "", "properties.", None)
    add_struct("VkPhysicalDeviceProperties", "VkPhysicalDeviceProperties2", "properties.",
               "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2", core)
    for s in structs:
        add_struct(s, s, "", reg.stype(s), members_of(reg, s, "", "", None))

    lines.append("const PropertyMember kMembers[] = {")
    lines += rows
    lines += ["};", "", "const PropertyStruct kStructs[] = {"]
    lines += struct_rows
    lines += ["};", ""]

    # Feature structures by name; their VkBool32 members come from the registry
    # (featureMembers, icd/gen_registry.py).
    feature_rows = ["    {\"VkPhysicalDeviceFeatures\", VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2},"]
    for s, t in sorted(reg.types.items()):
        if t.get("category") == "struct" and s not in reg.excluded and \
                reg.extends(s, "VkPhysicalDeviceFeatures2") and reg.stype(s):
            feature_rows.append(f"    {{\"{s}\", {reg.stype(s)}}},")
    alias_rows = [f"    {{\"{a}\", \"{t}\"}},"
                  for a, t in sorted(reg.aliases.items())
                  if t in reg.types and reg.types[t].get("category") == "struct"
                  and t not in reg.excluded and (reg.extends(t, "VkPhysicalDeviceFeatures2")
                                                 or reg.extends(t, "VkPhysicalDeviceProperties2"))]
    lines += ["const FeatureStruct kFeatureStructs[] = {"] + feature_rows + ["};", ""]
    lines += ["const StructAlias kAliases[] = {"] + alias_rows + ["};", ""]

    used_enums |= {"VkFormat", "VkFormatFeatureFlagBits", "VkFormatFeatureFlagBits2"}
    enum_rows = []
    for e in sorted(used_enums):
        for n, v in sorted(reg.enums.get(e, {}).items()):
            enum_rows.append(f"    {{\"{e}\", \"{n}\", {v}ll}},")
    lines += ["const Enumerant kEnumerants[] = {"] + enum_rows + ["};", ""]
    promoted = []
    for x in reg.root.find("extensions").findall("extension"):
        to = x.get("promotedto") or ""
        m = re.fullmatch(r"VK_VERSION_(\d)_(\d)", to)
        if m and "vulkan" in x.get("supported", "").split(","):
            promoted.append(f"    {{\"{x.get('name')}\", VK_MAKE_API_VERSION(0, {m.group(1)}, {m.group(2)}, 0)}},")
    lines += ["const PromotedExtension kPromoted[] = {"] + promoted + ["};", ""]
    lines += [
        "}  // namespace",
        "",
        "std::span<const PropertyMember> propertyMembers() { return kMembers; }",
        "std::span<const PropertyStruct> propertyStructs() { return kStructs; }",
        "std::span<const FeatureStruct> featureStructs() { return kFeatureStructs; }",
        "std::span<const StructAlias> structAliases() { return kAliases; }",
        "std::span<const Enumerant> enumerants() { return kEnumerants; }",
        "std::span<const PromotedExtension> promotedExtensions() { return kPromoted; }",
        "",
        "}  // namespace emvk::profile",
        "",
    ]
    (out / "profile_tables.cpp").write_text("\n".join(lines))


def limit_enum(limit):
    return {"max": "Max", "min": "Min", "bitmask": "Bitmask", "range": "Range", "exact": "Exact",
            "bits": "Bits", "noauto": "NoAuto"}.get(limit, "NoAuto")


def write_builtins(out, files):
    lines = [
        "// Generated by device/gen_profile_tables.py from device/profiles/*.json. Do not edit.",
        "#include \"device/profile_tables.hpp\"",
        "",
        "namespace emvk::profile {",
        "namespace {",
        "",
        "const BuiltinFile kFiles[] = {",
    ]
    for f in files:
        text = Path(f).read_text()
        delimiter = "emvk_json"
        assert f"){delimiter}\"" not in text
        lines.append(f"    {{\"{Path(f).name}\", R\"{delimiter}({text}){delimiter}\"}},")
    lines += ["};", "", "}  // namespace", "",
              "std::span<const BuiltinFile> builtinFiles() { return kFiles; }", "",
              "}  // namespace emvk::profile", ""]
    (out / "profile_builtins.cpp").write_text("\n".join(lines))


def main():
    reg = Registry(ET.parse(sys.argv[1]).getroot())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    write_tables(reg, out)
    write_builtins(out, sys.argv[3:])


if __name__ == "__main__":
    main()
