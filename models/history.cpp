#include "models/history.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cmath>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>

namespace banensim::models {

namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_cells(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view cell =
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    cells.emplace_back(trim(cell));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// Years a data file may hold: from the agreement's first year (its baseline
// is 1 January 2013) to the last year a scenario can target.
constexpr int kFirstYear = 2013;
constexpr int kLastYear = 2100;
// A bound no count or target of jobs in this agreement can honestly reach.
constexpr double kMaxJobs = 1e7;

std::string whole(double x) {
  std::string digits = std::to_string(std::llround(std::abs(x))), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (x < 0 ? "-" : "") + out;
}

// Parses and checks cells of a table, collecting every problem so a file
// with several defects is fixed in one round.
class CellReader {
 public:
  explicit CellReader(const CsvTable& table) : table_(table) {}

  // A finite number >= 0: counts and targets of jobs.
  double count(std::size_t i_row, const std::string& column) {
    const auto [text, where] = cell(i_row, column);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty()) return fail(where, column, text, "must be a number (the cell is empty)");
    if (ec != std::errc() || end != text.data() + text.size()) {
      return fail(where, column, text, "must be a number");
    }
    if (!std::isfinite(value)) return fail(where, column, text, "must be finite");
    if (value < 0) return fail(where, column, text, "must be >= 0");
    if (value > kMaxJobs) {
      return fail(where, column, text, "must be at most 10,000,000 (no count of jobs in the agreement comes near it)");
    }
    return value;
  }

  // `total` must be `first` + `second` up to the rounding of the source:
  // at most 10 jobs or 0.1% apart, whichever is larger.
  void check_sum(std::size_t i_row, const std::string& total_column, double total, const std::string& first_column,
                 double first, const std::string& second_column, double second) {
    const double sum = first + second;
    const double tolerance = std::max(kSumToleranceJobs, kSumToleranceShare * std::abs(total));
    if (std::abs(total - sum) <= tolerance) return;
    const auto [text, where] = cell(i_row, total_column);
    fail(where, total_column, text,
         "must equal " + first_column + " + " + second_column + " = " + whole(first) + " + " + whole(second) + " = " +
             whole(sum) + " up to rounding (at most " + whole(tolerance) +
             " jobs apart: 10 jobs or 0.1%, whichever is larger); it is " + whole(total - sum) + " off");
  }
  static constexpr double kSumToleranceJobs = 10;
  static constexpr double kSumToleranceShare = 0.001;

  bool ok() const { return problems_.empty(); }

  // Returns 0 (never a valid year here) when the cell is not an integer.
  int year(std::size_t i_row, const std::string& column) {
    const auto [text, where] = cell(i_row, column);
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      fail(where, column, text, "must be an integer year");
      return 0;
    }
    if (value < kFirstYear || value > kLastYear) {
      fail(where, column, text,
           value < kFirstYear ? "must be a year from 2013, the agreement's first (its baseline is 1 January 2013)"
                              : "must be a year up to 2100, the last a scenario can target");
      return 0;
    }
    return value;
  }

  // Years unique, ascending and consecutive, at least one row.
  void check_years(const std::vector<int>& years, const std::string& column) {
    if (years.empty()) {
      problems_.push_back(Problem{{table_.file, 0, 0}, "", "", "no data rows: at least one year is required"});
      return;
    }
    const int i_column = static_cast<int>(table_.column(column)) + 1;
    std::map<int, int> line_of_year;
    int previous = 0;
    for (std::size_t i_row = 0; i_row < years.size(); ++i_row) {
      const int year_value = years[i_row];
      if (year_value == 0) continue;  // already reported as not an integer
      const int line = table_.row_lines[i_row];
      const SourceLocation where{table_.file, line, i_column};
      const std::string text = std::to_string(year_value);
      if (const auto it = line_of_year.find(year_value); it != line_of_year.end()) {
        problems_.push_back(Problem{where, column, text,
                                    "duplicate year (also on line " + std::to_string(it->second) + ")"});
        continue;
      }
      line_of_year.emplace(year_value, line);
      if (previous != 0 && year_value < previous) {
        problems_.push_back(Problem{where, column, text,
                                    "years must be ascending (previous row is " + std::to_string(previous) + ")"});
      } else if (previous != 0 && year_value > previous + 1) {
        std::string missing = "missing year " + std::to_string(previous + 1);
        if (year_value > previous + 2) missing += ".." + std::to_string(year_value - 1);
        problems_.push_back(Problem{where, column, text,
                                    missing + ": years must be consecutive (previous row is " +
                                        std::to_string(previous) + ")"});
      }
      previous = std::max(previous, year_value);
    }
  }

  void throw_if_problems() {
    if (!problems_.empty()) throw InputError(std::move(problems_));
  }

 private:
  std::pair<std::string_view, SourceLocation> cell(std::size_t i_row, const std::string& column) {
    const std::size_t i_column = table_.column(column);
    return {table_.rows[i_row][i_column],
            SourceLocation{table_.file, table_.row_lines[i_row], static_cast<int>(i_column) + 1}};
  }

  double fail(const SourceLocation& where, const std::string& column, std::string_view text,
              std::string constraint) {
    problems_.push_back(Problem{where, column, std::string(text), std::move(constraint)});
    return 0;
  }

  const CsvTable& table_;
  std::vector<Problem> problems_;
};

}  // namespace

