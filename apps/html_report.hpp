#pragma once
// A self-contained HTML report (no scripts, no network: inline CSS and SVG)
// built from the JSON result of `compare`/`run`: the comparison table, a fan
// chart of total jobs per year per scenario against the legal target path,
// bars of P(reach) with 95% intervals, and the provenance.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/banenafspraak_model.hpp"

namespace banensim::app {

struct TargetPoint {
  int year;
  double total;
};

// The legal cumulative target per year as the report draws it: the targets
// file's years, held flat at the target to the last simulated year
// (docs/MODEL.md 4.7). `compare --report` and the live page's report.
std::vector<TargetPoint> legal_target_path(const models::BanenafspraakModel& m);

// `result` is the JSON document `run` and `compare` write (see
// docs/OUTPUT.md); `target_path` the legal cumulative target per year (drawn
// as a step line).
std::string html_report(const nlohmann::json& result, const std::vector<TargetPoint>& target_path);

}  // namespace banensim::app
