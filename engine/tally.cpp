#include "engine/tally.hpp"

#include <cmath>
#include <stdexcept>

#include "engine/simd.hpp"

namespace banensim::engine {

NonFiniteError::NonFiniteError(std::string output_name, std::uint64_t path, std::uint64_t run_seed,
                               std::size_t variant_index)
    : std::runtime_error("non-finite value in output '" + output_name + "' of variant " +
                         std::to_string(variant_index) + " on path " + std::to_string(path) +
                         " (seed " + std::to_string(run_seed) + "); rerun with this seed to reproduce"),
      output(std::move(output_name)),
      i_path(path),
      seed(run_seed),
      variant(variant_index) {}

namespace {

Histogram make_histogram(const std::string& name, double low, double high, std::size_t n_bins, RangeRule rule) {
  try {
    return Histogram(low, high, n_bins, rule == RangeRule::kGrowing ? Histogram::Range::kGrowing : Histogram::Range::kFixed);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("output '" + name + "': " + e.what());
  }
}

}  // namespace

Tally::Tally(const OutputLayout& layout) : n_steps_(layout.n_steps()), layout_(&layout) {
  series_.reserve(layout.series.size() * n_steps_);
  for (const SeriesSpec& s : layout.series) {
    const Histogram empty = make_histogram(s.name, s.hist_low, s.hist_high, s.hist_bins, s.range);
    for (std::size_t t = 0; t < n_steps_; ++t) series_.push_back({RunningStats{}, empty});
  }
  for (const ScalarSpec& s : layout.scalars) {
    if (s.whole_numbers && (s.hist_low != std::floor(s.hist_low) ||
                            s.hist_high - s.hist_low != static_cast<double>(s.hist_bins))) {
      throw std::invalid_argument("Tally: whole-number scalar '" + s.name +
                                  "' needs one unit bin per value from a whole-number low edge");
    }
    scalars_.push_back({RunningStats{}, make_histogram(s.name, s.hist_low, s.hist_high, s.hist_bins,
                                                       s.whole_numbers ? RangeRule::kFixed : s.range)});
    optional_.push_back(s.optional ? 1 : 0);
  }
  scalar_present_.resize(layout.scalars.size());
  indicators_.resize(layout.indicators.size());
}

void Tally::add(const PathRecord& record, std::uint64_t i_path, std::uint64_t seed, std::size_t variant) {
  // Validate the whole path before touching any summary, so a failing path
  // leaves the tally as it was.
  for (std::size_t i = 0; i < record.n_series(); ++i) {
    for (std::size_t t = 0; t < n_steps_; ++t) {
      if (!std::isfinite(record.series(i, t))) {
        throw NonFiniteError(layout_->series[i].name + " [" + layout_->step_labels[t] + "]", i_path, seed, variant);
      }
    }
  }
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    const double x = record.scalar(i);
    if (!std::isfinite(x) && !(optional_[i] && std::isnan(x))) {
      throw NonFiniteError(layout_->scalars[i].name, i_path, seed, variant);
    }
  }
  ++n_paths_;
  for (std::size_t i = 0; i < record.n_series(); ++i) {
    for (std::size_t t = 0; t < n_steps_; ++t) series_[i * n_steps_ + t].add(record.series(i, t));
  }
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    const double x = record.scalar(i);
    const bool present = !std::isnan(x);
    scalar_present_[i].add(present);
    if (present) scalars_[i].add(x);
  }
  for (std::size_t i = 0; i < indicators_.size(); ++i) indicators_[i].add(record.indicator(i));
}

namespace {

// Per-thread scratch for the batched adds (a tally is filled by one thread).
std::vector<double>& batch_scratch(std::size_t n) {
  thread_local std::vector<double> scratch;
  if (scratch.size() < n) scratch.resize(n);
  return scratch;
}

std::uint64_t count_ones(const unsigned char* v, std::size_t n) noexcept {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k += v[i];
  return k;
}

}  // namespace

