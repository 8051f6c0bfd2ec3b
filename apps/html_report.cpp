#include "apps/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <utility>

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

// A probability in percent for prose: 3.1%, 0.4%, 45%; below 0.1% with two
// significant digits (0.0019%: the upper end of the interval of a count of
// none, which "0.0%" would hide), and exactly 0 as 0%.
std::string pct(double p) { return engine::fmt_percent(p); }

// A difference of probabilities in points for prose: +1.2, -0.4; with
// `decimals` 2 for a figure whose numbers are all below one point (-0.08,
// never "-0.0"): points_decimals picks them for a figure and its interval.
std::string points(double d, int decimals = 1) {
  const double x = 100 * d;
  return std::string(x > 0 ? "+" : x < 0 ? "&minus;" : "") + engine::fmt(std::abs(x), decimals);
}
int points_decimals(std::initializer_list<double> figures) {
  double largest = 0;
  for (double d : figures) largest = std::max(largest, std::abs(100 * d));
  return largest < 1 ? 2 : 1;
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

// One fan chart: the observed totals (dots), then the median, 50% and 90%
// bands of series "total", and the legal target path.
std::string fan_chart(const nlohmann::json& scenario, const std::vector<TargetPoint>& targets, double y_max,
                      const char* colour, bool& bounded) {
  const auto& steps = scenario["results"]["series"]["total"]["steps"];
  const double w = 460, h = 270, left = 66, right = 10, top = 20, bottom = 30;
  const int first_sim = std::stoi(steps.front()["step"].get<std::string>());
  const int last_sim = std::stoi(steps.back()["step"].get<std::string>());
  int y0 = first_sim;
  for (const auto& t : targets) {
    if (std::isfinite(t.observed) && t.year < y0) y0 = t.year;
  }
  const double n = static_cast<double>(last_sim - y0 + 1);
  auto x_of = [&](double year) { return left + (year - y0 + 0.5) / n * (w - left - right); };
  auto y_of = [&](double v) { return top + (1.0 - v / y_max) * (h - top - bottom); };
  std::ostringstream s;
  s << "<svg class=\"fan\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << w << " " << h << "\" width=\"" << w
    << "\" height=\"" << h << "\" role=\"img\" aria-label=\"fan chart of total extra jobs\">";
  for (int k = 0; k <= 5; ++k) {  // horizontal grid
    const double v = y_max * k / 5.0;
    s << "<line x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << y_of(v) << "\" y2=\"" << y_of(v)
      << "\" stroke=\"#ddd\"/><text x=\"" << left - 4 << "\" y=\"" << y_of(v) + 4
      << "\" font-size=\"13\" text-anchor=\"end\">" << engine::fmt_int(v) << "</text>";
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
    if (t.year < y0 || t.year > last_sim || !std::isfinite(t.total)) continue;
    s << x_of(t.year) << "," << y_of(t.total) << " ";
  }
  s << "\"/>";
  s << "<polyline class=\"observed\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.2\" points=\"";
  for (const auto& t : targets) {
    if (std::isfinite(t.observed)) s << x_of(t.year) << "," << y_of(t.observed) << " ";
  }
  s << "\"/>";
  for (const auto& t : targets) {
    if (std::isfinite(t.observed)) {
      s << "<circle class=\"observed\" cx=\"" << x_of(t.year) << "\" cy=\"" << y_of(t.observed) << "\" r=\"3\" fill=\"#000\"/>";
    }
  }
  const int label_every = n > 12 ? 3 : n > 8 ? 2 : 1;
  for (int y = y0; y <= last_sim; ++y) {
    if ((y - y0) % label_every == 0)
      s << "<text x=\"" << x_of(y) << "\" y=\"" << h - 12 << "\" font-size=\"13\" text-anchor=\"middle\">" << y << "</text>";
  }
  s << "</svg>";
  return s.str();
}

// One row of a dot-and-whisker chart at height y: the name, the range over
// plausible assumptions as a grey bar (when given), the 95% Monte Carlo
// interval as a black whisker, the estimate as a dot, and its value in words.
template <typename XOf>
void dot_whisker_row(std::ostream& s, const XOf& x_of, double y, double left, double value_x, const std::string& name,
                     const std::optional<std::pair<double, double>>& range, double estimate, double lo, double hi,
                     const char* colour, const std::string& value_text) {
  s << "<text x=\"" << left - 8 << "\" y=\"" << y + 15 << "\" font-size=\"17\" text-anchor=\"end\">" << esc(name)
    << "</text>";
  if (range) {
    s << "<rect class=\"assumption-range\" x=\"" << x_of(range->first) << "\" y=\"" << y + 2 << "\" width=\""
      << std::max(1.0, x_of(range->second) - x_of(range->first))
      << "\" height=\"14\" fill=\"#bbb\" fill-opacity=\"0.6\"/>";
  }
  s << "<line class=\"mc-interval\" x1=\"" << x_of(lo) << "\" x2=\"" << x_of(hi) << "\" y1=\"" << y + 9
    << "\" y2=\"" << y + 9 << "\" stroke=\"#000\" stroke-width=\"2\"/>";
  for (const double e : {lo, hi}) {
    s << "<line x1=\"" << x_of(e) << "\" x2=\"" << x_of(e) << "\" y1=\"" << y + 4 << "\" y2=\"" << y + 14
      << "\" stroke=\"#000\" stroke-width=\"1.5\"/>";
  }
  s << "<circle cx=\"" << x_of(estimate) << "\" cy=\"" << y + 9 << "\" r=\"5\" fill=\"" << colour << "\"/>";
  s << "<text x=\"" << value_x << "\" y=\"" << y + 15 << "\" font-size=\"16\">" << value_text << "</text>";
}

// P(reach) per option on a zoomed axis: a dot at the estimate with its 95%
// Monte Carlo whisker; with `ranges` (across assumptions) also a grey bar
// from the 5% to the 95% quantile over the assumption sets, and the axis
// spans those. Gridlines every 1, 2, 5, 10 or 25 points, whichever gives at
// most 12, so that without ranges a difference of one point is visible.
std::string probability_chart(const nlohmann::json& result, bool ranges) {
  const auto& scenarios = result["scenarios"];
  const nlohmann::json* across = ranges ? &result["assumptions"]["options"] : nullptr;
  double lo = 1, hi = 0;
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    lo = std::min(lo, get(scenarios[k], "ci_low"));
    hi = std::max(hi, get(scenarios[k], "ci_high"));
    if (across != nullptr) {
      lo = std::min(lo, get((*across)[k]["p_reach"], "p05"));
      hi = std::max(hi, get((*across)[k]["p_reach"], "p95"));
    }
  }
  double step = 0.01;
  for (const double st : {0.01, 0.02, 0.05, 0.1, 0.25}) {
    step = st;
    if ((std::ceil(hi / st) - std::floor(lo / st)) <= 12) break;
  }
  const double x0 = std::max(0.0, std::floor(lo / step - 1e-9) * step);
  const double x1 = std::min(1.0, std::max(x0 + step, std::ceil(hi / step + 1e-9) * step));
  const double row = 40, w = 640, left = 190, right = 80;
  const double h = row * static_cast<double>(scenarios.size()) + 34;
  auto x_of = [&](double p) { return left + (p - x0) / std::max(x1 - x0, 1e-9) * (w - left - right); };
  std::ostringstream s;
  s << "<svg class=\"" << (ranges ? "ranges" : "bars") << "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << w << " " << h << "\" width=\"" << w
    << "\" height=\"" << h << "\" role=\"img\" aria-label=\"probability of reaching the target, zoomed\">";
  for (double p = x0; p <= x1 + 1e-9; p += step) {
    s << "<line x1=\"" << x_of(p) << "\" x2=\"" << x_of(p) << "\" y1=\"0\" y2=\"" << h - 22
      << "\" stroke=\"#ddd\"/><text x=\"" << x_of(p) << "\" y=\"" << h - 6 << "\" font-size=\"16\" text-anchor=\"middle\">"
      << engine::fmt(100 * p, 0) << "%</text>";
  }
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const auto& sc = scenarios[k];
    const double y = 10 + row * static_cast<double>(k);
    const double p = get(sc, "probability");
    std::optional<std::pair<double, double>> range;
    if (across != nullptr) {
      const auto& r = (*across)[k]["p_reach"];
      range = std::make_pair(get(r, "p05"), get(r, "p95"));
    }
    dot_whisker_row(s, x_of, y, left, w - right + 8, sc["name"].get<std::string>(), range, p, get(sc, "ci_low"),
                    get(sc, "ci_high"), kColours[k % 7], engine::fmt(100 * p, 1) + "%");
  }
  s << "</svg>";
  return s.str();
}

