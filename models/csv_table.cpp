#include "models/csv_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <system_error>

namespace banensim::models {

namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// The cells of one line (RFC 4180 quoting within the line). Returns nullopt
// when a quoted cell is not closed on its line or has text after its
// closing quote; `bad_column` is then the 1-based cell where it starts.
std::optional<std::vector<std::string>> split_cells(std::string_view line, int& bad_column) {
  std::vector<std::string> cells;
  std::size_t i = 0;
  while (true) {
    // Leading blanks of a cell are not part of it (nor of a quoted one).
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      std::string cell;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell += line[i++];
      }
      const std::size_t comma = line.find(',', i);
      const std::string_view rest = line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
      if (!closed || !trim(rest).empty()) {
        bad_column = static_cast<int>(cells.size()) + 1;
        return std::nullopt;
      }
      cells.push_back(std::move(cell));
      if (comma == std::string_view::npos) break;
      i = comma + 1;
      continue;
    }
    const std::size_t comma = line.find(',', i);
    const std::string_view cell = line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    cells.emplace_back(trim(cell));
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  return cells;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// A bound as a message writes it: -15,000, 0.5.
std::string bound_text(double x) {
  if (std::abs(x) >= 1000) return whole_text(x);
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  return std::string(buffer, end);
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::string whole_text(double x) {
  std::string digits = std::to_string(std::llround(std::abs(x))), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (x < 0 && std::llround(x) != 0 ? "-" : "") + out;
}

std::size_t CsvTable::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    throw InputError({Problem{{file, 1, 0}, name, "", "required column missing (columns are: " + join(header) + ")"}});
  }
  return static_cast<std::size_t>(it - header.begin());
}

CsvTable read_csv(const std::filesystem::path& file, const std::vector<std::string>& required_columns,
                  const CsvSyntax& syntax) {
  return read_csv(read_data_file(file.string()), required_columns, syntax);
}

CsvTable read_csv(const DataFile& file, const std::vector<std::string>& required_columns, const CsvSyntax& syntax) {
  if (!file.bytes) throw InputError(file.problems);
  CsvTable table;
  table.file = file.path;
  std::vector<Problem> problems;
  std::string_view all(*file.bytes);
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
    if (syntax.comment_lines && trim(raw).front() == '#') continue;  // counted, so later lines keep their numbers
    int bad_column = 0;
    std::optional<std::vector<std::string>> split = split_cells(trim(raw), bad_column);
    if (!split) {
      problems.push_back(Problem{{table.file, line, bad_column}, "", "",
                                 "a quoted cell must close its quote on the same line, with nothing but the next "
                                 "comma after it (write a quote inside it as \"\")"});
      continue;
    }
    std::vector<std::string> cells = std::move(*split);
    if (header_line == 0) {
      header_line = line;
      table.header_line = line;
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
                                     " (cells are separated by commas; quote a cell that holds one)"});
      continue;
    }
    table.rows.push_back(std::move(cells));
    table.row_lines.push_back(line);
  }
  if (header_line == 0) {
    problems.push_back(Problem{{table.file, 0, 0}, "", "",
                               syntax.comment_lines ? "no header row: file has only blank and '#' comment lines"
                                                    : "no header row: file has only blank lines"});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return table;
}

std::pair<std::string_view, SourceLocation> CellReader::cell(std::size_t i_row, const std::string& column) const {
  const std::size_t i_column = table_.column(column);
  return {table_.rows[i_row][i_column],
          SourceLocation{table_.file, table_.row_lines[i_row], static_cast<int>(i_column) + 1}};
}

double CellReader::fail(const SourceLocation& where, const std::string& column, std::string_view text,
                        std::string constraint) {
  problems_.push_back(Problem{where, column, std::string(text), std::move(constraint)});
  return 0;
}

void CellReader::fail_at(std::size_t i_row, const std::string& column, std::string constraint) {
  const auto [text, where] = cell(i_row, column);
  fail(where, column, text, std::move(constraint));
}

double CellReader::count(std::size_t i_row, const std::string& column) {
  const auto [text, where] = cell(i_row, column);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty()) return fail(where, column, text, "must be a number (the cell is empty)");
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail(where, column, text, "must be a number");
  }
  if (!std::isfinite(value)) return fail(where, column, text, "must be finite");
  if (value < 0) return fail(where, column, text, "must be >= 0");
  if (value > kMaxDataJobs) {
    return fail(where, column, text, "must be at most 10,000,000 (no count of jobs in the agreement comes near it)");
  }
  return value;
}

std::optional<double> CellReader::number(std::size_t i_row, const std::string& column, double min, double max,
                                         bool may_be_empty) {
  const auto [text, where] = cell(i_row, column);
  if (text.empty()) {
    if (may_be_empty) return std::nullopt;
    fail(where, column, text, "must be a number (the cell is empty)");
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(where, column, text, "must be a number");
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    fail(where, column, text, "must be finite");
    return std::nullopt;
  }
  if (value < min || value > max) {
    fail(where, column, text, "must be from " + bound_text(min) + " to " + bound_text(max));
    return std::nullopt;
  }
  return value;
}

