// libFuzzer harness for the CSV readers in models/history.hpp: read_history
// and read_targets (both on the same bytes, with their checks that a file
// agrees with itself: year range, count bound, totals the sums of their
// sectors), target_coverage_problems on what read_targets returns, plus the
// generic read_csv they are built on.
//
// Each input is written to <scratch>/input.csv (the .csv name matters: problem
// messages say "column" for CSV files). InputError is the only acceptable
// failure; any other exception, a sanitizer report, a timeout or a broken
// invariant is a finding.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "models/history.hpp"
#include "models/problem.hpp"

namespace fs = std::filesystem;
using banensim::models::InputError;

namespace {

struct Fixture {
  banensim::fuzz::ScratchDir scratch{"history"};
  fs::path input = scratch.path() / "input.csv";
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

bool is_count(double value) { return std::isfinite(value) && value >= 0 && value <= 1e7; }

// The file agrees with itself: a total is the sum of its sectors up to
// rounding (10 jobs or 0.1%, whichever is larger).
bool adds_up(double total, double first, double second) {
  return std::abs(total - (first + second)) <= std::max(10.0, 0.001 * std::abs(total));
}

// What a successful read promises (models/history.hpp): at least one year,
// years 2013-2100, ascending and consecutive, counts finite, >= 0 and at
// most 10^7, totals the sums of the sectors.
template <typename Years, typename Counts>
void check_years(const Years& years, const Counts& counts, const char* reader) {
  FUZZ_CHECK(!years.empty(), std::string(reader) + " returned no years without an InputError");
  for (std::size_t i = 0; i < years.size(); ++i) {
    FUZZ_CHECK(years[i].year >= 2013 && years[i].year <= 2100,
               std::string(reader) + ": year " + std::to_string(years[i].year) + " outside 2013-2100");
    if (i > 0) {
      FUZZ_CHECK(years[i].year == years[i - 1].year + 1,
                 std::string(reader) + ": years not consecutive at " + std::to_string(years[i].year));
    }
    FUZZ_CHECK(counts(years[i]), std::string(reader) + ": a count is negative or not finite in " +
                                     std::to_string(years[i].year));
  }
}

void fuzz_history(const fs::path& file) {
  try {
    const banensim::models::History history = banensim::models::read_history(file);
    FUZZ_CHECK(history.file == file.string(), "read_history: wrong file name");
    check_years(history.years,
                [](const banensim::models::HistoryYear& y) {
                  return is_count(y.market_target) && is_count(y.government_target) &&
                         is_count(y.market_counted) && is_count(y.government_counted) &&
                         is_count(y.total_counted) && adds_up(y.total_counted, y.market_counted, y.government_counted);
                },
                "read_history");
    FUZZ_CHECK(history.first_year() <= history.last_year(), "read_history: first_year > last_year");
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
}

void fuzz_targets(const fs::path& file) {
  try {
    const banensim::models::TargetPath targets = banensim::models::read_targets(file);
    FUZZ_CHECK(targets.file == file.string(), "read_targets: wrong file name");
    check_years(targets.years,
                [](const banensim::models::TargetYear& y) {
                  return is_count(y.market) && is_count(y.government) && is_count(y.total) &&
                         adds_up(y.total, y.market, y.government);
                },
                "read_targets");
    // Coverage (models/history.hpp): a problem exactly when the file starts
    // after the first simulated, measured year; it names the file.
    for (const int first_simulated : {2013, 2016, 2019, 2030}) {
      for (const int first_history : {2013, 2015, 2024}) {
        const auto problems = banensim::models::target_coverage_problems(
            targets, first_simulated, first_history, {"scenario.toml", 3, 1}, "targets.file");
        const bool gap = targets.years.front().year > std::max(first_simulated, first_history);
        FUZZ_CHECK(problems.size() == (gap ? 1U : 0U), "target_coverage_problems disagrees with the file's first year");
        for (const auto& problem : problems) {
          FUZZ_CHECK(!problem.constraint.empty() && problem.value == targets.file, "a coverage problem without its file");
        }
      }
    }
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
}

// The generic table: one header, every row as wide as the header, rows in
// file order, and column() finds each header name.
void fuzz_csv(const fs::path& file) {
  try {
    const banensim::models::CsvTable table = banensim::models::read_csv(file, {"year"});
    FUZZ_CHECK(!table.header.empty(), "read_csv: empty header");
    FUZZ_CHECK(table.rows.size() == table.row_lines.size(), "read_csv: rows and row_lines differ in size");
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      FUZZ_CHECK(table.rows[i].size() == table.header.size(), "read_csv: a row is not as wide as the header");
      FUZZ_CHECK(table.row_lines[i] >= 2 && (i == 0 || table.row_lines[i] > table.row_lines[i - 1]),
                 "read_csv: row lines not ascending after the header");
    }
    for (std::size_t i = 0; i < table.header.size(); ++i) {
      FUZZ_CHECK(table.column(table.header[i]) == i, "read_csv: column() disagrees with the header");
    }
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& file = fixture().input;
  banensim::fuzz::write_file(file, std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz_history(file);
  fuzz_targets(file);
  fuzz_csv(file);
  return 0;
}
