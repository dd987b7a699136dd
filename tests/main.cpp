// The test runner. Before Catch starts, it points the Vulkan loader at the emvk built next to the
// tests — as a user's shell would with VK_DRIVER_FILES — unless the environment already names a
// driver (so the same binary can be aimed at lavapipe to check a test itself). It also turns the
// on-disk shader cache off.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>

int main(int argc, char* argv[]) {
  setenv("VK_DRIVER_FILES", EMVK_TEST_BINARY_DIR "/emvk_icd.json", /*overwrite=*/0);
  setenv("EMVK_BINARY_DIR", EMVK_TEST_BINARY_DIR, 0);
  // Implicit layers installed on the machine (Mesa's device-select, ...) would sit between the
  // tests and emvk; the tests want the driver alone unless they enable a layer themselves.
  setenv("VK_LOADER_LAYERS_DISABLE", "~implicit~", 0);
  // No test writes to the user's shader cache, and every pipeline compiles as the test expects:
  // the disk cache is off unless a test turns it on with a folder of its own
  // (tests/compute/pipeline_cache.cpp).
  setenv("EMVK_SHADER_CACHE", "0", 1);
  return Catch::Session().run(argc, argv);
}