int CellReader::integer(std::size_t i_row, const std::string& column, int min, int max) {
  const auto [text, where] = cell(i_row, column);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    fail(where, column, text, "must be an integer");
    return 0;
  }
  if (value < min || value > max) {
    fail(where, column, text, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return 0;
  }
  return value;
}

int CellReader::year(std::size_t i_row, const std::string& column, int first) {
  const auto [text, where] = cell(i_row, column);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    fail(where, column, text, "must be an integer year");
    return 0;
  }
  if (value < first || value > kLastDataYear) {
    fail(where, column, text,
         value < first ? (first == kFirstDataYear
                              ? std::string("must be a year from 2013, the agreement's first (its baseline is 1 January 2013)")
                              : "must be a year from " + std::to_string(first))
                       : std::string("must be a year up to 2100, the last a scenario can target"));
    return 0;
  }
  return value;
}

std::string CellReader::choice(std::size_t i_row, const std::string& column,
                               std::initializer_list<std::string_view> choices) {
  const auto [text, where] = cell(i_row, column);
  std::string list;
  for (const std::string_view c : choices) {
    if (text == c) return std::string(text);
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  fail(where, column, text, "must be one of: " + list);
  return "";
}

std::string CellReader::text(std::size_t i_row, const std::string& column) {
  const auto [text, where] = cell(i_row, column);
  if (text.empty()) fail(where, column, text, "must not be empty");
  return std::string(text);
}

std::optional<std::pair<int, int>> CellReader::month_end(std::size_t i_row, const std::string& column) {
  // Not a structured binding: the lambda below captures the text (C++20 as
  // clang 14 implements it cannot capture a binding).
  const auto located = cell(i_row, column);
  const std::string_view text = located.first;
  const SourceLocation& where = located.second;
  const auto part = [&](std::size_t at, std::size_t length, int& value) {
    if (text.size() < at + length) return false;
    const char* first = text.data() + at;
    const auto [end, ec] = std::from_chars(first, first + length, value);
    return ec == std::errc() && end == first + length;
  };
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !part(0, 4, year) || !part(5, 2, month) ||
      !part(8, 2, day) || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    fail(where, column, text, "must be a date YYYY-MM-DD");
    return std::nullopt;
  }
  if (year < kFirstDataYear || year > kLastDataYear) {
    fail(where, column, text, "must be a date in 2013-2100");
    return std::nullopt;
  }
  if (day != days_in_month(year, month)) {
    fail(where, column, text,
         "must be the last day of a month (a report's reference date; " + std::to_string(year) + "-" +
             (month < 10 ? "0" : "") + std::to_string(month) + " ends on day " +
             std::to_string(days_in_month(year, month)) + ")");
    return std::nullopt;
  }
  return std::pair{year, month};
}

void CellReader::check_sum(std::size_t i_row, const std::string& total_column, double total,
                           const std::vector<std::pair<std::string, double>>& parts) {
  double sum = 0;
  std::string names, values;
  for (const auto& [name, value] : parts) {
    sum += value;
    names += (names.empty() ? "" : " + ") + name;
    values += (values.empty() ? "" : " + ") + whole_text(value);
  }
  const double tolerance = std::max(kSumToleranceJobs, kSumToleranceShare * std::abs(total));
  if (std::abs(total - sum) <= tolerance) return;
  const auto [text, where] = cell(i_row, total_column);
  fail(where, total_column, text,
       "must equal " + names + " = " + values + " = " + whole_text(sum) + " up to rounding (at most " +
           whole_text(tolerance) + " jobs apart: 10 jobs or 0.1%, whichever is larger); it is " +
           whole_text(total - sum) + " off");
}

void CellReader::check_consecutive_years(const std::vector<int>& years, const std::string& column) {
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

void CellReader::check_ascending(const std::vector<std::optional<double>>& keys, const std::string& column,
                                 bool may_be_empty) {
  if (keys.empty()) {
    if (!may_be_empty) {
      problems_.push_back(Problem{{table_.file, 0, 0}, "", "", "no data rows: at least one row is required"});
    }
    return;
  }
  const int i_column = static_cast<int>(table_.column(column)) + 1;
  std::optional<double> previous;
  int previous_line = 0;
  for (std::size_t i_row = 0; i_row < keys.size(); ++i_row) {
    if (!keys[i_row]) continue;
    const int line = table_.row_lines[i_row];
    if (previous && !(*keys[i_row] > *previous)) {
      const auto [text, where] = cell(i_row, column);
      problems_.push_back(Problem{SourceLocation{table_.file, line, i_column}, column, std::string(text),
                                  *keys[i_row] == *previous
                                      ? "duplicate (also on line " + std::to_string(previous_line) + ")"
                                      : "rows must be in ascending order of " + column + " (line " +
                                            std::to_string(previous_line) + " comes after it)"});
      continue;
    }
    previous = keys[i_row];
    previous_line = line;
  }
}

void CellReader::throw_if_problems() {
  if (!problems_.empty()) throw InputError(std::move(problems_));
}

}  // namespace banensim::models
