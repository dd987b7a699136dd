// The identity record of exported memory: who made this memfd and what it holds.
//
// Every exportable allocation's memfd ends with one page that holds this record; the data pages
// come first, so the application's bytes start at offset 0 of the fd. An importer reads the record
// with pread() before it maps anything and refuses, with a sentence saying why, any fd that is not
// an emvk allocation of this very build and layout ABI (docs/EXTERNAL_MEMORY.md).
#pragma once
#include <cstdint>
#include <string>

#include "memory/result.hpp"

namespace emvk::memory {

// What a dedicated allocation is dedicated to. Plain numbers (Vulkan enum values), so the record
// reads the same in every process of every emvk build with the same record version.
struct DedicatedImage {
  uint32_t flags, imageType, format, width, height, depth, mipLevels, arrayLayers, samples, tiling,
      usage;
  bool operator==(const DedicatedImage&) const = default;
};

struct DedicatedBuffer {
  uint64_t size;
  uint32_t flags, usage;
  bool operator==(const DedicatedBuffer&) const = default;
};

enum class Dedication : uint32_t { None = 0, Image = 1, Buffer = 2 };

struct IdentityRecord {
  static constexpr char kMagic[8] = {'E', 'M', 'V', 'K', 'M', 'E', 'M', '1'};
  static constexpr uint32_t kVersion = 1;

  char magic[8];
  uint32_t recordVersion;
  uint32_t layoutAbiVersion;
  uint8_t driverUUID[16];
  uint8_t deviceUUID[16];
  uint64_t allocationSize;  // what the exporter asked for (vkAllocateMemory's allocationSize)
  uint32_t memoryTypeIndex;
  Dedication dedication;
  DedicatedImage image;    // valid when dedication == Image
  DedicatedBuffer buffer;  // valid when dedication == Buffer
  uint32_t exporterPid;    // for tools (emvk-inspect) and messages; never trusted for safety
  uint32_t checksum;       // FNV-1a of every byte before it
};

// Everything an importer expects, to compare with what the record says.
struct ImportExpectation {
  uint32_t layoutAbiVersion;
  const uint8_t* driverUUID;
  const uint8_t* deviceUUID;
  uint64_t allocationSize;
  uint32_t memoryTypeIndex;
  // What the importer's VkMemoryDedicatedAllocateInfo names (None, or one of the two).
  Dedication dedication = Dedication::None;
  DedicatedImage image{};
  DedicatedBuffer buffer{};
};

uint32_t recordChecksum(const IdentityRecord& record);

// Bytes as lowercase hex ("d948cc96..."), as messages and emvk-inspect print UUIDs.
std::string hexBytes(const uint8_t* bytes, size_t n);

// A record made and checksummed from its fields.
IdentityRecord makeRecord(const ImportExpectation& self, Dedication dedication,
                          const DedicatedImage* image, const DedicatedBuffer* buffer);

// Compares `found` with `expected`; the error's text says which field differs and what that means.
Result<bool> checkRecord(const IdentityRecord& found, const ImportExpectation& expected);

// Names the first image parameter that differs, e.g. "format 37 vs 44", or "" if none.
std::string firstDifference(const DedicatedImage& a, const DedicatedImage& b);

}  // namespace emvk::memory
