// VkInstance: the enabled API version and extensions, the messengers, and the one physical device.
#pragma once
#include <memory>

#include "device/debug_messenger.hpp"
#include "device/object.hpp"
#include "icd/registry.hpp"

namespace emvk {

class PhysicalDevice;

class Instance : public Object {
 public:
  // The highest instance-level version emvk implements (vkEnumerateInstanceVersion).
  static constexpr uint32_t kApiVersion = VK_MAKE_API_VERSION(0, 1, 3, VK_HEADER_VERSION);

  explicit Instance(const VkInstanceCreateInfo& info);
  ~Instance();

  uint32_t apiVersion() const { return apiVersion_; }
  bool enabled(ExtensionId id) const { return extensions_.test(static_cast<size_t>(id)); }
  const ExtensionSet& extensions() const { return extensions_; }
  const MessengerList& messengers() const { return messengers_; }
  MessengerList& messengers() { return messengers_; }
  PhysicalDevice& physicalDevice() { return *physicalDevice_; }
  const PhysicalDevice& physicalDevice() const { return *physicalDevice_; }

  ExtensionSet& mutableExtensions() { return extensions_; }

  // Messengers chained into VkInstanceCreateInfo hear only vkCreateInstance and vkDestroyInstance
  // (VkDebugUtilsMessengerCreateInfoEXT, "chained to VkInstanceCreateInfo").
  void creationFinished();
  void destructionStarting();

 private:
  uint32_t apiVersion_;
  ExtensionSet extensions_;
  MessengerList messengers_;
  // Messengers chained into VkInstanceCreateInfo report on creation and destruction only.
  std::vector<std::unique_ptr<DebugMessenger>> creationMessengers_;
  std::unique_ptr<PhysicalDevice> physicalDevice_;
};
EMVK_DEFINE_HANDLE(Instance, VkInstance, VK_OBJECT_TYPE_INSTANCE)

}  // namespace emvk
