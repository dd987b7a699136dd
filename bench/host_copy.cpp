#include "host_copy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stats.hpp"

namespace emvk::bench {
namespace {

using Clock = std::chrono::steady_clock;

void copySplit(std::byte* dst, const std::byte* src, std::size_t bytes, unsigned threads) {
  // Slices are cache-line multiples so no two threads write the same line.
  const std::size_t slice = (bytes / threads + 63) & ~std::size_t{63};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t begin = std::min(bytes, t * slice);
    const std::size_t end = std::min(bytes, begin + slice);
    workers.emplace_back([=] { std::memcpy(dst + begin, src + begin, end - begin); });
  }
  for (auto& w : workers) w.join();
}

// Thread start and join are inside the timed region: a driver that splits a copy pays them too.
double medianGBps(std::byte* dst, const std::byte* src, std::size_t bytes, unsigned threads,
                  int repetitions) {
  copySplit(dst, src, bytes, threads);  // warm-up: page faults and caches
  std::vector<double> gbps;
  for (int i = 0; i < repetitions; ++i) {
    std::memset(dst, 0, 64);
    std::memset(dst + bytes - 64, 0, 64);
    const auto start = Clock::now();
    copySplit(dst, src, bytes, threads);
    const std::chrono::duration<double> seconds = Clock::now() - start;
    // Reading the copy back keeps the compiler from dropping it and proves it happened.
    if (std::memcmp(dst, src, 64) != 0 || std::memcmp(dst + bytes - 64, src + bytes - 64, 64) != 0)
      throw std::runtime_error("host memcpy produced wrong data");
    gbps.push_back(static_cast<double>(bytes) / seconds.count() / 1e9);
  }
  return summarize(gbps).median;
}

void triadSplit(float* y, const float* x, float a, std::size_t elements, unsigned threads) {
  // Slices are multiples of 16 floats (one cache line) so no two threads write the same line.
  const std::size_t slice = (elements / threads + 15) & ~std::size_t{15};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t begin = std::min(elements, t * slice);
    const std::size_t end = std::min(elements, begin + slice);
    workers.emplace_back([=] {
      for (std::size_t i = begin; i < end; ++i) y[i] = a * x[i] + y[i];
    });
  }
  for (auto& w : workers) w.join();
}

double medianTriadGBps(float* y, const float* x, std::size_t elements, unsigned threads,
                       int repetitions) {
  constexpr float a = 2.0f;
  triadSplit(y, x, a, elements, threads);  // warm-up: page faults and caches
  std::vector<double> gbps;
  for (int i = 0; i < repetitions; ++i) {
    const float before = y[elements - 1];
    const auto start = Clock::now();
    triadSplit(y, x, a, elements, threads);
    const std::chrono::duration<double> seconds = Clock::now() - start;
    // Reading a result back keeps the compiler from dropping the loop and proves it ran.
    if (y[elements - 1] != a * x[elements - 1] + before)
      throw std::runtime_error("host triad produced wrong data");
    gbps.push_back(12.0 * static_cast<double>(elements) / seconds.count() / 1e9);
  }
  return summarize(gbps).median;
}

}  // namespace

HostTriadBandwidth measureHostTriad(std::size_t elements, int repetitions) {
  auto x = std::make_unique_for_overwrite<float[]>(elements);
  auto y = std::make_unique_for_overwrite<float[]>(elements);
  for (std::size_t i = 0; i < elements; ++i) {
    x[i] = static_cast<float>(i & 255);
    y[i] = 0.0f;
  }
  HostTriadBandwidth result;
  result.threads = std::max(1u, std::thread::hardware_concurrency());
  result.singleThreadGBps = medianTriadGBps(y.get(), x.get(), elements, 1, repetitions);
  result.multiThreadGBps = medianTriadGBps(y.get(), x.get(), elements, result.threads, repetitions);
  return result;
}

HostCopyBandwidth measureHostCopy(std::size_t bytes, int repetitions) {
  auto src = std::make_unique_for_overwrite<std::byte[]>(bytes);
  auto dst = std::make_unique_for_overwrite<std::byte[]>(bytes);
  for (std::size_t i = 0; i < bytes; i += sizeof(std::uint32_t)) {
    const auto word = static_cast<std::uint32_t>(i * 2654435761u);
    std::memcpy(src.get() + i, &word, sizeof word);
  }
  std::memset(dst.get(), 0, bytes);

  HostCopyBandwidth result;
  result.threads = std::max(1u, std::thread::hardware_concurrency());
  result.singleThreadGBps = medianGBps(dst.get(), src.get(), bytes, 1, repetitions);
  result.multiThreadGBps = medianGBps(dst.get(), src.get(), bytes, result.threads, repetitions);
  return result;
}

}  // namespace emvk::bench
