#pragma once
// A self-contained HTML report (no scripts, no network: inline CSS and SVG)
// built from the JSON result of `compare`/`run`: the comparison table, a fan
// chart of total jobs per year per scenario against the legal target path,
// bars of P(reach) with 95% intervals, and the provenance.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace banensim::app {

struct TargetPoint {
  int year;
  double total;
};

// `result` is the JSON document `run` and `compare` write (see
// docs/OUTPUT.md); `target_path` the legal cumulative target per year (drawn
// as a step line).
std::string html_report(const nlohmann::json& result, const std::vector<TargetPoint>& target_path);

}  // namespace banensim::app
