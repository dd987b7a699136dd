// How many invocations one SIMD group runs: the host's native vector width for 32-bit lanes.
#include <llvm/ADT/StringMap.h>
#include <llvm/TargetParser/Host.h>

#include <cstdlib>
#include <string>

#include "jit/jit.hpp"

namespace emvk::jit {

namespace {

uint32_t chooseLanes() {
  // A teaching and testing switch: the same shaders on narrower or wider groups.
  if (const char* forced = std::getenv("EMVK_SIMD_LANES")) {
    std::string value = forced;
    if (value == "4" || value == "8" || value == "16")
      return static_cast<uint32_t>(std::stoul(value));
  }
  // 16 x 32 bits fill an AVX-512 register, 8 an AVX (or two SSE) register.
  const llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto has = [&](const char* name) {
    auto it = features.find(name);
    return it != features.end() && it->second;
  };
  return has("avx512f") ? 16 : 8;
}

}  // namespace

uint32_t subgroupSize() {
  // Chosen once: a device's subgroupSize never changes while the process lives.
  static const uint32_t lanes = chooseLanes();
  return lanes;
}

}  // namespace emvk::jit
