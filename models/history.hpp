#pragma once
// Readers for the monitor history and the legal target path (CSV, see
// data/SOURCES.md; the reading itself is models/csv_table.hpp). Strict: a
// header row with the required columns, one row per year, years 2013-2100,
// consecutive and unique, counts finite, >= 0 and at most 10^7, each row's
// total the sum of its two sectors up to rounding (10 jobs or 0.1%,
// whichever is larger). Every problem is reported with file, line, column
// and column name (InputError). Extra columns are ignored; a newer file with
// more years needs no code change.

#include <filesystem>
#include <string>
#include <vector>

#include "models/csv_table.hpp"
#include "models/problem.hpp"

namespace banensim::models {

// One yearly measurement (reference date: 31 December of `year`), in extra
// jobs above the baseline of 1 January 2013.
struct HistoryYear {
  int year = 0;
  double market_target = 0;
  double government_target = 0;
  double market_counted = 0;
  double government_counted = 0;
  double total_counted = 0;
};

struct History {
  std::string file;
  std::vector<HistoryYear> years;  // ascending, consecutive
  int first_year() const { return years.front().year; }
  int last_year() const { return years.back().year; }
};

// Columns: year, market_target, government_target, market_counted,
// government_counted, total_counted (others ignored).
History read_history(const std::filesystem::path& file);
// The same, from a data file as a scenario read it (ResolvedScenario::data_file).
History read_history(const DataFile& file);

struct TargetYear {
  int year = 0;
  double market = 0;
  double government = 0;
  double total = 0;
};

struct TargetPath {
  std::string file;
  std::vector<TargetYear> years;  // ascending, consecutive
};

// Columns: year, market, government, total (others ignored).
TargetPath read_targets(const std::filesystem::path& file);
TargetPath read_targets(const DataFile& file);

// A target path must hold every measured year from the monitor's first
// measurement on (first_simulated_year, or first_history_year when later:
// before any measurement no target applied; the model measures the observed
// years too, when it replays them for the quota states); after its last row
// the last targets hold (the legal end state). Returns the problem naming the missing
// years, placed at `where` under `key` (the scenario's targets.file), or
// nothing.
std::vector<Problem> target_coverage_problems(const TargetPath& targets, int first_simulated_year,
                                              int first_history_year, const SourceLocation& where,
                                              const std::string& key);

}  // namespace banensim::models
