// The base of every emvk object and the one place where handles and objects are converted.
//
// A Vulkan handle is a pointer to one of these. Dispatchable handles (VkInstance, VkPhysicalDevice,
// VkDevice, VkQueue, VkCommandBuffer) must start with a word the loader overwrites with its
// dispatch table (loader interface, "Dispatchable handles"), so `loader` comes first and no class
// here has a vtable in front of it. Non-dispatchable objects keep the same header: one base for all
// lets vkSetDebugUtilsObjectNameEXT name any object from its (type, uint64) pair.
#pragma once
#include <vulkan/vk_icd.h>
#include <vulkan/vulkan.h>

#include <cassert>
#include <memory>
#include <mutex>
#include <string>

namespace emvk {

struct Object {
  explicit Object(VkObjectType t) : type(t) { loader.loaderMagic = ICD_LOADER_MAGIC; }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  VK_LOADER_DATA loader;  // must stay the first member
  VkObjectType type;

  void setName(const char* name);
  std::string name() const;

 private:
  mutable std::mutex nameMutex_;
  std::string name_;  // from vkSetDebugUtilsObjectNameEXT
};

template <class Handle>
struct HandleTraits;  // HandleTraits<VkBuffer>::Type == Buffer

// Declares that `Class` is the object behind `VkHandle`. Used once per class, after its
// declaration.
#define EMVK_DEFINE_HANDLE(Class, VkHandleT, ObjectTypeValue) \
  template <>                                                 \
  struct HandleTraits<VkHandleT> {                            \
    using Type = Class;                                       \
    static constexpr VkObjectType kType = ObjectTypeValue;    \
  };                                                          \
  inline VkHandleT toHandle(Class* object) { return reinterpret_cast<VkHandleT>(object); }

template <class Handle>
auto* fromHandle(Handle handle) {
  using T = typename HandleTraits<Handle>::Type;
  auto* object = reinterpret_cast<T*>(handle);
  // A handle of the wrong type is invalid usage; debug builds catch it here.
  assert(!object || object->type == HandleTraits<Handle>::kType);
  return object;
}

// Hands a freshly created object to the application as a handle.
template <class Handle, class T>
Handle release(std::unique_ptr<T> object) {
  return toHandle(object.release());
}

// Takes back ownership of an object the application destroys (null handles are allowed).
template <class Handle>
auto reclaim(Handle handle) {
  using T = typename HandleTraits<Handle>::Type;
  return std::unique_ptr<T>(fromHandle(handle));
}

// The object behind any handle, for calls that name objects by (VkObjectType, uint64_t).
inline Object* objectFromRaw(uint64_t handle) { return reinterpret_cast<Object*>(handle); }

}  // namespace emvk
