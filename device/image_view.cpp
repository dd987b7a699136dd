#include "device/image_view.hpp"

#include "device/device.hpp"
#include "device/image.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"

namespace emvk {
namespace {

// VUID-VkImageViewCreateInfo-subResourceRange-01021: the view type compatibility table (without
// 2D_ARRAY_COMPATIBLE, which emvk does not offer).
bool compatible(const ImageDescription& image, VkImageViewType view) {
  switch (image.imageType) {
    case VK_IMAGE_TYPE_1D:
      return view == VK_IMAGE_VIEW_TYPE_1D || view == VK_IMAGE_VIEW_TYPE_1D_ARRAY;
    case VK_IMAGE_TYPE_2D:
      if (view == VK_IMAGE_VIEW_TYPE_CUBE || view == VK_IMAGE_VIEW_TYPE_CUBE_ARRAY)
        return image.flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT;
      return view == VK_IMAGE_VIEW_TYPE_2D || view == VK_IMAGE_VIEW_TYPE_2D_ARRAY;
    case VK_IMAGE_TYPE_3D:
      return view == VK_IMAGE_VIEW_TYPE_3D;
    default:
      return false;
  }
}

// Why emvk cannot make this view, or "" when it can. A light check: the rules whose breach would
// make a later reader of the view step outside its image.
std::string whyRefused(const Image& image, const VkImageViewCreateInfo& info,
                       const VkImageSubresourceRange& range) {
  const ImageDescription& d = image.description();
  const FormatInfo* view = findFormat(info.format);
  if (!view) return concat("format ", info.format, " is not one emvk supports");
  // VUID-VkImageViewCreateInfo-image-01762: without MUTABLE_FORMAT the formats are the same;
  // VUID-VkImageViewCreateInfo-image-01761: with it, they are compatible (section "Format
  // Compatibility Classes": colour formats of one texel size; each depth/stencil format alone).
  if (info.format != d.format) {
    if (!(d.flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT))
      return concat(view->name, " differs from the image's ", image.format().name,
                    " and the image is not MUTABLE_FORMAT");
    if (!view->isColor() || !image.format().isColor() ||
        view->texelSize != image.format().texelSize)
      return concat(view->name, " is not compatible with the image's ", image.format().name);
  }
  // Section "Image Views": the aspects must be ones the format has.
  if (!range.aspectMask || (range.aspectMask & ~image.format().aspects))
    return concat("aspectMask 0x", std::hex, range.aspectMask, " names aspects ",
                  image.format().name, " does not have");
  if (!compatible(d, info.viewType))
    return concat("view type ", info.viewType, " does not fit an image of type ", d.imageType);
  // VUID-VkImageViewCreateInfo-subresourceRange-01478, -01718, -01480, -01719.
  if (range.levelCount == 0 || range.baseMipLevel >= d.mipLevels ||
      range.levelCount > d.mipLevels - range.baseMipLevel)
    return concat("mip levels [", range.baseMipLevel, ", +", range.levelCount, ") are outside the ",
                  d.mipLevels, " of the image");
  if (range.layerCount == 0 || range.baseArrayLayer >= d.arrayLayers ||
      range.layerCount > d.arrayLayers - range.baseArrayLayer)
    return concat("array layers [", range.baseArrayLayer, ", +", range.layerCount,
                  ") are outside the ", d.arrayLayers, " of the image");
  return {};
}

}  // namespace
}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateImageView(VkDevice device,
                                                    const VkImageViewCreateInfo* pCreateInfo,
                                                    const VkAllocationCallbacks*,
                                                    VkImageView* pView) {
  Image* image = fromHandle(pCreateInfo->image);
  const ImageDescription& d = image->description();
  VkImageSubresourceRange range = pCreateInfo->subresourceRange;
  if (range.levelCount == VK_REMAINING_MIP_LEVELS && range.baseMipLevel < d.mipLevels)
    range.levelCount = d.mipLevels - range.baseMipLevel;
  if (range.layerCount == VK_REMAINING_ARRAY_LAYERS && range.baseArrayLayer < d.arrayLayers)
    range.layerCount = d.arrayLayers - range.baseArrayLayer;

  if (std::string why = whyRefused(*image, *pCreateInfo, range); !why.empty()) {
    // Invalid usage: emvk says why and refuses rather than keep a view that points outside.
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(image), "vkCreateImageView: ", why);
    return VK_ERROR_FORMAT_NOT_SUPPORTED;
  }
  *pView = release<VkImageView>(std::make_unique<ImageView>(*image, *pCreateInfo, range));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyImageView(VkDevice, VkImageView view,
                                                 const VkAllocationCallbacks*) {
  reclaim(view);
}
