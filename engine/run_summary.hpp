#pragma once
// Turns a RunResult into plain, documented JSON (nlohmann::json) and into
// aligned text tables. Field names are part of the program's interface (see
// docs/OUTPUT.md) and stay stable.
//
// Every probability is reported with its 95% Wilson interval; every mean
// with its standard error; paired differences with a normal interval from
// the per-path differences.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/histogram.hpp"
#include "engine/model.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/proportion.hpp"

namespace banensim::engine {

// Quantile levels reported for every distribution.
inline constexpr double kQuantileLevels[] = {0.05, 0.25, 0.5, 0.75, 0.95};

// The p-quantile of a histogram as reported: interpolated within the bin, or
// for a whole-number scalar (ScalarSpec::whole_numbers) the inverse CDF; only
// a bound when it lies among values outside the histogram's range.
inline QuantileEstimate summary_quantile(const Histogram& h, double p, bool whole_numbers) {
  return whole_numbers ? h.quantile_discrete_estimate(p) : h.quantile_estimate(p);
}

// A quantile as text in every format: number(value), or, when only a bound
// is known, ">=" or "<" followed by `space` and number(bound) -- never a
// number that reads as the quantile itself. `space` is "" in CSV cells
// (">=400000"), " " in tables (">= 400,000").
std::string quantile_text(const QuantileEstimate& q, const std::function<std::string(double)>& number,
                          const std::string& space = " ");

// The distribution of a whole-number scalar (ScalarSpec::whole_numbers: one
// unit bin per value) over all `n_paths` paths, value by value: how many
// paths have exactly that value, and P(X <= value) -- a path on which the
// scalar is absent (optional scalars) counts as never <= any value. The
// counts are exact, so each P(X <= value) is a binomial proportion with its
// Wilson interval (e.g. P(the target is reached by year Y)). One point per
// bin of the histogram's range, ascending.
struct CumulativePoint {
  double value = 0;
  std::uint64_t at_value = 0;  // paths with exactly this value
  Proportion up_to_value;      // paths with a value <= this one, of all paths
};
std::vector<CumulativePoint> cumulative_by_value(const Histogram& whole_numbers, std::uint64_t n_paths);

// The paired difference of P(X <= value) between variant k >= 1 and the
// reference for a whole-number scalar X, value by value over its histogram's
// range (PairedTally::cumulative_pair): the per-path differences' summary
// (mean = the difference of the two cumulative proportions, exactly; its
// normal 95% interval by mean_interval) and the shares of paths on which
// only the variant, or only the reference, has X <= value.
struct CumulativeDifference {
  double value = 0;
  RunningStats difference;
  Proportion variant_only;
  Proportion reference_only;
};
std::vector<CumulativeDifference> cumulative_difference(const PairedTally& tally, std::size_t k, std::size_t i_scalar,
                                                        const OutputLayout& layout);

// Summary of one variant's Tally: {"indicators": {...}, "scalars": {...},
// "series": {...}}; see docs/OUTPUT.md for the fields.
nlohmann::json tally_json(const Tally& tally, const OutputLayout& layout);

// Paired comparison of variant k >= 1 against variant 0.
nlohmann::json paired_json(const PairedTally& tally, std::size_t k, const OutputLayout& layout);

// Largest 95% half-width over every indicator of every variant and every
// paired indicator difference: what --precision compares with.
double max_half_width(const PairedTally& tally);

// Right-aligns columns of a text table; the first row is the header.
std::string format_table(const std::vector<std::vector<std::string>>& rows, std::size_t n_left_aligned = 1);

}  // namespace banensim::engine
