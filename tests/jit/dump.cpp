// EMVK_DUMP_SHADERS (jit/dump.hpp): one compile leaves the four steps of its journey in the folder.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "jit_runner.hpp"

using namespace jit_test;

namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "jit: EMVK_DUMP_SHADERS writes the SPIR-V, the IR before and after optimisation and "
    "the assembly",
    "[jit]") {
  // A folder that does not exist yet: the dump creates it.
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("emvk-dump-test-" + std::to_string(std::random_device{}()));
  std::filesystem::remove_all(dir);
  REQUIRE(setenv("EMVK_DUMP_SHADERS", dir.c_str(), 1) == 0);
  auto program = Program::compile(loadSpirv("saxpy", Variant::Optimized), "main", {});
  unsetenv("EMVK_DUMP_SHADERS");
  REQUIRE(program.ok());

  std::map<std::string, std::string> files;  // extension -> contents
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::string name = file.path().filename().string();
    INFO("dumped " << name);
    CHECK(name.rfind("emvk-", 0) == 0);
    std::string extension = name.substr(name.find('.'));
    CHECK(name.substr(0, name.find('.')).size() ==
          std::string("emvk-0123456789abcdef-main").size());
    files[extension] = readFile(file.path());
  }
  std::filesystem::remove_all(dir);

  REQUIRE(files.size() == 4);
  CHECK(files[".spvasm"].find("OpEntryPoint GLCompute") != std::string::npos);
  CHECK(files[".ll"].find("define") != std::string::npos);
  CHECK(files[".opt.ll"].find("define") != std::string::npos);
  // A return instruction on a line of its own (x86 "ret", AArch64 "ret", RISC-V "ret").
  CHECK(files[".s"].find("\tret") != std::string::npos);
}

TEST_CASE("jit: a dump folder that cannot be written does not fail the compile", "[jit]") {
  // A path under a regular file: no folder can be created there.
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("emvk-dump-file-" + std::to_string(std::random_device{}()));
  std::ofstream(file) << "not a folder";
  REQUIRE(setenv("EMVK_DUMP_SHADERS", (file / "dumps").c_str(), 1) == 0);
  auto program = Program::compile(loadSpirv("saxpy", Variant::Plain), "main", {});
  unsetenv("EMVK_DUMP_SHADERS");
  std::filesystem::remove(file);
  CHECK(program.ok());
}
