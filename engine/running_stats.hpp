#pragma once
// Streaming mean and variance: Welford's update (1962) for single values and
// Chan, Golub & LeVeque's pairwise merge (1979) for partial results. Memory is
// constant in the number of observations, and E[x^2] - mean^2 (which cancels
// badly) is never formed.
//
// Merging is exact in the counts and deterministic in floating point for a
// fixed merge order; the runner fixes that order (see parallel_runner.hpp).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "engine/word_codec.hpp"

namespace banensim::engine {

class RunningStats {
 public:
  void add(double x) noexcept {
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
  }

  void merge(const RunningStats& other) noexcept {
    if (other.n_ == 0) return;
    if (n_ == 0) {
      *this = other;
      return;
    }
    const double na = static_cast<double>(n_);
    const double nb = static_cast<double>(other.n_);
    const double n = na + nb;
    const double delta = other.mean_ - mean_;
    mean_ += delta * (nb / n);
    m2_ += other.m2_ + delta * delta * (na * nb / n);
    n_ += other.n_;
  }

  // The summary of n values at once, for batched tallies: the mean first,
  // then the sum of squared deviations from it (the two-pass algorithm, as
  // accurate as Welford's update and free of E[x^2] - mean^2), each sum kept
  // in four interleaved partial sums (value i in sum i mod 4) added in a fixed
  // order -- so the compiler can vectorise it, and the result is the same on
  // every machine. Merge it into a running summary with merge() (Chan).
  static RunningStats of_values(const double* x, std::size_t n) noexcept {
    RunningStats s;
    if (n == 0) return s;
    double part[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (std::size_t k = 0; k < 4; ++k) part[k] += x[i + k];
    }
    for (std::size_t k = 0; i + k < n; ++k) part[k] += x[i + k];
    const double nn = static_cast<double>(n);
    const double mean = ((part[0] + part[1]) + (part[2] + part[3])) / nn;
    double dev[4] = {0.0, 0.0, 0.0, 0.0};
    for (i = 0; i + 4 <= n; i += 4) {
      for (std::size_t k = 0; k < 4; ++k) {
        const double d = x[i + k] - mean;
        dev[k] += d * d;
      }
    }
    for (std::size_t k = 0; i + k < n; ++k) {
      const double d = x[i + k] - mean;
      dev[k] += d * d;
    }
    s.n_ = n;
    s.mean_ = mean;
    s.m2_ = (dev[0] + dev[1]) + (dev[2] + dev[3]);
    return s;
  }

  // The summary of n values of which `plus` are +1, `minus` are -1 and the
  // rest 0 (a paired difference of two yes/no outcomes), exactly from the
  // counts: mean (plus - minus) / n, m2 = plus + minus - n * mean^2.
  static RunningStats of_signs(std::uint64_t plus, std::uint64_t minus, std::uint64_t n) noexcept {
    RunningStats s;
    if (n == 0) return s;
    const double nn = static_cast<double>(n);
    const double d = static_cast<double>(plus) - static_cast<double>(minus);
    s.n_ = n;
    s.mean_ = d / nn;
    s.m2_ = std::max(0.0, static_cast<double>(plus + minus) - d * d / nn);
    return s;
  }

  std::uint64_t count() const noexcept { return n_; }
  double mean() const noexcept { return n_ > 0 ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  // Unbiased sample variance (divides by n - 1); NaN for fewer than 2 values.
  double variance() const noexcept {
    return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : std::numeric_limits<double>::quiet_NaN();
  }
  double stddev() const noexcept { return std::sqrt(variance()); }
  // Standard error of the mean, sqrt(s^2 / n).
  double std_error() const noexcept { return std::sqrt(variance() / static_cast<double>(n_)); }
  // Sum of squared deviations from the mean (for exact comparisons in tests).
  double m2() const noexcept { return m2_; }

  // Exact state, for transport between processes (engine/word_codec.hpp).
  void encode(WordWriter& w) const {
    w.put(n_);
    w.put_double(mean_);
    w.put_double(m2_);
  }
  void decode(WordReader& r) {
    n_ = r.get();
    mean_ = r.get_double();
    m2_ = r.get_double();
  }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

}  // namespace banensim::engine
