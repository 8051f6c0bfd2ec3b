#include "engine/proportion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace banensim::engine {

Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z) noexcept {
  if (n == 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  // At k = 0 (or k = n) the exact bound is 0 (or 1); clamp rounding residue.
  const double low = k == 0 ? 0.0 : std::max(0.0, centre - half);
  const double high = k == n ? 1.0 : std::min(1.0, centre + half);
  return {low, high};
}

double Proportion::estimate() const noexcept {
  return n_ == 0 ? std::numeric_limits<double>::quiet_NaN()
                 : static_cast<double>(successes_) / static_cast<double>(n_);
}

Interval Proportion::wilson(double z) const noexcept { return wilson_interval(successes_, n_, z); }

double Proportion::std_error() const noexcept {
  const double p = estimate();
  return std::sqrt(p * (1.0 - p) / static_cast<double>(n_));
}

}  // namespace banensim::engine
