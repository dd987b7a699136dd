// Fuzz target: vkCreatePipelineCache with fuzzed initial data, then what an application does with
// a cache: vkGetPipelineCacheData (size, whole, and too small), a cache made from that data again,
// vkMergePipelineCaches, and a compute pipeline created through the cache when it holds an entry
// for that pipeline (jit::Program::load on the entry's artefact).
//
// The input's first byte picks how the rest becomes the initial data:
//   0  raw: the rest is the whole blob (the VkPipelineCacheHeaderVersionOne checks);
//   1  this device's header, then the rest (the entry records' framing, magic, version, checksum);
//   2  this device's header, then entries the harness frames and checksums itself, so the fuzzer
//      reaches the artefact decoder (jit::decodeArtefact) behind the checksum. Each entry:
//        u8 flags   bit0: a key of 32 input bytes instead of the test shader's
//                   bit1: a u32 code format version from the input instead of the driver's
//                   bit2: no object file after the artefact's fields
//        u16 size, then that many bytes: the artefact's fields (local size, bindings, shared
//        memory size, object size; jit/code_cache.hpp), followed by the object file of the test
//        shader as the driver compiled it.
// The object file itself is never fuzzed: past the checksum it is the driver's own output, and
// linking it is LLVM's job (docs/FUZZING.md says why that is out of scope).
#include <algorithm>
#include <cstring>
#include <string>

#include "fuzz_driver.hpp"
#include "jit/code_cache.hpp"

