#include "models/history.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace banensim::models {

History read_history(const std::filesystem::path& file) { return read_history(read_data_file(file.string())); }

History read_history(const DataFile& file) {
  const std::string kYear = "year";
  const CsvTable table = read_csv(file, {kYear, "market_target", "government_target", "market_counted",
                                         "government_counted", "total_counted"});
  CellReader reader(table);
  History history;
  history.file = table.file;
  std::vector<int> years;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    HistoryYear row;
    row.year = reader.year(i_row, kYear);
    row.market_target = reader.count(i_row, "market_target");
    row.government_target = reader.count(i_row, "government_target");
    row.market_counted = reader.count(i_row, "market_counted");
    row.government_counted = reader.count(i_row, "government_counted");
    row.total_counted = reader.count(i_row, "total_counted");
    if (reader.ok()) {
      reader.check_sum(i_row, "total_counted", row.total_counted,
                       {{"market_counted", row.market_counted}, {"government_counted", row.government_counted}});
    }
    years.push_back(row.year);
    history.years.push_back(row);
  }
  reader.check_consecutive_years(years, kYear);
  reader.throw_if_problems();
  return history;
}

TargetPath read_targets(const std::filesystem::path& file) { return read_targets(read_data_file(file.string())); }

TargetPath read_targets(const DataFile& file) {
  const std::string kYear = "year";
  const CsvTable table = read_csv(file, {kYear, "market", "government", "total"});
  CellReader reader(table);
  TargetPath targets;
  targets.file = table.file;
  std::vector<int> years;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    TargetYear row;
    row.year = reader.year(i_row, kYear);
    row.market = reader.count(i_row, "market");
    row.government = reader.count(i_row, "government");
    row.total = reader.count(i_row, "total");
    if (reader.ok()) {
      reader.check_sum(i_row, "total", row.total, {{"market", row.market}, {"government", row.government}});
    }
    years.push_back(row.year);
    targets.years.push_back(row);
  }
  reader.check_consecutive_years(years, kYear);
  reader.throw_if_problems();
  return targets;
}

std::vector<Problem> target_coverage_problems(const TargetPath& targets, int first_simulated_year,
                                              int first_history_year, const SourceLocation& where,
                                              const std::string& key) {
  if (targets.years.empty()) return {};
  // Before the monitor's first measurement no target applied; from it on, a
  // measured year (replayed or simulated) must have its row.
  const int first_needed = std::max(first_simulated_year, first_history_year);
  const int first = targets.years.front().year;
  if (first <= first_needed) return {};
  const std::string missing =
      first - 1 == first_needed ? std::to_string(first_needed)
                                : std::to_string(first_needed) + "-" + std::to_string(first - 1);
  return {Problem{where, key, targets.file,
                  "covers " + std::to_string(first) + "-" + std::to_string(targets.years.back().year) +
                      " but the model measures the years from " + std::to_string(first_needed) + ": " +
                      missing + " would have no target (add " +
                      (first - 1 == first_needed ? "that year" : "those years") + " to the file)"}};
}

}  // namespace banensim::models
