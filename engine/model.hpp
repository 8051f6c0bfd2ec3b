#pragma once
// The contract between the engine and a model.
//
// A model is an immutable value (its parameters) that simulates one path at a
// time in annual (or other fixed) steps. The engine owns everything that
// varies per path: the model's State (made once per block of paths by
// make_state() and reused, so a path allocates nothing), the PathRandom that
// supplies purpose-keyed random streams, and the PathRecord the model writes
// its outputs into. The engine calls, for every path,
//
//   record.clear();
//   model.begin_path(state, rng, record);            // draw per-path parameters
//   for (i_step = 0; i_step < model.n_steps(); ++i_step)
//     model.step(state, i_step, rng, record);        // advance one step, record it
//   model.end_path(state, rng, record);              // per-path summaries
//
// Models must not keep mutable state of their own (all calls are const and
// may run concurrently on different States), must not own random generators
// or threads, and must take every random number from `rng` so that a path's
// numbers depend only on (seed, path index, purpose).
//
// The engine knows nothing of what the outputs mean; OutputLayout only names
// them and says how to summarise them.

#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/random_stream.hpp"

namespace banensim::engine {

// How a summary histogram treats values outside [hist_low, hist_high)
// (engine/histogram.hpp). kGrowing: the range doubles about its centre as
// often as needed to hold every path (hist_bins must be even), so the first
// range only sets the finest resolution; the result is the same at any
// thread, rank and block count. kFixed: the range stays, values outside it
// are counted, and a quantile among them is reported only as a bound.
enum class RangeRule { kGrowing, kFixed };

// A quantity with a value at every step of every path (e.g. jobs per year).
// Summarised per step by mean/variance and a histogram over [hist_low,
// hist_high) with hist_bins bins (quantile resolution = bin width), grown
// per `range`.
struct SeriesSpec {
  std::string name;
  std::string unit;
  double hist_low = 0.0;
  double hist_high = 1.0;
  std::size_t hist_bins = 1000;
  RangeRule range = RangeRule::kGrowing;
};

// One value per path (e.g. the first year a target is reached). When
// `optional`, a NaN value means "absent on this path" (e.g. never reached) and
// is counted separately instead of being an error. When `whole_numbers`, the
// values are integers kept one per unit bin (hist_low a whole number,
// hist_high - hist_low == hist_bins), and their quantiles are values that
// occur (the inverse CDF, Histogram::quantile_discrete), not interpolated;
// their range is always kFixed (unit bins).
struct ScalarSpec {
  std::string name;
  std::string unit;
  double hist_low = 0.0;
  double hist_high = 1.0;
  std::size_t hist_bins = 1000;
  bool optional = false;
  bool whole_numbers = false;
  RangeRule range = RangeRule::kGrowing;
};

// A yes/no outcome per path (e.g. the target is reached); summarised as a
// proportion with a Wilson interval.
struct IndicatorSpec {
  std::string name;
  std::string description;
};

struct OutputLayout {
  std::vector<std::string> step_labels;  // one per step, e.g. "2013"
  std::vector<SeriesSpec> series;
  std::vector<ScalarSpec> scalars;
  std::vector<IndicatorSpec> indicators;

  // The step a summary reports when none is named (a model's target year,
  // when it simulates on past it); unset: the last step.
  std::optional<std::size_t> headline_step;

  std::size_t n_steps() const noexcept { return step_labels.size(); }
  std::size_t summary_step() const noexcept {
    return headline_step && *headline_step < n_steps() ? *headline_step : n_steps() - 1;
  }
  // Index of a named output; throws std::out_of_range naming it if absent.
  std::size_t series_index(const std::string& name) const;
  std::size_t scalar_index(const std::string& name) const;
  std::size_t indicator_index(const std::string& name) const;
};

// The outputs of one path: flat, preallocated storage written by the model.
class PathRecord {
 public:
  explicit PathRecord(const OutputLayout& layout);

  void clear() noexcept;
  double& series(std::size_t i_series, std::size_t i_step) noexcept {
    return series_[i_series * n_steps_ + i_step];
  }
  double series(std::size_t i_series, std::size_t i_step) const noexcept {
    return series_[i_series * n_steps_ + i_step];
  }
  double& scalar(std::size_t i) noexcept { return scalars_[i]; }
  double scalar(std::size_t i) const noexcept { return scalars_[i]; }
  void set_indicator(std::size_t i, bool v) noexcept { indicators_[i] = v ? 1 : 0; }
  bool indicator(std::size_t i) const noexcept { return indicators_[i] != 0; }

  std::size_t n_steps() const noexcept { return n_steps_; }
  std::size_t n_series() const noexcept { return n_series_; }
  std::size_t n_scalars() const noexcept { return scalars_.size(); }
  std::size_t n_indicators() const noexcept { return indicators_.size(); }

 private:
  std::size_t n_steps_;
  std::size_t n_series_;
  std::vector<double> series_;
  std::vector<double> scalars_;
  std::vector<unsigned char> indicators_;
};

template <class M>
concept PathModel = requires(const M& m, typename M::State& state, const PathRandom& rng,
                             PathRecord& record, std::size_t i_step) {
  typename M::State;
  { m.layout() } -> std::convertible_to<const OutputLayout&>;
  { m.make_state() } -> std::same_as<typename M::State>;
  m.begin_path(state, rng, record);
  m.step(state, i_step, rng, record);
  m.end_path(state, rng, record);
};

}  // namespace banensim::engine
