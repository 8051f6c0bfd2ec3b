#pragma once
// The text renderings of a run or comparison (studies/scenario_run.hpp): the
// table for a terminal and the tidy CSV (docs/OUTPUT.md); the JSON is
// studies::run_json.

#include <string>

#include "studies/scenario_run.hpp"

namespace banensim::app {

std::string render_table(const studies::ScenarioRun& run);
std::string render_csv(const studies::ScenarioRun& run);

}  // namespace banensim::app
