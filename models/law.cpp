#include "models/law.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/csv_table.hpp"

namespace banensim::models {

const char* quota_name(QuotaId quota) {
  switch (quota) {
    case QuotaId::kMarket: return "market";
    case QuotaId::kGovernment: return "government";
    case QuotaId::kNational: return "national";
  }
  return "?";
}

const LawRow& LawTimeline::in_force(int year) const {
  const LawRow* row = &rows.front();
  for (const LawRow& r : rows) {
    if (r.from_year <= year) row = &r;
  }
  return *row;
}

LawTimeline read_law(const std::filesystem::path& file) { return read_law(read_data_file(file.string())); }

LawTimeline read_law(const DataFile& file) {
  const std::string kFrom = "from_year";
  const CsvTable table = read_csv(
      file, {kFrom, "regime", "targets", "instrument", "charged", "activation_lag_years", "source"});
  CellReader reader(table);
  LawTimeline law;
  law.file = table.file;
  std::vector<std::optional<double>> years;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    LawRow row;
    row.line = table.row_lines[i_row];
    row.from_year = reader.year(i_row, kFrom);
    years.push_back(row.from_year != 0 ? std::optional<double>(row.from_year) : std::nullopt);
    if (i_row == 0 && row.from_year != 0 && row.from_year != kFirstDataYear) {
      reader.fail_at(i_row, kFrom, "the first row must be 2013, the agreement's first year, so that every year has its law");
    }
    row.regime = reader.text(i_row, "regime");
    row.national = reader.choice(i_row, "targets", {"sector", "national"}) == "national";
    row.instrument = reader.choice(i_row, "instrument", {"levy", "surcharge"}) == "surcharge" ? Instrument::kSurcharge
                                                                                             : Instrument::kLevy;
    row.charged = reader.integer(i_row, "charged", 0, 1) == 1;
    row.activation_lag_years = reader.integer(i_row, "activation_lag_years", 1, 10);
    row.source = reader.text(i_row, "source");
    law.rows.push_back(std::move(row));
  }
  reader.check_ascending(years, kFrom, false);
  reader.throw_if_problems();
  return law;
}

QuotaDecisions read_quota_decisions(const std::filesystem::path& file) { return read_quota_decisions(read_data_file(file.string())); }

QuotaDecisions read_quota_decisions(const DataFile& file) {
  const CsvTable table =
      read_csv(file, {"quota", "missed_year", "decided_year", "effective_year", "decision", "source"});
  CellReader reader(table);
  QuotaDecisions decisions;
  decisions.file = table.file;
  std::map<std::pair<std::string, int>, int> line_of;
  for (std::size_t i_row = 0; i_row < table.rows.size(); ++i_row) {
    QuotaDecision row;
    row.line = table.row_lines[i_row];
    const std::string quota = reader.choice(i_row, "quota", {"market", "government", "national"});
    row.quota = quota == "government" ? QuotaId::kGovernment : quota == "national" ? QuotaId::kNational : QuotaId::kMarket;
    row.missed_year = reader.year(i_row, "missed_year");
    row.decided_year = reader.year(i_row, "decided_year");
    row.effective_year = reader.year(i_row, "effective_year");
    reader.choice(i_row, "decision", {"activated"});
    reader.text(i_row, "source");
    if (row.missed_year != 0 && row.decided_year != 0 && row.decided_year <= row.missed_year) {
      reader.fail_at(i_row, "decided_year",
                     "must be after missed_year " + std::to_string(row.missed_year) +
                         " (a miss is known when the end-of-year measurement is published)");
    }
    if (row.decided_year != 0 && row.effective_year != 0 && row.effective_year < row.decided_year) {
      reader.fail_at(i_row, "effective_year", "must not be before decided_year " + std::to_string(row.decided_year));
    }
    if (!quota.empty() && row.missed_year != 0) {
      const auto [it, inserted] = line_of.emplace(std::pair(quota, row.missed_year), row.line);
      if (!inserted) {
        reader.fail_at(i_row, "missed_year",
                       "a second decision on the " + quota + " quota's miss of " + std::to_string(row.missed_year) +
                           " (also on line " + std::to_string(it->second) + ")");
      }
    }
    decisions.rows.push_back(row);
  }
  reader.throw_if_problems();
  return decisions;
}

}  // namespace banensim::models
