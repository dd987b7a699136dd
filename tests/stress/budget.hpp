// How long a stress or fault test runs, and how it reports what it did. Every test here is bounded
// by a time budget, not by a count of operations: on a loaded 2-core CI machine a count would
// take anywhere from seconds to minutes, a budget always the same. EMVK_SOAK_SECONDS=<n> turns
// the same tests into a soak run of n seconds each (docs/STRESS.md).
#pragma once
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace stress {

using Clock = std::chrono::steady_clock;

inline bool underValidation() {
  const char* v = std::getenv("EMVK_TEST_VALIDATION");
  return v && std::string(v) == "1";
}

// The time a test's main loop runs: EMVK_SOAK_SECONDS if set, else `seconds`, halved under the
// validation layer (which makes every call slower, so that copy of the suite would otherwise
// take twice as long for no more coverage).
inline Clock::duration budget(double seconds) {
  if (const char* soak = std::getenv("EMVK_SOAK_SECONDS"); soak && std::atof(soak) > 0)
    seconds = std::atof(soak);
  else if (underValidation())
    seconds /= 2;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One line per kind of work, on stdout (ctest keeps it in Testing/Temporary/LastTest.log; run the
// test binary directly to see it), in a form docs/STRESS.md's table is copied from.
inline void report(const std::string& what, uint64_t ops, double seconds,
                   const std::string& setting) {
  std::printf("emvk-stress: %-28s %10llu ops in %6.2f s = %10.0f ops/s  (%s%s)\n", what.c_str(),
              static_cast<unsigned long long>(ops), seconds, seconds > 0 ? ops / seconds : 0.0,
              setting.c_str(), underValidation() ? ", validation layer" : "");
  std::fflush(stdout);
}

}  // namespace stress