// Each option's paired change of P(reached by `year`) against the reference,
// in percentage points: a dot at the scenarios' own assumptions with its 95%
// Monte Carlo whisker, and (across assumptions, when they judged the same
// year) a grey bar from the 5% to the 95% quantile over the sets; a dark
// line at no change. Gridlines every 0.5, 1, 2, 5, 10 or 25 points, at most 10.
std::string difference_chart(const nlohmann::json& result, int year) {
  const auto& scenarios = result["scenarios"];
  const nlohmann::json* across = result.contains("assumptions") && result["assumptions"]["by_year"] == year
                                     ? &result["assumptions"]["options"]
                                     : nullptr;
  struct Row {
    std::string name;
    double d = 0, lo = 0, hi = 0;
    std::optional<std::pair<double, double>> range;
  };
  std::vector<Row> rows;
  double lo = 0, hi = 0;
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    for (const auto& c : scenarios[k]["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]) {
      if (get(c, "value") != year) continue;
      Row r{scenarios[k]["name"].get<std::string>(), get(c, "difference"), get(c, "ci_low"), get(c, "ci_high"), {}};
      if (across != nullptr) {
        const auto& d = (*across)[k]["by_year"]["difference"];
        r.range = std::make_pair(get(d, "p05"), get(d, "p95"));
        lo = std::min(lo, r.range->first);
        hi = std::max(hi, r.range->second);
      }
      lo = std::min(lo, r.lo);
      hi = std::max(hi, r.hi);
      rows.push_back(r);
    }
  }
  if (rows.empty()) return "";
  double step = 0.005;
  for (const double st : {0.005, 0.01, 0.02, 0.05, 0.1, 0.25}) {
    step = st;
    if ((std::ceil(hi / st) - std::floor(lo / st)) <= 10) break;
  }
  const double x0 = std::floor(lo / step - 1e-9) * step, x1 = std::max(x0 + step, std::ceil(hi / step + 1e-9) * step);
  const double row = 40, w = 640, left = 190, right = 80;
  const double h = row * static_cast<double>(rows.size()) + 34;
  auto x_of = [&](double p) { return left + (p - x0) / (x1 - x0) * (w - left - right); };
  std::ostringstream s;
  s << "<svg class=\"differences\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << w << " " << h
    << "\" width=\"" << w << "\" height=\"" << h << "\" role=\"img\" aria-label=\"change in P(reached by " << year
    << ") against the reference, percentage points\">";
  const int decimals = step < 0.01 ? 1 : 0;
  for (double p = x0; p <= x1 + 1e-9; p += step) {
    const bool zero = std::abs(p) < step / 2;
    s << "<line x1=\"" << x_of(p) << "\" x2=\"" << x_of(p) << "\" y1=\"0\" y2=\"" << h - 22 << "\" stroke=\""
      << (zero ? "#555" : "#ddd") << "\"/><text x=\"" << x_of(p) << "\" y=\"" << h - 6
      << "\" font-size=\"16\" text-anchor=\"middle\">" << (zero ? "0" : points(p, decimals)) << "</text>";
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const double y = 10 + row * static_cast<double>(i);
    dot_whisker_row(s, x_of, y, left, w - right + 8, r.name, r.range, r.d, r.lo, r.hi, kColours[(i + 1) % 7],
                    points(r.d, points_decimals({r.d, r.lo, r.hi})));
  }
  s << "</svg>";
  return s.str();
}