BANENSIM_LANE_KERNEL void Tally::add_series_batch(std::size_t i_series, std::size_t i_step, const double* x, std::size_t n,
                             std::uint64_t first_path, std::uint64_t seed, std::size_t variant) {
  // The batch's moments first: they are finite unless a value is not (or
  // the sum overflows), so the lanes are searched only then.
  const RunningStats moments = RunningStats::of_values(x, n);
  if (!std::isfinite(moments.mean()) || !std::isfinite(moments.m2())) {
    for (std::size_t lane = 0; lane < n; ++lane) {
      if (!std::isfinite(x[lane])) {
        throw NonFiniteError(layout_->series[i_series].name + " [" + layout_->step_labels[i_step] + "]",
                             first_path + lane, seed, variant);
      }
    }
  }
  DistributionSummary& d = series_[i_series * n_steps_ + i_step];
  d.moments.merge(moments);
  d.histogram.add_batch(x, n);
}

void Tally::add_outputs_batch(const BatchRecord& record, std::uint64_t first_path, std::uint64_t seed,
                              std::size_t variant) {
  const std::size_t n = record.n_lanes();
  // Validate everything first: a failing batch leaves the counts as they were.
  for (std::size_t lane = 0; lane < n; ++lane) {
    for (std::size_t i = 0; i < scalars_.size(); ++i) {
      const double x = record.scalar(i)[lane];
      if (!std::isfinite(x) && !(optional_[i] && std::isnan(x))) {
        throw NonFiniteError(layout_->scalars[i].name, first_path + lane, seed, variant);
      }
    }
    for (std::size_t i = 0; i < indicators_.size(); ++i) {
      if (record.indicator(i)[lane] > 1) {
        throw std::logic_error("indicator '" + layout_->indicators[i].name + "' of variant " + std::to_string(variant) +
                               " on path " + std::to_string(first_path + lane) + " is neither 0 nor 1");
      }
    }
  }
  n_paths_ += n;
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    const double* x = record.scalar(i);
    if (!optional_[i]) {
      scalar_present_[i].add_counts(n, n);
      scalars_[i].add_batch(x, n);
      continue;
    }
    std::vector<double>& present = batch_scratch(n);
    std::size_t n_present = 0;
    for (std::size_t lane = 0; lane < n; ++lane) {
      if (!std::isnan(x[lane])) present[n_present++] = x[lane];
    }
    scalar_present_[i].add_counts(n_present, n);
    scalars_[i].add_batch(present.data(), n_present);
  }
  for (std::size_t i = 0; i < indicators_.size(); ++i) indicators_[i].add_counts(count_ones(record.indicator(i), n), n);
}

void Tally::merge(const Tally& other) {
  if (other.n_paths_ == 0) return;
  if (other.series_.size() != series_.size() || other.scalars_.size() != scalars_.size() ||
      other.indicators_.size() != indicators_.size()) {
    throw std::invalid_argument("Tally::merge: tallies of different layouts");
  }
  n_paths_ += other.n_paths_;
  for (std::size_t i = 0; i < series_.size(); ++i) series_[i].merge(other.series_[i]);
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    scalars_[i].merge(other.scalars_[i]);
    scalar_present_[i].merge(other.scalar_present_[i]);
  }
  for (std::size_t i = 0; i < indicators_.size(); ++i) indicators_[i].merge(other.indicators_[i]);
}

void Tally::reset() noexcept {
  n_paths_ = 0;
  for (auto& d : series_) {
    d.moments = RunningStats{};
    d.histogram.reset();
  }
  for (auto& d : scalars_) {
    d.moments = RunningStats{};
    d.histogram.reset();
  }
  for (auto& p : scalar_present_) p = Proportion{};
  for (auto& p : indicators_) p = Proportion{};
}

void PairedTally::reset() noexcept {
  for (Tally& t : variants_) t.reset();
  for (auto& p : pairs_) p = IndicatorPair{};
  for (auto& s : scalar_diffs_) s = RunningStats{};
  for (auto& c : cumulative_pairs_) c.reset();
}

void Tally::encode(WordWriter& w) const {
  w.put(n_paths_);
  w.put(series_.size());
  w.put(scalars_.size());
  w.put(indicators_.size());
  for (const auto& d : series_) d.encode(w);
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    scalars_[i].encode(w);
    scalar_present_[i].encode(w);
  }
  for (const auto& p : indicators_) p.encode(w);
}

