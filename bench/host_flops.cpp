#include "host_flops.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stats.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EMVK_BENCH_X86 1
#endif

namespace emvk::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Enough independent accumulators to cover FMA latency × FMA units (4 cycles × 2 pipes on Zen 3
// and most Intel cores) with room to spare; more would spill out of the 16 vector registers.
constexpr int kChains = 12;
constexpr long kIterations = 40'000'000;  // per thread and repetition: ~0.1 s at 80 GFLOP/s

// Each FMA keeps its chain near 1 (x * 0.999999 + 1e-6), so no value overflows or turns denormal.
constexpr float kMultiplier = 0.999999f;
constexpr float kAddend = 1e-6f;

struct Kernel {
  const char* isa;
  int floatsPerFma;  // vector width in floats
  float (*run)(long iterations);
};

#ifdef EMVK_BENCH_X86
// 256-bit FMA (AVX + FMA3; AVX2 is not needed and this CPU may lack it).
__attribute__((target("avx,fma"))) float fmaAvx(long iterations) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(1.0f + static_cast<float>(c));
  const __m256 m = _mm256_set1_ps(kMultiplier), a = _mm256_set1_ps(kAddend);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16  // the accumulators must stay in registers: unrolled, they are named ones
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], m, a);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

// 512-bit FMA where the CPU has AVX-512: the widest vectors, as emvk's JIT uses them (its SIMD
// groups are 16 lanes there), so the peak is the machine's real one.
__attribute__((target("avx512f"))) float fmaAvx512(long iterations) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(1.0f + static_cast<float>(c));
  const __m512 m = _mm512_set1_ps(kMultiplier), a = _mm512_set1_ps(kAddend);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16  // the accumulators must stay in registers: unrolled, they are named ones
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], m, a);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  return lanes[0] + lanes[15];
}
#endif

// Portable fallback: 4-float vectors (SSE on x86-64), a multiply and an add per step; counted as
// 2 operations per lane like an FMA, so it is the peak of a CPU without FMA.
float mulAddGeneric(long iterations) {
  typedef float v4 __attribute__((vector_size(16)));
  v4 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = v4{} + (1.0f + static_cast<float>(c));
  const v4 m = v4{} + kMultiplier, a = v4{} + kAddend;
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16  // the accumulators must stay in registers: unrolled, they are named ones
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * m + a;
  }
  v4 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum += acc[c];
  return sum[0] + sum[3];
}

Kernel pickKernel() {
#ifdef EMVK_BENCH_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {"avx512f, 16 floats", 16, fmaAvx512};
  if (__builtin_cpu_supports("avx") && __builtin_cpu_supports("fma"))
    return {"avx+fma, 8 floats", 8, fmaAvx};
#endif
  return {"generic 4-float mul+add", 4, mulAddGeneric};
}

// Thread start and join are inside the timed region, as for the host triad; at ~0.1 s per run
// they are noise.
double gflops(const Kernel& kernel, unsigned threads) {
  std::vector<float> sinks(threads);
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] { sinks[t] = kernel.run(kIterations); });
  for (auto& w : workers) w.join();
  const std::chrono::duration<double> seconds = Clock::now() - start;
  // Reading the results keeps the compiler from dropping the chains; they stay between 1 and 13.
  for (float s : sinks)
    if (!(s > 0.0f && s < 100.0f)) throw std::runtime_error("host FMA kernel produced wrong data");
  const double flops =
      2.0 * kernel.floatsPerFma * kChains * static_cast<double>(kIterations) * threads;
  return flops / seconds.count() / 1e9;
}

double medianGflops(const Kernel& kernel, unsigned threads, int repetitions) {
  gflops(kernel, threads);  // warm-up: clocks up, threads known to the scheduler
  std::vector<double> samples;
  for (int i = 0; i < repetitions; ++i) samples.push_back(gflops(kernel, threads));
  return summarize(std::move(samples)).median;
}

}  // namespace

HostFlops measureHostFlops(int repetitions) {
  const Kernel kernel = pickKernel();
  HostFlops result;
  result.isa = kernel.isa;
  result.threads = std::max(1u, std::thread::hardware_concurrency());
  result.singleThreadGflops = medianGflops(kernel, 1, repetitions);
  result.multiThreadGflops = medianGflops(kernel, result.threads, repetitions);
  return result;
}

}  // namespace emvk::bench
