// libFuzzer harness for the CSV readers of the model's data files, all on the
// same bytes: read_history and read_targets (models/history.hpp, with their
// checks that a file agrees with itself: year range, count bound, totals the
// sums of their sectors), target_coverage_problems on what read_targets
// returns, read_trend_reports and read_key_samples
// (models/observations.hpp), read_law and read_quota_decisions
// (models/law.hpp), plus the generic read_csv they are built on
// (models/csv_table.hpp, with quoted cells).
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
#include "models/law.hpp"
#include "models/observations.hpp"
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

// What the other readers promise: times and years in range and strictly
// ascending, values within their bounds, the law's first row 2013.
void fuzz_observations_and_law(const fs::path& file) {
  using namespace banensim::models;
  try {
    const TrendReports t = read_trend_reports(file);
    for (const auto* series : {&t.inleen, &t.register_persons}) {
      for (std::size_t i = 0; i < series->size(); ++i) {
        const TimedValue& v = (*series)[i];
        FUZZ_CHECK(v.x > 2012 && v.x <= 2100, "read_trend_reports: a time outside 2013-2100");
        FUZZ_CHECK(std::isfinite(v.value) && std::abs(v.value) <= 1e7, "read_trend_reports: a value out of bounds");
        FUZZ_CHECK(i == 0 || v.x > (*series)[i - 1].x, "read_trend_reports: times not strictly ascending");
      }
    }
    for (const TimedValue& v : t.register_persons) FUZZ_CHECK(v.value >= 0, "read_trend_reports: a negative register");
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
  try {
    const KeySamples k = read_key_samples(file);
    FUZZ_CHECK(!k.samples.empty(), "read_key_samples returned no sample without an InputError");
    for (std::size_t i = 0; i < k.samples.size(); ++i) {
      FUZZ_CHECK(k.samples[i].year >= 2012 && k.samples[i].year <= 2100, "read_key_samples: a year out of range");
      FUZZ_CHECK(k.samples[i].government_share >= 0 && k.samples[i].government_share <= 1,
                 "read_key_samples: a share outside [0, 1]");
      FUZZ_CHECK(i == 0 || k.samples[i].year > k.samples[i - 1].year, "read_key_samples: years not ascending");
    }
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
  try {
    const LawTimeline law = read_law(file);
    FUZZ_CHECK(!law.rows.empty() && law.rows.front().from_year == 2013, "read_law: the first row is not 2013");
    for (std::size_t i = 0; i < law.rows.size(); ++i) {
      const LawRow& row = law.rows[i];
      FUZZ_CHECK(row.activation_lag_years >= 1 && row.activation_lag_years <= 10, "read_law: a lag outside 1-10");
      FUZZ_CHECK(!row.regime.empty() && !row.source.empty(), "read_law: an empty regime or source");
      FUZZ_CHECK(i == 0 || row.from_year > law.rows[i - 1].from_year, "read_law: years not ascending");
    }
    for (const int year : {2012, 2013, 2026, 2100}) {
      FUZZ_CHECK(law.in_force(year).from_year <= std::max(year, 2013), "read_law: in_force gives a later row");
    }
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
  try {
    const QuotaDecisions d = read_quota_decisions(file);
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
      const QuotaDecision& row = d.rows[i];
      FUZZ_CHECK(row.decided_year > row.missed_year && row.effective_year >= row.decided_year,
                 "read_quota_decisions: years out of order");
      for (std::size_t j = 0; j < i; ++j) {
        FUZZ_CHECK(d.rows[j].quota != row.quota || d.rows[j].missed_year != row.missed_year,
                   "read_quota_decisions: two decisions on one miss");
      }
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
  fuzz_observations_and_law(file);
  fuzz_csv(file);
  return 0;
}