void Tally::decode(WordReader& r) {
  n_paths_ = r.get();
  if (r.get() != series_.size() || r.get() != scalars_.size() || r.get() != indicators_.size()) {
    throw std::runtime_error("Tally::decode: encoded tally has a different layout");
  }
  for (auto& d : series_) d.decode(r);
  for (std::size_t i = 0; i < scalars_.size(); ++i) {
    scalars_[i].decode(r);
    scalar_present_[i].decode(r);
  }
  for (auto& p : indicators_) p.decode(r);
}

PairedTally::PairedTally(const OutputLayout& layout, std::size_t n_variants)
    : n_indicators_(layout.indicators.size()), n_scalars_(layout.scalars.size()) {
  if (n_variants == 0) throw std::invalid_argument("PairedTally: need at least one variant");
  // Each made in place rather than copied from one made first: half the
  // memory touched (making tallies is a cost of every run).
  variants_.reserve(n_variants);
  for (std::size_t k = 0; k < n_variants; ++k) variants_.emplace_back(layout);
  pairs_.resize((n_variants - 1) * n_indicators_);
  scalar_diffs_.resize((n_variants - 1) * n_scalars_);
  for (const ScalarSpec& s : layout.scalars) optional_.push_back(s.optional ? 1 : 0);
  for (std::size_t i = 0; i < layout.scalars.size(); ++i) {
    if (layout.scalars[i].whole_numbers) whole_.push_back({i, layout.scalars[i].hist_low, layout.scalars[i].hist_bins});
  }
  cumulative_pairs_.reserve((n_variants - 1) * whole_.size());
  for (std::size_t k = 1; k < n_variants; ++k) {
    for (const WholeScalar& w : whole_) {
      cumulative_pairs_.push_back(
          {std::vector<std::uint64_t>(w.n_values, 0), std::vector<std::uint64_t>(w.n_values, 0)});
    }
  }
}

namespace {

// The first j with x <= low + j, for a whole-number scalar with n values
// from low: 0 below the range, n when x is absent (NaN) or above it.
std::size_t first_value_at_or_above(double x, double low, std::size_t n) noexcept {
  if (std::isnan(x)) return n;
  const double j = std::ceil(x - low);
  if (j <= 0.0) return 0;
  if (j >= static_cast<double>(n)) return n;
  return static_cast<std::size_t>(j);
}

}  // namespace

void PairedTally::add_cumulative(std::size_t k, std::size_t j, double variant, double reference) noexcept {
  const WholeScalar& w = whole_[j];
  CumulativePair& c = cumulative_pairs_[(k - 1) * whole_.size() + j];
  const std::size_t a = first_value_at_or_above(variant, w.low, w.n_values);
  const std::size_t b = first_value_at_or_above(reference, w.low, w.n_values);
  // The variant is <= v and the reference not for v in [a, b); the reverse for [b, a).
  for (std::size_t v = a; v < b; ++v) ++c.variant_only[v];
  for (std::size_t v = b; v < a; ++v) ++c.reference_only[v];
}

const CumulativePair& PairedTally::cumulative_pair(std::size_t k, std::size_t i_scalar) const {
  for (std::size_t j = 0; j < whole_.size(); ++j) {
    if (whole_[j].i_scalar == i_scalar) return cumulative_pairs_.at((k - 1) * whole_.size() + j);
  }
  throw std::invalid_argument("PairedTally::cumulative_pair: scalar " + std::to_string(i_scalar) +
                              " is not a whole-number scalar");
}

void PairedTally::add(const std::vector<PathRecord>& records, std::uint64_t i_path, std::uint64_t seed) {
  for (std::size_t k = 0; k < variants_.size(); ++k) variants_[k].add(records[k], i_path, seed, k);
  const PathRecord& ref = records[0];
  for (std::size_t k = 1; k < variants_.size(); ++k) {
    const PathRecord& var = records[k];
    for (std::size_t i = 0; i < n_indicators_; ++i) {
      IndicatorPair& p = pairs_[(k - 1) * n_indicators_ + i];
      const bool a = var.indicator(i);
      const bool b = ref.indicator(i);
      p.difference.add(static_cast<double>(a) - static_cast<double>(b));
      p.variant_only.add(a && !b);
      p.reference_only.add(b && !a);
    }
    for (std::size_t i = 0; i < n_scalars_; ++i) {
      // Optional scalars (e.g. "first year reached") have no paired mean.
      if (!optional_[i]) scalar_diffs_[(k - 1) * n_scalars_ + i].add(var.scalar(i) - ref.scalar(i));
    }
    for (std::size_t j = 0; j < whole_.size(); ++j) {
      add_cumulative(k, j, var.scalar(whole_[j].i_scalar), ref.scalar(whole_[j].i_scalar));
    }
  }
}

