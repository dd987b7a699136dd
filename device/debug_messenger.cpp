#include "device/debug_messenger.hpp"

#include <algorithm>

#include "device/instance.hpp"

namespace emvk {

void DebugMessenger::send(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                          VkDebugUtilsMessageTypeFlagsEXT types,
                          const VkDebugUtilsMessengerCallbackDataEXT& data) const {
  if ((info_.messageSeverity & severity) && (info_.messageType & types))
    info_.pfnUserCallback(severity, types, &data, info_.pUserData);
}

void MessengerList::add(const DebugMessenger* m) {
  std::unique_lock lock(mutex_);
  messengers_.push_back(m);
}

void MessengerList::remove(const DebugMessenger* m) {
  std::unique_lock lock(mutex_);
  std::erase(messengers_, m);
}

void MessengerList::submit(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                           VkDebugUtilsMessageTypeFlagsEXT types,
                           const VkDebugUtilsMessengerCallbackDataEXT& data) const {
  std::shared_lock lock(mutex_);
  for (const auto* m : messengers_) m->send(severity, types, data);
}

void MessengerList::deliver(LogLevel level, LogObject object, const std::string& text) const {
  VkDebugUtilsMessageSeverityFlagBitsEXT severity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_VERBOSE_BIT_EXT;
  switch (level) {
    case LogLevel::Info:
      severity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT;
      break;
    case LogLevel::Warn:
      severity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
      break;
    case LogLevel::Error:
      severity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
      break;
    default:
      break;
  }
  VkDebugUtilsObjectNameInfoEXT named{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
  named.objectType = object.type;
  named.objectHandle = object.handle;
  std::string name;
  if (object.handle) {
    name = objectFromRaw(object.handle)->name();
    named.pObjectName = name.empty() ? nullptr : name.c_str();
  }
  VkDebugUtilsMessengerCallbackDataEXT data{
      VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CALLBACK_DATA_EXT};
  data.pMessageIdName = "emvk";
  // The text names the driver so a message is never mistaken for one from a validation layer.
  const std::string message = "emvk: " + text;
  data.pMessage = message.c_str();
  data.objectCount = object.handle ? 1 : 0;
  data.pObjects = object.handle ? &named : nullptr;
  submit(severity, VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT, data);
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateDebugUtilsMessengerEXT(
    VkInstance instance, const VkDebugUtilsMessengerCreateInfoEXT* pCreateInfo,
    const VkAllocationCallbacks*, VkDebugUtilsMessengerEXT* pMessenger) {
  auto messenger = std::make_unique<DebugMessenger>(*pCreateInfo);
  fromHandle(instance)->messengers().add(messenger.get());
  *pMessenger = release<VkDebugUtilsMessengerEXT>(std::move(messenger));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyDebugUtilsMessengerEXT(VkInstance instance,
                                                              VkDebugUtilsMessengerEXT messenger,
                                                              const VkAllocationCallbacks*) {
  if (!messenger) return;
  fromHandle(instance)->messengers().remove(fromHandle(messenger));
  reclaim(messenger);
}

VKAPI_ATTR void VKAPI_CALL emvk_SubmitDebugUtilsMessageEXT(
    VkInstance instance, VkDebugUtilsMessageSeverityFlagBitsEXT severity,
    VkDebugUtilsMessageTypeFlagsEXT types, const VkDebugUtilsMessengerCallbackDataEXT* pData) {
  fromHandle(instance)->messengers().submit(severity, types, *pData);
}

VKAPI_ATTR VkResult VKAPI_CALL
emvk_SetDebugUtilsObjectNameEXT(VkDevice, const VkDebugUtilsObjectNameInfoEXT* pNameInfo) {
  // VUID-VkDebugUtilsObjectNameInfoEXT-objectType-02589: objectType is never UNKNOWN here.
  objectFromRaw(pNameInfo->objectHandle)->setName(pNameInfo->pObjectName);
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_SetDebugUtilsObjectTagEXT(VkDevice,
                                                              const VkDebugUtilsObjectTagInfoEXT*) {
  return VK_SUCCESS;  // tags are for tools that read them back; emvk has none yet
}

// Labels mark regions for tools; emvk accepts them so programs that use them run unchanged.
VKAPI_ATTR void VKAPI_CALL emvk_QueueBeginDebugUtilsLabelEXT(VkQueue, const VkDebugUtilsLabelEXT*) {
}
VKAPI_ATTR void VKAPI_CALL emvk_QueueEndDebugUtilsLabelEXT(VkQueue) {}
VKAPI_ATTR void VKAPI_CALL emvk_QueueInsertDebugUtilsLabelEXT(VkQueue,
                                                              const VkDebugUtilsLabelEXT*) {}
VKAPI_ATTR void VKAPI_CALL emvk_CmdBeginDebugUtilsLabelEXT(VkCommandBuffer,
                                                           const VkDebugUtilsLabelEXT*) {}
VKAPI_ATTR void VKAPI_CALL emvk_CmdEndDebugUtilsLabelEXT(VkCommandBuffer) {}
VKAPI_ATTR void VKAPI_CALL emvk_CmdInsertDebugUtilsLabelEXT(VkCommandBuffer,
                                                            const VkDebugUtilsLabelEXT*) {}
