// emvk-inspect's table: memory objects, then semaphores and fences, each a header line and one
// line per process, wrapped so that nothing passes 100 columns.
#include <sstream>
#include <string>
#include <vector>

#include "memory/identity_record.hpp"
#include "memory/inspect/object_facts.hpp"
#include "memory/inspect/report.hpp"
#include "memory/inspect/vk_names.hpp"

namespace emvk::inspect {
namespace {

constexpr size_t kWidth = 100;

// `head` followed by `items` joined with `sep`, wrapped at kWidth with continuation lines indented
// to `indent` columns.
std::string wrapped(std::string head, const std::vector<std::string>& items, const char* sep,
                    size_t indent) {
  std::string out, line = std::move(head);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string piece = items[i] + (i + 1 < items.size() ? sep : "");
    if (line.size() + piece.size() > kWidth && line.size() > indent) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      line = std::string(indent, ' ');
    }
    line += piece;
  }
  return out + line + "\n";
}

std::string column(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text + " ";
}

std::string holderLine(const char* role, const Holder& h) {
  const std::string head = "  " + column(role, 9) + column("pid " + std::to_string(h.pid), 11) +
                           column(h.name, 16) + column(livenessName(liveness(h.pid)), 8);
  const std::string mapped = h.mappings == 0   ? "not mapped"
                             : h.mappings == 1 ? "1 mapping"
                                               : std::to_string(h.mappings) + " mappings";
  std::string fds;
  for (int fd : h.fds) fds += (fds.empty() ? "" : ",") + std::to_string(fd);
  const std::string line =
      head + column(h.fds.empty() ? "no fd" : (h.fds.size() == 1 ? "fd " : "fds ") + fds, 14) +
      mapped;
  if (line.size() <= kWidth) return line + "\n";
  // A process holding many fds of one object (a program that never closes what
  // vkGetMemoryFdKHR returns): the list goes on over as many lines as it needs.
  std::vector<std::string> numbers;
  for (size_t i = 0; i < h.fds.size(); ++i)
    numbers.push_back(std::to_string(h.fds[i]) + (i + 1 < h.fds.size() ? "," : ""));
  return wrapped(head + mapped + ", fds ", numbers, " ", 12);
}

// `head` then `sentence`, wrapped between words.
std::string wrappedText(const std::string& head, const std::string& sentence) {
  std::vector<std::string> words;
  std::istringstream in(sentence);
  for (std::string word; in >> word;) words.push_back(word);
  return wrapped(head, words, " ", 12);
}
std::string textImage(const memory::DedicatedImage& i) {
  std::vector<std::string> usage;
  for (const std::string& n : imageUsageNames(i.usage)) usage.push_back(shortName(n));
  std::vector<std::string> words = {
      "image " + shortName(imageTypeName(i.imageType)),
      formatName(i.format),
      std::to_string(i.width) + "x" + std::to_string(i.height) + "x" + std::to_string(i.depth) +
          ",",
      std::to_string(i.mipLevels) + (i.mipLevels == 1 ? " mip," : " mips,"),
      std::to_string(i.arrayLayers) + (i.arrayLayers == 1 ? " layer," : " layers,"),
      std::to_string(i.samples) + (i.samples == 1 ? " sample," : " samples,"),
      shortName(tilingName(i.tiling)) + ","};
  std::string usageText;
  for (const std::string& u : usage) usageText += (usageText.empty() ? "" : "|") + u;
  words.push_back("usage " + (usageText.empty() ? std::string("0") : usageText));
  if (i.flags) words.push_back("(flags " + std::to_string(i.flags) + ")");
  return wrapped("  " + column("dedicated", 9), words, " ", 12);
}

std::string textBuffer(const memory::DedicatedBuffer& b) {
  std::string usage;
  for (const std::string& n : bufferUsageNames(b.usage))
    usage += (usage.empty() ? "" : "|") + shortName(n);
  return "  " + column("dedicated", 9) + "buffer of " + std::to_string(b.size) + " bytes, usage " +
         (usage.empty() ? "0" : usage) + "\n";
}

