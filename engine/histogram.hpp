#pragma once
// Fixed-memory histogram with the exact minimum and maximum seen. Memory is
// fixed by the bin count, not by the number of values; merging adds counts,
// so it is exact and order-independent.
//
// Range. A histogram starts on [low, high) with n_bins bins of width
// w = (high - low) / n_bins.
//  - kFixed: values outside the range are only counted (underflow,
//    overflow).
//  - kGrowing (n_bins even): the range doubles about its centre, as often as
//    needed to hold every value: at level k the range is
//    [low - (2^k - 1) (high - low) / 2, high + (2^k - 1) (high - low) / 2)
//    with n_bins bins of width 2^k w, and every bin of level k is the union
//    of two bins of level k - 1 (bins stay nested because n_bins is even).
//    A value's bin at any level is a function of the value alone (its
//    level-0 bin index, shifted), and the level is the smallest that holds
//    every value added -- so the counts, and every quantile, depend only on
//    the set of values: not on the order of adds and merges, the block size,
//    the thread or the process (rank) that saw them. Only values beyond
//    level kMaxLevel (2^40 times the first range) are counted as under- or
//    overflow.
//
// Quantiles interpolate linearly within a bin (resolution: bin_width()) and
// are clipped to the exact [min, max]. A quantile that falls among the
// values outside the range is not known to the histogram: quantile() gives
// NaN there, never an extreme value, and quantile_estimate() gives the bound
// it is known to respect (>= high(), or < low()). quantile_discrete() serves
// whole-number values kept one per unit bin (kFixed).

#include <cstdint>
#include <limits>
#include <vector>

#include "engine/word_codec.hpp"

namespace banensim::engine {

// A quantile as far as a histogram knows it: a value, or -- when it lies
// among values outside the histogram's range -- only a bound.
struct QuantileEstimate {
  enum class Kind {
    kValue,    // `value` is the quantile (NaN for an empty histogram)
    kAtLeast,  // the quantile is >= `value` (the upper edge of the range)
    kBelow,    // the quantile is < `value` (the lower edge of the range)
  };
  Kind kind = Kind::kValue;
  double value = std::numeric_limits<double>::quiet_NaN();
  bool is_value() const noexcept { return kind == Kind::kValue; }
  // The quantile, or NaN when only a bound is known.
  double value_or_nan() const noexcept { return is_value() ? value : std::numeric_limits<double>::quiet_NaN(); }
};

class Histogram {
 public:
  enum class Range { kFixed, kGrowing };
  // Levels of a growing histogram: the range can grow to 2^kMaxLevel times
  // its first width.
  static constexpr int kMaxLevel = 40;

  Histogram() = default;
  // Throws std::invalid_argument unless low < high are finite and n_bins > 0;
  // kGrowing also needs an even n_bins <= 2^20.
  Histogram(double low, double high, std::size_t n_bins, Range range = Range::kFixed);

  void add(double x) noexcept {
    // x + 0.0 is x, but +0 for -0: the extremes keep +0 for a zero, so
    // their bits do not depend on the order the values came in (threads,
    // lane width, merges).
    const double e = x + 0.0;
    if (e < min_) min_ = e;
    if (e > max_) max_ = e;
    ++n_;
    // The level-0 bin coordinate; the same expression for every value and
    // every level, so a value's bin never depends on when it came.
    const double t = (x - low0_) * inv_width0_;
    if (level_ == 0 && t >= 0.0 && t < n_bins_d_) {
      ++counts_[static_cast<std::size_t>(t)];
      return;
    }
    add_outside_level0(x, t);
  }
  // Adds n values (batched tallies): the same counts, under- and overflow,
  // count, minimum and maximum as add() of each value in turn, bit for bit
  // (a zero extreme is +0, whatever the order). No NaN.
  void add_batch(const double* x, std::size_t n) noexcept;
  void merge(const Histogram& other);
  // Back to empty at level 0, keeping the bins (no allocation).
  void reset() noexcept;
  // Exact state (counts sparsely: the non-zero bins only), for transport
  // between processes; decode needs a histogram made with the same
  // arguments.
  void encode(WordWriter& w) const;
  void decode(WordReader& r);

  // The p-quantile, p in [0, 1], or only a bound (see above). An empty
  // histogram gives a kValue of NaN; p <= 0 and p >= 1 give the exact
  // minimum and maximum.
  QuantileEstimate quantile_estimate(double p) const;
  // The p-quantile; NaN when empty or when only a bound is known.
  double quantile(double p) const { return quantile_estimate(p).value_or_nan(); }
  // The p-quantile of whole-number values kept in unit bins that start at a
  // whole number (bin i holds exactly the value low + i): the inverse CDF,
  // min{y : F(y) >= p}, a value that occurs -- not interpolated within the
  // bin, which for e.g. a year would be a fraction of a year and, rounded,
  // could name the next year. Bounds and NaN as for quantile_estimate().
  QuantileEstimate quantile_discrete_estimate(double p) const;
  double quantile_discrete(double p) const { return quantile_discrete_estimate(p).value_or_nan(); }

  // The share of the values that are <= x, with the values in a bin taken as
  // spread evenly over it (the interpolation quantile_estimate uses), the
  // bins clipped to the exact minimum and maximum; values below (above) the
  // range spread evenly between the minimum and low() (high() and the
  // maximum). 0 below the minimum, 1 from the maximum on; NaN when empty.
  // E.g. the probability integral transform of an observation.
  double cdf(double x) const noexcept;

  std::uint64_t count() const noexcept { return n_; }
  std::uint64_t underflow() const noexcept { return underflow_; }
  std::uint64_t overflow() const noexcept { return overflow_; }
  double min() const noexcept { return min_; }
  double max() const noexcept { return max_; }
  // The current range and bins (after growth): [low(), high()), n bins of
  // bin_width(); counts()[i] holds [low() + i w, low() + (i + 1) w).
  double low() const noexcept;
  double high() const noexcept;
  double bin_width() const noexcept;
  int level() const noexcept { return level_; }
  bool growing() const noexcept { return growing_; }
  const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }

 private:
  void add_outside_level0(double x, double t) noexcept;
  // The bin at `level` of the value with level-0 coordinate floor(t) = j
  // (may lie outside [0, n)).
  std::int64_t index_at(std::int64_t j, int level) const noexcept {
    const std::int64_t half = static_cast<std::int64_t>(counts_.size() / 2);
    return (j + ((std::int64_t{1} << level) - 1) * half) >> level;  // floor division by 2^level
  }
  // Coarsens the counts from level_ to `level` (pairs of bins summed, in place).
  void coarsen_to(int level) noexcept;
  // Bins [first, last) that can hold counts: those from the bin of the exact
  // minimum to the bin of the exact maximum, so merge, reset and encode
  // touch only the occupied stretch -- a block of 1,024 paths fills a few
  // hundred of a few thousand bins. Invariant: every count outside this
  // range is zero.
  struct BinRange {
    std::size_t first = 0;
    std::size_t last = 0;
  };
  BinRange occupied_bins() const noexcept;
  // The bin of x at the current level, clamped to [0, n).
  std::size_t clamped_bin(double x) const noexcept;

  double low0_ = 0.0;  // the first range
  double high0_ = 1.0;
  double inv_width0_ = 1.0;
  double n_bins_d_ = 0.0;
  bool growing_ = false;
  int level_ = 0;
  std::vector<std::uint64_t> counts_;
  std::uint64_t n_ = 0;
  std::uint64_t underflow_ = 0;
  std::uint64_t overflow_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace banensim::engine
