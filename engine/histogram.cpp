#include "engine/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/simd.hpp"

namespace banensim::engine {

Histogram::Histogram(double low, double high, std::size_t n_bins)
    : low_(low), high_(high), counts_(n_bins, 0) {
  if (!(std::isfinite(low) && std::isfinite(high) && low < high) || n_bins == 0) {
    throw std::invalid_argument("Histogram: need finite low < high and n_bins > 0, got [" +
                                std::to_string(low) + ", " + std::to_string(high) + ") with " +
                                std::to_string(n_bins) + " bins");
  }
  inv_width_ = static_cast<double>(n_bins) / (high - low);
}

BANENSIM_LANE_KERNEL void Histogram::add_batch(const double* x, std::size_t n) noexcept {
  // Pass 1, in vectors (engine/simd.hpp): the extremes, and each value's code
  // -1 below low, n_bins at or above high, else its bin -- bin_index() of
  // add(): the truncation of (x - low) / width, at most n_bins - 1, clamped
  // as a double before it is converted. Pass 2 counts the codes.
  using namespace simd;
  const double nb = static_cast<double>(counts_.size());
  const Doubles low = splat(low_), high = splat(high_), inv_width = splat(inv_width_);
  const Doubles last_bin = splat(nb - 1.0), below = splat(-1.0), above = splat(nb), zero = splat(0.0);
  constexpr std::size_t kChunk = 256;
  double code[kChunk];
  Doubles lo = splat(min_), hi = splat(max_);
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t len = n - start < kChunk ? n - start : kChunk;
    const double* v = x + start;
    std::size_t i = 0;
    for (; i + kWidth <= len; i += kWidth) {
      const Doubles xv = load(v + i);
      const Doubles bin = clamp((xv - low) * inv_width, zero, last_bin);
      store(code + i, select(xv < low, below, select(xv >= high, above, bin)));
      lo = select(xv < lo, xv, lo);
      hi = select(xv > hi, xv, hi);
    }
    for (; i < len; ++i) {
      const double t = (v[i] - low_) * inv_width_;
      const double bin = t < 0.0 ? 0.0 : (t > nb - 1.0 ? nb - 1.0 : t);
      code[i] = v[i] < low_ ? -1.0 : (v[i] >= high_ ? nb : bin);
      if (v[i] < min_) min_ = v[i];
      if (v[i] > max_) max_ = v[i];
    }
    for (i = 0; i < len; ++i) {
      const auto c = static_cast<std::int64_t>(code[i]);
      if (c < 0) {
        ++underflow_;
      } else if (static_cast<std::size_t>(c) == counts_.size()) {
        ++overflow_;
      } else {
        ++counts_[static_cast<std::size_t>(c)];
      }
    }
  }
  for (std::size_t k = 0; k < kWidth; ++k) {
    if (lo[k] < min_) min_ = lo[k];
    if (hi[k] > max_) max_ = hi[k];
  }
  n_ += n;
}

void Histogram::reset() noexcept {
  const BinRange used = occupied_bins();
  std::fill(counts_.begin() + static_cast<std::ptrdiff_t>(used.first),
            counts_.begin() + static_cast<std::ptrdiff_t>(used.last), 0);
  n_ = underflow_ = overflow_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

void Histogram::encode(WordWriter& w) const {
  w.put(n_);
  w.put(underflow_);
  w.put(overflow_);
  w.put_double(min_);
  w.put_double(max_);
  w.put(counts_.size());
  const BinRange used = occupied_bins();
  std::uint64_t nonzero = 0;
  for (std::size_t i = used.first; i < used.last; ++i) nonzero += counts_[i] != 0 ? 1U : 0U;
  w.put(nonzero);
  for (std::size_t i = used.first; i < used.last; ++i) {
    if (counts_[i] == 0) continue;
    w.put(i);
    w.put(counts_[i]);
  }
}

void Histogram::decode(WordReader& r) {
  n_ = r.get();
  underflow_ = r.get();
  overflow_ = r.get();
  min_ = r.get_double();
  max_ = r.get_double();
  if (r.get() != counts_.size()) throw std::runtime_error("Histogram::decode: encoded histogram has different bins");
  std::fill(counts_.begin(), counts_.end(), 0);
  const BinRange used = occupied_bins();
  const std::uint64_t nonzero = r.get();
  for (std::uint64_t k = 0; k < nonzero; ++k) {
    const std::uint64_t i = r.get();
    if (i < used.first || i >= used.last) {
      throw std::runtime_error("Histogram::decode: bin index outside the bins of the encoded minimum and maximum");
    }
    counts_[i] = r.get();
  }
}

void Histogram::merge(const Histogram& other) {
  if (other.n_ == 0) return;
  if (other.counts_.size() != counts_.size() || other.low_ != low_ || other.high_ != high_) {
    throw std::invalid_argument("Histogram::merge: histograms have different bins");
  }
  const BinRange used = other.occupied_bins();
  for (std::size_t i = used.first; i < used.last; ++i) counts_[i] += other.counts_[i];
  n_ += other.n_;
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

double Histogram::quantile(double p) const {
  if (n_ == 0) return std::nan("");
  if (p <= 0.0) return min_;
  if (p >= 1.0) return max_;
  // Rank target in [0, n]; values inside a bin are taken as spread uniformly
  // over it, clipped to the exact [min, max] so a narrow distribution is not
  // widened to whole bins.
  const double target = p * static_cast<double>(n_);
  double cumulative = static_cast<double>(underflow_);
  if (target <= cumulative) return min_;
  const double width = bin_width();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const double c = static_cast<double>(counts_[i]);
    if (c > 0 && target <= cumulative + c) {
      double lo = low_ + static_cast<double>(i) * width;
      double hi = lo + width;
      if (lo < min_) lo = min_;
      if (hi > max_) hi = max_;
      return lo + (hi - lo) * (target - cumulative) / c;
    }
    cumulative += c;
  }
  return max_;
}

double Histogram::quantile_discrete(double p) const {
  if (n_ == 0) return std::nan("");
  if (p <= 0.0) return min_;
  if (p >= 1.0) return max_;
  // F(y) >= p  <=>  (values <= y) >= p * n. Counts are exact integers, so
  // compare them against the smallest whole count that satisfies it; the
  // product is taken down by a few ulps first, so that e.g. p = 0.3 of 10
  // values (3.0000000000000004 in doubles) needs 3, not 4 (R's type-1
  // quantile does the same).
  const double target = p * static_cast<double>(n_);
  const auto needed = static_cast<std::uint64_t>(
      std::ceil(target - 4.0 * std::numeric_limits<double>::epsilon() * target));
  std::uint64_t cumulative = underflow_;
  if (cumulative >= needed) return min_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (counts_[i] > 0 && cumulative >= needed) return low_ + static_cast<double>(i) * bin_width();
  }
  return max_;
}

}  // namespace banensim::engine
