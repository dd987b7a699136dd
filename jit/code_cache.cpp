#include "jit/code_cache.hpp"

#include <llvm/Config/llvm-config.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/xxhash.h>

#include <cstring>

#include "jit/compiler.hpp"

namespace emvk::jit {

namespace {

constexpr uint32_t kEntryMagic = 0x4b564d45;  // "EMVK" in a little-endian file

// Appends and reads plain integers and bytes; Reader never reads past its end.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  template <class T>
  void put(T value) {
    bytes({reinterpret_cast<const uint8_t*>(&value), sizeof(T)});
  }
  void bytes(std::span<const uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }

 private:
  std::vector<uint8_t>& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  template <class T>
  bool get(T& value) {
    if (data_.size() < sizeof(T)) return false;
    std::memcpy(&value, data_.data(), sizeof(T));
    data_ = data_.subspan(sizeof(T));
    return true;
  }
  bool bytes(uint64_t size, std::span<const uint8_t>& out) {
    if (data_.size() < size) return false;
    out = data_.first(size);
    data_ = data_.subspan(size);
    return true;
  }
  size_t left() const { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
};

Error broken(const std::string& why) { return {VK_ERROR_INITIALIZATION_FAILED, why}; }

uint64_t checksum(std::span<const uint8_t> header, std::span<const uint8_t> artefact) {
  // Two XXH3 hashes combined: cheap, and a flipped bit anywhere changes the result.
  const uint64_t a = llvm::xxh3_64bits(llvm::ArrayRef(header.data(), header.size()));
  const uint64_t b = llvm::xxh3_64bits(llvm::ArrayRef(artefact.data(), artefact.size()));
  return a ^ (b * 0x9e3779b97f4a7c15ull);
}

}  // namespace

std::string toHex(const CacheKey& key, size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < std::min(bytes, key.size()); ++i) {
    hex += kDigits[key[i] >> 4];
    hex += kDigits[key[i] & 15];
  }
  return hex;
}

CacheKey cacheKey(std::span<const uint32_t> spirv, const std::string& entry,
                  const std::vector<SpecializationConstant>& specialization,
                  std::span<const uint8_t, 16> driverIdentity) {
  // Every variable-length field goes in with its length first, so two different inputs can
  // never give the same stream of bytes. The pipeline layout is not part of the key: emvk's
  // code reads descriptors through DispatchContext in Program::bindings() order, which the shader
  // alone decides. Include it here the day the layout shapes the code.
  llvm::SHA256 hash;
  auto add = [&](const void* data, size_t size) {
    hash.update(llvm::ArrayRef(static_cast<const uint8_t*>(data), size));
  };
  auto addSized = [&](const void* data, size_t size) {
    const uint64_t length = size;
    add(&length, sizeof(length));
    add(data, size);
  };
  auto addString = [&](const std::string& text) { addSized(text.data(), text.size()); };
  addString("emvk shader cache key");
  add(&kCodeFormatVersion, sizeof(kCodeFormatVersion));
  add(driverIdentity.data(), driverIdentity.size());
  addString(LLVM_VERSION_STRING);
  addString(Compiler::hostDescription());
  // The SIMD width shapes the code (EMVK_SIMD_LANES may change it between runs).
  const uint32_t lanes = subgroupSize();
  add(&lanes, sizeof(lanes));
  addSized(spirv.data(), spirv.size_bytes());
  addString(entry);
  const uint64_t constants = specialization.size();
  add(&constants, sizeof(constants));
  for (const SpecializationConstant& constant : specialization) {
    add(&constant.id, sizeof(constant.id));
    addSized(constant.bytes.data(), constant.bytes.size());
  }
  return hash.final();
}

std::vector<uint8_t> encodeArtefact(const ArtefactContents& contents) {
  std::vector<uint8_t> out;
  Writer w(out);
  for (uint32_t size : contents.localSize) w.put(size);
  w.put(static_cast<uint32_t>(contents.bindings.size()));
  w.put(contents.sharedMemorySize);
  for (const ResourceBinding& b : contents.bindings) {
    w.put(b.set);
    w.put(b.binding);
    w.put(static_cast<uint32_t>(b.kind));
  }
  w.put(static_cast<uint64_t>(contents.object.size()));
  w.bytes(contents.object);
  return out;
}