std::string textMemory(const SharedObject& o) {
  std::string s = "memory inode " + std::to_string(o.key.inode) + ": ";
  const auto& r = o.record;
  if (!r) {
    s = wrappedText(s, o.status);
    for (const Holder& h : o.holders) s += holderLine("holder", h);
    return s;
  }
  s = wrapped(s,
              {std::to_string(r->allocationSize) + " bytes,",
               "memory type " + std::to_string(r->memoryTypeIndex) + ",",
               "layout ABI " + std::to_string(r->layoutAbiVersion) + ",",
               "record v" + std::to_string(r->recordVersion) + ",",
               "driver " + memory::hexBytes(r->driverUUID, 4) + ",",
               o.checksumOk ? "checksum ok" : "checksum BAD"},
              " ", 12);
  if (!o.checksumOk) s += wrappedText("  " + column("warning", 9), o.status);
  if (r->dedication == memory::Dedication::Image) s += textImage(r->image);
  if (r->dedication == memory::Dedication::Buffer) s += textBuffer(r->buffer);
  const Exporter e = exporterOf(o);
  if (const Holder* h = o.holder(e.pid))
    s += holderLine("exporter", *h);
  else
    s += "  " + column("exporter", 9) + column("pid " + std::to_string(e.pid), 11) +
         column(e.name, 16) + livenessName(e.liveness) +
         (e.liveness == Liveness::Gone ? ""
                                       : ", no longer holds it (freed, or the pid was reused)") +
         "\n";
  bool any = false;
  for (const Holder& h : o.holders)
    if (isImporter(o, h)) {
      s += holderLine("importer", h);
      any = true;
    }
  if (!any) s += "  " + column("importer", 9) + "none\n";
  return s;
}

std::string textSync(const SharedObject& o) {
  std::string s = "sync inode " + std::to_string(o.key.inode) + ": ";
  if (const auto& st = o.sync) {
    s += std::string(syncKindName(st->kind, false)) + ", value " + std::to_string(st->value) +
         ", driver " + memory::hexBytes(st->driverUUID, 4) + "\n";
    std::vector<std::string> attached;
    for (pid_t pid : st->attached) {
      const std::string name = attachedName(o, pid);
      attached.push_back("pid " + std::to_string(pid) + (name.empty() ? "" : " " + name) + " (" +
                         livenessName(liveness(pid)) + ")");
    }
    if (attached.empty()) attached.push_back("none");
    s += wrapped("  " + column("attached", 9), attached, ", ", 12);
  } else {
    s = wrappedText(s, o.status);
  }
  for (const Holder& h : o.holders) s += holderLine("holder", h);
  return s;
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string textReport(const Scan& scan, std::optional<pid_t> onlyPid) {
  const std::string scope = onlyPid ? " by process " + std::to_string(*onlyPid) : "";
  std::string s;
  if (scan.memory.empty() && scan.sync.empty()) {
    s = std::string(kNothingFound) + scope + " (" +
        plural(scan.processesScanned, "process", "processes") + " scanned)\n";
  } else {
    s = "emvk objects" + scope + ": " +
        plural(scan.memory.size(), "memory object", "memory objects") + ", " +
        plural(scan.sync.size(), "semaphore or fence", "semaphores and fences") + " (" +
        plural(scan.processesScanned, "process", "processes") + " scanned)\n";
  }
  if (!scan.unreadable.empty())
    s += plural(scan.unreadable.size(), "process", "processes") +
         " could not be read (permission denied): objects only they hold are not shown\n";
  if (!scan.memory.empty()) {
    s += "\nMEMORY OBJECTS\n";
    for (size_t i = 0; i < scan.memory.size(); ++i)
      s += (i ? "\n" : "") + textMemory(scan.memory[i]);
  }
  if (!scan.sync.empty()) {
    s += "\nSEMAPHORES AND FENCES\n";
    for (size_t i = 0; i < scan.sync.size(); ++i) s += (i ? "\n" : "") + textSync(scan.sync[i]);
  }
  return s;
}

}  // namespace emvk::inspect
