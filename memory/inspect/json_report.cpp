// emvk-inspect --json: the keys are listed in docs/INSPECT.md. Written by hand, one object a few
// lines, so that a person can read it too; strings go through the driver's quoting.
#include <sstream>
#include <string>
#include <vector>

#include "device/json.hpp"
#include "memory/identity_record.hpp"
#include "memory/inspect/object_facts.hpp"
#include "memory/inspect/report.hpp"
#include "memory/inspect/vk_names.hpp"

namespace emvk::inspect {
namespace {

std::string jsonArray(const std::vector<std::string>& items, bool quoted,
                      const char* separator = ", ") {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i)
    s += (i ? separator : "") + (quoted ? json::quote(items[i]) : items[i]);
  return s + "]";
}

std::string jsonHolder(const Holder& h) {
  std::vector<std::string> fds;
  for (int fd : h.fds) fds.push_back(std::to_string(fd));
  return "{\"pid\": " + std::to_string(h.pid) + ", \"name\": " + json::quote(h.name) +
         ", \"alive\": " + (alive(h.pid) ? "true" : "false") +
         ", \"fds\": " + jsonArray(fds, false) + ", \"mappings\": " + std::to_string(h.mappings) +
         "}";
}

std::string jsonHolders(const SharedObject& o, bool importersOnly) {
  std::vector<std::string> items;
  for (const Holder& h : o.holders)
    if (!importersOnly || isImporter(o, h)) items.push_back(jsonHolder(h));
  return jsonArray(items, false, ",\n       ");  // one process a line
}

std::string jsonCommon(const SharedObject& o) {
  return "\"inode\": " + std::to_string(o.key.inode) + ", \"device\": \"" +
         std::to_string(o.key.major) + ":" + std::to_string(o.key.minor) +
         "\", \"file_size\": " + std::to_string(o.fileSize) +
         ", \"status\": " + json::quote(o.status);
}

std::string jsonImage(const memory::DedicatedImage& i) {
  std::ostringstream s;
  s << "{\"type\": " << json::quote(imageTypeName(i.imageType))
    << ", \"format\": " << json::quote(formatName(i.format)) << ", \"format_value\": " << i.format
    << ", \"width\": " << i.width << ", \"height\": " << i.height << ", \"depth\": " << i.depth
    << ", \"mip_levels\": " << i.mipLevels << ", \"array_layers\": " << i.arrayLayers
    << ", \"samples\": " << i.samples << ", \"tiling\": " << json::quote(tilingName(i.tiling))
    << ", \"usage\": " << jsonArray(imageUsageNames(i.usage), true)
    << ", \"usage_value\": " << i.usage << ", \"flags\": " << i.flags << "}";
  return s.str();
}

std::string jsonBuffer(const memory::DedicatedBuffer& b) {
  return "{\"size\": " + std::to_string(b.size) +
         ", \"usage\": " + jsonArray(bufferUsageNames(b.usage), true) +
         ", \"usage_value\": " + std::to_string(b.usage) +
         ", \"flags\": " + std::to_string(b.flags) + "}";
}

std::string jsonMemory(const SharedObject& o) {
  std::ostringstream s;
  s << "    {" << jsonCommon(o) << ",\n     \"checksum_ok\": " << (o.checksumOk ? "true" : "false");
  if (const auto& r = o.record) {
    const Exporter e = exporterOf(o);
    s << ", \"record_version\": " << r->recordVersion
      << ", \"layout_abi_version\": " << r->layoutAbiVersion << ",\n     \"driver_uuid\": \""
      << memory::hexBytes(r->driverUUID, 16) << "\", \"device_uuid\": \""
      << memory::hexBytes(r->deviceUUID, 16) << "\",\n     \"size\": " << r->allocationSize
      << ", \"memory_type_index\": " << r->memoryTypeIndex
      << ", \"dedication\": " << json::quote(dedicationName(r->dedication));
    if (r->dedication == memory::Dedication::Image)
      s << ",\n     \"image\": " << jsonImage(r->image);
    if (r->dedication == memory::Dedication::Buffer)
      s << ",\n     \"buffer\": " << jsonBuffer(r->buffer);
    s << ",\n     \"exporter\": {\"pid\": " << e.pid << ", \"name\": " << json::quote(e.name)
      << ", \"alive\": " << (e.liveness == Liveness::Alive ? "true" : "false")
      << ", \"holds\": " << (e.holds ? "true" : "false") << "}";
  }
  s << ",\n     \"importers\": " << jsonHolders(o, true)
    << ",\n     \"holders\": " << jsonHolders(o, false) << "}";
  return s.str();
}

std::string jsonSync(const SharedObject& o) {
  std::ostringstream s;
  s << "    {" << jsonCommon(o);
  if (const auto& st = o.sync) {
    std::vector<std::string> attached;
    for (pid_t pid : st->attached) {
      attached.push_back("{\"pid\": " + std::to_string(pid) +
                         ", \"name\": " + json::quote(attachedName(o, pid)) +
                         ", \"alive\": " + (alive(pid) ? "true" : "false") + "}");
    }
    s << ",\n     \"kind\": " << json::quote(syncKindName(st->kind, true))
      << ", \"value\": " << st->value << ", \"driver_uuid\": \""
      << memory::hexBytes(st->driverUUID, 16)
      << "\",\n     \"attached\": " << jsonArray(attached, false, ",\n       ");
  }
  s << ",\n     \"holders\": " << jsonHolders(o, false) << "}";
  return s.str();
}

template <class Fn>
std::string jsonList(const std::vector<SharedObject>& objects, Fn one) {
  if (objects.empty()) return "[]";
  std::string s = "[\n";
  for (size_t i = 0; i < objects.size(); ++i)
    s += one(objects[i]) + (i + 1 < objects.size() ? ",\n" : "\n");
  return s + "  ]";
}

}  // namespace

std::string jsonReport(const Scan& scan, std::optional<pid_t> onlyPid) {
  std::vector<std::string> unreadable;
  for (pid_t pid : scan.unreadable) unreadable.push_back(std::to_string(pid));
  std::ostringstream s;
  s << "{\n  \"tool\": \"emvk-inspect\", \"format_version\": " << kJsonFormatVersion
    << ",\n  \"pid_filter\": " << (onlyPid ? std::to_string(*onlyPid) : "null")
    << ", \"processes_scanned\": " << scan.processesScanned
    << ",\n  \"processes_unreadable\": " << jsonArray(unreadable, false)
    << ",\n  \"memory\": " << jsonList(scan.memory, jsonMemory)
    << ",\n  \"sync\": " << jsonList(scan.sync, jsonSync) << "\n}\n";
  return s.str();
}

}  // namespace emvk::inspect
