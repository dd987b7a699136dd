#pragma once
// Summary statistics for a set of timed samples. Percentiles use the nearest-rank rule:
// p90 of 10000 samples is the 9000th smallest, so every reported value is one that was measured.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace emvk::bench {

struct Summary {
  double median = 0;
  double p90 = 0;
  double p99 = 0;
  double min = 0;
  double max = 0;
};

inline double nearestRank(const std::vector<double>& sorted, double fraction) {
  const auto rank =
      static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

inline Summary summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  return {.median = nearestRank(samples, 0.5),
          .p90 = nearestRank(samples, 0.9),
          .p99 = nearestRank(samples, 0.99),
          .min = samples.front(),
          .max = samples.back()};
}

}  // namespace emvk::bench
