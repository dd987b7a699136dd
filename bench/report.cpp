#include "report.hpp"

#include <optional>
#include <string>
#include <vector>

#include "device/json.hpp"

namespace emvk::bench {
namespace {

struct Row {
  std::string title;
  std::string metric;
  bool higherIsBetter;  // GB/s: yes; microseconds: no
};

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::vector<Row> rows(std::size_t copyBytes) {
  std::vector<Row> all = {
      {"buffer copy " + mib(copyBytes) + ", GB/s median", "copy_gbps_median", true},
      {"empty submit+fence, us median", "empty_us_median", false},
      {"empty submit+fence, us p90", "empty_us_p90", false},
      {"empty submit+fence, us p99", "empty_us_p99", false},
      {"4 KiB fill submit+fence, us median", "fill_us_median", false},
      {"4 KiB fill submit+fence, us p90", "fill_us_p90", false},
      {"4 KiB fill submit+fence, us p99", "fill_us_p99", false}};
  for (const std::size_t bytes : {kExportLargeBytes, kExportSmallBytes}) {
    const std::string prefix = exportMetricPrefix(bytes);
    all.push_back({"fd export " + mib(bytes) + ", us median", prefix + "_export_us_median", false});
    all.push_back({"fd import " + mib(bytes) + ", us median", prefix + "_import_us_median", false});
    all.push_back(
        {"fd export+import " + mib(bytes) + ", us median", prefix + "_total_us_median", false});
  }
  const std::vector<Row> compute = {
      {"saxpy 16M floats, GB/s median", "saxpy_gbps_median", true},
      {"dispatch(1,1,1)+fence, us median", "dispatch_us_median", false},
      {"dispatch(1,1,1)+fence, us p90", "dispatch_us_p90", false},
      {"dispatch(1,1,1)+fence, us p99", "dispatch_us_p99", false},
      {"pipeline cold create, us", "pipeline_cold_create_us", false},
      {"pipeline cold first dispatch, us", "pipeline_cold_first_dispatch_us", false},
      {"pipeline cold create+dispatch, us", "pipeline_cold_total_us", false},
      {"pipeline warm create, us median", "pipeline_warm_create_us_median", false},
      {"pipeline warm first dispatch, us med", "pipeline_warm_first_dispatch_us_median", false},
      {"pipeline VkPipelineCache hit, us med", "pipeline_cache_warm_create_us_median", false},
      {"pipeline disk cache hit, us median", "pipeline_disk_warm_create_us_median", false}};
  all.insert(all.end(), compute.begin(), compute.end());
  const std::vector<Row> sgemm = {
      {"sgemm naive, GFLOP/s median", "sgemm_naive_gflops_median", true},
      {"sgemm 16x16 tiled, GFLOP/s median", "sgemm_tiled_gflops_median", true}};
  all.insert(all.end(), sgemm.begin(), sgemm.end());
  return all;
}

std::optional<double> metric(const DriverRun& run, const std::string& name) {
  const auto it = run.metrics.find(name);
  if (it == run.metrics.end()) return std::nullopt;
  return it->second;
}

// peer time / emvk time, so > 1 means emvk is faster whichever way the metric points.
std::optional<double> ratio(const Report& r, const Row& row) {
  const auto emvk = metric(r.emvk, row.metric);
  const auto peer = metric(r.peer, row.metric);
  if (!emvk || !peer || *emvk <= 0 || *peer <= 0) return std::nullopt;
  return row.higherIsBetter ? *emvk / *peer : *peer / *emvk;
}

// Export + import at 256 MiB over the same at 4 MiB: about 1 when nothing scales with the size,
// about 64 when the import copies.
std::optional<double> exportSizeScaling(const DriverRun& run) {
  const auto large = metric(run, exportMetricPrefix(kExportLargeBytes) + "_total_us_median");
  const auto small = metric(run, exportMetricPrefix(kExportSmallBytes) + "_total_us_median");
  if (!large || !small || *small <= 0) return std::nullopt;
  return *large / *small;
}

std::optional<double> percentOfHost(const DriverRun& run, double hostGBps) {
  const auto gbps = metric(run, "copy_gbps_median");
  if (!gbps || hostGBps <= 0) return std::nullopt;
  return 100.0 * *gbps / hostGBps;
}

std::optional<double> saxpyPercentOfTriad(const DriverRun& run, double hostGBps) {
  const auto gbps = metric(run, "saxpy_gbps_median");
  if (!gbps || hostGBps <= 0) return std::nullopt;
  return 100.0 * *gbps / hostGBps;
}

// `variant` "naive" or "tiled": its median GFLOP/s over the host's all-threads FP32 peak.
std::optional<double> sgemmPercentOfPeak(const DriverRun& run, const char* variant,
                                         double peakGflops) {
  const auto gflops = metric(run, std::string("sgemm_") + variant + "_gflops_median");
  if (!gflops || peakGflops <= 0) return std::nullopt;
  return 100.0 * *gflops / peakGflops;
}

std::string cell(std::optional<double> value, const char* format = "%.2f") {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

void describeDriver(const DriverRun& run, std::FILE* out) {
  std::fprintf(out, "%-9s %s\n", run.label.c_str(), run.manifest.c_str());
  if (!run.ran) {
    std::fprintf(out, "          not run (--only)\n");
    return;
  }
  if (!run.device.empty())
    std::fprintf(out, "          device: %s (Vulkan %s)\n", run.device.c_str(), run.api.c_str());
  for (const auto& e : run.errors) std::fprintf(out, "          FAILED: %s\n", e.c_str());
  for (const auto& s : run.skipped) std::fprintf(out, "          skipped %s\n", s.c_str());
}

std::string jsonString(const std::string& s) { return emvk::json::quote(s); }

std::string jsonNumber(std::optional<double> value) {
  return value ? cell(value, "%.10g") : "null";
}

std::string jsonStrings(const std::vector<std::string>& strings) {
  std::string out = "[";
  for (std::size_t i = 0; i < strings.size(); ++i) out += (i ? ", " : "") + jsonString(strings[i]);
  return out + "]";
}

void printDriverJson(const DriverRun& run, const Report& r, std::FILE* out) {
  const double hostSingle = r.host.singleThreadGBps, hostMulti = r.host.multiThreadGBps;
  std::fprintf(out, "{\"label\": %s, \"manifest\": %s, \"ran\": %s, \"device\": %s, \"api\": %s,\n",
               jsonString(run.label).c_str(), jsonString(run.manifest).c_str(),
               run.ran ? "true" : "false", jsonString(run.device).c_str(),
               jsonString(run.api).c_str());
  std::fprintf(out, "      \"errors\": %s, \"skipped\": %s,\n      \"metrics\": {",
               jsonStrings(run.errors).c_str(), jsonStrings(run.skipped).c_str());
  bool first = true;
  for (const auto& [name, value] : run.metrics) {
    std::fprintf(out, "%s%s: %s", first ? "" : ", ", jsonString(name).c_str(),
                 jsonNumber(value).c_str());
    first = false;
  }
  std::fprintf(
      out,
      "},\n      \"copy_pct_of_host_single_thread\": %s, \"copy_pct_of_host_multi_thread\": %s,"
      "\n      \"extmem_total_256mib_over_4mib\": %s,"
      "\n      \"saxpy_pct_of_host_triad_single_thread\": %s, "
      "\"saxpy_pct_of_host_triad_multi_thread\": %s,"
      "\n      \"sgemm_naive_pct_of_fp32_peak\": %s, \"sgemm_tiled_pct_of_fp32_peak\": %s}",
      jsonNumber(percentOfHost(run, hostSingle)).c_str(),
      jsonNumber(percentOfHost(run, hostMulti)).c_str(), jsonNumber(exportSizeScaling(run)).c_str(),
      jsonNumber(saxpyPercentOfTriad(run, r.triad.singleThreadGBps)).c_str(),
      jsonNumber(saxpyPercentOfTriad(run, r.triad.multiThreadGBps)).c_str(),
      jsonNumber(sgemmPercentOfPeak(run, "naive", r.flops.multiThreadGflops)).c_str(),
      jsonNumber(sgemmPercentOfPeak(run, "tiled", r.flops.multiThreadGflops)).c_str());
}

}  // namespace

void printTable(const Report& r, std::FILE* out) {
  std::fprintf(out,
               "emvk-bench conventions: GB/s = 10^9 bytes copied per second, a %zu MiB copy counts "
               "%zu bytes once (not read + write);\n"
               "  latency = one vkQueueSubmit + vkWaitForFences + vkResetFences in us, percentiles "
               "by nearest rank; ratio = %s time / emvk time (>1: emvk faster)\n"
               "  fd export = one vkGetMemoryFdKHR (opaque fd), fd import = one vkAllocateMemory "
               "importing it, in us; export+import = median of their per-repetition sum\n"
               "  saxpy GB/s = 12 bytes per element (read x, read y, write y), host-visible "
               "buffers, submit to fence; dispatch = dispatch(1,1,1) submit+fence round trip\n"
               "  pipeline = one vkCreateComputePipelines of the saxpy shader, cold = first in "
               "the process, warm = median of fresh ones from the same module; first dispatch = "
               "its first 64K-element saxpy, submit to fence;\n"
               "  VkPipelineCache hit = a fresh cache made from a first compile's data; disk cache "
               "hit = first pipeline of a fresh instance after another filled the disk cache;\n"
               "  no disk cache otherwise: every child runs with MESA_SHADER_CACHE_DISABLE=true "
               "and EMVK_SHADER_CACHE=0\n"
               "  sgemm GFLOP/s = 2*N^3 / (submit to fence) for C = A*B, N=%u, row-major "
               "floats; FP32 peak = independent FMA chains in C++ on the host, an FMA = 2\n\n",
               r.copyBytes >> 20, r.copyBytes, r.peer.label.c_str(), r.sgemmN);
  std::fprintf(out,
               "host memcpy %zu MiB (median of %d): 1 thread %.2f GB/s, %u threads %.2f GB/s\n",
               r.copyBytes >> 20, r.hostRepetitions, r.host.singleThreadGBps, r.host.threads,
               r.host.multiThreadGBps);
  std::fprintf(out,
               "host triad y=a*x+y %uM floats, 12 B/element (median of %d): 1 thread %.2f GB/s, "
               "%u threads %.2f GB/s\n",
               kSaxpyElements >> 20, r.hostRepetitions, r.triad.singleThreadGBps, r.triad.threads,
               r.triad.multiThreadGBps);
  std::fprintf(out,
               "host FP32 peak, %s FMA (median of %d): 1 thread %.1f GFLOP/s, %u threads %.1f "
               "GFLOP/s\n",
               r.flops.isa, r.flopsRepetitions, r.flops.singleThreadGflops, r.flops.threads,
               r.flops.multiThreadGflops);
  describeDriver(r.emvk, out);
  describeDriver(r.peer, out);

  std::fprintf(out, "\n%-38s %10s %10s %8s\n", "workload", r.emvk.label.c_str(),
               r.peer.label.c_str(), "ratio");
  for (const Row& row : rows(r.copyBytes))
    std::fprintf(out, "%-38s %10s %10s %8s\n", row.title.c_str(),
                 cell(metric(r.emvk, row.metric)).c_str(), cell(metric(r.peer, row.metric)).c_str(),
                 cell(ratio(r, row)).c_str());
  const std::string multi = "copy, % of host memcpy " + std::to_string(r.host.threads) + " threads";
  std::fprintf(out, "%-38s %10s %10s\n", "copy, % of host memcpy 1 thread",
               cell(percentOfHost(r.emvk, r.host.singleThreadGBps), "%.0f%%").c_str(),
               cell(percentOfHost(r.peer, r.host.singleThreadGBps), "%.0f%%").c_str());
  std::fprintf(out, "%-38s %10s %10s\n", multi.c_str(),
               cell(percentOfHost(r.emvk, r.host.multiThreadGBps), "%.0f%%").c_str(),
               cell(percentOfHost(r.peer, r.host.multiThreadGBps), "%.0f%%").c_str());
  const std::string scaling =
      "fd export+import " + mib(kExportLargeBytes) + " / " + mib(kExportSmallBytes) + " time";
  std::fprintf(out, "%-38s %10s %10s\n", scaling.c_str(),
               cell(exportSizeScaling(r.emvk), "%.2fx").c_str(),
               cell(exportSizeScaling(r.peer), "%.2fx").c_str());
  std::fprintf(out, "%-38s %10s %10s\n", "saxpy, % of host triad 1 thread",
               cell(saxpyPercentOfTriad(r.emvk, r.triad.singleThreadGBps), "%.0f%%").c_str(),
               cell(saxpyPercentOfTriad(r.peer, r.triad.singleThreadGBps), "%.0f%%").c_str());
  const std::string triadMulti =
      "saxpy, % of host triad " + std::to_string(r.triad.threads) + " threads";
  std::fprintf(out, "%-38s %10s %10s\n", triadMulti.c_str(),
               cell(saxpyPercentOfTriad(r.emvk, r.triad.multiThreadGBps), "%.0f%%").c_str(),
               cell(saxpyPercentOfTriad(r.peer, r.triad.multiThreadGBps), "%.0f%%").c_str());
  for (const char* variant : {"naive", "tiled"}) {
    const std::string title = std::string("sgemm ") + variant + ", % of FP32 peak " +
                              std::to_string(r.flops.threads) + " threads";
    std::fprintf(
        out, "%-38s %10s %10s\n", title.c_str(),
        cell(sgemmPercentOfPeak(r.emvk, variant, r.flops.multiThreadGflops), "%.1f%%").c_str(),
        cell(sgemmPercentOfPeak(r.peer, variant, r.flops.multiThreadGflops), "%.1f%%").c_str());
  }
}

void printJson(const Report& r, std::FILE* out) {
  std::fprintf(out, "{\n  \"conventions\": {\n");
  std::fprintf(out,
               "    \"bandwidth\": \"GB/s = 1e9 bytes copied per second; a copy of copy_bytes "
               "counts copy_bytes once (not read + write)\",\n");
  std::fprintf(out,
               "    \"latency\": \"microseconds per vkQueueSubmit + vkWaitForFences + "
               "vkResetFences; percentiles by nearest rank\",\n");
  std::fprintf(out,
               "    \"export_import\": \"extmem_<size>mib_export_us = one vkGetMemoryFdKHR "
               "(opaque fd), _import_us = one vkAllocateMemory importing that fd, _total_us = "
               "their per-repetition sum; microseconds, after 5 warm-ups\",\n");
  std::fprintf(out,
               "    \"saxpy\": \"y = a * x + y over saxpy_elements floats in host-visible buffers, "
               "submit to fence; GB/s counts 12 bytes per element (read x, read y, write y); the "
               "host triad is the same loop in C++ in the parent\",\n");
  std::fprintf(out,
               "    \"dispatch\": \"dispatch_us = one submit + fence round trip of a command "
               "buffer holding dispatch(1,1,1) of a one-invocation shader\",\n");
  std::fprintf(out,
               "    \"pipeline\": \"vkCreateComputePipelines of the saxpy shader without a "
               "pipeline cache; cold = first in the process, warm = fresh pipelines from the same "
               "module; first_dispatch = its first 64K-element saxpy, submit to fence; every child "
               "runs with MESA_SHADER_CACHE_DISABLE=true and EMVK_SHADER_CACHE=0; "
               "pipeline_cache_warm = with a fresh VkPipelineCache made from a first compile's "
               "data; pipeline_disk_warm = first pipeline of a fresh instance and device after "
               "another filled the disk cache (MESA_SHADER_CACHE_DIR / EMVK_SHADER_CACHE_DIR in a "
               "temporary folder)\",\n");
  std::fprintf(out,
               "    \"sgemm\": \"C = A * B, row-major N x N floats (naive: one invocation per "
               "element; tiled: 16x16 shared-memory tiles); GFLOP/s = 2 N^3 / (submit to fence), "
               "median of up to 5 checked products within 20 s after a warm-up at N = 256; "
               "pct_of_fp32_peak is over host_fp32_peak.multi_thread_gflops\",\n");
  std::fprintf(
      out,
      "    \"fp32_peak\": \"independent FMA chains in C++ on the host's widest FMA "
      "vectors, an FMA counting 2 operations; 1 thread and hardware_concurrency threads\",\n");
  std::fprintf(out, "    \"ratio\": \"peer time / emvk time; > 1 means emvk is faster\"},\n");
  std::fprintf(
      out,
      "  \"host\": {\"copy_bytes\": %zu, \"repetitions\": %d, \"single_thread_gbps\": %.6g, "
      "\"threads\": %u, \"multi_thread_gbps\": %.6g},\n",
      r.copyBytes, r.hostRepetitions, r.host.singleThreadGBps, r.host.threads,
      r.host.multiThreadGBps);
  std::fprintf(out,
               "  \"host_triad\": {\"elements\": %u, \"bytes_per_element\": %zu, "
               "\"repetitions\": %d, \"single_thread_gbps\": %.6g, \"threads\": %u, "
               "\"multi_thread_gbps\": %.6g},\n",
               kSaxpyElements, kSaxpyBytesPerElement, r.hostRepetitions, r.triad.singleThreadGBps,
               r.triad.threads, r.triad.multiThreadGBps);
  std::fprintf(out,
               "  \"host_fp32_peak\": {\"isa\": %s, \"repetitions\": %d, "
               "\"single_thread_gflops\": %.6g, \"threads\": %u, \"multi_thread_gflops\": "
               "%.6g},\n",
               jsonString(r.flops.isa).c_str(), r.flopsRepetitions, r.flops.singleThreadGflops,
               r.flops.threads, r.flops.multiThreadGflops);
  std::fprintf(out, "  \"sgemm_n\": %u,\n", r.sgemmN);
  std::fprintf(out, "  \"drivers\": {\n    \"emvk\": ");
  printDriverJson(r.emvk, r, out);
  std::fprintf(out, ",\n    \"peer\": ");
  printDriverJson(r.peer, r, out);
  std::fprintf(out, "},\n  \"ratios\": {");
  bool first = true;
  for (const Row& row : rows(r.copyBytes)) {
    std::fprintf(out, "%s%s: %s", first ? "" : ", ", jsonString(row.metric).c_str(),
                 jsonNumber(ratio(r, row)).c_str());
    first = false;
  }
  std::fprintf(out, "}\n}\n");
}

}  // namespace emvk::bench