// The table over the assumption sets and each option's sign rule.
std::string assumptions_section(const nlohmann::json& result) {
  const auto& a = result["assumptions"];
  const auto& opts = a["options"];
  const std::string ref = opts[0]["name"].get<std::string>();
  double widest_margin = 0;  // of a beats / ties / loses share from its Wilson interval's ends
  for (std::size_t k = 1; k < opts.size(); ++k) {
    for (const auto* o : {&opts[k], &opts[k]["by_year"]}) {
      for (const char* what : {"beats", "ties", "loses"}) {
        const auto& sh = (*o)[what];
        widest_margin = std::max({widest_margin, get(sh, "share") - get(sh, "ci_low"),
                                  get(sh, "ci_high") - get(sh, "share")});
      }
    }
  }
  std::ostringstream h;
  h << "<h2>Across plausible assumptions</h2><p class=\"note\">" << a["sets"].get<std::size_t>()
    << " assumption sets (" << esc(a["design"].get<std::string>()) << ") over " << a["factors"].size()
    << " uncertain parameters; at each set every option runs on the same " << engine::fmt_int(get(a, "paths_per_set"))
    << " paths. Medians and ranges are over the sets (range over plausible assumptions, 5&ndash;95%). Beats / ties / "
    << "loses: the share of sets where the 95% paired Monte Carlo interval of the difference against " << esc(ref)
    << " lies wholly above 0 / contains 0 / lies wholly below 0; as estimates of the share of the whole plausible "
    << "range, their 95% Wilson intervals reach at most " << engine::fmt(100 * widest_margin, 1)
    << " percentage points either side (the sets taken as independent draws). Worst regret: the largest shortfall, "
    << "over the sets, of "
    << "the option&rsquo;s figure behind the best option&rsquo;s at that set, an estimate that leans high (a maximum "
    << "over noisy sets); its Monte Carlo range: an interval for the true worst case (low: the largest lower end over "
    << "the sets with the intervals widened for their number, Bonferroni; high: the largest 95% upper end), which "
    << "holds it with probability at least about 1 &minus; K &times; 2.5% for K options.</p>";
  // One table per figure: P(reach) in the target year, and P(reached by the
  // study's year) on the same sets and paths.
  const auto table = [&h, &opts](const std::string& id, const std::string& figure, bool reach) {
    std::vector<std::string> labels = {"option", figure + " median", "range over plausible assumptions",
                                       "difference median", "range over plausible assumptions", "beats", "ties",
                                       "loses", "worst regret", "Monte Carlo range"};
    h << "<table id=\"" << id << "\" class=\"wide\"><tr>";
    for (const auto& l : labels) h << "<th>" << esc(l) << "</th>";
    h << "</tr>\n";
    for (std::size_t k = 0; k < opts.size(); ++k) {
      const auto& o = reach ? opts[k] : opts[k]["by_year"];
      const auto& p = reach ? o["p_reach"] : o["p_reached_by"];
      std::vector<std::string> cells = {esc(opts[k]["name"].get<std::string>()), engine::fmt(get(p, "median"), 3),
                                        engine::fmt_interval(get(p, "p05"), get(p, "p95"), 3)};
      if (k == 0) {
        cells.insert(cells.end(), {"(reference)", "", "", "", ""});
      } else {
        const auto& d = o["difference"];
        cells.insert(cells.end(), {engine::fmt(get(d, "median"), 3),
                                   engine::fmt_interval(get(d, "p05"), get(d, "p95"), 3),
                                   pct(get(o["beats"], "share")), pct(get(o["ties"], "share")),
                                   pct(get(o["loses"], "share"))});
      }
      cells.push_back(engine::fmt(get(o, "worst_case_regret"), 3));
      const auto& mc = o["worst_case_regret_monte_carlo"];
      cells.push_back(engine::fmt_interval(get(mc, "low"), get(mc, "high"), 3));
      h << "<tr>";
      for (std::size_t c = 0; c < cells.size(); ++c) {
        h << "<td data-label=\"" << esc(labels[c]) << "\">" << cells[c] << "</td>";
      }
      h << "</tr>\n";
    }
    h << "</table>\n";
  };
  const std::string by = std::to_string(a["by_year"].get<int>());
  table("assumptions", "P(reach)", true);
  h << "<p class=\"note\">By when: P(reached by " << by << ") &mdash; the total at or above the target at some "
    << "measurement up to " << by << " &mdash; over the same sets and paths. Levers that act after the target year "
    << "cannot change P(reach); this is where they show.</p>\n";
  table("assumptions-by-year", "P(reached by " + by + ")", false);
  // Every option that ties for the smallest, so none is ranked above its equals.
  const auto tied = [&a](const char* key) {
    const auto names = a[key].get<std::vector<std::string>>();
    return esc(engine::join_names(names)) + (names.size() > 1 ? " (tied)" : "");
  };
  // The smallest's Monte Carlo range, and the options whose ranges reach it.
  const auto range_of = [&a](const char* key, bool by_year) {
    const std::string first = a[key].front().get<std::string>();
    for (const auto& o : a["options"]) {
      if (o["name"] != first) continue;
      const auto& mc = (by_year ? o["by_year"] : o)["worst_case_regret_monte_carlo"];
      return engine::fmt(get(by_year ? o["by_year"] : o, "worst_case_regret"), 3) + ", Monte Carlo range " +
             engine::fmt_interval(get(mc, "low"), get(mc, "high"), 3);
    }
    return std::string();
  };
  const auto near = [&a](const char* key) {
    const auto names = a[key].get<std::vector<std::string>>();
    return names.empty() ? std::string()
                         : "; not told apart from it by the Monte Carlo noise: " + esc(engine::join_names(names));
  };
  h << "<p>Smallest worst-case regret: for P(reach) <b>" << tied("minimax_regret_tied") << "</b> ("
    << range_of("minimax_regret_tied", false) << ")" << near("minimax_regret_not_told_apart")
    << "; for P(reached by " << by << ") <b>" << tied("minimax_regret_by_year_tied") << "</b> ("
    << range_of("minimax_regret_by_year_tied", true) << ")" << near("minimax_regret_by_year_not_told_apart")
    << ".</p>";
  h << "<h3>What decides the sign</h3><p class=\"note\">Scenario discovery (PRIM) on the sets where the option beats "
    << esc(ref) << " (or loses, when it never beats): coverage is the share of those sets inside the stated region, "
    << "density the share of the region&rsquo;s sets that are such.</p><ul id=\"rules\">";
  for (std::size_t k = 1; k < opts.size(); ++k) {
    h << "<li>" << esc(opts[k]["sentence"].get<std::string>()) << "</li>";
    h << "<li>" << esc(opts[k]["by_year"]["sentence"].get<std::string>()) << "</li>";
  }
  h << "</ul>";
  return h.str();
}

