#pragma once
// The text renderings of a run or comparison (studies/scenario_run.hpp): the
// table for a terminal and the tidy CSV (docs/OUTPUT.md); the JSON is
// studies::run_json.

#include <string>

#include "studies/assumption_compare.hpp"
#include "studies/scenario_run.hpp"

namespace banensim::app {

// The table's header names its intervals as Monte Carlo intervals; with
// `across_assumptions_below` it says the range over plausible assumptions
// follows, else how to get it.
std::string render_table(const studies::ScenarioRun& run, bool across_assumptions_below = false);
std::string render_csv(const studies::ScenarioRun& run);

// compare --assumptions: today's table at the scenarios' own values
// (Monte Carlo intervals) and the table over the assumption sets (ranges over
// plausible assumptions), with each option's sign rule (the CSV:
// studies::assumptions_csv).
std::string render_assumptions_table(const studies::AssumptionStudy& study, const studies::AssumptionResult& result);

}  // namespace banensim::app
