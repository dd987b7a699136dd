#include "device/pipeline_cache.hpp"

#include <bit>
#include <cstring>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"

using namespace emvk;

namespace {

// Section "Pipeline Cache", VkPipelineCacheHeaderVersionOne: the first 32 bytes of every blob,
// its fields least significant byte first whatever the host's byte order.
struct Header {
  uint32_t headerSize;
  uint32_t headerVersion;
  uint32_t vendorID;
  uint32_t deviceID;
  uint8_t pipelineCacheUUID[VK_UUID_SIZE];
};
static_assert(sizeof(Header) == 32);

uint32_t littleEndian(uint32_t value) {
  return std::endian::native == std::endian::little ? value : __builtin_bswap32(value);
}

Header headerOf(const Device& device) {
  const VkPhysicalDeviceProperties& p = device.physicalDevice().properties();
  Header header{littleEndian(sizeof(Header)),
                littleEndian(VK_PIPELINE_CACHE_HEADER_VERSION_ONE),
                littleEndian(p.vendorID),
                littleEndian(p.deviceID),
                {}};
  std::memcpy(header.pipelineCacheUUID, p.pipelineCacheUUID, VK_UUID_SIZE);
  return header;
}

}  // namespace

std::string PipelineCache::load(const Device& device, std::span<const uint8_t> blob) {
  Header header;
  if (blob.size() < sizeof(header)) return "it is too short for the 32-byte header";
  std::memcpy(&header, blob.data(), sizeof(header));
  const Header mine = headerOf(device);
  // VUID-VkPipelineCacheHeaderVersionOne-headerSize-04967, -headerVersion-04968
  if (header.headerSize != mine.headerSize) return "its header size is not 32";
  if (header.headerVersion != mine.headerVersion)
    return "its header version is not VK_PIPELINE_CACHE_HEADER_VERSION_ONE";
  if (header.vendorID != mine.vendorID || header.deviceID != mine.deviceID)
    return "it was made by another vendor's or device's driver";
  if (std::memcmp(header.pipelineCacheUUID, mine.pipelineCacheUUID, VK_UUID_SIZE) != 0)
    return "its pipelineCacheUUID is another driver's or another emvk build's";
  auto entries = jit::parseEntries(blob.subspan(sizeof(header)));
  if (!entries) return entries.error().why;
  for (jit::CacheEntry& entry : entries.value()) code_.insert(entry.key, std::move(entry.artefact));
  return {};
}

size_t PipelineCache::dataSize() const {
  size_t size = sizeof(Header);
  for (const jit::CacheEntry& entry : code_.entries()) size += jit::entrySize(entry.artefact);
  return size;
}

std::vector<uint8_t> PipelineCache::data(const Device& device, size_t capacity,
                                         bool& complete) const {
  std::vector<uint8_t> blob;
  complete = false;
  if (capacity < sizeof(Header)) return blob;
  const Header header = headerOf(device);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&header);
  blob.assign(bytes, bytes + sizeof(header));
  const std::vector<jit::CacheEntry> entries = code_.entries();
  for (const jit::CacheEntry& entry : entries) {
    // vkGetPipelineCacheData: only whole entries, so that what is written is valid initial data.
    if (blob.size() + jit::entrySize(entry.artefact) > capacity) return blob;
    jit::appendEntry(blob, entry);
  }
  complete = true;
  return blob;
}

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreatePipelineCache(VkDevice device, const VkPipelineCacheCreateInfo* pCreateInfo,
                         const VkAllocationCallbacks*, VkPipelineCache* pCache) {
  Device* d = fromHandle(device);
  auto cache = std::make_unique<PipelineCache>();
  // VkPipelineCacheCreateInfo: with initialDataSize 0, pInitialData is ignored. Data that is
  // "incompatible with the device" is not an error: the cache "will be initially empty".
  if (pCreateInfo->initialDataSize != 0 && pCreateInfo->pInitialData) {
    std::span<const uint8_t> blob(static_cast<const uint8_t*>(pCreateInfo->pInitialData),
                                  pCreateInfo->initialDataSize);
    const std::string why = cache->load(*d, blob);
    if (!why.empty()) {
      EMVK_LOG(&d->instance(), Warn, logObject(d), "vkCreatePipelineCache: the initial data (",
               blob.size(), " bytes) is ignored, the cache starts empty: ", why);
    }
  }
  *pCache = release<VkPipelineCache>(std::move(cache));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyPipelineCache(VkDevice, VkPipelineCache cache,
                                                     const VkAllocationCallbacks*) {
  reclaim(cache);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPipelineCacheData(VkDevice device, VkPipelineCache cache,
                                                         size_t* pDataSize, void* pData) {
  const PipelineCache& c = *fromHandle(cache);
  // The two-call idiom: the size of everything first, then as much as fits in *pDataSize.
  if (!pData) {
    *pDataSize = c.dataSize();
    return VK_SUCCESS;
  }
  bool complete = false;
  const std::vector<uint8_t> blob = c.data(*fromHandle(device), *pDataSize, complete);
  if (!blob.empty()) std::memcpy(pData, blob.data(), blob.size());
  *pDataSize = blob.size();
  // vkGetPipelineCacheData: fewer bytes than the whole cache is VK_INCOMPLETE; when not even the
  // header fits, nothing is written and *pDataSize is 0.
  return complete ? VK_SUCCESS : VK_INCOMPLETE;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_MergePipelineCaches(VkDevice device, VkPipelineCache dstCache,
                                                        uint32_t srcCacheCount,
                                                        const VkPipelineCache* pSrcCaches) {
  PipelineCache* dst = fromHandle(dstCache);
  for (uint32_t i = 0; i < srcCacheCount; ++i) {
    // VUID-vkMergePipelineCaches-dstCache-00770: dstCache must not be one of the sources.
    if (pSrcCaches[i] == dstCache) {
      const Device* d = fromHandle(device);
      EMVK_LOG(&d->instance(), Error, logObject(d),
               "vkMergePipelineCaches: dstCache is also pSrcCaches[", i, "]; it is skipped");
      continue;
    }
    // A snapshot of the source, then the inserts: one cache's lock at a time, so merges in
    // opposite directions on two threads cannot deadlock.
    for (jit::CacheEntry& entry : fromHandle(pSrcCaches[i])->code().entries())
      dst->code().insert(entry.key, std::move(entry.artefact));
  }
  return VK_SUCCESS;
}