// P(the total has reached the target by year Y) per scenario: one line per
// scenario with its 95% Wilson band.
std::string reached_chart(const nlohmann::json& scenarios) {
  // The legend below the plot, two names a row: the chart keeps its width
  // for the lines and stays legible when scaled down to a phone's width.
  const double legend_rows = std::ceil(static_cast<double>(scenarios.size()) / 2.0);
  const double w = 520, plot_h = 280, left = 56, right = 16, top = 15, bottom = 34;
  const double h = plot_h + 22 * legend_rows + 6;
  const auto& first = reached_by(scenarios[0]);
  const double y0 = get(first.front(), "value"), y1 = get(first.back(), "value");
  const double span = std::max(1.0, y1 - y0);
  auto x_of = [&](double year) { return left + (year - y0) / span * (w - left - right); };
  auto y_of = [&](double p) { return top + (1.0 - p) * (plot_h - top - bottom); };
  std::ostringstream s;
  s << "<svg class=\"reached\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << w << " " << h << "\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\" aria-label=\"probability that the target is reached by each year\">";
  for (int k = 0; k <= 4; ++k) {
    const double p = k / 4.0;
    s << "<line x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << y_of(p) << "\" y2=\"" << y_of(p)
      << "\" stroke=\"#ddd\"/><text x=\"" << left - 5 << "\" y=\"" << y_of(p) + 5
      << "\" font-size=\"14\" text-anchor=\"end\">" << engine::fmt(p, 2) << "</text>";
  }
  for (const auto& point : first) {
    const double year = get(point, "value");
    if ((static_cast<int>(year - y0)) % 2 == 0 || span <= 6) {
      s << "<text x=\"" << x_of(year) << "\" y=\"" << plot_h - 12 << "\" font-size=\"14\" text-anchor=\"middle\">"
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
    const double lx = left + (k % 2 == 0 ? 0.0 : (w - left) / 2), ly = plot_h + 22 * std::floor(static_cast<double>(k) / 2) + 14;
    s << "\"/><line x1=\"" << lx << "\" x2=\"" << lx + 22 << "\" y1=\"" << ly - 5 << "\" y2=\"" << ly - 5 << "\" stroke=\"" << colour
      << "\" stroke-width=\"3\"/><text x=\"" << lx + 28 << "\" y=\"" << ly << "\" font-size=\"15\" fill=\"#222\">"
      << esc(scenarios[k]["name"].get<std::string>()) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

namespace {


std::string first_step_label(const nlohmann::json& sc) {
  return sc["results"]["series"]["total"]["steps"].front()["step"].get<std::string>();
}

// The one-sentence finding: the reference's chance, with its Monte Carlo
// interval (and, across assumptions, its range), and how far the options
// move it -- from the results, whatever they say.
std::string finding(const nlohmann::json& result) {
  const auto& scenarios = result["scenarios"];
  const auto& ref = scenarios[0];
  std::ostringstream f;
  bool any_lever = false;
  if (ref.contains("levers")) {
    for (const auto& l : ref["levers"]) any_lever = any_lever || l["enabled"].get<bool>();
  }
  f << "Under " << (any_lever ? "" : "the law as enacted (") << esc(ref["name"].get<std::string>()) << (any_lever ? "" : ")")
    << ", the chance of " << engine::fmt_int(get(ref, "target_jobs"))
    << " extra jobs or more at the end-" << ref["target_year"].get<int>() << " measurement is about "
    << pct(get(ref, "probability"))
    << " (Monte Carlo interval " << pct(get(ref, "ci_low")) << "&ndash;" << pct(get(ref, "ci_high"));
  if (result.contains("assumptions")) {
    const auto& a = result["assumptions"];
    const auto& opts = a["options"];
    f << "; range over plausible assumptions " << pct(get(opts[0]["p_reach"], "p05")) << "&ndash;"
      << pct(get(opts[0]["p_reach"], "p95")) << ")";
    if (opts.size() < 2) return f.str() + ".";
    // The option whose effect is largest at the median, and the largest effect of any option in any set.
    std::size_t best = 1;
    double largest = 0;
    bool any_beyond_noise = false;
    for (std::size_t k = 1; k < opts.size(); ++k) {
      const auto& d = opts[k]["difference"];
      if (std::abs(get(d, "median")) > std::abs(get(opts[best]["difference"], "median"))) best = k;
      largest = std::max({largest, std::abs(get(d, "min")), std::abs(get(d, "max"))});
      any_beyond_noise = any_beyond_noise || get(opts[k]["beats"], "sets") > 0 || get(opts[k]["loses"], "sets") > 0;
    }
    const auto& b = opts[best];
    const int dec = points_decimals({get(b["difference"], "median"), get(b["difference"], "p05"),
                                     get(b["difference"], "p95")});
    if (!any_beyond_noise) {
      f << "; no option moves it beyond its Monte Carlo noise in any of the " << a["sets"].get<std::size_t>()
        << " plausible assumption sets.";
      return f.str();
    }
    f << "; no option moves it by more than " << engine::fmt(100 * largest, 1)
      << " points in any plausible assumption set, and the largest median change, "
      << esc(b["name"].get<std::string>()) << "&rsquo;s, is " << points(get(b["difference"], "median"), dec)
      << " points (range over plausible assumptions " << points(get(b["difference"], "p05"), dec) << " to "
      << points(get(b["difference"], "p95"), dec) << "; it beats " << esc(ref["name"].get<std::string>()) << " in "
      << pct(get(b["beats"], "share")) << " of the sets).";
    return f.str();
  }
  f << ")";
  if (scenarios.size() < 2) return f.str() + "; the interval covers Monte Carlo noise only, not the uncertain assumptions.";
  std::size_t best = 1;
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    const double d = get(scenarios[k]["vs_reference"]["indicators"]["reach_target"], "difference");
    if (std::abs(d) > std::abs(get(scenarios[best]["vs_reference"]["indicators"]["reach_target"], "difference"))) best = k;
  }
  const auto& d = scenarios[best]["vs_reference"]["indicators"]["reach_target"];
  const int dec = points_decimals({get(d, "difference"), get(d, "ci_low"), get(d, "ci_high")});
  f << "; the largest change among the options is " << esc(scenarios[best]["name"].get<std::string>()) << "&rsquo;s, "
    << points(get(d, "difference"), dec) << " points (Monte Carlo interval " << points(get(d, "ci_low"), dec) << " to "
    << points(get(d, "ci_high"), dec) << "). These intervals cover Monte Carlo noise only, at the scenarios&rsquo; own "
    << "assumptions.";
  return f.str();
}

// "When", under the finding: P(reached by the target year + 4, within the
// horizon) for the reference, and the option that changes it most, paired on
// the same paths -- what an option whose levers act after the target year
// changes. At the scenarios' own assumptions, Monte Carlo intervals.
std::string when_sentence(const nlohmann::json& result) {
  const auto& scenarios = result["scenarios"];
  const auto& ref = scenarios[0];
  const int year = std::min(ref["target_year"].get<int>() + 4, ref["horizon_year"].get<int>());
  const nlohmann::json* at = &reached_by(ref).back();
  for (const auto& point : reached_by(ref)) {
    if (get(point, "value") == year) at = &point;
  }
  std::ostringstream f;
  f << "When: by the end of " << engine::fmt(get(*at, "value"), 0) << " the total has reached "
    << engine::fmt_int(get(ref, "target_jobs")) << " under " << esc(ref["name"].get<std::string>())
    << " with a chance of "
    << pct(get(*at, "probability")) << " (Monte Carlo interval " << pct(get(*at, "ci_low")) << "&ndash;"
    << pct(get(*at, "ci_high")) << ")";
  const nlohmann::json* best = nullptr;
  std::string best_name;
  for (std::size_t k = 1; k < scenarios.size(); ++k) {
    for (const auto& d : scenarios[k]["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]) {
      if (get(d, "value") != get(*at, "value")) continue;
      if (best == nullptr || std::abs(get(d, "difference")) > std::abs(get(*best, "difference"))) {
        best = &d;
        best_name = scenarios[k]["name"].get<std::string>();
      }
    }
  }
  if (best != nullptr) {
    f << "; by then the largest change among the options is " << esc(best_name) << "&rsquo;s, ";
    const int dec = points_decimals({get(*best, "difference"), get(*best, "ci_low"), get(*best, "ci_high")});
    f << points(get(*best, "difference"), dec) << " points (Monte Carlo interval " << points(get(*best, "ci_low"), dec)
      << " to " << points(get(*best, "ci_high"), dec) << ", paired on the same paths)";
    // Across assumptions, the same option on the same figure.
    if (result.contains("assumptions") && result["assumptions"]["by_year"].get<double>() == get(*at, "value")) {
      for (const auto& o : result["assumptions"]["options"]) {
        if (o["name"].get<std::string>() != best_name) continue;
        const auto& b = o["by_year"];
        const auto& d = b["difference"];
        const int dd = points_decimals({get(d, "median"), get(d, "p05"), get(d, "p95")});
        f << "; across " << result["assumptions"]["sets"].get<std::size_t>() << " plausible assumption sets it beats "
          << esc(ref["name"].get<std::string>()) << " by then in " << pct(get(b["beats"], "share"))
          << " of them and loses in " << pct(get(b["loses"], "share")) << " (median change "
          << points(get(d, "median"), dd)
          << " points, range over plausible assumptions " << points(get(d, "p05"), dd) << " to "
          << points(get(d, "p95"), dd) << ")";
      }
    }
  }
  f << ". Monte Carlo intervals at the scenarios&rsquo; own assumptions; every year to "
    << ref["horizon_year"].get<int>()
    << " is in the chart &ldquo;When&rdquo; below and in the JSON.";
  return f.str();
}

// An amount of EUR in million with its sign, for prose: +41.1, &minus;0.79
// (two decimals below one million).
void f_million(std::ostream& os, double eur) {
  const double m = eur / 1e6;
  os << (m > 0 ? "+" : m < 0 ? "&minus;" : "") << engine::fmt(std::abs(m), std::abs(m) < 1 ? 2 : 1);
}

// The levers each option switches on, in plain words with their first year.
std::string options_list(const nlohmann::json& scenarios) {
  std::ostringstream h;
  h << "<ul id=\"options\">";
  for (const auto& sc : scenarios) {
    h << "<li><b>" << esc(sc["name"].get<std::string>()) << "</b>: ";
    std::string on;
    if (sc.contains("levers")) {
      for (const auto& l : sc["levers"]) {
        if (!l["enabled"].get<bool>()) continue;
        std::string meaning = l["meaning"].get<std::string>();
        on += (on.empty() ? "" : "; ") + esc(meaning) + ", from " + std::to_string(l["year"].get<int>());
      }
    }
    const auto& charge = sc["results"]["scalars"]["quota_charge_total_eur"];
    h << (on.empty() ? "no lever switched on: the law as enacted" : on) << " (law: "
      << esc(sc["law_file"].get<std::string>()) << "). Levy or surcharge owed " << esc(first_step_label(sc)) << "&ndash;"
      << sc["horizon_year"].get<int>() << ": EUR " << engine::fmt(get(charge, "mean") / 1e6, 1) << " million on average ("
      << "&plusmn; " << engine::fmt(get(charge, "std_error") / 1e6, 1) << " Monte Carlo standard error)";
    if (sc.contains("vs_reference")) {
      const auto& d = sc["vs_reference"]["scalars"]["quota_charge_total_eur"];
      f_million(h << ", a change of ", get(d, "difference"));
      f_million(h << " million against " << esc(scenarios[0]["name"].get<std::string>()) << " (Monte Carlo interval ",
                get(d, "ci_low"));
      f_million(h << " to ", get(d, "ci_high"));
      h << ", paired on the same paths)";
    }
    h << ".";
    h << "</li>";
  }
  h << "</ul>";
  return h.str();
}

}  // namespace

std::string html_report(const nlohmann::json& result, const std::vector<TargetPoint>& target_path) {
  const auto& scenarios = result["scenarios"];
  const auto& prov = result["provenance"];
  const auto& ref = scenarios[0];
  const bool across = result.contains("assumptions");
  double y_max = 0;
  for (const auto& sc : scenarios)
    for (const auto& st : sc["results"]["series"]["total"]["steps"]) {
      bool ignored = false;
      y_max = std::max(y_max, chart_quantile(st, "p95", ignored));
    }
  for (const auto& t : target_path) {
    if (std::isfinite(t.total)) y_max = std::max(y_max, t.total);
    if (std::isfinite(t.observed)) y_max = std::max(y_max, t.observed);
  }
  y_max = std::ceil(y_max * 1.05 / 25000.0) * 25000.0;

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>banensim: P(reach "
    << engine::fmt_int(get(ref, "target_jobs")) << ")</title><style>"
    << "*{box-sizing:border-box}body{font-family:system-ui,Arial,sans-serif;margin:0 auto;padding:1em;color:#222;"
    << "max-width:1560px;line-height:1.4}h1{font-size:1.35em;line-height:1.35}.lead{font-size:1.05em}"
    << "h2{font-size:1.15em;margin-top:1.6em}"
    << "svg{max-width:100%;height:auto;display:block}"
    << "table{border-collapse:collapse;margin:1em 0;font-size:13px;width:100%}td,th{border-bottom:1px solid #ccc;"
    << "padding:3px 4px;text-align:right;vertical-align:top}td{white-space:nowrap}th{font-weight:600}"
    << "td:first-child,th:first-child{text-align:left}.panels{display:flex;flex-wrap:wrap;gap:12px}"
    << ".panel{flex:1 1 340px;min-width:0}.panel h3{margin:.3em 0;font-size:14px}.note{color:#555;font-size:13px}"
    << ".box{border:1px solid #8aa;background:#f3f8f8;padding:.6em 1em;margin:1em 0;font-size:14px}"
    << ".box h2{margin:.2em 0;font-size:1em}.kind{font-weight:600}#provenance td{text-align:left;white-space:normal;"
    << "overflow-wrap:anywhere}"
    << "@media (max-width:1700px){table.wide,table.wide tbody,table.wide tr,table.wide td{display:block;width:100%}"
    << "table.wide tr:first-child{display:none}table.wide tr{border:1px solid #ccc;margin:.6em 0;padding:.3em}"
    << "table.wide td{text-align:left;border:0;padding:1px 4px;white-space:normal}table.wide td::before{content:attr(data-label) \": \";"
    << "color:#555}table.wide td:empty{display:none}}"
    << ".warning{border-left:4px solid #b00020;background:#fff4f4;padding:.3em .6em}"
    << "</style></head><body>\n";
  h << "<h1 id=\"finding\">" << finding(result) << "</h1>\n";
  h << "<p id=\"when\" class=\"lead\">" << when_sentence(result) << "</p>\n";
  h << "<p class=\"note\">Observed up to " << ref["origin_year"].get<int>() << ", simulated "
    << ref["origin_year"].get<int>() + 1 << "-" << ref["horizon_year"].get<int>() << " under the law in "
    << esc(ref["law_file"].get<std::string>()) << "; " << engine::fmt_int(result["paths"].get<double>())
    << " Monte Carlo paths per option, all on the same random draws (common random numbers); seed "
    << result["seed"].get<std::uint64_t>() << ".";
  if (ref.contains("sector_targets") && ref["sector_targets"]["held_after_last_year"].get<bool>()) {
    const auto& t = ref["sector_targets"];
    h << " Sector targets: " << esc(t["file"].get<std::string>()) << " (" << t["first_year"].get<int>() << "-"
      << t["last_year"].get<int>() << "); after " << t["last_year"].get<int>() << " its last targets hold (the legal "
      << "end state).";
  }
  h << "</p>\n";
  // A calibration that is not the data's (docs/MODEL.md §7), once per reason with the options it applies to.
  std::vector<std::pair<std::string, std::string>> stale;  // (reason, option names)
  for (const auto& s : result["scenarios"]) {
    if (!s.contains("calibration") || !s["calibration"]["mismatch"].is_string()) continue;
    const std::string reason = s["calibration"]["mismatch"].get<std::string>();
    auto it = std::find_if(stale.begin(), stale.end(), [&](const auto& w) { return w.first == reason; });
    if (it == stale.end()) {
      stale.emplace_back(reason, s["name"].get<std::string>());
    } else {
      it->second += ", " + s["name"].get<std::string>();
    }
  }
  for (const auto& [reason, names] : stale) {
    h << "<p class=\"warning calibration\"><strong>Warning (" << esc(names) << "):</strong> "
      << esc(reason) << ".</p>\n";
  }
  // What the intervals cover: the two kinds of uncertainty, always apart.
  h << "<div class=\"box\" id=\"intervals\"><h2>What the intervals cover</h2>"
    << "<p><span class=\"kind\">Monte Carlo interval</span> (95%): the noise of simulating a finite number of paths, at "
    << "one set of assumptions (Wilson intervals for probabilities; normal intervals on the paired per-path "
    << "differences). More paths make it narrower; it says nothing about whether the assumptions are right.</p>";
  if (across) {
    const auto& a = result["assumptions"];
    h << "<p><span class=\"kind\">Range over plausible assumptions</span> (5&ndash;95%): the spread of a figure over "
      << a["sets"].get<std::size_t>() << " assumption sets drawn (" << esc(a["design"].get<std::string>()) << ") from the "
      << "plausible ranges of " << a["factors"].size() << " uncertain parameters; it is the uncertainty of not knowing "
      << "them, and more paths do not narrow it.</p>";
  } else {
    h << "<p><span class=\"kind\">This report&rsquo;s intervals are Monte Carlo intervals only.</span> They do not cover "
      << "the uncertain assumptions (the plausible ranges of docs/MODEL.md &sect;6); "
      << "<code>banensim compare &hellip; --assumptions N</code> adds the range over plausible assumptions.</p>";
  }
  h << "</div>\n";

  h << "<h2>The options</h2>" << options_list(scenarios) << "\n";

  h << "<h2>When: P(reached by year)</h2><p class=\"note\">The probability that the total has reached "
    << engine::fmt_int(get(ref, "target_jobs")) << " at some measurement up to each year; bands: 95% Monte Carlo "
    << "intervals (at the scenarios&rsquo; own assumptions).</p>" << reached_chart(scenarios) << "\n";
  {
    // "P(reached by YEAR)" as in the terminal table: the target year + 4, or the horizon.
    const int year = std::min(ref["target_year"].get<int>() + 4, ref["horizon_year"].get<int>());
    const std::string chart = difference_chart(result, year);
    if (!chart.empty()) {
      h << "<p class=\"note\">Each option&rsquo;s change in P(reached by " << year << ") against "
        << esc(ref["name"].get<std::string>()) << ", in percentage points, paired on the same paths: dot and black "
        << "whisker at the scenarios&rsquo; own assumptions (95% Monte Carlo interval)"
        << (across ? "; grey bar: 5&ndash;95% of the change over the assumption sets (range over plausible "
                     "assumptions)"
                   : "")
        << ".</p>" << chart << "\n";
    }
  }

  h << "<h2>Probability of the target at the end-" << ref["target_year"].get<int>() << " measurement</h2>"
    << "<p class=\"note\">P(reach): the total at or above the target at that measurement (not whether it was "
    << "reached earlier: that is P(reached by year), above). At the scenarios&rsquo; own assumptions (dots) with "
    << "its 95% Monte Carlo interval (black whisker), on "
    << "an axis zoomed to the intervals so that a difference of one percentage point is visible.</p>"
    << probability_chart(result, false) << "\n";
  if (across) {
    h << "<p class=\"note\">The same with the range over plausible assumptions (grey bar: 5&ndash;95% of P(reach) "
      << "over the assumption sets).</p>" << probability_chart(result, true) << "\n";
  }

  if (across) h << assumptions_section(result) << "\n";

  const int target_year = ref["target_year"].get<int>();
  // "P(reached by YEAR)" as in the terminal table: four years after the
  // target year, or the horizon when that is earlier.
  const int by_year = std::min(target_year + 4, ref["horizon_year"].get<int>());
  const std::string horizon = std::to_string(by_year);
  h << "<h2>Comparison at the scenarios&rsquo; own assumptions</h2><p class=\"note\">Every interval in this table is a "
    << "95% Monte Carlo interval; the levy or surcharge is given as mean &plusmn; one standard error (Monte "
    << "Carlo).</p><table id=\"comparison\" class=\"wide\">";
  const std::vector<std::string> labels = {"option", "P(reach)", "Monte Carlo 95%", "difference vs " + ref["name"].get<std::string>(),
                                           "Monte Carlo 95%", "P(only option)", "P(only reference)",
                                           "median total " + std::to_string(target_year), "90% of paths",
                                           "P(reached by " + horizon + ")", "Monte Carlo 95%",
                                           "difference by " + horizon, "Monte Carlo 95%",
                                           "P(quota in force " + std::to_string(target_year) + ")", "Monte Carlo 95%",
                                           "levy or surcharge, EUR million"};
  h << "<tr>";
  for (const auto& l : labels) h << "<th>" << esc(l) << "</th>";
  h << "</tr>\n";
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const auto& sc = scenarios[k];
    const auto& last = step_of(sc["results"]["series"]["total"]["steps"], target_year);
    // An estimate and its interval at decimals that resolve the interval.
    const auto estimate = [](const nlohmann::json& j, const char* key) {
      return engine::fmt_estimate(get(j, key), engine::interval_decimals(get(j, "ci_low"), get(j, "ci_high"), 3));
    };
    const auto interval = [](const nlohmann::json& j) {
      return engine::fmt_interval(get(j, "ci_low"), get(j, "ci_high"),
                                  engine::interval_decimals(get(j, "ci_low"), get(j, "ci_high"), 3));
    };
    std::vector<std::string> cells = {esc(sc["name"].get<std::string>()), estimate(sc, "probability"), interval(sc)};
    if (sc.contains("vs_reference")) {
      const auto& d = sc["vs_reference"]["indicators"]["reach_target"];
      const auto with_interval = [&](const nlohmann::json& p) {
        return estimate(p, "probability") + "<br>" + interval(p);
      };
      cells.insert(cells.end(), {estimate(d, "difference"), interval(d), with_interval(d["p_variant_only"]),
                                 with_interval(d["p_reference_only"])});
    } else {
      cells.insert(cells.end(), {"(reference)", "", "", ""});
    }
    const auto& ind = sc["results"]["indicators"];
    const auto& charge = sc["results"]["scalars"]["quota_charge_total_eur"];
    const nlohmann::json* by_horizon = &reached_by(sc).back();
    for (const auto& point : reached_by(sc)) {
      if (get(point, "value") == by_year) by_horizon = &point;
    }
    // The paired difference of P(reached by that year) from the reference.
    std::vector<std::string> by_diff = {"(reference)", ""};
    if (sc.contains("vs_reference")) {
      const auto& diffs = sc["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"];
      const nlohmann::json* at = &diffs.back();  // the same year as by_horizon
      for (const auto& point : diffs) {
        if (get(point, "value") == by_year) at = &point;
      }
      by_diff = {estimate(*at, "difference"), interval(*at)};
    }
    const auto& q = ind["quota_in_force_target_year"];
    cells.insert(cells.end(), {jobs_quantile(last, "p50"), "[" + jobs_quantile(last, "p05") + ", " + jobs_quantile(last, "p95") + "]",
                               estimate(*by_horizon, "probability"), interval(*by_horizon),
                               by_diff[0], by_diff[1],
                               estimate(q, "probability"), interval(q),
                               engine::fmt(get(charge, "mean") / 1e6, 1) + " &plusmn; " + engine::fmt(get(charge, "std_error") / 1e6, 1)});
    h << "<tr>";
    for (std::size_t c = 0; c < cells.size(); ++c) h << "<td data-label=\"" << esc(labels[c]) << "\">" << cells[c] << "</td>";
    h << "</tr>\n";
  }
  h << "</table>\n";
  // An option whose P(reach) is the reference's on every path, and why.
  for (const auto& sc : scenarios) {
    if (sc.contains("vs_reference") && sc["vs_reference"].contains("note")) {
      h << "<p class=\"note same-reach\">" << esc(sc["name"].get<std::string>()) << " "
        << esc(sc["vs_reference"]["note"].get<std::string>()) << ".</p>\n";
    }
  }

  h << "<h2>Total extra jobs per year</h2><p class=\"note\">Black dots: the measured totals (UWV); then the median "
    << "(line), 50% of paths (dark band) and 90% of paths (light band) at the scenarios&rsquo; own assumptions; red "
    << "dashes: the legal target path.</p><div class=\"panels\">\n";
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
  // Each scenario as a command line would name it: the file and what changed its values.
  for (const auto& f : prov["scenarios"]) {
    std::string set;
    if (f.contains("overrides")) {
      for (const auto& o : f["overrides"]) set += " --set " + o["key"].get<std::string>() + "=" + o["value"].get<std::string>();
    }
    h << "<tr><td>scenario " << esc(f["name"].get<std::string>()) << "</td><td>" << esc(f["file"].get<std::string>() + set)
      << " (resolved hash " << esc(f["resolved_hash"].get<std::string>()) << ")</td></tr>";
  }
  // The data files read, each once: key, file and the digest of the bytes the
  // run parsed, with the scenarios that read it when not every one did.
  struct DataRow {
    std::string key, file;               // the key, and "PATH (fnv1a64 DIGEST)"
    std::vector<std::string> readers;    // the scenarios that read it
  };
  std::vector<DataRow> data_rows;
  for (const auto& f : prov["scenarios"]) {
    if (!f.contains("data_files")) continue;
    for (const auto& d : f["data_files"]) {
      const DataRow row{d["key"].get<std::string>(),
                        d["file"].get<std::string>() + " (fnv1a64 " + d["fnv1a64"].get<std::string>() + ")", {}};
      auto it = std::find_if(data_rows.begin(), data_rows.end(),
                             [&](const DataRow& r) { return r.key == row.key && r.file == row.file; });
      if (it == data_rows.end()) it = data_rows.insert(data_rows.end(), row);
      it->readers.push_back(f["name"].get<std::string>());
    }
  }
  for (const DataRow& row : data_rows) {
    std::string who;
    if (row.readers.size() < prov["scenarios"].size()) {
      for (const std::string& n : row.readers) who += (who.empty() ? " — read by " : ", ") + n;
    }
    h << "<tr><td>data " << esc(row.key) << "</td><td>" << esc(row.file + who) << "</td></tr>";
  }
  if (across) {
    for (const auto& f : result["assumptions"]["factors"]) {
      h << "<tr><td>factor</td><td>" << esc(f["description"].get<std::string>()) << "</td></tr>";
    }
  }
  h << "</table>\n</body></html>\n";
  return h.str();
}


std::vector<TargetPoint> legal_target_path(const models::BanenafspraakModel& m) {
  std::vector<TargetPoint> path;
  for (const auto& t : m.params().legal_targets.years) path.push_back({t.year, t.total});
  // The model holds the target flat after the file's last year.
  if (!path.empty() && path.back().year < m.horizon_year()) path.push_back({m.horizon_year(), m.target_total()});
  // The measured totals up to the forecast origin, on their years (a year
  // the targets file lacks gets a point of its own).
  for (const auto& o : m.params().observed.years) {
    if (o.year > m.origin_year()) continue;
    auto it = std::find_if(path.begin(), path.end(), [&](const TargetPoint& t) { return t.year == o.year; });
    if (it == path.end()) {
      it = path.insert(std::find_if(path.begin(), path.end(), [&](const TargetPoint& t) { return t.year > o.year; }),
                       TargetPoint{o.year, std::nan("")});
    }
    it->observed = o.total_counted;
  }
  return path;
}

}  // namespace banensim::app
