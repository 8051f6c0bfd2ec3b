#include "apps/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/text_format.hpp"

namespace banensim::app {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

double get(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

// A quantile of a distribution in the result JSON: its number, or the bound
// stated in "quantile_bounds" when only a bound is known (engine::tally_json).
std::string jobs_quantile(const nlohmann::json& dist, const char* key) {
  if (dist.contains("quantile_bounds") && dist["quantile_bounds"].contains(key)) {
    const auto& b = dist["quantile_bounds"][key];
    if (b.contains("at_least")) return "&ge; " + engine::fmt_int(b["at_least"].get<double>());
    if (b.contains("below")) return "&lt; " + engine::fmt_int(b["below"].get<double>());
  }
  return engine::fmt_int(get(dist, key));
}

// For drawing: the quantile, or its bound (the chart then says so).
double chart_quantile(const nlohmann::json& dist, const char* key, bool& bounded) {
  if (dist.contains("quantile_bounds") && dist["quantile_bounds"].contains(key)) {
    bounded = true;
    const auto& b = dist["quantile_bounds"][key];
    return b.contains("at_least") ? b["at_least"].get<double>() : b["below"].get<double>();
  }
  return get(dist, key);
}

// The entry of `steps` (a series' steps) for `year`; the last one if absent.
const nlohmann::json& step_of(const nlohmann::json& steps, int year) {
  for (const auto& st : steps) {
    if (st["step"].get<std::string>() == std::to_string(year)) return st;
  }
  return steps.back();
}

// P(reached by year Y) for each year: the first-year scalar's cumulative entries.
const nlohmann::json& reached_by(const nlohmann::json& scenario) {
  return scenario["results"]["scalars"]["first_year_reached"]["cumulative"];
}

const char* kColours[] = {"#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#833c0b"};

// One fan chart: median, 50% and 90% bands of series "total", target path.
std::string fan_chart(const nlohmann::json& scenario, const std::vector<TargetPoint>& targets, double y_max,
                      const char* colour, bool& bounded) {
  const auto& steps = scenario["results"]["series"]["total"]["steps"];
  const double w = 460, h = 260, left = 60, right = 10, top = 20, bottom = 30;
  const double n = static_cast<double>(steps.size());
  const int y0 = std::stoi(steps.front()["step"].get<std::string>());
  auto x_of = [&](double year) { return left + (year - y0 + 0.5) / n * (w - left - right); };
  auto y_of = [&](double v) { return top + (1.0 - v / y_max) * (h - top - bottom); };
  std::ostringstream s;
  s << "<svg class=\"fan\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\" aria-label=\"fan chart of total extra jobs\">";
  for (int k = 0; k <= 5; ++k) {  // horizontal grid
    const double v = y_max * k / 5.0;
    s << "<line x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << y_of(v) << "\" y2=\"" << y_of(v)
      << "\" stroke=\"#ddd\"/><text x=\"" << left - 4 << "\" y=\"" << y_of(v) + 4
      << "\" font-size=\"10\" text-anchor=\"end\">" << engine::fmt_int(v) << "</text>";
  }
  auto band = [&](const char* lo, const char* hi, double opacity) {
    s << "<polygon fill=\"" << colour << "\" fill-opacity=\"" << opacity << "\" points=\"";
    for (const auto& st : steps)
      s << x_of(std::stoi(st["step"].get<std::string>())) << "," << y_of(chart_quantile(st, hi, bounded)) << " ";
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      s << x_of(std::stoi((*it)["step"].get<std::string>())) << "," << y_of(chart_quantile(*it, lo, bounded)) << " ";
    s << "\"/>";
  };
  band("p05", "p95", 0.18);
  band("p25", "p75", 0.35);
  s << "<polyline class=\"median\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"";
  for (const auto& st : steps)
    s << x_of(std::stoi(st["step"].get<std::string>())) << "," << y_of(chart_quantile(st, "p50", bounded)) << " ";
  s << "\"/>";
  s << "<polyline class=\"target\" fill=\"none\" stroke=\"#c00000\" stroke-dasharray=\"5,3\" stroke-width=\"1.5\" points=\"";
  for (const auto& t : targets) {
    if (t.year < y0 || t.year > y0 + static_cast<int>(n) - 1) continue;
    s << x_of(t.year) << "," << y_of(t.total) << " ";
  }
  s << "\"/>";
  for (const auto& st : steps) {
    const int y = std::stoi(st["step"].get<std::string>());
    if ((y - y0) % 2 == 0 || steps.size() <= 8)
      s << "<text x=\"" << x_of(y) << "\" y=\"" << h - 12 << "\" font-size=\"10\" text-anchor=\"middle\">" << y << "</text>";
  }
  s << "</svg>";
  return s.str();
}

std::string probability_bars(const nlohmann::json& scenarios) {
  const double row = 28, w = 560, left = 170, right = 60;
  const double h = row * static_cast<double>(scenarios.size()) + 30;
  auto x_of = [&](double p) { return left + p * (w - left - right); };
  std::ostringstream s;
  s << "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\" aria-label=\"probability of reaching the target\">";
  for (int k = 0; k <= 4; ++k) {
    const double p = k / 4.0;
    s << "<line x1=\"" << x_of(p) << "\" x2=\"" << x_of(p) << "\" y1=\"0\" y2=\"" << h - 20
      << "\" stroke=\"#ddd\"/><text x=\"" << x_of(p) << "\" y=\"" << h - 6 << "\" font-size=\"10\" text-anchor=\"middle\">"
      << engine::fmt(p, 2) << "</text>";
  }
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const auto& sc = scenarios[k];
    const double y = 8 + row * static_cast<double>(k);
    const double p = get(sc, "probability"), lo = get(sc, "ci_low"), hi = get(sc, "ci_high");
    s << "<text x=\"" << left - 6 << "\" y=\"" << y + 13 << "\" font-size=\"12\" text-anchor=\"end\">"
      << esc(sc["name"].get<std::string>()) << "</text>";
    s << "<rect x=\"" << left << "\" y=\"" << y << "\" width=\"" << x_of(p) - left << "\" height=\"18\" fill=\""
      << kColours[k % 7] << "\"/>";
    s << "<line x1=\"" << x_of(lo) << "\" x2=\"" << x_of(hi) << "\" y1=\"" << y + 9 << "\" y2=\"" << y + 9
      << "\" stroke=\"#000\" stroke-width=\"1.5\"/>";
    s << "<text x=\"" << x_of(hi) + 6 << "\" y=\"" << y + 13 << "\" font-size=\"11\">" << engine::fmt(p, 3) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

// P(the total has reached the target by year Y) per scenario: one line per
// scenario with its 95% Wilson band.
std::string reached_chart(const nlohmann::json& scenarios) {
  const double w = 560, h = 280, left = 50, right = 150, top = 15, bottom = 30;
  const auto& first = reached_by(scenarios[0]);
  const double y0 = get(first.front(), "value"), y1 = get(first.back(), "value");
  const double span = std::max(1.0, y1 - y0);
  auto x_of = [&](double year) { return left + (year - y0) / span * (w - left - right); };
  auto y_of = [&](double p) { return top + (1.0 - p) * (h - top - bottom); };
  std::ostringstream s;
  s << "<svg class=\"reached\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\" aria-label=\"probability that the target is reached by each year\">";
  for (int k = 0; k <= 4; ++k) {
    const double p = k / 4.0;
    s << "<line x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << y_of(p) << "\" y2=\"" << y_of(p)
      << "\" stroke=\"#ddd\"/><text x=\"" << left - 4 << "\" y=\"" << y_of(p) + 4
      << "\" font-size=\"10\" text-anchor=\"end\">" << engine::fmt(p, 2) << "</text>";
  }
  for (const auto& point : first) {
    const double year = get(point, "value");
    if ((static_cast<int>(year - y0)) % 2 == 0 || span <= 8) {
      s << "<text x=\"" << x_of(year) << "\" y=\"" << h - 12 << "\" font-size=\"10\" text-anchor=\"middle\">"
        << engine::fmt(year, 0) << "</text>";
    }
  }
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const auto& points = reached_by(scenarios[k]);
    const char* colour = kColours[k % 7];
    s << "<polygon fill=\"" << colour << "\" fill-opacity=\"0.15\" points=\"";
    for (const auto& pt : points) s << x_of(get(pt, "value")) << "," << y_of(get(pt, "ci_high")) << " ";
    for (auto it = points.rbegin(); it != points.rend(); ++it) s << x_of(get(*it, "value")) << "," << y_of(get(*it, "ci_low")) << " ";
    s << "\"/><polyline class=\"line\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"";
    for (const auto& pt : points) s << x_of(get(pt, "value")) << "," << y_of(get(pt, "probability")) << " ";
    s << "\"/><text x=\"" << w - right + 6 << "\" y=\"" << top + 14 * static_cast<double>(k) + 10
      << "\" font-size=\"11\" fill=\"" << colour << "\">" << esc(scenarios[k]["name"].get<std::string>()) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string html_report(const nlohmann::json& result, const std::vector<TargetPoint>& target_path) {
  const auto& scenarios = result["scenarios"];
  const auto& prov = result["provenance"];
  const auto& ref = scenarios[0];
  double y_max = 0;
  for (const auto& sc : scenarios)
    for (const auto& st : sc["results"]["series"]["total"]["steps"]) {
      bool ignored = false;
      y_max = std::max(y_max, chart_quantile(st, "p95", ignored));
    }
  for (const auto& t : target_path) y_max = std::max(y_max, t.total);
  y_max = std::ceil(y_max * 1.05 / 25000.0) * 25000.0;

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>banensim: P(reach "
    << engine::fmt_int(get(ref, "target_jobs")) << ")</title><style>"
    << "body{font-family:system-ui,Arial,sans-serif;margin:2em;color:#222;max-width:1100px}"
    << "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:right}"
    << "td:first-child,th:first-child{text-align:left}.panels{display:flex;flex-wrap:wrap;gap:12px}"
    << ".panel h3{margin:.3em 0;font-size:14px}.note{color:#555;font-size:13px}</style></head><body>\n";
  h << "<h1>Probability that the banenafspraak reaches " << engine::fmt_int(get(ref, "target_jobs")) << " extra jobs by end "
    << ref["target_year"].get<int>() << "</h1>\n";
  h << "<p class=\"note\">Observed up to " << ref["origin_year"].get<int>() << ", simulated "
    << ref["origin_year"].get<int>() + 1 << "-" << ref["horizon_year"].get<int>() << " under the law in "
    << esc(ref["law_file"].get<std::string>()) << ". "
    << engine::fmt_int(result["paths"].get<double>()) << " Monte Carlo paths per scenario, all on the same random draws (common "
    << "random numbers); seed " << result["seed"].get<std::uint64_t>()
    << ". Intervals: 95% Wilson for probabilities, 95% normal on paired per-path differences.";
  if (ref.contains("sector_targets") && ref["sector_targets"]["held_after_last_year"].get<bool>()) {
    const auto& t = ref["sector_targets"];
    h << " Sector targets: " << esc(t["file"].get<std::string>()) << " (" << t["first_year"].get<int>() << "-"
      << t["last_year"].get<int>() << "); after " << t["last_year"].get<int>() << " its last targets hold (the legal "
      << "end state).";
  }
  h << "</p>\n";

  const int target_year = ref["target_year"].get<int>();
  // "P(reached by YEAR)" as in the terminal table: four years after the
  // target year, or the horizon when that is earlier.
  const int by_year = std::min(target_year + 4, ref["horizon_year"].get<int>());
  const std::string horizon = std::to_string(by_year);
  h << "<h2>Comparison</h2><table id=\"comparison\"><tr><th>scenario</th><th>P(reach)</th><th>95% CI</th>"
    << "<th>difference vs " << esc(ref["name"].get<std::string>()) << "</th><th>95% CI</th><th>P(only variant)</th>"
    << "<th>P(only reference)</th><th>median total " << target_year << "</th><th>90% interval</th><th>P(reached by "
    << horizon << ")</th><th>95% CI</th><th>P(quota in force " << target_year
    << ")</th><th>95% CI</th><th>E[charge] EUR</th></tr>\n";
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const auto& sc = scenarios[k];
    const auto& last = step_of(sc["results"]["series"]["total"]["steps"], target_year);
    h << "<tr><td>" << esc(sc["name"].get<std::string>()) << "</td><td>" << engine::fmt(get(sc, "probability"), 3) << "</td><td>["
      << engine::fmt(get(sc, "ci_low"), 3) << ", " << engine::fmt(get(sc, "ci_high"), 3) << "]</td>";
    if (sc.contains("vs_reference")) {
      const auto& d = sc["vs_reference"]["indicators"]["reach_target"];
      h << "<td>" << engine::fmt(get(d, "difference"), 3) << "</td><td>[" << engine::fmt(get(d, "ci_low"), 3) << ", "
        << engine::fmt(get(d, "ci_high"), 3) << "]</td><td>" << engine::fmt(get(d["p_variant_only"], "probability"), 3) << "</td><td>"
        << engine::fmt(get(d["p_reference_only"], "probability"), 3) << "</td>";
    } else {
      h << "<td>(reference)</td><td></td><td></td><td></td>";
    }
    const auto& ind = sc["results"]["indicators"];
    const auto& charge = sc["results"]["scalars"]["quota_charge_total_eur"];
    const nlohmann::json* by_horizon = &reached_by(sc).back();
    for (const auto& point : reached_by(sc)) {
      if (get(point, "value") == by_year) by_horizon = &point;
    }
    h << "<td>" << jobs_quantile(last, "p50") << "</td><td>[" << jobs_quantile(last, "p05") << ", "
      << jobs_quantile(last, "p95") << "]</td><td>" << engine::fmt(get(*by_horizon, "probability"), 3) << "</td><td>["
      << engine::fmt(get(*by_horizon, "ci_low"), 3) << ", " << engine::fmt(get(*by_horizon, "ci_high"), 3)
      << "]</td><td>" << engine::fmt(get(ind["quota_in_force_target_year"], "probability"), 3) << "</td><td>["
      << engine::fmt(get(ind["quota_in_force_target_year"], "ci_low"), 3) << ", "
      << engine::fmt(get(ind["quota_in_force_target_year"], "ci_high"), 3) << "]</td><td>" << engine::fmt_int(get(charge, "mean"))
      << " &plusmn; " << engine::fmt_int(get(charge, "std_error")) << "</td></tr>\n";
  }
  h << "</table>\n";

  h << "<h2>Probability of reaching the target</h2>" << probability_bars(scenarios) << "\n";
  h << "<h2>When: P(reached by year)</h2><p class=\"note\">The probability that the total has reached "
    << engine::fmt_int(get(ref, "target_jobs")) << " at some measurement up to each year, with its 95% Wilson band "
    << "(exact counts of the paths).</p>" << reached_chart(scenarios) << "\n";
  h << "<h2>Total extra jobs per year</h2><p class=\"note\">Median (line), 50% band (dark), 90% band (light); "
    << "red dashes: the legal target path.</p><div class=\"panels\">\n";
  bool bounded = false;
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    h << "<div class=\"panel\"><h3>" << esc(scenarios[k]["name"].get<std::string>()) << "</h3>"
      << fan_chart(scenarios[k], target_path, y_max, kColours[k % 7], bounded) << "</div>\n";
  }
  h << "</div>\n";
  if (bounded) {
    h << "<p class=\"note\" id=\"quantile-bounds\">Some quantiles lie among paths outside the histogram's range and "
      << "are known only as bounds (&ge; or &lt; in the table); the bands are drawn to those bounds.</p>\n";
  }
  h << "<h2>Provenance</h2><table id=\"provenance\">";
  for (const char* key : {"program", "version", "git_commit", "seed", "paths", "block_size", "threads", "wall_seconds", "rng",
                          "interval_method"}) {
    h << "<tr><td>" << key << "</td><td>" << esc(prov[key].is_string() ? prov[key].get<std::string>() : prov[key].dump())
      << "</td></tr>";
  }
  h << "<tr><td>stopping</td><td>" << esc(prov["stopping"].dump()) << "</td></tr>";
  for (const auto& f : prov["scenarios"])
    h << "<tr><td>scenario " << esc(f["name"].get<std::string>()) << "</td><td>" << esc(f["file"].get<std::string>())
      << " (resolved hash " << esc(f["resolved_hash"].get<std::string>()) << ")</td></tr>";
  h << "</table>\n</body></html>\n";
  return h.str();
}

std::vector<TargetPoint> legal_target_path(const models::BanenafspraakModel& m) {
  std::vector<TargetPoint> path;
  for (const auto& t : m.params().legal_targets.years) path.push_back({t.year, t.total});
  // The model holds the target flat after the file's last year.
  if (!path.empty() && path.back().year < m.horizon_year()) path.push_back({m.horizon_year(), m.target_total()});
  return path;
}

}  // namespace banensim::app
