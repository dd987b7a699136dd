// The bytes the shader caches keep, without anything of Vulkan: a program's artefact, the entry
// record that files an artefact under its key (in vkGetPipelineCacheData's blob and in each file
// of the disk cache), and CodeCache, the thread-safe map behind a VkPipelineCache.
//
// All integers are in the host's byte order: a cache is only ever read by the build that wrote
// it on the same kind of machine (the key and the Vulkan header say so).
//
// Artefact (what Program::load needs):
//   u32 localSize[3], u32 bindingCount, u64 sharedMemorySize,
//   bindingCount x {u32 set, u32 binding, u32 kind}, u64 objectSize, objectSize bytes of a
//   relocatable object file for the host (ELF on Linux).
//
// Entry record, 56 bytes of header then the artefact:
//   0  u32 magic "EMVK"            4  u32 kCodeFormatVersion
//   8  u8 key[32]                  40 u64 artefact size
//   48 u64 checksum: XXH3-64 of bytes 4..48 and of the artefact
//   56 artefact
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <vector>

#include "jit/jit.hpp"
#include "memory/result.hpp"

namespace emvk::jit {

// Bump when the artefact's or the entry's layout changes, or when the same source would give
// different machine code in a way the driver's build identity does not see. It is part of every
// key and every entry, so old entries simply miss.
// 2: texel buffers (DispatchContext::texelFormats, DescriptorKind's texel buffer kinds).
inline constexpr uint32_t kCodeFormatVersion = 2;
inline constexpr size_t kEntryHeaderSize = 56;

// What an artefact says, the object pointing into the artefact's bytes.
struct ArtefactContents {
  std::array<uint32_t, 3> localSize{};
  std::vector<ResourceBinding> bindings;
  uint64_t sharedMemorySize = 0;
  std::span<const uint8_t> object;
};

std::vector<uint8_t> encodeArtefact(const ArtefactContents& contents);
// Bounds-checked: an Error naming the first field that does not fit, never a read past the end.
Result<ArtefactContents> decodeArtefact(std::span<const uint8_t> bytes);

struct CacheEntry {
  CacheKey key;
  Artefact artefact;
};

size_t entrySize(const Artefact& artefact);
// Appends one entry record to `out`.
void appendEntry(std::vector<uint8_t>& out, const CacheEntry& entry);
// Entry records back to back, all or nothing: an Error saying what is wrong with the first bad
// record (truncated, foreign magic, other format version, checksum mismatch), never a crash.
Result<std::vector<CacheEntry>> parseEntries(std::span<const uint8_t> bytes);

// The contents of one VkPipelineCache. Every member may be called from several threads at once.
class CodeCache {
 public:
  Artefact find(const CacheKey& key) const;
  // A later artefact replaces an earlier one of the same key: they do the same, unless the
  // earlier one could not be linked and the later one was compiled to replace it.
  void insert(const CacheKey& key, Artefact artefact);
  // A snapshot, in key order (so that vkGetPipelineCacheData is deterministic).
  std::vector<CacheEntry> entries() const;

 private:
  mutable std::mutex mutex_;
  std::map<CacheKey, Artefact> entries_;
};

}  // namespace emvk::jit
