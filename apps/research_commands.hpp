#pragma once
// The researchers' commands of banensim:
//
//   sweep     a grid or one-at-a-time (tornado) sweep of any parameters by
//             their dotted names, on common random numbers; one CSV row per
//             point, appended and synced as each completes; --resume
//             continues an interrupted sweep to the same bytes.
//   sensitivity  global sensitivity (Sobol' or Morris) of P(reach) and the
//             mean total to the uncertain parameters over their plausible
//             ranges; one CSV row per design point, resumable.
//   discover  scenario discovery: a Sobol' sample of the plausible ranges,
//             then PRIM on "P(reach) >= threshold"; resumable like sweep.
//
// All return the process exit code and throw UsageError / InputError for bad
// input (main maps those to exit code 2). docs/BACKTEST_AND_SWEEPS.md
// describes the method of sweep, docs/ANALYSIS.md those of sensitivity and
// discover, docs/OUTPUT.md the columns. (backtest: apps/backtest_command.hpp.)

#include <string>
#include <vector>

namespace banensim::app {

int cmd_sweep(const std::vector<std::string>& args);
int cmd_sensitivity(const std::vector<std::string>& args);
int cmd_discover(const std::vector<std::string>& args);

}  // namespace banensim::app
