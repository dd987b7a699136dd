// An image as the identity record of a dedicated allocation keeps it: the create parameters that
// decide its layout and use, as plain numbers another process (or build) can compare.
#include "device/external_memory.hpp"
#include "device/image.hpp"

namespace emvk {

memory::DedicatedImage dedicatedImageOf(VkImage handle) {
  const ImageDescription& d = fromHandle(handle)->description();
  return memory::DedicatedImage{d.flags,
                                static_cast<uint32_t>(d.imageType),
                                static_cast<uint32_t>(d.format),
                                d.extent.width,
                                d.extent.height,
                                d.extent.depth,
                                d.mipLevels,
                                d.arrayLayers,
                                static_cast<uint32_t>(d.samples),
                                static_cast<uint32_t>(d.tiling),
                                d.usage};
}

}  // namespace emvk
