// Names for the Vulkan enum values an identity record stores as plain numbers. Formats come from
// the driver's own table (device/format.cpp, compiled into emvk-inspect): emvk creates images only
// in those formats, so a record from this build always names one of them. The few other enums are
// spelled out here: /usr/include has no vk_enum_string_helper.h on the machines emvk targets.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace emvk::inspect {

std::string formatName(uint32_t format);        // "VK_FORMAT_B8G8R8A8_SRGB", else "VkFormat 123"
std::string imageTypeName(uint32_t imageType);  // "VK_IMAGE_TYPE_2D"
std::string tilingName(uint32_t tiling);        // "VK_IMAGE_TILING_OPTIMAL"
// One name per set bit ("VK_IMAGE_USAGE_TRANSFER_SRC_BIT"); bits without a name as "0x100".
std::vector<std::string> imageUsageNames(uint32_t usage);
std::vector<std::string> bufferUsageNames(uint32_t usage);

// "VK_IMAGE_USAGE_TRANSFER_SRC_BIT" -> "TRANSFER_SRC", for the table.
std::string shortName(const std::string& name);

}  // namespace emvk::inspect
