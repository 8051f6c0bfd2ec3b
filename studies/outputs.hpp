#pragma once
// The outputs a study records and analyses at each point, named after the
// model's outputs (engine::OutputLayout: indicators, series, scalars; their
// list is docs/OUTPUT.md's) -- nothing here knows which outputs a model has.
//
//   p_INDICATOR          probability of an indicator, with its 95% Wilson
//                        interval (columns NAME, NAME_ci_low, NAME_ci_high)
//   SERIES_STAT          a series in the target year (the model's last step)
//   SERIES_STAT@YEAR     ... in another simulated year (a step label)
//   SCALAR_STAT          a per-path scalar
//   SCALAR_cdf@VALUE     a whole-number scalar's P(SCALAR <= VALUE) over all
//                        paths (absent counts as never), with its 95% Wilson
//                        interval, VALUE a whole number of its range
//   STAT: mean, std_error, sd, or pNN (the NN% quantile, 01..99; written
//   >=X or <X when only a bound is known, docs/OUTPUT.md "Quantiles").
//
// Short names the CSVs have always used: p_reach = p_reach_target, p_quota =
// p_quota_in_force_target_year, charge_mean_eur = quota_charge_total_eur_mean,
// charge_std_error_eur = quota_charge_total_eur_std_error; p_reached_by@YEAR =
// first_year_reached_cdf@YEAR (P(the target is reached by YEAR)).

#include <string>
#include <vector>

#include "engine/model.hpp"
#include "engine/results_journal.hpp"
#include "engine/tally.hpp"

namespace banensim::studies {

struct OutputSpec {
  enum class Source { kIndicator, kSeries, kScalar };
  enum class Stat { kProbability, kMean, kStdError, kSd, kQuantile };
  std::string name;    // as given; the first column's name
  Source source = Source::kIndicator;
  Stat stat = Stat::kProbability;
  std::string output;  // the model's output name
  std::string step;    // series: the step label; "" = the last step (the target year)
  double level = 0;    // quantile level in (0, 1)
  bool whole_numbers = false;  // a whole-number scalar: quantiles are values that occur
  double value = 0;            // SCALAR_cdf@VALUE (a scalar with Stat::kProbability): P(scalar <= value)

  // The columns it writes: probabilities three (estimate, interval), others one.
  std::vector<engine::JournalColumn> columns() const;
  // Its cells at one point, from variant `variant` of a run's tally.
  std::vector<std::string> cells(const engine::Tally& tally, const engine::OutputLayout& layout) const;
  // One line: what it is ("P(reach_target)", "mean of total in the target year").
  std::string description() const;
};

// Parses `name` against `layout`; throws StudyError listing the names it knows.
OutputSpec parse_output(const std::string& name, const engine::OutputLayout& layout);
std::vector<OutputSpec> parse_outputs(const std::vector<std::string>& names, const engine::OutputLayout& layout);

// The names every output of `layout` can be asked for by (for help texts).
std::string output_names_help(const engine::OutputLayout& layout);

}  // namespace banensim::studies
