// Translation stops at the first thing it cannot do. Deep inside the recursive walks over types
// and instructions that is simplest said with an exception, which never leaves jit/: reflect() and
// ShaderTranslator::translate() catch it and return an Error.
#pragma once
#include <string>
#include <utility>

namespace emvk::jit {

struct Unsupported {
  std::string why;
};

[[noreturn]] inline void fail(std::string why) { throw Unsupported{std::move(why)}; }

}  // namespace emvk::jit
