#pragma once
// `banensim backtest`: the command line of studies/backtest.hpp.
//
//   backtest SCENARIO --fit-until YEAR     one forecast origin
//   backtest SCENARIO --rolling FROM:TO    every origin FROM..TO
//
// Returns the process exit code; throws UsageError / InputError for bad
// input (main maps those to exit code 2). Method:
// docs/BACKTEST_AND_SWEEPS.md §2; outputs: docs/OUTPUT.md, "Backtest".

#include <string>
#include <vector>

namespace banensim::app {

int cmd_backtest(const std::vector<std::string>& args);

}  // namespace banensim::app
