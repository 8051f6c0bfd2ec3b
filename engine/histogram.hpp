#pragma once
// Fixed-width histogram over [low, high) with under- and overflow counts and
// the exact minimum and maximum seen. Memory is fixed by the bin count, not
// by the number of values; merging adds counts, so it is exact and
// order-independent.
//
// Quantiles interpolate linearly within a bin; their resolution is the bin
// width (high - low) / n_bins. A quantile that falls into the under- or
// overflow region is clamped to the exact minimum or maximum.
// quantile_discrete() serves whole-number values (one unit bin per value).

#include <cstdint>
#include <limits>
#include <vector>

#include "engine/word_codec.hpp"

namespace banensim::engine {

class Histogram {
 public:
  Histogram() = default;
  Histogram(double low, double high, std::size_t n_bins);

  void add(double x) noexcept {
    if (x < min_) min_ = x;
    if (x > max_) max_ = x;
    ++n_;
    if (x < low_) {
      ++underflow_;
    } else if (x >= high_) {
      ++overflow_;
    } else {
      ++counts_[bin_index(x)];
    }
  }
  // Adds n values (batched tallies): the same counts, under- and overflow,
  // count, minimum and maximum as add() of each value in turn (the extremes
  // equal as values: of a -0 and a +0, either may be kept). No NaN.
  void add_batch(const double* x, std::size_t n) noexcept;
  void merge(const Histogram& other);
  // Back to empty, keeping the bins (no allocation).
  void reset() noexcept;
  // Exact state (counts sparsely: the non-zero bins only), for transport
  // between processes; decode needs a histogram with the same bins.
  void encode(WordWriter& w) const;
  void decode(WordReader& r);

  // The p-quantile, p in [0, 1]; NaN when empty.
  double quantile(double p) const;
  // The p-quantile of whole-number values kept in unit bins that start at a
  // whole number (bin i holds exactly the value low + i): the inverse CDF,
  // min{y : F(y) >= p}, a value that occurs -- not interpolated within the
  // bin, which for e.g. a year would be a fraction of a year and, rounded,
  // could name the next year. NaN when empty; the exact min/max at p = 0, 1
  // and when the quantile falls in the under- or overflow.
  double quantile_discrete(double p) const;
  std::uint64_t count() const noexcept { return n_; }
  std::uint64_t underflow() const noexcept { return underflow_; }
  std::uint64_t overflow() const noexcept { return overflow_; }
  double min() const noexcept { return min_; }
  double max() const noexcept { return max_; }
  double low() const noexcept { return low_; }
  double high() const noexcept { return high_; }
  double bin_width() const noexcept { return (high_ - low_) / static_cast<double>(counts_.size()); }
  const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }

 private:
  // Bin of x in [low, high); monotone non-decreasing in x.
  std::size_t bin_index(double x) const noexcept {
    auto i = static_cast<std::size_t>((x - low_) * inv_width_);
    return i >= counts_.size() ? counts_.size() - 1 : i;  // guards x just below high_
  }
  // Bins [first, last) that can hold counts: those from the bin of the exact
  // minimum to the bin of the exact maximum (bin_index is monotone), so merge,
  // reset and encode touch only the occupied stretch -- a block of 1,024
  // paths fills a few hundred of a few thousand bins. Invariant: every count
  // outside this range is zero.
  struct BinRange {
    std::size_t first = 0;
    std::size_t last = 0;
  };
  BinRange occupied_bins() const noexcept {
    if (n_ == 0 || max_ < low_ || min_ >= high_) return {};
    return {min_ < low_ ? 0 : bin_index(min_), max_ >= high_ ? counts_.size() : bin_index(max_) + 1};
  }

  double low_ = 0.0;
  double high_ = 1.0;
  double inv_width_ = 1.0;
  std::vector<std::uint64_t> counts_;
  std::uint64_t n_ = 0;
  std::uint64_t underflow_ = 0;
  std::uint64_t overflow_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace banensim::engine
