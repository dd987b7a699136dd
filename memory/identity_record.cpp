#include "memory/identity_record.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

namespace emvk::memory {

static_assert(std::is_trivially_copyable_v<IdentityRecord>, "the record is written as raw bytes");
static_assert(sizeof(IdentityRecord) <= 4096, "the record fits in its page");

namespace {

Error invalid(std::string why) { return Error{VK_ERROR_INVALID_EXTERNAL_HANDLE, std::move(why)}; }

}  // namespace

std::string hexBytes(const uint8_t* bytes, size_t n) {
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof(b), "%02x", bytes[i]);
    s += b;
  }
  return s;
}

uint32_t recordChecksum(const IdentityRecord& record) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&record);
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < offsetof(IdentityRecord, checksum); ++i) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

IdentityRecord makeRecord(const ImportExpectation& self, Dedication dedication,
                          const DedicatedImage* image, const DedicatedBuffer* buffer) {
  IdentityRecord r;
  std::memset(&r, 0, sizeof(r));  // padding too: the checksum covers every byte
  std::memcpy(r.magic, IdentityRecord::kMagic, sizeof(r.magic));
  r.recordVersion = IdentityRecord::kVersion;
  r.layoutAbiVersion = self.layoutAbiVersion;
  std::memcpy(r.driverUUID, self.driverUUID, 16);
  std::memcpy(r.deviceUUID, self.deviceUUID, 16);
  r.allocationSize = self.allocationSize;
  r.memoryTypeIndex = self.memoryTypeIndex;
  r.dedication = dedication;
  if (image) r.image = *image;
  if (buffer) r.buffer = *buffer;
  r.exporterPid = static_cast<uint32_t>(getpid());
  r.checksum = recordChecksum(r);
  return r;
}

Result<bool> checkRecord(const IdentityRecord& found, const ImportExpectation& expected) {
  if (std::memcmp(found.magic, IdentityRecord::kMagic, sizeof(found.magic)) != 0)
    return invalid(
        "the fd holds no emvk identity record: it is not memory exported by emvk "
        "(another driver's memfd, or an ordinary file)");
  if (found.recordVersion != IdentityRecord::kVersion)
    return invalid("identity record version " + std::to_string(found.recordVersion) +
                   " is not this emvk's " + std::to_string(IdentityRecord::kVersion) +
                   ": exported by another emvk build");
  if (recordChecksum(found) != found.checksum)
    return invalid(
        "the identity record is corrupt (checksum mismatch): the memfd was modified "
        "after export");
  if (found.layoutAbiVersion != expected.layoutAbiVersion)
    return invalid("layout ABI " + std::to_string(found.layoutAbiVersion) +
                   " differs from this "
                   "build's " +
                   std::to_string(expected.layoutAbiVersion) +
                   ": images would be laid out differently, so the data cannot be shared");
  if (std::memcmp(found.driverUUID, expected.driverUUID, 16) != 0)
    return invalid("driverUUID differs (exporter " + hexBytes(found.driverUUID, 16) +
                   ", importer " + hexBytes(expected.driverUUID, 16) +
                   "): the memory comes from another driver or another emvk build");
  if (std::memcmp(found.deviceUUID, expected.deviceUUID, 16) != 0)
    return invalid("deviceUUID differs (exporter " + hexBytes(found.deviceUUID, 16) +
                   ", importer " + hexBytes(expected.deviceUUID, 16) +
                   "): the memory comes from another device");
  // VUID-VkMemoryAllocateInfo-allocationSize-01742: size and type must match the export.
  if (found.allocationSize != expected.allocationSize)
    return invalid("allocationSize " + std::to_string(expected.allocationSize) +
                   " differs from the exported allocation's " +
                   std::to_string(found.allocationSize) +
                   " bytes (VUID-VkMemoryAllocateInfo-allocationSize-01742)");
  if (found.memoryTypeIndex != expected.memoryTypeIndex)
    return invalid("memoryTypeIndex " + std::to_string(expected.memoryTypeIndex) +
                   " differs from the exported allocation's " +
                   std::to_string(found.memoryTypeIndex) +
                   " (VUID-VkMemoryAllocateInfo-allocationSize-01742)");
  // A dedicated payload is imported dedicated to a resource created with identical parameters
  // (VkMemoryDedicatedAllocateInfo with external memory): anything else would alias memory laid
  // out for one image as another.
  if (found.dedication == Dedication::Image) {
    if (expected.dedication != Dedication::Image)
      return invalid(
          "the exporter dedicated this memory to an image; import it with "
          "VkMemoryDedicatedAllocateInfo naming an image created with the same parameters");
    const std::string diff = firstDifference(expected.image, found.image);
    if (!diff.empty())
      return invalid("the importing image differs from the exporter's dedicated image: " + diff +
                     " (importer vs exporter)");
  }
  if (found.dedication == Dedication::Buffer) {
    if (expected.dedication != Dedication::Buffer)
      return invalid(
          "the exporter dedicated this memory to a buffer; import it with "
          "VkMemoryDedicatedAllocateInfo naming a buffer created with the same parameters");
    if (!(expected.buffer == found.buffer))
      return invalid("the importing buffer (size " + std::to_string(expected.buffer.size) +
                     ", usage " + std::to_string(expected.buffer.usage) +
                     ") differs from the exporter's dedicated buffer (size " +
                     std::to_string(found.buffer.size) + ", usage " +
                     std::to_string(found.buffer.usage) + ")");
  }
  return true;
}

std::string firstDifference(const DedicatedImage& a, const DedicatedImage& b) {
  struct Field {
    const char* name;
    uint32_t DedicatedImage::*member;
  };
  static constexpr Field kFields[] = {
      {"flags", &DedicatedImage::flags},          {"imageType", &DedicatedImage::imageType},
      {"format", &DedicatedImage::format},        {"extent.width", &DedicatedImage::width},
      {"extent.height", &DedicatedImage::height}, {"extent.depth", &DedicatedImage::depth},
      {"mipLevels", &DedicatedImage::mipLevels},  {"arrayLayers", &DedicatedImage::arrayLayers},
      {"samples", &DedicatedImage::samples},      {"tiling", &DedicatedImage::tiling},
      {"usage", &DedicatedImage::usage}};
  for (const Field& f : kFields)
    if (a.*f.member != b.*f.member)
      return std::string(f.name) + " " + std::to_string(a.*f.member) + " vs " +
             std::to_string(b.*f.member);
  return "";
}

}  // namespace emvk::memory
