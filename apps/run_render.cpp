// The table and CSV of `run` and `compare` (docs/OUTPUT.md).

#include "apps/run_render.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/provenance.hpp"

namespace banensim::app {

namespace {

using studies::csv_difference;
using studies::csv_number;
using studies::csv_probability;

// A number as csv_number writes it (10 significant digits), without the comma.
std::string csv_text(double x) {
  if (!std::isfinite(x)) return "";
  std::ostringstream os;
  os.precision(10);
  os << x;
  return os.str();
}

// P(reached by year Y) and P(first reached in Y) for each simulated year Y:
// the first-year scalar's cumulative counts (engine::cumulative_by_value),
// by the year's label. A year the histogram does not hold (before an
// observed first year) has no entry.
std::map<std::string, engine::CumulativePoint> reached_by_year(const engine::Tally& t,
                                                               const engine::OutputLayout& layout) {
  std::map<std::string, engine::CumulativePoint> by_year;
  const auto& first = t.scalar(layout.scalar_index("first_year_reached")).histogram;
  for (const auto& c : engine::cumulative_by_value(first, t.n_paths())) by_year[engine::fmt(c.value, 0)] = c;
  return by_year;
}

// The paired difference of P(reached by year Y) between variant k >= 1 and
// the reference, for each simulated year Y, by the year's label
// (engine::cumulative_difference of the first-year scalar).
std::map<std::string, engine::CumulativeDifference> reached_by_year_difference(const engine::PairedTally& t,
                                                                               std::size_t k,
                                                                               const engine::OutputLayout& layout) {
  std::map<std::string, engine::CumulativeDifference> by_year;
  for (const auto& c : engine::cumulative_difference(t, k, layout.scalar_index("first_year_reached"), layout)) {
    by_year[engine::fmt(c.value, 0)] = c;
  }
  return by_year;
}

// The year by which half of all paths have reached the target, or "" when
// fewer than half do by the horizon (the table writes "not reached").
std::string median_first_year(const engine::Tally& t, const engine::OutputLayout& layout) {
  const std::size_t i_first = layout.scalar_index("first_year_reached");
  const auto& present = t.scalar_present(i_first);
  if (present.successes() * 2 <= present.trials()) return "";
  return engine::quantile_text(t.scalar(i_first).histogram.quantile_discrete_estimate(
                                   0.5 * static_cast<double>(t.n_paths()) / static_cast<double>(present.successes())),
                               [](double v) { return engine::fmt(v, 0); });
}

}  // namespace

std::string render_csv(const studies::ScenarioRun& run) {
  const auto& sc = run.scenarios;
  const engine::RunResult& r = run.result;
  const std::uint64_t seed = run.seed;
  // Tidy: one row per scenario and year; one column group per series, then
  // the first year the target is reached.
  const auto& layout = sc[0].model.layout();
  std::ostringstream os;
  os << "scenario,year,seed,paths";
  for (const auto& s : layout.series) {
    for (const char* q : {"mean", "std_error", "p05", "p25", "p50", "p75", "p95"}) os << "," << s.name << "_" << q;
  }
  os << ",p_reached_by,p_reached_by_ci_low,p_reached_by_ci_high,p_first_year";
  os << ",p_reached_by_diff,p_reached_by_diff_ci_low,p_reached_by_diff_ci_high";
  // The scenario's own figures (the table's columns), the same on each of its rows.
  os << ",p_reach,p_reach_ci_low,p_reach_ci_high,diff,diff_ci_low,diff_ci_high,p_only_variant,p_only_reference"
        ",median_first_year,p_quota,p_quota_ci_low,p_quota_ci_high,charge_mean_eur,charge_std_error_eur"
        ",charge_diff_eur,charge_diff_ci_low_eur,charge_diff_ci_high_eur";
  // Added after the columns above so that none of them moves; then what each
  // row was computed from: the scenario file and its resolved hash (every
  // parameter value, --set and variant settings included, and the digest of
  // every data file read; docs/OUTPUT.md).
  os << ",p_only_variant_ci_low,p_only_variant_ci_high,p_only_reference_ci_low,p_only_reference_ci_high";
  os << ",file,resolved_hash";
  os << ",p_first_year_ci_low,p_first_year_ci_high";  // later still: the interval of p_first_year
  os << "\n";
  const std::size_t i_reach = layout.indicator_index("reach_target");
  const std::size_t i_quota = layout.indicator_index("quota_in_force_target_year");
  const std::size_t i_charge = layout.scalar_index("quota_charge_total_eur");
  os.precision(10);
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& t = r.tally.variant(k);
    const auto by_year = reached_by_year(t, layout);
    std::map<std::string, engine::CumulativeDifference> by_year_diff;
    if (k > 0) by_year_diff = reached_by_year_difference(r.tally, k, layout);
    std::ostringstream own;
    own.precision(10);
    csv_probability(own, t.indicator(i_reach));
    if (k == 0) {
      own << ",,,,,";
    } else {
      const auto& pair = r.tally.indicator_pair(k, i_reach);
      csv_difference(own, pair.difference);
      csv_number(own, pair.variant_only.estimate());
      csv_number(own, pair.reference_only.estimate());
    }
    own << "," << median_first_year(t, layout);
    csv_probability(own, t.indicator(i_quota));
    csv_number(own, t.scalar(i_charge).moments.mean());
    csv_number(own, t.scalar(i_charge).moments.std_error());
    if (k == 0) {
      own << ",,,";
    } else {
      csv_difference(own, r.tally.scalar_difference(k, i_charge));
    }
    if (k == 0) {
      own << ",,,,";
    } else {
      const auto& pair = r.tally.indicator_pair(k, i_reach);
      for (const engine::Proportion* only : {&pair.variant_only, &pair.reference_only}) {
        const auto ci = only->wilson();
        csv_number(own, ci.low);
        csv_number(own, ci.high);
      }
    }
    own << "," << studies::csv_field(sc[k].file) << "," << sc[k].resolved.hash();
    for (std::size_t step = 0; step < layout.n_steps(); ++step) {
      os << studies::csv_field(sc[k].name) << "," << layout.step_labels[step] << "," << seed << "," << r.n_paths;
      for (std::size_t i = 0; i < layout.series.size(); ++i) {
        const auto& d = t.series(i, step);
        csv_number(os, d.moments.mean());
        csv_number(os, d.moments.std_error());
        // A quantile known only as a bound is written as >=X or <X, never as a number.
        for (double q : engine::kQuantileLevels) {
          os << "," << engine::quantile_text(d.histogram.quantile_estimate(q), csv_text, "");
        }
      }
      const auto& c = by_year.at(layout.step_labels[step]);
      const auto ci = c.up_to_value.wilson();
      csv_number(os, c.up_to_value.estimate());
      csv_number(os, ci.low);
      csv_number(os, ci.high);
      csv_number(os, static_cast<double>(c.at_value) / static_cast<double>(t.n_paths()));
      if (k == 0) {
        os << ",,,";
      } else {
        csv_difference(os, by_year_diff.at(layout.step_labels[step]).difference);
      }
      const auto first_ci = engine::Proportion(c.at_value, t.n_paths()).wilson();
      os << own.str();
      csv_number(os, first_ci.low);
      csv_number(os, first_ci.high);
      os << "\n";
    }
  }
  return os.str();
}

