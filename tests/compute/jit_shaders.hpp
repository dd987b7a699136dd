// The shaders of tests/jit/ (compiled by glslc at build time into <build>/tests/jit/shaders/), for
// loader tests that run them through the whole API. Header-only.
#pragma once
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace compute_test {

// `file` as named in that folder, e.g. "saxpy.optimized.spv".
inline std::vector<uint32_t> jitShader(const std::string& file) {
  const std::string path =
      std::string(std::getenv("EMVK_BINARY_DIR")) + "/tests/jit/shaders/" + file;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(!bytes.empty());
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), words.size() * 4);
  return words;
}

}  // namespace compute_test
