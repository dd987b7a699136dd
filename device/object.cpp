#include "device/object.hpp"

namespace emvk {

void Object::setName(const char* name) {
  std::lock_guard lock(nameMutex_);
  name_ = name ? name : "";
}

std::string Object::name() const {
  std::lock_guard lock(nameMutex_);
  return name_;
}

}  // namespace emvk
