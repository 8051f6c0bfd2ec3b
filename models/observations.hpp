#pragma once
// Observations besides the yearly monitor (data/SOURCES.md): UWV's quarterly
// trend reports (hired-in jobs above the baseline, the target-group
// register) and SEO's samples of the allocation key. Strict readers in the
// manner of models/history.hpp (models/csv_table.hpp): every problem names
// the file, line, column, value and the constraint broken.
//
// Time. A quantity "at the end of year y" is at measurement time x = y (the
// monitor measures on 31 December); a report dated on the last day of month
// m of year Y is at x = Y + m/12 - 1, so 31 Dec Y -> Y, 30 Sep Y -> Y - 0.25,
// 30 Jun Y -> Y - 0.5, 31 Mar Y -> Y - 0.75.

#include <filesystem>
#include <string>
#include <vector>

#include "models/problem.hpp"

namespace banensim::models {

// x for a report dated at the end of month `month` (1-12) of `year`.
double measurement_time(int year, int month);

struct TimedValue {
  double x = 0;      // measurement time
  double value = 0;
  int line = 0;      // file line, for messages
};

struct TrendReports {
  std::string file;
  std::vector<TimedValue> inleen;            // hired-in jobs above the baseline (may be < 0), ascending x
  std::vector<TimedValue> register_persons;  // persons in the target-group register, ascending x
};

// Columns: period_end (YYYY-MM-DD, the last day of a month; unique,
// ascending), inleen_extra (jobs, -10^7..10^7) and register_persons
// (persons, 0..10^7); an empty cell is "not reported". When present, the
// columns total_extra, regular_total, regular_government, regular_market
// (jobs) and register_working (persons, at most register_persons) are
// checked too, and the row must add up where it can, up to rounding (10
// jobs or 0.1%): total = regular + hired-in, regular = government + market.
// Other columns (a note) are ignored.
TrendReports read_trend_reports(const std::filesystem::path& file);
// The same, from a data file as a scenario read it (ResolvedScenario::data_file).
TrendReports read_trend_reports(const DataFile& file);

struct KeySample {
  int year = 0;                  // the December sample of this year: the key of measurement `year`
  double government_share = 0;   // government share of hired-in hours, 0..1
  int line = 0;
};

struct KeySamples {
  std::string file;
  std::vector<KeySample> samples;  // ascending years, at least one
};

// Columns: sample_year (2012-2100, unique, ascending), government_share
// (0..1), source (not empty).
KeySamples read_key_samples(const std::filesystem::path& file);
// The same, from a data file as a scenario read it (ResolvedScenario::data_file).
KeySamples read_key_samples(const DataFile& file);

}  // namespace banensim::models