std::size_t CsvTable::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    throw InputError({Problem{{file, 1, 0}, name, "", "required column missing (columns are: " + join(header) + ")"}});
  }
  return static_cast<std::size_t>(it - header.begin());
}

namespace {

// The table in `text`, the bytes of `file` (named so in every problem).
CsvTable parse_csv(const std::string& file, std::string_view text, const std::vector<std::string>& required_columns) {
  CsvTable table;
  table.file = file;
  std::vector<Problem> problems;
  std::string_view all(text);
  // A UTF-8 byte-order mark, as Excel writes in "CSV UTF-8": not part of the first column's name.
  if (all.substr(0, 3) == "\xEF\xBB\xBF") all.remove_prefix(3);
  int line = 0;
  int header_line = 0;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\n', start);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view raw = all.substr(start, end - start);
    start = end + 1;
    ++line;
    if (trim(raw).empty()) continue;  // blank lines (also a trailing one) carry nothing
    std::vector<std::string> cells = split_cells(raw);
    if (header_line == 0) {
      header_line = line;
      table.header = std::move(cells);
      for (std::size_t i = 0; i < table.header.size(); ++i) {
        const SourceLocation where{table.file, line, static_cast<int>(i) + 1};
        if (table.header[i].empty()) {
          problems.push_back(Problem{where, "", "", "empty column name in header row"});
        } else if (std::find(table.header.begin(), table.header.begin() + static_cast<std::ptrdiff_t>(i),
                             table.header[i]) != table.header.begin() + static_cast<std::ptrdiff_t>(i)) {
          problems.push_back(Problem{where, table.header[i], "", "duplicate column name in header row"});
        }
      }
      for (const std::string& name : required_columns) {
        if (std::find(table.header.begin(), table.header.end(), name) == table.header.end()) {
          problems.push_back(Problem{{table.file, line, 0}, name, "",
                                     "required column missing (header has: " + join(table.header) + ")"});
        }
      }
      continue;
    }
    if (cells.size() != table.header.size()) {
      problems.push_back(Problem{{table.file, line, 0}, "", "",
                                 "row has " + std::to_string(cells.size()) + " cells but the header has " +
                                     std::to_string(table.header.size()) +
                                     " (cells are separated by commas; quoting is not supported)"});
      continue;
    }
    table.rows.push_back(std::move(cells));
    table.row_lines.push_back(line);
  }
  if (header_line == 0) {
    problems.push_back(Problem{{table.file, 0, 0}, "", "", "no header row: file has only blank lines"});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return table;
}

CsvTable parse_csv(const DataFile& file, const std::vector<std::string>& required_columns) {
  if (!file.bytes) throw InputError(file.problems);
  return parse_csv(file.path, *file.bytes, required_columns);
}

const std::vector<std::string> kHistoryColumns = {"year", "market_target", "government_target", "market_counted",
                                                  "government_counted", "total_counted"};
const std::vector<std::string> kTargetColumns = {"year", "market", "government", "total"};

History history_from(const CsvTable& table) {
  const std::string kYear = "year";
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
      reader.check_sum(i_row, "total_counted", row.total_counted, "market_counted", row.market_counted,
                       "government_counted", row.government_counted);
    }
    years.push_back(row.year);
    history.years.push_back(row);
  }
  reader.check_years(years, kYear);
  reader.throw_if_problems();
  return history;
}

TargetPath targets_from(const CsvTable& table) {
  const std::string kYear = "year";
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
    if (reader.ok()) reader.check_sum(i_row, "total", row.total, "market", row.market, "government", row.government);
    years.push_back(row.year);
    targets.years.push_back(row);
  }
  reader.check_years(years, kYear);
  reader.throw_if_problems();
  return targets;
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& file, const std::vector<std::string>& required_columns) {
  std::vector<Problem> problems;
  const std::optional<std::string> text = read_text_file(file, file.string(), problems);
  if (!text) throw InputError(std::move(problems));
  return parse_csv(file.string(), *text, required_columns);
}

History read_history(const std::filesystem::path& file) { return history_from(read_csv(file, kHistoryColumns)); }
History read_history(const DataFile& file) { return history_from(parse_csv(file, kHistoryColumns)); }

TargetPath read_targets(const std::filesystem::path& file) { return targets_from(read_csv(file, kTargetColumns)); }
TargetPath read_targets(const DataFile& file) { return targets_from(parse_csv(file, kTargetColumns)); }

std::vector<Problem> target_coverage_problems(const TargetPath& targets, int first_simulated_year,
                                              int first_history_year, const SourceLocation& where,
                                              const std::string& key) {
  if (targets.years.empty()) return {};
  // Before the monitor's first measurement no target applied; from it on, a
  // simulated year must have its row.
  const int first_needed = std::max(first_simulated_year, first_history_year);
  const int first = targets.years.front().year;
  if (first <= first_needed) return {};
  const std::string missing =
      first - 1 == first_needed ? std::to_string(first_needed)
                                : std::to_string(first_needed) + "-" + std::to_string(first - 1);
  return {Problem{where, key, targets.file,
                  "covers " + std::to_string(first) + "-" + std::to_string(targets.years.back().year) +
                      " but the model simulates measured years from " + std::to_string(first_needed) + ": " +
                      missing + " would have no sector target (add " +
                      (first - 1 == first_needed ? "that year" : "those years") + " to the file)"}};
}

}  // namespace banensim::models
