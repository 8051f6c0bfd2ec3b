#include "models/observations.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/csv_table.hpp"

namespace banensim::models {

double measurement_time(int year, int month) { return year + month / 12.0 - 1.0; }

TrendReports read_trend_reports(const std::filesystem::path& file) { return read_trend_reports(read_data_file(file.string())); }

TrendReports read_trend_reports(const DataFile& file) {
  const std::string kDate = "period_end", kInleen = "inleen_extra", kRegister = "register_persons";
  const CsvTable table = read_csv(file, {kDate, kInleen, kRegister});
  const auto has = [&](const std::string& column) {
    for (const auto& h : table.header) {
      if (h == column) return true;
    }
    return false;
  };
  CellReader reader(table);
  TrendReports reports;
  reports.file = table.file;
  std::vector<std::optional<double>> times;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    const int line = table.row_lines[i_row];
    const auto date = reader.month_end(i_row, kDate);
    const std::optional<double> x = date ? std::optional(measurement_time(date->first, date->second)) : std::nullopt;
    times.push_back(x);
    const auto inleen = reader.number(i_row, kInleen, -kMaxDataJobs, kMaxDataJobs, true);
    const auto persons = reader.number(i_row, kRegister, 0, kMaxDataJobs, true);
    // The optional columns, when the file has them.
    const auto optional = [&](const std::string& column, double min, double max) -> std::optional<double> {
      return has(column) ? reader.number(i_row, column, min, max, true) : std::nullopt;
    };
    const auto total = optional("total_extra", -kMaxDataJobs, kMaxDataJobs);
    const auto regular = optional("regular_total", -kMaxDataJobs, kMaxDataJobs);
    const auto government = optional("regular_government", -kMaxDataJobs, kMaxDataJobs);
    const auto market = optional("regular_market", -kMaxDataJobs, kMaxDataJobs);
    const auto working = optional("register_working", 0, kMaxDataJobs);
    if (working && persons && *working > *persons) {
      reader.fail_at(i_row, "register_working",
                     "must be at most register_persons (" + whole_text(*persons) + "): the working part of the register");
    }
    if (total && regular && inleen) {
      reader.check_sum(i_row, "total_extra", *total, {{"regular_total", *regular}, {kInleen, *inleen}});
    }
    if (regular && government && market) {
      reader.check_sum(i_row, "regular_total", *regular, {{"regular_government", *government}, {"regular_market", *market}});
    }
    if (total && !regular && government && market && inleen) {
      reader.check_sum(i_row, "total_extra", *total,
                       {{"regular_government", *government}, {"regular_market", *market}, {kInleen, *inleen}});
    }
    if (x && inleen) reports.inleen.push_back({*x, *inleen, line});
    if (x && persons) reports.register_persons.push_back({*x, *persons, line});
  }
  reader.check_ascending(times, kDate, false);
  reader.throw_if_problems();
  return reports;
}

KeySamples read_key_samples(const std::filesystem::path& file) { return read_key_samples(read_data_file(file.string())); }

KeySamples read_key_samples(const DataFile& file) {
  const std::string kYear = "sample_year", kShare = "government_share", kSource = "source";
  const CsvTable table = read_csv(file, {kYear, kShare, kSource});
  CellReader reader(table);
  KeySamples samples;
  samples.file = table.file;
  std::vector<std::optional<double>> years;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    // The baseline's own sample (December 2012) is the first there is.
    const int year = reader.year(i_row, kYear, 2012);
    years.push_back(year != 0 ? std::optional<double>(year) : std::nullopt);
    const auto share = reader.number(i_row, kShare, 0, 1, false);
    reader.text(i_row, kSource);
    if (year != 0 && share) samples.samples.push_back({year, *share, table.row_lines[i_row]});
  }
  reader.check_ascending(years, kYear, false);
  reader.throw_if_problems();
  return samples;
}

}  // namespace banensim::models
