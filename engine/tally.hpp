#pragma once
// Streaming summaries of every output in an OutputLayout, for one model
// (Tally) and for several models on the same paths (PairedTally, for common
// random numbers). Memory is fixed by the layout, never by the path count.

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch_model.hpp"
#include "engine/histogram.hpp"
#include "engine/model.hpp"
#include "engine/proportion.hpp"
#include "engine/running_stats.hpp"

namespace banensim::engine {

// Thrown when a model writes a non-finite value where one is not allowed.
// Carries what is needed to reproduce the path.
class NonFiniteError : public std::runtime_error {
 public:
  NonFiniteError(std::string output, std::uint64_t i_path, std::uint64_t seed, std::size_t variant);
  std::string output;
  std::uint64_t i_path;
  std::uint64_t seed;
  std::size_t variant;
};

struct DistributionSummary {
  RunningStats moments;
  Histogram histogram;
  void add(double x) noexcept {
    moments.add(x);
    histogram.add(x);
  }
  void encode(WordWriter& w) const {
    moments.encode(w);
    histogram.encode(w);
  }
  void decode(WordReader& r) {
    moments.decode(r);
    histogram.decode(r);
  }
  void merge(const DistributionSummary& other) {
    moments.merge(other.moments);
    histogram.merge(other.histogram);
  }
  // n values at once: their two-pass moments merged in (Chan), their counts added.
  void add_batch(const double* x, std::size_t n) {
    moments.merge(RunningStats::of_values(x, n));
    histogram.add_batch(x, n);
  }
};

class Tally {
 public:
  Tally() = default;
  explicit Tally(const OutputLayout& layout);

  // Adds one path. Throws NonFiniteError (with i_path and seed) when a
  // series or a non-optional scalar is not finite.
  void add(const PathRecord& record, std::uint64_t i_path, std::uint64_t seed, std::size_t variant = 0);
  // Batched adds, for batch models (engine/batch_model.hpp): the lanes of
  // one batch, paths first_path .. first_path + n - 1. Every series value of
  // a step comes with add_series_batch (one call per series and step), then
  // add_outputs_batch adds the scalars and indicators and counts the paths.
  // The moments of a batch are its two-pass moments (RunningStats::of_values)
  // merged in with Chan's formula. Both throw NonFiniteError naming the
  // lowest lane's path with a non-finite value (where one is not allowed)
  // before adding anything of that call.
  void add_series_batch(std::size_t i_series, std::size_t i_step, const double* x, std::size_t n,
                        std::uint64_t first_path, std::uint64_t seed, std::size_t variant = 0);
  void add_outputs_batch(const BatchRecord& record, std::uint64_t first_path, std::uint64_t seed,
                         std::size_t variant = 0);
  void merge(const Tally& other);
  // Back to no paths, keeping the layout and storage (no allocation).
  void reset() noexcept;
  // Exact state, for transport between processes; decode needs a tally made
  // from the same layout.
  void encode(WordWriter& w) const;
  void decode(WordReader& r);

  std::uint64_t n_paths() const noexcept { return n_paths_; }
  std::size_t n_steps() const noexcept { return n_steps_; }
  std::size_t n_indicators() const noexcept { return indicators_.size(); }
  const DistributionSummary& series(std::size_t i_series, std::size_t i_step) const {
    return series_[i_series * n_steps_ + i_step];
  }
  const DistributionSummary& scalar(std::size_t i) const { return scalars_[i]; }
  // For optional scalars: present (finite) on how many paths.
  const Proportion& scalar_present(std::size_t i) const { return scalar_present_[i]; }
  const Proportion& indicator(std::size_t i) const { return indicators_[i]; }

