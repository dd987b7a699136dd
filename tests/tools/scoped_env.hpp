// An environment variable set (or unset) for one scope, restored after: the driver reads its
// switches when an instance or device is created, so a test sets them around that.
#pragma once
#include <cstdlib>
#include <optional>
#include <string>

namespace test {

class ScopedEnv {
 public:
  // `value` empty: the variable is unset for the scope.
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace test
