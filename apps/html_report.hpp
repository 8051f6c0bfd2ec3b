#pragma once
// A self-contained HTML report (no scripts, no network: inline CSS and SVG)
// built from the JSON result of `compare`/`run` (with `--assumptions`, its
// "assumptions" member too). Its first heading is the finding in one
// sentence, generated from the numbers, with the kind of each interval; then
// a box "what the intervals cover" (Monte Carlo intervals, and ranges over
// plausible assumptions when computed -- else it says the report's intervals
// are Monte Carlo only), the options' levers in plain words with their first
// year and the levy or surcharge in EUR million, P(reached by year), P(reach)
// on a zoomed axis with its intervals, the table across assumptions and the
// sign rules, the comparison table, fan charts with the observed years, and
// the provenance. Readable without horizontal scrolling from 390 px wide.

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/banenafspraak_model.hpp"

namespace banensim::app {

struct TargetPoint {
  int year;
  double total;                     // the legal cumulative target (NaN: none that year)
  double observed = std::nan("");   // the measured total, for the years up to the forecast origin
};

// The legal cumulative target per year as the report draws it: the targets
// file's years, held flat at the target to the last simulated year
// (docs/MODEL.md 4.7), with the measured totals up to the forecast origin.
// `compare --report` and the live page's report.
std::vector<TargetPoint> legal_target_path(const models::BanenafspraakModel& m);

// `result` is the JSON document `run` and `compare` write (see
// docs/OUTPUT.md); `target_path` the legal cumulative target per year (drawn
// as a step line).
std::string html_report(const nlohmann::json& result, const std::vector<TargetPoint>& target_path);

}  // namespace banensim::app
