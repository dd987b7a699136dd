#!/usr/bin/env python3
"""Generates emvk's loader-facing tables from the Vulkan registry (vk.xml).

Outputs, written into the build tree (never into git):
  registry.h    - the emvk_<Command> prototypes (weak: a command emvk does not define stays null),
                  the ExtensionId enum and the size of the extension table.
  registry.cpp  - the sorted name -> command table (level, core version, providing extensions),
                  the extension table (name, spec version, instance/device) and sType -> name.

Why weak prototypes: the driver defines `emvk_CreateBuffer` in device/buffer.cpp and nothing else.
The linker resolves every command emvk never defined to null, so vkGet*ProcAddr returns NULL for it
and adding a command never means editing a list of names.

Usage: gen_registry.py vk.xml OUTDIR
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DISPATCHABLE_DEVICE = {"VkDevice", "VkQueue", "VkCommandBuffer"}
GLOBAL_COMMANDS = {
    "vkCreateInstance", "vkEnumerateInstanceExtensionProperties",
    "vkEnumerateInstanceLayerProperties", "vkEnumerateInstanceVersion",
}


def for_vulkan(elem):
    """True if elem applies to the Vulkan API (vk.xml also carries Vulkan SC)."""
    api = elem.get("api")
    return api is None or "vulkan" in api.split(",")


class Command:
    def __init__(self, name, ret, params, level):
        self.name, self.ret, self.params, self.level = name, ret, params, level
        self.alias_of = None
        self.core = 0           # VK_MAKE_API_VERSION(0, major, minor, 0), 0 if none
        self.extensions = []    # extension names that provide it
        self.reachable = False  # some name of it is core or in an extension emvk can build


def param_text(p):
    """The C declaration of one <param>, exactly as vk.xml spells it."""
    return " ".join("".join(p.itertext()).split())


def read_commands(root):
    cmds, aliases = {}, {}
    for c in root.find("commands").findall("command"):
        if not for_vulkan(c):
            continue
        if c.get("alias"):
            aliases[c.get("name")] = c.get("alias")
            continue
        proto = c.find("proto")
        name = proto.find("name").text
        ret = proto.find("type").text
        params = [p for p in c.findall("param") if for_vulkan(p)]
        first = params[0].find("type").text
        if name in GLOBAL_COMMANDS:
            level = "Global"
        elif first in DISPATCHABLE_DEVICE:
            level = "Device"
        elif first == "VkPhysicalDevice":
            level = "PhysicalDevice"
        else:
            level = "Instance"
        # vkGetDeviceProcAddr takes a VkDevice but the loader asks the instance for it.
        if name == "vkGetDeviceProcAddr":
            level = "Instance"
        cmds[name] = Command(name, ret, [param_text(p) for p in params], level)
    for alias, target in aliases.items():
        a = Command(alias, cmds[target].ret, cmds[target].params, cmds[target].level)
        a.alias_of = target
        cmds[alias] = a
    return cmds


def read_features(root, cmds):
    for f in root.findall("feature"):
        if not for_vulkan(f):
            continue
        major, minor = f.get("number").split(".")
        version = (int(major) << 22) | (int(minor) << 12)
        for req in f.findall("require"):
            for c in req.findall("command"):
                if c.get("name") in cmds and not cmds[c.get("name")].core:
                    cmds[c.get("name")].core = version


def read_extensions(root, cmds):
    exts = []
    for e in root.find("extensions").findall("extension"):
        supported = e.get("supported", "").split(",")
        # Platform (window-system, Win32...) and provisional extensions need headers and
        # macros emvk never builds with.
        if "vulkan" not in supported or e.get("platform") or e.get("provisional") == "true":
            continue
        name = e.get("name")
        spec = 0
        for req in e.findall("require"):
            for en in req.findall("enum"):
                if en.get("name", "").endswith("_SPEC_VERSION") and en.get("value"):
                    spec = int(en.get("value"))
            for c in req.findall("command"):
                cmd = cmds.get(c.get("name"))
                if cmd is not None and name not in cmd.extensions:
                    cmd.extensions.append(name)
        exts.append((name, spec, e.get("type") == "device"))
    return exts


def structure_type_values(root):
    """VK_STRUCTURE_TYPE_* -> number, computed as the spec's "Enumerant values" rule does, so the
    table compiles against any header version (names of platform structures are not in it)."""
    values = {}
    for e in root.findall("enums"):
        if e.get("name") == "VkStructureType":
            for en in e.findall("enum"):
                if en.get("value") is not None:
                    values[en.get("name")] = int(en.get("value"), 0)

    def add(en, default_ext):
        if en.get("extends") != "VkStructureType" or en.get("alias"):
            return
        if en.get("value") is not None:
            values[en.get("name")] = int(en.get("value"), 0)
        elif en.get("offset") is not None:
            ext = int(en.get("extnumber") or default_ext)
            v = 1000000000 + (ext - 1) * 1000 + int(en.get("offset"))
            values[en.get("name")] = -v if en.get("dir") == "-" else v

    for f in root.findall("feature"):
        for en in f.iter("enum"):
            add(en, 0)
    for x in root.find("extensions").findall("extension"):
        for en in x.iter("enum"):
            add(en, x.get("number"))
    return values


def read_structure_types(root):
    values = structure_type_values(root)
    names = []
    for t in root.find("types").findall("type"):
        if t.get("category") != "struct" or t.get("alias") or not for_vulkan(t):
            continue
        for m in t.findall("member"):
            if m.findtext("name") == "sType" and m.get("values") in values:
                names.append((values[m.get("values")], t.get("name")))
    return names


def read_feature_structs(root, values):
    """sType -> VkBool32 member names, for every feature structure (all members after sType/pNext
    are VkBool32). VkPhysicalDeviceFeatures2 lists the members of the VkPhysicalDeviceFeatures it
    wraps. Padding after an odd number of members is why the count cannot come from sizeof."""
    types = {t.get("name"): t for t in root.find("types").findall("type")}

    def bools(t):
        names = []
        for m in t.findall("member"):
            if not for_vulkan(m) or m.findtext("name") in ("sType", "pNext"):
                continue
            if m.findtext("type") != "VkBool32":
                return None
            names.append(m.findtext("name"))
        return names

    out = []
    for t in types.values():
        if t.get("category") != "struct" or t.get("alias") or not for_vulkan(t):
            continue
        stype = next((m.get("values") for m in t.findall("member") if m.findtext("name") == "sType"), None)
        if stype not in values:
            continue
        if t.get("name") == "VkPhysicalDeviceFeatures2":
            members = bools(types["VkPhysicalDeviceFeatures"])
        elif "VkPhysicalDeviceFeatures2" in (t.get("structextends") or "").split(","):
            members = bools(t)
        else:
            continue
        if members:
            out.append((values[stype], t.get("name"), members))
    return out


def enum_id(ext_name):
    return ext_name[len("VK_"):]


def write_header(out, cmds, exts):
    lines = [
        "// Generated by icd/gen_registry.py from vk.xml. Do not edit.",
        "#pragma once",
        "#include <vulkan/vulkan.h>",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        "#define EMVK_WEAK __attribute__((weak, visibility(\"hidden\")))",
        "extern \"C\" {",
    ]
    for c in sorted(cmds.values(), key=lambda c: c.name):
        if c.alias_of or not c.reachable:
            continue
        lines.append(f"VKAPI_ATTR {c.ret} VKAPI_CALL emvk_{c.name[2:]}({', '.join(c.params)}) EMVK_WEAK;")
    lines += ["}", "", "namespace emvk {", "", "enum class ExtensionId : uint16_t {"]
    lines += [f"  {enum_id(n)} = {i}," for i, (n, _, _) in enumerate(exts)]
    lines += ["};", f"inline constexpr std::size_t kExtensionCount = {len(exts)};", "", "}  // namespace emvk", ""]
    (out / "registry.h").write_text("\n".join(lines))


def write_source(out, cmds, exts, stypes, features):
    ext_index = {n: i for i, (n, _, _) in enumerate(exts)}
    lines = [
        "// Generated by icd/gen_registry.py from vk.xml. Do not edit.",
        "#include \"registry.h\"",
        "#include \"icd/registry.hpp\"",
        "",
        "namespace emvk {",
        "namespace {",
        "",
    ]
    rows = []
    for c in sorted(cmds.values(), key=lambda c: c.name):
        target = c.alias_of or c.name
        # Each name is gated by what provides *that name*: vkCmdCopyBuffer2KHR needs
        # VK_KHR_copy_commands2 even on a 1.3 device; both names reach the same function.
        core = c.core
        ids = sorted({ext_index[e] for e in c.extensions if e in ext_index})
        if not core and not ids:
            continue  # only in platform extensions emvk never builds
        ext_arr = "nullptr"
        if ids:
            arr = f"kExt_{c.name}"
            lines.append(f"constexpr uint16_t {arr}[] = {{{', '.join(map(str, ids))}}};")
            ext_arr = arr
        fn = f"reinterpret_cast<PFN_vkVoidFunction>(&emvk_{target[2:]})"
        rows.append(f"    {{\"{c.name}\", {fn}, CommandLevel::{c.level}, {core}u, {ext_arr}, {len(ids)}}},")
    lines += ["", "const CommandInfo kCommands[] = {"] + rows + ["};", ""]
    lines.append("const ExtensionInfo kExtensions[] = {")
    lines += [f"    {{\"{n}\", {s}u, {'true' if d else 'false'}}}," for n, s, d in exts]
    lines += ["};", "", "}  // namespace", ""]
    lines += [
        "std::span<const CommandInfo> allCommands() { return kCommands; }",
        "std::span<const ExtensionInfo> allExtensions() { return kExtensions; }",
        "",
        "const char* structureTypeName(VkStructureType sType) {",
        "  switch (static_cast<int64_t>(sType)) {",
    ]
    seen = set()
    for value, struct in stypes:
        if value in seen:
            continue
        seen.add(value)
        lines.append(f"    case {value}: return \"{struct}\";")
    lines += ["    default: return nullptr;", "  }", "}", ""]
    lines += ["std::span<const char* const> featureMembers(VkStructureType sType) {",
              "  switch (static_cast<int64_t>(sType)) {"]
    for value, struct, members in features:
        names = ", ".join(f'"{m}"' for m in members)
        lines.append(f"    case {value}: {{ static const char* const k[] = {{{names}}}; return k; }}")
    lines += ["    default: return {};", "  }", "}", "", "}  // namespace emvk", ""]
    (out / "registry.cpp").write_text("\n".join(lines))


def main():
    root = ET.parse(sys.argv[1]).getroot()
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    cmds = read_commands(root)
    read_features(root, cmds)
    exts = read_extensions(root, cmds)
    for c in cmds.values():
        if c.core or c.extensions:
            cmds[c.alias_of or c.name].reachable = True
    write_header(out, cmds, exts)
    write_source(out, cmds, exts, read_structure_types(root),
                 read_feature_structs(root, structure_type_values(root)))


if __name__ == "__main__":
    main()