namespace {

// A quantile of jobs for a table: 125,000, or ">= 400,000" when only a bound is known.
std::string jobs_quantile(const engine::Histogram& h, double p) {
  return engine::quantile_text(h.quantile_estimate(p), [](double v) { return engine::fmt_int(v); });
}

}  // namespace

std::string render_table(const studies::ScenarioRun& run, bool across_assumptions_below) {
  const auto& sc = run.scenarios;
  const engine::RunResult& r = run.result;
  const auto& layout = sc[0].model.layout();
  const auto& m0 = sc[0].model;
  std::ostringstream os;
  os << studies::version_line() << "\n";
  os << "seed " << run.seed << ", " << engine::fmt_int(static_cast<double>(r.n_paths)) << " paths, ";
  if (run.ranks > 1) os << run.ranks << " MPI ranks x ";
  os << r.n_threads << " threads, " << engine::fmt(r.wall_seconds, 1) << " s";
  if (run.precision) {
    os << "; stopping rule: 95% half-width <= " << *run.precision << " -> "
       << (r.stopped_by_rule ? "converged" : "NOT converged (max paths reached), widest half-width " +
                                                 engine::fmt(engine::max_half_width(r.tally), 4));
  }
  os << "\nTarget: " << engine::fmt_int(m0.target_total()) << " extra jobs at the end-" << m0.target_year()
     << " measurement; observed up to " << m0.origin_year() << ", simulated " << m0.origin_year() + 1 << "-"
     << m0.horizon_year() << "; the law: " << m0.params().law_timeline.file << ".\n";
  const auto& targets = m0.params().legal_targets;
  if (m0.target_year() > targets.years.back().year) {
    const std::string last = std::to_string(targets.years.back().year);
    os << "Sector targets: " << targets.file << " (" << targets.years.front().year << "-" << last << "); after " << last
       << " its " << last << " targets hold (the legal end state).\n";
  }
  std::vector<const studies::Scenario*> loaded;
  for (const auto& s : sc) loaded.push_back(&s);
  for (const auto& stale : studies::stale_calibrations(loaded)) {
    os << "WARNING (";
    for (std::size_t i = 0; i < stale.names.size(); ++i) os << (i ? ", " : "") << stale.names[i];
    os << "): " << stale.reason << ".\n";
  }
  // Which kind of uncertainty the intervals are, said before the first one.
  os << "Intervals: 95% Monte Carlo intervals, the noise of " << engine::fmt_int(static_cast<double>(r.n_paths))
     << " paths at the " << (sc.size() > 1 ? "scenarios'" : "scenario's")
     << " own assumptions (Wilson for probabilities" << (sc.size() > 1 ? "; normal on paired per-path differences" : "")
     << ").\n";
  if (across_assumptions_below) {
    os << "The range over plausible assumptions follows the table.\n\n";
  } else {
    os << "They do not cover the uncertain assumptions: banensim compare REFERENCE OPTION... --assumptions N adds the "
          "range over plausible assumptions.\n\n";
  }

  const std::size_t i_reach = layout.indicator_index("reach_target");
  const std::size_t i_total = layout.series_index("total");
  const std::size_t i_charge = layout.scalar_index("quota_charge_total_eur");
  const std::size_t i_quota = layout.indicator_index("quota_in_force_target_year");
  // The target year's step (the simulation may go on to the horizon).
  const auto at_target = static_cast<std::size_t>(m0.target_year() - m0.origin_year() - 1);
  const std::string target_label = layout.step_labels[at_target];
  const std::string& horizon_label = layout.step_labels.back();
  // The compare table's "P(by YEAR)": four years after the target year (the
  // horizon when that is earlier); every year is in the run's outputs.
  const std::string by_label = layout.step_labels[std::min(layout.n_steps() - 1, at_target + 4)];

  std::vector<std::vector<std::string>> rows;
  if (sc.size() == 1) {
    const auto& t = r.tally.variant(0);
    os << "Scenario: " << sc[0].name << " (" << sc[0].file << ")\n\n";
    const auto& p = t.indicator(i_reach);
    os << "P(total >= " << engine::fmt_int(m0.target_total()) << " in " << m0.target_year()
       << ") = " << engine::fmt_estimate(p.estimate(), 4) << "  95% CI " << engine::fmt_interval(p.wilson(), 4) << "\n\n";
    rows.push_back({"outcome", "probability", "95% CI"});
    for (std::size_t i = 0; i < layout.indicators.size(); ++i) {
      rows.push_back({layout.indicators[i].description.empty() ? layout.indicators[i].name
                                                              : layout.indicators[i].description,
                      engine::fmt_estimate(t.indicator(i).estimate(), 4), engine::fmt_interval(t.indicator(i).wilson(), 4)});
    }
    os << engine::format_table(rows) << "\n";
    rows.clear();
    rows.push_back({"per-path figure", "mean", "s.e.", "5%", "median", "95%", "unit"});
    for (std::size_t i = 0; i < layout.scalars.size(); ++i) {
      const auto& d = t.scalar(i);
      std::string name = layout.scalars[i].name;
      if (layout.scalars[i].optional) {
        name += " (on " + engine::fmt(100.0 * t.scalar_present(i).estimate(), 1) + "% of paths)";
      }
      // A mean year has a decimal; quantiles of whole numbers (years) are
      // whole numbers that occur.
      const bool whole = layout.scalars[i].whole_numbers;
      const int dec = layout.scalars[i].unit == "year" ? 1 : 0;
      auto q = [&](double level) {
        return engine::quantile_text(engine::summary_quantile(d.histogram, level, whole), [whole](double v) {
          return whole ? engine::fmt(v, 0) : engine::fmt_int(v);
        });
      };
      rows.push_back({name, dec ? engine::fmt(d.moments.mean(), 1) : engine::fmt_int(d.moments.mean()),
                      dec ? engine::fmt_estimate(d.moments.std_error(), 2) : engine::fmt_int(d.moments.std_error()),
                      q(0.05), q(0.5), q(0.95), layout.scalars[i].unit});
    }
    os << engine::format_table(rows) << "\n";
    rows.clear();
    rows.push_back({"year", "P(reached by year)", "95% CI", "P(first reached in year)", "95% CI"});
    const auto by_year = reached_by_year(t, layout);
    for (const auto& label : layout.step_labels) {
      const auto& c = by_year.at(label);
      const engine::Proportion first(c.at_value, t.n_paths());
      rows.push_back({label, engine::fmt_estimate(c.up_to_value.estimate(), 4),
                      engine::fmt_interval(c.up_to_value.wilson(), 4), engine::fmt_estimate(first.estimate(), 4),
                      engine::fmt_interval(first.wilson(), 4)});
    }
    os << "When the total first reaches " << engine::fmt_int(m0.target_total())
       << " (the first measurement at or above it; exact counts, 95% Wilson intervals)\n"
       << engine::format_table(rows);
    // Two medians answer "when": over all paths (compare's and the CSV's
    // median_first_year) and over the paths that reach it (the per-path
    // figure above). Say which is which when they can differ.
    const std::size_t i_first = layout.scalar_index("first_year_reached");
    const double reaching = t.scalar_present(i_first).estimate();
    if (reaching < 1) {
      const std::string all = median_first_year(t, layout);
      const std::string last = layout.step_labels.back();
      os << (all.empty() ? "Fewer than half of all paths reach it by " + last + ": the median over all paths is later"
                         : "Half of all paths have reached it by " + all + " (the median over all paths, compare's "
                                                                            "and the CSV's median_first_year)")
         << ";\nthe median of first_year_reached above is over the " << engine::fmt(100.0 * reaching, 1)
         << "% of paths that reach it by " << last << ".\n";
    }
    os << "\n";
    for (std::size_t i = 0; i < layout.series.size(); ++i) {
      rows.clear();
      rows.push_back({"year", layout.series[i].name + " mean", "s.e.", "5%", "25%", "median", "75%", "95%"});
      for (std::size_t step = 0; step < layout.n_steps(); ++step) {
        const auto& d = t.series(i, step);
        std::vector<std::string> row = {layout.step_labels[step], engine::fmt_int(d.moments.mean()),
                                        engine::fmt_int(d.moments.std_error())};
        for (double q : engine::kQuantileLevels) row.push_back(jobs_quantile(d.histogram, q));
        rows.push_back(row);
      }
      os << "Extra jobs counted: " << layout.series[i].name << " (" << layout.series[i].unit << ")\n"
         << engine::format_table(rows) << "\n";
    }
    return os.str();
  }
  // compare
  os << "Reference: " << sc[0].name << ". All scenarios run on the same random draws (common random numbers).\n\n";
  rows.push_back({"scenario", "P(reach)", "95% CI", "diff vs ref", "95% CI", "P(only var)", "95% CI",
                  "P(only ref)", "95% CI", "median total " + target_label, "90% interval", "median 1st year",
                  "P(by " + by_label + ")", "95% CI", "diff by " + by_label, "95% CI",
                  "P(quota " + target_label + ")", "95% CI", "E[charge] EUR", "diff charge EUR M", "95% CI"});
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& t = r.tally.variant(k);
    const auto& p = t.indicator(i_reach);
    const auto& tot = t.series(i_total, at_target).histogram;
    std::vector<std::string> row = {sc[k].name, engine::fmt_estimate(p.estimate(), 4), engine::fmt_interval(p.wilson(), 4)};
    if (k == 0) {
      row.insert(row.end(), {"(reference)", "", "", "", "", ""});
    } else {
      const auto& pair = r.tally.indicator_pair(k, i_reach);
      row.push_back(engine::fmt(pair.difference.mean(), 4));
      row.push_back(engine::fmt_interval(engine::mean_interval(pair.difference), 4));
      for (const engine::Proportion* only : {&pair.variant_only, &pair.reference_only}) {
        row.push_back(engine::fmt_estimate(only->estimate(), 4));
        row.push_back(engine::fmt_interval(only->wilson(), 4));
      }
    }
    row.push_back(jobs_quantile(tot, 0.5));
    row.push_back("[" + jobs_quantile(tot, 0.05) + ", " + jobs_quantile(tot, 0.95) + "]");
    const std::string first = median_first_year(t, layout);
    row.push_back(first.empty() ? "not reached" : first);
    const engine::Proportion by_year = reached_by_year(t, layout).at(by_label).up_to_value;  // a copy: the map is a temporary
    row.push_back(engine::fmt(by_year.estimate(), 3));
    row.push_back(engine::fmt_interval(by_year.wilson(), 3));
    if (k == 0) {
      row.insert(row.end(), {"(reference)", ""});
    } else {
      const auto by_year_diff = reached_by_year_difference(r.tally, k, layout).at(by_label).difference;
      row.push_back(engine::fmt(by_year_diff.mean(), 4));
      row.push_back(engine::fmt_interval(engine::mean_interval(by_year_diff), 4));
    }
    row.push_back(engine::fmt(t.indicator(i_quota).estimate(), 3));
    row.push_back(engine::fmt_interval(t.indicator(i_quota).wilson(), 3));
    row.push_back(engine::fmt_int(t.scalar(i_charge).moments.mean()) + " +- " +
                  engine::fmt_int(t.scalar(i_charge).moments.std_error()));
    if (k == 0) {
      row.insert(row.end(), {"(reference)", ""});
    } else {
      const engine::RunningStats& d = r.tally.scalar_difference(k, i_charge);
      const engine::Interval ci = engine::mean_interval(d);
      row.push_back(engine::fmt(d.mean() / 1e6, 2));
      row.push_back(engine::fmt_interval(ci.low / 1e6, ci.high / 1e6, 2));
    }
    rows.push_back(row);
  }
  os << engine::format_table(rows)
     << "\nmedian 1st year: the year by which half of all paths have reached the target (\"not reached\" if fewer than half do"
     << " by " << horizon_label << ").\n"
     << "P(by " << by_label << "): the total reaches the target at some measurement up to " << by_label
     << " (every year to " << horizon_label << ": run SCENARIO, or --format csv|json); diff by " << by_label
     << ": its paired difference from the reference on the same paths.\n"
     << "P(quota " << target_label << "): a quota (the market's, the government's or the national one) is active in "
     << target_label << "; E[charge]: the levy or surcharge owed over " << layout.step_labels.front() << "-"
     << horizon_label << " (mean +- standard error; negative: a net bonus); diff charge: its paired difference from "
     << "the reference, EUR million.\n";
  for (std::size_t k = 1; k < sc.size(); ++k) {
    if (const auto note = studies::same_reach_note(run, k)) os << sc[k].name << " " << *note << ".\n";
  }
  return os.str();
}

