// emvk-bench: emvk against a peer driver (lavapipe by default) on the same machine, in the same
// run, next to what the host itself allows. See docs/PERFORMANCE.md.
//
// The parent measures host memcpy, then runs each driver in a child process of its own (this
// binary again, with --driver-child) and prints the comparison.

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "child_process.hpp"
#include "driver_child.hpp"
#include "host_copy.hpp"
#include "host_flops.hpp"
#include "report.hpp"

#ifndef EMVK_BENCH_DEFAULT_MANIFEST
#define EMVK_BENCH_DEFAULT_MANIFEST "emvk_icd.json"  // CMake compiles in <build>/emvk_icd.json
#endif

namespace {

using namespace emvk::bench;

constexpr const char* kLavapipeManifest = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";
constexpr int kHostRepetitions = 9;
constexpr int kHostFlopsRepetitions = 5;

struct Options {
  std::string emvkManifest = EMVK_BENCH_DEFAULT_MANIFEST;
  std::string peerManifest = kLavapipeManifest;
  std::string only;  // "", "emvk" or "peer"
  bool json = false;
  std::optional<std::string> childManifest;  // set: this process is a driver child
  ChildOptions child;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: emvk-bench [--emvk MANIFEST] [--peer MANIFEST] [--only emvk|peer]\n"
               "                  [--iterations N] [--copy-reps N] [--export-reps N]\n"
               "                  [--saxpy-reps N] [--sgemm-n N] [--json]\n"
               "  --emvk        emvk's ICD manifest (default %s)\n"
               "  --peer        the driver to compare with (default %s)\n"
               "  --only        run one driver only\n"
               "  --iterations  submit+fence round trips per latency workload (default 10000)\n"
               "  --copy-reps   timed 256 MiB copies (default 10)\n"
               "  --export-reps timed opaque-fd export + import pairs per size (default 50)\n"
               "  --saxpy-reps  timed saxpy submits over 16M floats (default 10)\n"
               "  --sgemm-n     sgemm matrix size N, a multiple of 16 (default 1024)\n"
               "  --json        print JSON instead of the table\n"
               "exit status: 0 every driver run completed, 2 a driver failed, 1 bad arguments\n",
               EMVK_BENCH_DEFAULT_MANIFEST, kLavapipeManifest);
}

std::optional<int> positive(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "emvk-bench: %s needs a value (or is unknown)\n", argv[i]);
      return std::nullopt;
    }
    const std::string value = argv[++i];
    std::optional<int> number;
    if (arg == "--emvk") {
      o.emvkManifest = value;
    } else if (arg == "--peer") {
      o.peerManifest = value;
    } else if (arg == "--only" && (value == "emvk" || value == "peer")) {
      o.only = value;
    } else if (arg == "--driver-child") {
      o.childManifest = value;
    } else if (arg == "--iterations" && (number = positive(value))) {
      o.child.iterations = *number;
    } else if (arg == "--copy-reps" && (number = positive(value))) {
      o.child.copyRepetitions = *number;
    } else if (arg == "--export-reps" && (number = positive(value))) {
      o.child.exportRepetitions = *number;
    } else if (arg == "--saxpy-reps" && (number = positive(value))) {
      o.child.saxpyRepetitions = *number;
    } else if (arg == "--sgemm-n" && (number = positive(value)) && *number % kSgemmTile == 0) {
      o.child.sgemmN = static_cast<std::uint32_t>(*number);
    } else if (arg == "--result-fd" && (number = positive(value))) {
      o.child.resultFd = *number;
    } else {
      std::fprintf(stderr, "emvk-bench: bad argument %s %s\n", argv[i - 1], value.c_str());
      return std::nullopt;
    }
  }
  return o;
}

DriverRun runOrSkip(const Options& o, const char* which, const std::string& label,
                    const std::string& manifest) {
  if (!o.only.empty() && o.only != which) return DriverRun{.label = label, .manifest = manifest};
  if (!o.json)
    std::fprintf(stderr, "emvk-bench: running %s (%s)...\n", label.c_str(), manifest.c_str());
  return runDriverInChild(label, manifest, o.child);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> options = parse(argc, argv);
  if (!options) {
    usage(stderr);
    return 1;
  }
  if (options->childManifest) {
    // The parent already set it; this makes a child started by hand measure the named driver too.
    ::setenv("VK_DRIVER_FILES", options->childManifest->c_str(), 1);
    return runDriverChild(options->child);
  }

  Report report;
  report.copyBytes = options->child.copyBytes;
  report.hostRepetitions = kHostRepetitions;
  report.flopsRepetitions = kHostFlopsRepetitions;
  report.sgemmN = options->child.sgemmN;
  try {
    report.host = measureHostCopy(report.copyBytes, kHostRepetitions);
    report.triad = measureHostTriad(kSaxpyElements, kHostRepetitions);
    report.flops = measureHostFlops(kHostFlopsRepetitions);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "emvk-bench: host: %s\n", e.what());
    return 2;
  }
  const std::string peerLabel = options->peerManifest == kLavapipeManifest ? "lavapipe" : "peer";
  report.emvk = runOrSkip(*options, "emvk", "emvk", options->emvkManifest);
  report.peer = runOrSkip(*options, "peer", peerLabel, options->peerManifest);

  if (options->json)
    printJson(report, stdout);
  else
    printTable(report, stdout);
  const bool failed = !report.emvk.errors.empty() || !report.peer.errors.empty();
  return failed ? 2 : 0;
}
