#pragma once
// The law in force year by year, and the quota decisions actually taken, as
// data (data/law.csv, data/law-2018.csv, data/quota-decisions.csv; sources in
// data/SOURCES.md). Strict readers in the manner of models/history.hpp.

#include <filesystem>
#include <string>
#include <vector>

#include "models/problem.hpp"

namespace banensim::models {

// The quotas of the agreement: one per sector under sector targets, one
// national quota under a national target.
enum class QuotaId { kMarket = 0, kGovernment = 1, kNational = 2 };
inline constexpr std::size_t kNumQuotas = 3;
const char* quota_name(QuotaId quota);  // "market", "government", "national"

enum class Instrument { kLevy, kSurcharge };

// One row of the law timeline: the rules in force from `from_year` until the
// next row's from_year (the last row for ever).
struct LawRow {
  int from_year = 0;
  std::string regime;          // a name: a change of name (or of targets) resets every quota
  bool national = false;       // targets: one national target (true) or one per sector
  Instrument instrument = Instrument::kLevy;
  bool charged = false;        // a levy/surcharge is actually owed for a year a quota is active in
  int activation_lag_years = 0;  // from a missed measurement (end of year t) to the first year in force
  std::string source;
  int line = 0;
};

struct LawTimeline {
  std::string file;
  std::vector<LawRow> rows;  // ascending from_year, the first 2013
  // The row in force in `year` (the first row for years before it).
  const LawRow& in_force(int year) const;
};

// Columns: from_year (2013-2100, unique, ascending; the first row 2013, so
// every year of the agreement has its law), regime (a name), targets
// (sector | national), instrument (levy | surcharge), charged (0 | 1),
// activation_lag_years (1-10), source (not empty).
LawTimeline read_law(const std::filesystem::path& file);
// The same, from a data file as a scenario read it (ResolvedScenario::data_file).
LawTimeline read_law(const DataFile& file);

// An activation decision taken on a missed measurement.
struct QuotaDecision {
  QuotaId quota = QuotaId::kMarket;
  int missed_year = 0;     // the measurement (end of year) that missed
  int decided_year = 0;    // when the decision was taken: it is known from then on
  int effective_year = 0;  // the first year the quota is active
  int line = 0;
};

struct QuotaDecisions {
  std::string file;
  std::vector<QuotaDecision> rows;  // may be empty: no decision taken
};

// Columns: quota (market | government | national), missed_year, decided_year
// (> missed_year), effective_year (>= decided_year), decision (activated),
// source (not empty); one row per quota and missed year. The file lists every
// activation decision taken: a miss whose decision year has passed and has no
// row was not activated.
QuotaDecisions read_quota_decisions(const std::filesystem::path& file);
// The same, from a data file as a scenario read it (ResolvedScenario::data_file).
QuotaDecisions read_quota_decisions(const DataFile& file);

}  // namespace banensim::models