namespace {

// The largest distance from a beats / ties / loses share to an end of its
// 95% Wilson interval over the n sets, over every option and figure.
double widest_share_margin(const studies::AssumptionResult& r, std::size_t n) {
  double widest = 0;
  for (std::size_t k = 1; k < r.options.size(); ++k) {
    for (const studies::Judgement* j : {&r.options[k].reach, &r.options[k].by_year}) {
      for (std::size_t c : {j->beats, j->ties, j->loses}) {
        const engine::Proportion p(c, n);
        const engine::Interval w = p.wilson();
        widest = std::max({widest, p.estimate() - w.low, w.high - p.estimate()});
      }
    }
  }
  return widest;
}

std::string share_text(std::size_t k, std::size_t n) {
  return engine::fmt_percent(static_cast<double>(k) / static_cast<double>(n));
}

// "status quo's (0.007, Monte Carlo range [0.002, 0.011])", or "shared by a,
// b and c (...)" when options tie exactly; then the options whose Monte Carlo
// ranges reach it, which the noise does not tell apart from it.
std::string smallest_regret(const studies::AssumptionResult& r, bool by_year) {
  const std::size_t k = by_year ? r.minimax_regret_by_year : r.minimax_regret;
  const studies::Judgement& least = by_year ? r.options[k].by_year : r.options[k].reach;
  const std::string value = " (" + engine::fmt(least.worst_regret, 3) + ", Monte Carlo range " +
                            engine::fmt_interval(least.worst_regret_low, least.worst_regret_high, 3) + ")";
  std::string text = studies::minimax_options(r, by_year).size() == 1
                         ? r.options[k].name + "'s" + value
                         : "shared by " + studies::minimax_names(r, by_year) + value;
  std::vector<std::string> near;
  for (const std::size_t o : studies::minimax_near(r, by_year)) near.push_back(r.options[o].name);
  if (!near.empty()) {
    text += ", and the range of " + engine::join_names(near) + " reaches it (not told apart by the Monte Carlo noise)";
  }
  return text;
}
}  // namespace

