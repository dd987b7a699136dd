// Errors as values: a VkResult the API edge can return plus a sentence saying why, which the
// device layer sends to the application's messenger. No exception crosses a folder boundary.
#pragma once
#include <vulkan/vulkan.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace emvk {

struct Error {
  VkResult code;
  std::string why;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  T&& take() { return std::move(std::get<0>(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace emvk