namespace {

namespace jit = emvk::jit;

constexpr size_t kHeaderSize = 32;  // VkPipelineCacheHeaderVersionOne

// What the fuzzer builds its inputs from: the test shader, and a real cache blob of it.
struct Known {
  VkShaderModule module = VK_NULL_HANDLE;
  std::vector<uint8_t> blob;    // vkGetPipelineCacheData of a cache holding the shader alone
  jit::CacheKey key{};          // the shader's key in that cache
  std::vector<uint8_t> fields;  // its artefact up to the object file
  std::vector<uint8_t> object;  // the object file
};

VkPipelineCache createCache(const fuzz::Driver& d, std::span<const uint8_t> data) {
  VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  info.initialDataSize = data.size();
  info.pInitialData = data.empty() ? nullptr : data.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  fuzz::require(d.CreatePipelineCache(d.device, &info, nullptr, &cache) == VK_SUCCESS,
                "vkCreatePipelineCache failed (bad initial data must give an empty cache)");
  return cache;
}

std::vector<uint8_t> cacheData(const fuzz::Driver& d, VkPipelineCache cache) {
  size_t size = 0;
  fuzz::require(d.GetPipelineCacheData(d.device, cache, &size, nullptr) == VK_SUCCESS,
                "vkGetPipelineCacheData (size)");
  std::vector<uint8_t> data(size);
  fuzz::require(d.GetPipelineCacheData(d.device, cache, &size, data.data()) == VK_SUCCESS &&
                    size == data.size(),
                "vkGetPipelineCacheData (whole)");
  return data;
}

Known makeKnown() {
  const fuzz::Driver& d = fuzz::driver();
  Known k;
  const std::vector<uint8_t> spirv = fuzz::readFile(EMVK_FUZZ_CACHE_SHADER);
  fuzz::require(!spirv.empty(), "reading the test shader " EMVK_FUZZ_CACHE_SHADER);
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = spirv.size();
  moduleInfo.pCode = reinterpret_cast<const uint32_t*>(spirv.data());
  fuzz::require(d.CreateShaderModule(d.device, &moduleInfo, nullptr, &k.module) == VK_SUCCESS,
                "vkCreateShaderModule of the test shader");
  VkPipelineCache cache = createCache(d, {});
  VkPipeline pipeline = VK_NULL_HANDLE;
  fuzz::require(fuzz::createComputePipeline(d, k.module, cache, &pipeline) == VK_SUCCESS,
                "compiling the test shader");
  d.DestroyPipeline(d.device, pipeline, nullptr);
  k.blob = cacheData(d, cache);
  d.DestroyPipelineCache(d.device, cache, nullptr);

  auto entries = jit::parseEntries(std::span(k.blob).subspan(kHeaderSize));
  fuzz::require(entries && entries.value().size() == 1, "the test shader's cache blob");
  const jit::CacheEntry& entry = entries.value()[0];
  k.key = entry.key;
  auto contents = jit::decodeArtefact(*entry.artefact);
  fuzz::require(contents.ok(), "the test shader's artefact");
  const size_t fieldsSize = entry.artefact->size() - contents.value().object.size();
  k.fields.assign(entry.artefact->begin(), entry.artefact->begin() + fieldsSize);
  k.object.assign(contents.value().object.begin(), contents.value().object.end());
  return k;
}

const Known& known() {
  static const Known* const k = new Known(makeKnown());  // lives as long as the device
  return *k;
}

// Mode 2's entries, framed and checksummed by the driver's own writer.
void appendSealedEntries(fuzz::InputReader& r, std::vector<uint8_t>& blob) {
  const Known& k = known();
  while (r.left() > 0) {
    const auto flags = r.get<uint8_t>();
    jit::CacheEntry entry;
    entry.key = k.key;
    if (flags & 1) r.bytes(entry.key.data(), entry.key.size());
    const auto version = (flags & 2) ? r.get<uint32_t>() : jit::kCodeFormatVersion;
    const std::span<const uint8_t> fields = r.take(r.get<uint16_t>());
    auto artefact = std::make_shared<std::vector<uint8_t>>(fields.begin(), fields.end());
    if (!(flags & 4)) artefact->insert(artefact->end(), k.object.begin(), k.object.end());
    entry.artefact = std::move(artefact);
    const size_t start = blob.size();
    jit::appendEntry(blob, entry);
    std::memcpy(blob.data() + start + 4, &version, sizeof(version));
  }
}

// Whether `blob` (vkGetPipelineCacheData's) holds an entry under `key` that decodes to the test
// shader's object file, which links. (An entry that decodes to no object, or part of one, makes
// the driver compile the shader instead: right, but a hundred times slower than a link.)
bool holdsLinkableEntry(std::span<const uint8_t> blob, const jit::CacheKey& key,
                        std::span<const uint8_t> object) {
  auto entries = jit::parseEntries(blob.subspan(kHeaderSize));
  fuzz::require(entries.ok(), "vkGetPipelineCacheData gave entries it cannot read back");
  for (const jit::CacheEntry& entry : entries.value()) {
    if (entry.key != key) continue;
    auto contents = jit::decodeArtefact(*entry.artefact);
    return contents.ok() && std::ranges::equal(contents.value().object, object);
  }
  return false;
}

void writeSeeds(const std::filesystem::path& folder) {
  const Known& k = known();
  const std::span<const uint8_t> header(k.blob.data(), kHeaderSize);
  const std::span<const uint8_t> entries = std::span(k.blob).subspan(kHeaderSize);
  fuzz::writeSeed(folder, "raw_real_blob",
                  fuzz::InputWriter().put<uint8_t>(0).append(k.blob).bytes());
  fuzz::writeSeed(folder, "raw_header_only",
                  fuzz::InputWriter().put<uint8_t>(0).append(header).bytes());
  fuzz::writeSeed(folder, "header_real_entries",
                  fuzz::InputWriter().put<uint8_t>(1).append(entries).bytes());
  fuzz::InputWriter sealed;
  sealed.put<uint8_t>(2).put<uint8_t>(0).put<uint16_t>(k.fields.size()).append(k.fields);
  fuzz::writeSeed(folder, "sealed_real_entry", sealed.bytes());
  // A second entry under another key, with fields alone (no object file).
  sealed.put<uint8_t>(1 | 4).append(std::vector<uint8_t>(32, 0x5a));
  sealed.put<uint16_t>(k.fields.size()).append(k.fields);
  fuzz::writeSeed(folder, "sealed_two_entries", sealed.bytes());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  known();
  if (const std::filesystem::path folder = fuzz::seedFolderRequested(); !folder.empty()) {
    writeSeeds(folder);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Driver& d = fuzz::driver();
  const Known& k = known();
  fuzz::InputReader r({data, size});
  const int mode = r.get<uint8_t>() % 3;
  std::vector<uint8_t> initial;
  if (mode != 0) initial.assign(k.blob.begin(), k.blob.begin() + kHeaderSize);
  if (mode == 2) {
    appendSealedEntries(r, initial);
  } else {
    const std::span<const uint8_t> rest = r.rest();
    initial.insert(initial.end(), rest.begin(), rest.end());
  }
  VkPipelineCache cache = createCache(d, initial);
  const std::vector<uint8_t> whole = cacheData(d, cache);
  fuzz::require(whole.size() >= kHeaderSize, "the cache data has no header");

  // vkGetPipelineCacheData: too little room gives VK_INCOMPLETE and whole entries only; less
  // than the header gives nothing at all.
  std::vector<uint8_t> part(whole.size() - 1);
  size_t partSize = part.size();
  fuzz::require(d.GetPipelineCacheData(d.device, cache, &partSize, part.data()) == VK_INCOMPLETE &&
                    partSize <= part.size() && (partSize == 0 || partSize >= kHeaderSize),
                "vkGetPipelineCacheData into too small a buffer");

  // The data round-trips: a cache made from it gives it back byte for byte.
  VkPipelineCache again = createCache(d, whole);
  fuzz::require(cacheData(d, again) == whole, "the cache data does not round-trip");
  VkPipelineCache merged = createCache(d, {});
  const VkPipelineCache sources[] = {cache, again};
  fuzz::require(d.MergePipelineCaches(d.device, merged, 2, sources) == VK_SUCCESS,
                "vkMergePipelineCaches");
  fuzz::require(cacheData(d, merged) == whole, "merging a cache with its copy changed it");

  // Only when the cache holds a linkable entry of the test shader: for any other, the pipeline
  // would be compiled by LLVM (a hundred times the cost of an input here; fuzz_spirv covers it).
  if (holdsLinkableEntry(whole, k.key, k.object)) {
    VkPipeline pipeline = VK_NULL_HANDLE;
    fuzz::require(fuzz::createComputePipeline(d, k.module, cache, &pipeline) == VK_SUCCESS &&
                      pipeline != VK_NULL_HANDLE,
                  "a pipeline failed because of its cache");
    d.DestroyPipeline(d.device, pipeline, nullptr);
  }
  d.DestroyPipelineCache(d.device, merged, nullptr);
  d.DestroyPipelineCache(d.device, again, nullptr);
  d.DestroyPipelineCache(d.device, cache, nullptr);
  return 0;
}
