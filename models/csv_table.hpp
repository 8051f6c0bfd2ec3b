#pragma once
// The strict CSV reading every data file of the model shares (the monitor
// history, the target path, the quarterly trend reports, the SEO key samples,
// the law timeline and the quota decisions).
//
// read_csv: a header row with the required columns, then rows as wide as the
// header; cells separated by commas, a cell may be quoted ("a, b" with ""
// for a quote inside; a quoted cell ends on its own line); blank lines are
// skipped; a UTF-8 byte-order mark is skipped; the file must be UTF-8 text
// without NUL bytes (models/problem.hpp). CellReader parses and checks the
// cells of such a table, collecting every problem -- each naming the file,
// line, column and value and the constraint broken -- so that a file with
// several defects is fixed in one round; throw_if_problems() throws them
// together (InputError).

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/problem.hpp"

namespace banensim::models {

// A strict CSV table: cells as text, with the file line of each row.
struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  int header_line = 0;                          // 1-based file line of the header
  std::vector<std::vector<std::string>> rows;  // cells as text (quotes removed)
  std::vector<int> row_lines;                   // 1-based file line of each row
  std::size_t column(const std::string& name) const;  // throws InputError if absent
};
// What a table may hold besides the strict syntax above. `comment_lines`: a
// line whose first character other than a blank is '#' is a comment (as the
// leading lines banensim writes above its result files), skipped like a blank
// line wherever it stands, so every line number stays the file's own; a cell
// is never cut at a '#', and a row whose first cell begins with '#' must
// quote it. The data files of the model take no comments.
struct CsvSyntax {
  bool comment_lines = false;
};
CsvTable read_csv(const DataFile& file, const std::vector<std::string>& required_columns,
                  const CsvSyntax& syntax = {});
// The same, the file read now.
CsvTable read_csv(const std::filesystem::path& file, const std::vector<std::string>& required_columns,
                  const CsvSyntax& syntax = {});

// Years a data file may hold: from the agreement's first year (its baseline
// is 1 January 2013) to the last year a scenario can target.
inline constexpr int kFirstDataYear = 2013;
inline constexpr int kLastDataYear = 2100;
// A bound no count or target of jobs in this agreement can honestly reach.
inline constexpr double kMaxDataJobs = 1e7;

// A whole number with thousands separators: 36,903, -830.
std::string whole_text(double x);

// Parses and checks the cells of one table. Every accessor returns a neutral
// value (0, empty) for a cell it reports, so callers can go on reading.
class CellReader {
 public:
  explicit CellReader(const CsvTable& table) : table_(table) {}

  // A finite number >= 0 and at most 10^7: counts and targets of jobs.
  double count(std::size_t i_row, const std::string& column);
  // A finite number in [min, max]; an empty cell is nullopt when
  // `may_be_empty`, else a problem.
  std::optional<double> number(std::size_t i_row, const std::string& column, double min, double max,
                               bool may_be_empty);
  // An integer in [min, max].
  int integer(std::size_t i_row, const std::string& column, int min, int max);
  // A year from `first` (default 2013) to 2100; 0 when it is not one.
  int year(std::size_t i_row, const std::string& column, int first = kFirstDataYear);
  // One of `choices`; "" when it is none of them.
  std::string choice(std::size_t i_row, const std::string& column, std::initializer_list<std::string_view> choices);
  // A non-empty text.
  std::string text(std::size_t i_row, const std::string& column);
  // A date YYYY-MM-DD that ends a month (the reference date of a report),
  // years 2013-2100; nullopt when it is not one. Returns {year, month}.
  std::optional<std::pair<int, int>> month_end(std::size_t i_row, const std::string& column);

  // `total` must be the sum of `parts` (column name, value) up to the
  // rounding of the sources: at most 10 jobs or 0.1% apart, whichever is
  // larger. The problem stands at the total's cell.
  void check_sum(std::size_t i_row, const std::string& total_column, double total,
                 const std::vector<std::pair<std::string, double>>& parts);
  static constexpr double kSumToleranceJobs = 10;
  static constexpr double kSumToleranceShare = 0.001;

  // Years unique, ascending and consecutive, at least one row (0 entries:
  // already reported cells).
  void check_consecutive_years(const std::vector<int>& years, const std::string& column);
  // Keys (years, dates as numbers; nullopt: a cell already reported)
  // unique and strictly ascending, not necessarily consecutive. At least one
  // row unless `may_be_empty`.
  void check_ascending(const std::vector<std::optional<double>>& keys, const std::string& column, bool may_be_empty);

  // A problem at a cell, for checks across cells the reader does not know.
  void fail_at(std::size_t i_row, const std::string& column, std::string constraint);
  bool ok() const { return problems_.empty(); }
  void throw_if_problems();

 private:
  std::pair<std::string_view, SourceLocation> cell(std::size_t i_row, const std::string& column) const;
  double fail(const SourceLocation& where, const std::string& column, std::string_view text, std::string constraint);

  const CsvTable& table_;
  std::vector<Problem> problems_;
};

}  // namespace banensim::models