 private:
  std::uint64_t n_paths_ = 0;
  std::size_t n_steps_ = 0;
  const OutputLayout* layout_ = nullptr;  // for naming outputs in errors; outlives the run
  std::vector<DistributionSummary> series_;  // [i_series * n_steps + i_step]
  std::vector<DistributionSummary> scalars_;
  std::vector<Proportion> scalar_present_;
  std::vector<Proportion> indicators_;
  std::vector<unsigned char> optional_;
};

// Paired comparison of one variant against the reference on the same paths.
struct IndicatorPair {
  RunningStats difference;          // of (variant - reference) in {-1, 0, 1}
  Proportion variant_only;          // variant yes, reference no
  Proportion reference_only;        // reference yes, variant no
  void encode(WordWriter& w) const {
    difference.encode(w);
    variant_only.encode(w);
    reference_only.encode(w);
  }
  void decode(WordReader& r) {
    difference.decode(r);
    variant_only.decode(r);
    reference_only.decode(r);
  }
  void merge(const IndicatorPair& other) {
    difference.merge(other.difference);
    variant_only.merge(other.variant_only);
    reference_only.merge(other.reference_only);
  }
};

// Paired comparison of a whole-number scalar (ScalarSpec::whole_numbers)
// against the reference, value by value: for value v = low + j of the
// scalar's histogram range, variant_only[j] counts the paths on which the
// variant's scalar is <= v and the reference's is not, reference_only[j] the
// reverse. A value is compared as "<= v" the way engine::cumulative_by_value
// counts it: an absent value (optional scalars) is <= no value, one below
// the range <= every value, one above it <= none. So P_variant(X <= v) -
// P_reference(X <= v) is the mean of a per-path difference in {-1, 0, 1}
// (e.g. how much an option changes P(the target is reached by year Y), on
// the same paths).
struct CumulativePair {
  std::vector<std::uint64_t> variant_only;
  std::vector<std::uint64_t> reference_only;
  void encode(WordWriter& w) const {
    for (std::uint64_t c : variant_only) w.put(c);
    for (std::uint64_t c : reference_only) w.put(c);
  }
  void decode(WordReader& r) {
    for (std::uint64_t& c : variant_only) c = r.get();
    for (std::uint64_t& c : reference_only) c = r.get();
  }
  void merge(const CumulativePair& other) noexcept {
    for (std::size_t j = 0; j < variant_only.size(); ++j) variant_only[j] += other.variant_only[j];
    for (std::size_t j = 0; j < reference_only.size(); ++j) reference_only[j] += other.reference_only[j];
  }
  void reset() noexcept {
    std::fill(variant_only.begin(), variant_only.end(), 0);
    std::fill(reference_only.begin(), reference_only.end(), 0);
  }
};

class PairedTally {
 public:
  PairedTally() = default;
  PairedTally(const OutputLayout& layout, std::size_t n_variants);

  // records[k] is variant k's record of the same path; variant 0 is the reference.
  void add(const std::vector<PathRecord>& records, std::uint64_t i_path, std::uint64_t seed);
  // Batched adds (see Tally): variant k's series values of one step, then
  // every variant's scalars and indicators of the batch (records[k] is
  // variant k's record of the same lanes) with their paired statistics.
  void add_series_batch(std::size_t variant, std::size_t i_series, std::size_t i_step, const double* x,
                        std::size_t n, std::uint64_t first_path, std::uint64_t seed) {
    variants_[variant].add_series_batch(i_series, i_step, x, n, first_path, seed, variant);
  }
  void add_outputs_batch(const std::vector<BatchRecord>& records, std::uint64_t first_path, std::uint64_t seed);
  void merge(const PairedTally& other);
  void reset() noexcept;
  void encode(WordWriter& w) const;
  void decode(WordReader& r);

  std::size_t n_variants() const noexcept { return variants_.size(); }
  std::uint64_t n_paths() const noexcept { return variants_.empty() ? 0 : variants_[0].n_paths(); }
  const Tally& variant(std::size_t k) const { return variants_[k]; }
  // Paired statistics of variant k (k >= 1) against variant 0.
  const IndicatorPair& indicator_pair(std::size_t k, std::size_t i_indicator) const {
    return pairs_[(k - 1) * n_indicators_ + i_indicator];
  }
  // Paired difference (variant k - reference) of a non-optional scalar.
  const RunningStats& scalar_difference(std::size_t k, std::size_t i_scalar) const {
    return scalar_diffs_[(k - 1) * n_scalars_ + i_scalar];
  }
  // Value-by-value paired counts of a whole-number scalar (variant k >= 1
  // against variant 0); throws std::invalid_argument for any other scalar.
  const CumulativePair& cumulative_pair(std::size_t k, std::size_t i_scalar) const;

 private:
  std::vector<Tally> variants_;
  std::size_t n_indicators_ = 0;
  std::size_t n_scalars_ = 0;
  std::vector<IndicatorPair> pairs_;
  std::vector<RunningStats> scalar_diffs_;
  std::vector<unsigned char> optional_;
  // The whole-number scalars: their indices, histogram low edges and
  // numbers of values; cumulative_pairs_[(k - 1) * whole_.size() + j].
  struct WholeScalar {
    std::size_t i_scalar;
    double low;
    std::size_t n_values;
  };
  std::vector<WholeScalar> whole_;
  std::vector<CumulativePair> cumulative_pairs_;
  void add_cumulative(std::size_t k, std::size_t j, double variant, double reference) noexcept;
};

// Normal-approximation interval mean +- z * se for a paired mean difference;
// [0, 0] when every difference is 0.
Interval mean_interval(const RunningStats& s, double z = kZ95) noexcept;

}  // namespace banensim::engine
