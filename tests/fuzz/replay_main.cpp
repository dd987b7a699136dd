// The fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput once over every file named on
// the command line (a folder stands for the files in it), so the normal build replays the seeds
// and every regression input as a ctest test. Arguments starting with '-' are libFuzzer's flags
// and are ignored, so the same command line works with both builds.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "fuzz_driver.hpp"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg = argv[i];
    if (arg.string().starts_with("-")) continue;
    if (!std::filesystem::is_directory(arg)) {
      inputs.push_back(arg);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg))
      if (entry.is_regular_file()) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());  // the same order on every run
  for (const std::filesystem::path& input : inputs) {
    const std::vector<uint8_t> bytes = fuzz::readFile(input);
    std::fprintf(stderr, "replay %s (%zu bytes)\n", input.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return 0;
}