std::string render_assumptions_table(const studies::AssumptionStudy& s, const studies::AssumptionResult& r) {
  const auto& layout = s.options[0].model.layout();
  const std::size_t i_reach = layout.indicator_index("reach_target");
  const engine::PairedTally& central = r.central.result.tally;
  const std::size_t n = r.run.table.rows.size();
  const std::string by_label = std::to_string(s.by_year);
  std::ostringstream os;
  os << render_table(r.central, true) << "\n";
  os << "Across plausible assumptions: " << n << " assumption sets (" << s.design << ", seed " << s.run.seed << "; "
     << engine::fmt(r.wall_seconds, 1) << " s) over "
     << s.factors.size()
     << (s.study_file ? " factors from " + *s.study_file : std::string(" uncertain parameters, uniform on their plausible ranges"))
     << ";\nat each set every option runs on the same " << engine::fmt_int(static_cast<double>(s.run.paths))
     << " paths (common random numbers, the same seed at every set).\n";
  // One table per figure: P(reach) in the target year, then P(reached by
  // the study's year).
  const auto table = [&](const std::string& figure, bool reach) {
    std::vector<std::string> header = {"option",      figure + " here",         "Monte Carlo 95%",
                                       "median",      "assumption range 5-95%", "diff median",
                                       "assumption range 5-95%", "beats", "ties", "loses", "worst regret",
                                       "Monte Carlo range"};
    std::vector<std::vector<std::string>> rows = {header};
    for (std::size_t k = 0; k < s.options.size(); ++k) {
      const auto& o = r.options[k];
      const studies::Judgement& j = reach ? o.reach : o.by_year;
      const engine::Proportion p = reach ? central.variant(k).indicator(i_reach)
                                         : reached_by_year(central.variant(k), layout).at(by_label).up_to_value;
      std::vector<std::string> row = {o.name, engine::fmt(p.estimate(), 3), engine::fmt_interval(p.wilson(), 3),
                                      engine::fmt(j.median, 3), engine::fmt_interval(j.low, j.high, 3)};
      if (k == 0) {
        row.insert(row.end(), {"(reference)", "", "", "", ""});
      } else {
        row.insert(row.end(), {engine::fmt(j.diff_median, 3), engine::fmt_interval(j.diff_low, j.diff_high, 3),
                               share_text(j.beats, n), share_text(j.ties, n), share_text(j.loses, n)});
      }
      row.push_back(engine::fmt(j.worst_regret, 3));
      row.push_back(engine::fmt_interval(j.worst_regret_low, j.worst_regret_high, 3));
      rows.push_back(row);
    }
    return engine::format_table(rows);
  };
  os << table("P(reach)", true) << "\n";
  os << "P(reached by " << by_label << "): the total reaches the target at some measurement up to " << by_label
     << ", the same sets and paths:\n"
     << table("P(by " + by_label + ")", false) << "\n";
  os << "here: at the scenarios' own values, with its Monte Carlo interval. Median and assumption range: over the "
        "assumption sets (5% and 95% quantiles), each set's figure itself a Monte Carlo estimate.\n"
     << "beats / ties / loses: share of the sets where the 95% paired Monte Carlo interval of the difference against "
     << s.options[0].name << " lies wholly above 0 / contains 0 / lies wholly below 0; as estimates of the share of "
     << "the whole plausible range, their 95% Wilson intervals reach at most "
     << engine::fmt(100 * widest_share_margin(r, n), 1)
     << " percentage points either side (the sets taken as independent draws; each interval in --format csv|json).\n"
     << "worst regret: the largest, over the sets, of (the best option's figure at that set - the option's), an "
        "estimate that leans high (a maximum over noisy sets); Monte Carlo range: an interval for the true worst "
        "case (low: the largest lower end over the sets with the intervals widened for " << n
     << " sets, Bonferroni; high: the largest 95% upper end), which holds it with probability at least about 1 - "
     << s.options.size() << " x 2.5%.\nFor P(reach) the smallest is " << smallest_regret(r, false) << ";\nfor P(by "
     << by_label << ") it is " << smallest_regret(r, true) << ".\n\n";
  os << "What decides the sign (PRIM on the sets where the option beats, or loses; coverage: share of those sets "
        "inside the stated region, density: share of the region's sets that are such):\n";
  for (std::size_t k = 1; k < s.options.size(); ++k) {
    os << "- " << studies::rule_sentence(s, r.options[k], r.options[k].reach, s.reach_label()) << "\n";
    os << "- " << studies::rule_sentence(s, r.options[k], r.options[k].by_year, s.by_year_label()) << "\n";
  }
  return os.str();
}

}  // namespace banensim::app
