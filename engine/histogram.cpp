#include "engine/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/simd.hpp"

namespace banensim::engine {

namespace {
// Level-0 coordinates beyond this are outside every level (and would not fit
// an int64 once shifted).
constexpr double kMaxCoordinate = 0x1p61;
constexpr std::size_t kMaxGrowingBins = std::size_t{1} << 20;
}  // namespace

Histogram::Histogram(double low, double high, std::size_t n_bins, Range range)
    : low0_(low), high0_(high), n_bins_d_(static_cast<double>(n_bins)), growing_(range == Range::kGrowing),
      counts_(n_bins, 0) {
  if (!(std::isfinite(low) && std::isfinite(high) && low < high) || n_bins == 0) {
    throw std::invalid_argument("Histogram: need finite low < high and n_bins > 0, got [" +
                                std::to_string(low) + ", " + std::to_string(high) + ") with " +
                                std::to_string(n_bins) + " bins");
  }
  if (growing_ && (n_bins % 2 != 0 || n_bins > kMaxGrowingBins)) {
    throw std::invalid_argument("Histogram: a growing range needs an even bin count of at most 2^20, got " +
                                std::to_string(n_bins));
  }
  inv_width0_ = static_cast<double>(n_bins) / (high - low);
}

double Histogram::low() const noexcept {
  if (level_ == 0) return low0_;
  return low0_ - (std::ldexp(1.0, level_) - 1.0) * ((high0_ - low0_) / 2);
}

double Histogram::high() const noexcept {
  if (level_ == 0) return high0_;
  return high0_ + (std::ldexp(1.0, level_) - 1.0) * ((high0_ - low0_) / 2);
}

double Histogram::bin_width() const noexcept {
  return std::ldexp((high0_ - low0_) / static_cast<double>(counts_.size()), level_);
}

void Histogram::add_outside_level0(double x, double t) noexcept {
  if (!growing_) {
    if (!(x >= low0_)) {
      ++underflow_;
    } else if (x >= high0_) {
      ++overflow_;
    } else {
      ++counts_[counts_.size() - 1];  // x just below high, whose coordinate rounds up to n
    }
    return;
  }
  if (!(std::abs(t) < kMaxCoordinate)) {
    ++(t < 0 ? underflow_ : overflow_);
    return;
  }
  const auto j = static_cast<std::int64_t>(std::floor(t));
  const auto n = static_cast<std::int64_t>(counts_.size());
  for (int level = level_; level <= kMaxLevel; ++level) {
    const std::int64_t b = index_at(j, level);
    if (b >= 0 && b < n) {
      if (level > level_) coarsen_to(level);
      ++counts_[static_cast<std::size_t>(b)];
      return;
    }
  }
  ++(j < 0 ? underflow_ : overflow_);
}

void Histogram::coarsen_to(int level) noexcept {
  // Bin b of the next level holds bins 2b - n/2 and 2b - n/2 + 1 of this
  // one. Upper half in ascending order and lower half in descending order,
  // so every count is read before its cell is overwritten.
  const auto n = static_cast<std::int64_t>(counts_.size());
  const std::int64_t half = n / 2;
  auto source = [&](std::int64_t i) { return i >= 0 && i < n ? counts_[static_cast<std::size_t>(i)] : 0; };
  for (; level_ < level; ++level_) {
    for (std::int64_t b = half; b < n; ++b) {
      counts_[static_cast<std::size_t>(b)] = source(2 * b - half) + source(2 * b - half + 1);
    }
    for (std::int64_t b = half - 1; b >= 0; --b) {
      counts_[static_cast<std::size_t>(b)] = source(2 * b - half) + source(2 * b - half + 1);
    }
  }
}

std::size_t Histogram::clamped_bin(double x) const noexcept {
  const double t = (x - low0_) * inv_width0_;
  const std::size_t last = counts_.size() - 1;
  if (!(std::abs(t) < kMaxCoordinate)) return t < 0 ? 0 : last;
  const std::int64_t b = index_at(static_cast<std::int64_t>(std::floor(t)), level_);
  return b < 0 ? 0 : b > static_cast<std::int64_t>(last) ? last : static_cast<std::size_t>(b);
}

Histogram::BinRange Histogram::occupied_bins() const noexcept {
  if (n_ == 0) return {};
  return {clamped_bin(min_), clamped_bin(max_) + 1};
}

BANENSIM_LANE_KERNEL void Histogram::add_batch(const double* x, std::size_t n) noexcept {
  // Pass 1, in vectors (engine/simd.hpp): the extremes, and each value's
  // level-0 coordinate t = (x - low0) / width0 -- the expression of add(),
  // evaluated the same way (no contraction), so the same bits -- and whether
  // every t of the chunk lies in [0, n_bins). Pass 2 counts each value
  // exactly as add() does: when the histogram is at level 0 and the whole
  // chunk is inside, bin floor(t) of each (a loop with no branch and the
  // histogram's fields in registers); otherwise value by value, in order
  // (growing the range if needed). Counts are sums, so either way the same.
  using namespace simd;
  const Doubles low0 = splat(low0_), inv_width0 = splat(inv_width0_);
  const Doubles zero = splat(0.0), n_bins = splat(n_bins_d_);
  constexpr std::size_t kChunk = 256;
  double coordinate[kChunk];
  Doubles lo = splat(min_), hi = splat(max_);
  std::uint64_t* const counts = counts_.data();
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t len = n - start < kChunk ? n - start : kChunk;
    const double* v = x + start;
    Mask inside = zero == zero;
    std::size_t i = 0;
    for (; i + kWidth <= len; i += kWidth) {
      const Doubles xv = load(v + i);
      const Doubles t = (xv - low0) * inv_width0;
      store(coordinate + i, t);
      inside &= (t >= zero) & (t < n_bins);
      const Doubles e = xv + zero;  // -0 -> +0, as in add()
      lo = select(e < lo, e, lo);
      hi = select(e > hi, e, hi);
    }
    bool all_inside = level_ == 0;
    for (std::size_t k = 0; k < kWidth; ++k) all_inside = all_inside && inside[k] != 0;
    for (; i < len; ++i) {
      coordinate[i] = (v[i] - low0_) * inv_width0_;
      all_inside = all_inside && coordinate[i] >= 0.0 && coordinate[i] < n_bins_d_;
      const double e = v[i] + 0.0;
      if (e < min_) min_ = e;
      if (e > max_) max_ = e;
    }
    if (all_inside) {
      for (i = 0; i < len; ++i) ++counts[static_cast<std::size_t>(coordinate[i])];
      continue;
    }
    for (i = 0; i < len; ++i) {
      const double t = coordinate[i];
      if (level_ == 0 && t >= 0.0 && t < n_bins_d_) {
        ++counts_[static_cast<std::size_t>(t)];
      } else {
        add_outside_level0(v[i], t);
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
  level_ = 0;
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
  w.put(static_cast<std::uint64_t>(level_));
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
  const std::uint64_t level = r.get();
  if (level > static_cast<std::uint64_t>(kMaxLevel) || (level > 0 && !growing_)) {
    throw std::runtime_error("Histogram::decode: level " + std::to_string(level) + " is not possible here");
  }
  level_ = static_cast<int>(level);
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
  if (other.counts_.size() != counts_.size() || other.low0_ != low0_ || other.high0_ != high0_ ||
      other.growing_ != growing_) {
    throw std::invalid_argument("Histogram::merge: histograms have different bins");
  }
  if (other.level_ > level_) coarsen_to(other.level_);
  const BinRange used = other.occupied_bins();
  if (other.level_ == level_) {  // bin for bin (the common case): a loop the compiler vectorises
    std::uint64_t* const to = counts_.data();
    const std::uint64_t* const from = other.counts_.data();
    for (std::size_t i = used.first; i < used.last; ++i) to[i] += from[i];
  } else {
    const std::size_t half = counts_.size() / 2;
    for (std::size_t i = used.first; i < used.last; ++i) {
      if (other.counts_[i] == 0) continue;
      std::size_t b = i;
      for (int k = other.level_; k < level_; ++k) b = (b + half) / 2;
      counts_[b] += other.counts_[i];
    }
  }
  n_ += other.n_;
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

QuantileEstimate Histogram::quantile_estimate(double p) const {
  using Kind = QuantileEstimate::Kind;
  if (n_ == 0) return {};
  if (p <= 0.0) return {Kind::kValue, min_};
  if (p >= 1.0) return {Kind::kValue, max_};
  // Rank target in [0, n]; values inside a bin are taken as spread uniformly
  // over it, clipped to the exact [min, max] so a narrow distribution is not
  // widened to whole bins.
  const double target = p * static_cast<double>(n_);
  double cumulative = static_cast<double>(underflow_);
  if (target <= cumulative) return {Kind::kBelow, low()};  // among the values below the range
  const double width = bin_width();
  const double left = low();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const double c = static_cast<double>(counts_[i]);
    if (c > 0 && target <= cumulative + c) {
      double lo = left + static_cast<double>(i) * width;
      double hi = lo + width;
      if (lo < min_) lo = min_;
      if (hi > max_) hi = max_;
      return {Kind::kValue, lo + (hi - lo) * (target - cumulative) / c};
    }
    cumulative += c;
  }
  // Past every bin: among the values above the range (or, with none there,
  // the rounding of the last bin's share: the maximum).
  if (overflow_ > 0) return {Kind::kAtLeast, high()};
  return {Kind::kValue, max_};
}

double Histogram::cdf(double x) const noexcept {
  if (n_ == 0 || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x < min_) return 0.0;
  if (x >= max_) return 1.0;
  const double n = static_cast<double>(n_);
  // A stretch [lo, hi) holding `count` values, clipped to [min, max]: the
  // share of it at or below x.
  const auto part = [&](double lo, double hi, double count) {
    lo = std::max(lo, min_);
    hi = std::min(hi, max_);
    if (count == 0 || x < lo) return 0.0;
    if (x >= hi || hi <= lo) return count;
    return count * (x - lo) / (hi - lo);
  };
  const double left = low(), width = bin_width();
  double below = part(min_, left, static_cast<double>(underflow_));
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const double lo = left + static_cast<double>(i) * width;
    if (x < lo) break;
    below += part(lo, lo + width, static_cast<double>(counts_[i]));
  }
  below += part(high(), max_, static_cast<double>(overflow_));
  return std::min(1.0, below / n);
}

QuantileEstimate Histogram::quantile_discrete_estimate(double p) const {
  using Kind = QuantileEstimate::Kind;
  if (n_ == 0) return {};
  if (p <= 0.0) return {Kind::kValue, min_};
  if (p >= 1.0) return {Kind::kValue, max_};
  // F(y) >= p  <=>  (values <= y) >= p * n. Counts are exact integers, so
  // compare them against the smallest whole count that satisfies it; the
  // product is taken down by a few ulps first, so that e.g. p = 0.3 of 10
  // values (3.0000000000000004 in doubles) needs 3, not 4 (R's type-1
  // quantile does the same).
  const double target = p * static_cast<double>(n_);
  const auto needed = static_cast<std::uint64_t>(
      std::ceil(target - 4.0 * std::numeric_limits<double>::epsilon() * target));
  std::uint64_t cumulative = underflow_;
  if (cumulative >= needed) return {Kind::kBelow, low()};
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (counts_[i] > 0 && cumulative >= needed) return {Kind::kValue, low() + static_cast<double>(i) * bin_width()};
  }
  if (overflow_ > 0) return {Kind::kAtLeast, high()};
  return {Kind::kValue, max_};
}

}  // namespace banensim::engine