void PairedTally::add_outputs_batch(const std::vector<BatchRecord>& records, std::uint64_t first_path,
                                    std::uint64_t seed) {
  for (std::size_t k = 0; k < variants_.size(); ++k) variants_[k].add_outputs_batch(records[k], first_path, seed, k);
  const BatchRecord& ref = records[0];
  const std::size_t n = ref.n_lanes();
  std::vector<double>& diff = batch_scratch(n);
  for (std::size_t k = 1; k < variants_.size(); ++k) {
    const BatchRecord& var = records[k];
    for (std::size_t i = 0; i < n_indicators_; ++i) {
      IndicatorPair& p = pairs_[(k - 1) * n_indicators_ + i];
      const unsigned char* a = var.indicator(i);
      const unsigned char* b = ref.indicator(i);
      std::uint64_t variant_only = 0;
      std::uint64_t reference_only = 0;
      for (std::size_t lane = 0; lane < n; ++lane) {
        diff[lane] = static_cast<double>(a[lane]) - static_cast<double>(b[lane]);
        variant_only += a[lane] & (1U - b[lane]);
        reference_only += b[lane] & (1U - a[lane]);
      }
      p.difference.merge(RunningStats::of_values(diff.data(), n));
      p.variant_only.add_counts(variant_only, n);
      p.reference_only.add_counts(reference_only, n);
    }
    for (std::size_t i = 0; i < n_scalars_; ++i) {
      if (optional_[i]) continue;  // no paired mean for optional scalars
      const double* a = var.scalar(i);
      const double* b = ref.scalar(i);
      for (std::size_t lane = 0; lane < n; ++lane) diff[lane] = a[lane] - b[lane];
      scalar_diffs_[(k - 1) * n_scalars_ + i].merge(RunningStats::of_values(diff.data(), n));
    }
    for (std::size_t j = 0; j < whole_.size(); ++j) {
      const double* a = var.scalar(whole_[j].i_scalar);
      const double* b = ref.scalar(whole_[j].i_scalar);
      for (std::size_t lane = 0; lane < n; ++lane) add_cumulative(k, j, a[lane], b[lane]);
    }
  }
}

void PairedTally::merge(const PairedTally& other) {
  if (other.variants_.size() != variants_.size()) {
    throw std::invalid_argument("PairedTally::merge: different numbers of variants");
  }
  for (std::size_t k = 0; k < variants_.size(); ++k) variants_[k].merge(other.variants_[k]);
  for (std::size_t i = 0; i < pairs_.size(); ++i) pairs_[i].merge(other.pairs_[i]);
  for (std::size_t i = 0; i < scalar_diffs_.size(); ++i) scalar_diffs_[i].merge(other.scalar_diffs_[i]);
  for (std::size_t i = 0; i < cumulative_pairs_.size(); ++i) cumulative_pairs_[i].merge(other.cumulative_pairs_[i]);
}

void PairedTally::encode(WordWriter& w) const {
  w.put(variants_.size());
  for (const Tally& t : variants_) t.encode(w);
  for (const auto& p : pairs_) p.encode(w);
  for (const auto& s : scalar_diffs_) s.encode(w);
  for (const auto& c : cumulative_pairs_) c.encode(w);
}

void PairedTally::decode(WordReader& r) {
  if (r.get() != variants_.size()) throw std::runtime_error("PairedTally::decode: different numbers of variants");
  for (Tally& t : variants_) t.decode(r);
  for (auto& p : pairs_) p.decode(r);
  for (auto& s : scalar_diffs_) s.decode(r);
  for (auto& c : cumulative_pairs_) c.decode(r);
}

Interval mean_interval(const RunningStats& s, double z) noexcept {
  if (s.count() == 0) return {std::nan(""), std::nan("")};
  if (s.count() == 1 || s.m2() == 0.0) return {s.mean(), s.mean()};
  const double h = z * s.std_error();
  return {s.mean() - h, s.mean() + h};
}

}  // namespace banensim::engine
