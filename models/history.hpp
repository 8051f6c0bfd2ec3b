#pragma once
// Readers for the monitor history and the legal target path (CSV, see
// data/SOURCES.md). Strict: a header row with the required columns, one row
// per year, years consecutive and unique, counts finite and >= 0. Every
// problem is reported with file, line, column and column name (InputError).
// Extra columns are ignored; a newer file with more years needs no code change.

#include <filesystem>
#include <string>
#include <vector>

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

// A generic strict CSV table, for other data files (e.g. the quarterly trend).
struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // cells as text
  std::vector<int> row_lines;                   // 1-based file line of each row
  std::size_t column(const std::string& name) const;  // throws InputError if absent
};
CsvTable read_csv(const std::filesystem::path& file, const std::vector<std::string>& required_columns);

}  // namespace banensim::models