Result<ArtefactContents> decodeArtefact(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  ArtefactContents contents;
  uint32_t bindingCount = 0;
  for (uint32_t& size : contents.localSize)
    if (!r.get(size)) return broken("the artefact ends inside its local size");
  if (!r.get(bindingCount) || !r.get(contents.sharedMemorySize))
    return broken("the artefact ends inside its header");
  // Each binding takes 12 bytes: a count larger than what is left cannot be true.
  if (bindingCount > r.left() / 12) return broken("the artefact's binding count is too large");
  for (uint32_t i = 0; i < bindingCount; ++i) {
    ResourceBinding b{};
    uint32_t kind = 0;
    if (!r.get(b.set) || !r.get(b.binding) || !r.get(kind))
      return broken("the artefact ends inside a binding");
    if (kind > static_cast<uint32_t>(DescriptorKind::StorageTexelBuffer))
      return broken("the artefact names an unknown descriptor kind");
    b.kind = static_cast<DescriptorKind>(kind);
    contents.bindings.push_back(b);
  }
  uint64_t objectSize = 0;
  if (!r.get(objectSize) || !r.bytes(objectSize, contents.object))
    return broken("the artefact ends inside its object file");
  if (r.left() != 0) return broken("the artefact has bytes after its object file");
  return contents;
}

size_t entrySize(const Artefact& artefact) { return kEntryHeaderSize + artefact->size(); }

void appendEntry(std::vector<uint8_t>& out, const CacheEntry& entry) {
  const size_t start = out.size();
  Writer w(out);
  w.put(kEntryMagic);
  w.put(kCodeFormatVersion);
  w.bytes(entry.key);
  w.put(static_cast<uint64_t>(entry.artefact->size()));
  const std::span<const uint8_t> header(out.data() + start + 4, kEntryHeaderSize - 12);
  w.put(checksum(header, *entry.artefact));
  w.bytes(*entry.artefact);
}

Result<std::vector<CacheEntry>> parseEntries(std::span<const uint8_t> bytes) {
  std::vector<CacheEntry> entries;
  Reader r(bytes);
  while (r.left() > 0) {
    const std::string which = "entry " + std::to_string(entries.size());
    std::span<const uint8_t> header;
    if (!r.bytes(kEntryHeaderSize, header)) return broken(which + " is truncated in its header");
    Reader h(header);
    uint32_t magic = 0, version = 0;
    CacheEntry entry;
    uint64_t size = 0, sum = 0;
    h.get(magic);
    h.get(version);
    h.get(entry.key);
    h.get(size);
    h.get(sum);
    if (magic != kEntryMagic) return broken(which + " does not start with \"EMVK\"");
    if (version != kCodeFormatVersion)
      return broken(which + " has code format " + std::to_string(version) + ", this build reads " +
                    std::to_string(kCodeFormatVersion));
    std::span<const uint8_t> artefact;
    if (!r.bytes(size, artefact)) return broken(which + " is truncated in its artefact");
    if (checksum(header.subspan(4, kEntryHeaderSize - 12), artefact) != sum)
      return broken(which + " fails its checksum (corrupted)");
    entry.artefact = std::make_shared<const std::vector<uint8_t>>(artefact.begin(), artefact.end());
    entries.push_back(std::move(entry));
  }
  return entries;
}

Artefact CodeCache::find(const CacheKey& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void CodeCache::insert(const CacheKey& key, Artefact artefact) {
  std::lock_guard lock(mutex_);
  entries_.insert_or_assign(key, std::move(artefact));
}

std::vector<CacheEntry> CodeCache::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<CacheEntry> all;
  all.reserve(entries_.size());
  for (const auto& [key, artefact] : entries_) all.push_back({key, artefact});
  return all;
}

}  // namespace emvk::jit
