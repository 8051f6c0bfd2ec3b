// `banensim backtest SCENARIO --fit-until YEAR`: calibrate on the history up
// to YEAR, forecast the years after, score the forecast against what was
// observed (interval coverage, CRPS); docs/BACKTEST_AND_SWEEPS.md.
// (Moved from apps/research_commands.cpp unchanged but for the execution
// context in place of the former globals; issue 15 rewrites it as a study.)

#include <cmath>
#include <iostream>
#include <optional>
#include <span>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/atomic_file.hpp"
#include "engine/crps.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "models/calibration.hpp"
#include "studies/point_runner.hpp"
#include "studies/provenance.hpp"
#include "studies/scenario.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

struct ScoredYear {
  std::string series;
  int year = 0;
  double observed = 0;
  double p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;
  bool in_50 = false, in_90 = false;
  double crps = 0;
  double resolution = 0;  // histogram bin width, jobs
};

}  // namespace

int cmd_backtest(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("fit-until", po::value<std::string>(), "calibrate on the observed years up to YEAR; forecast from YEAR (required)")
    ("paths,n", po::value<std::string>(), "number of paths (default: the scenario's simulation.paths)")
    ("seed,s", po::value<std::string>(), "random seed (default 2013)")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("block-size", po::value<std::string>(), "paths per block (default 1024)")
    ("format,f", po::value<std::string>()->default_value("table"), "table | json | csv")
    ("out,o", po::value<std::string>(), "write the output to FILE (atomically) instead of stdout");
  const po::variables_map vm =
      parse_command(args, d,
                    "Usage: banensim backtest SCENARIO --fit-until YEAR [options]\n"
                    "  Calibrates on the history up to YEAR, forecasts from YEAR with the calibrated parameters,\n"
                    "  and scores the forecast against the observed years after YEAR: median, 50% and 90%\n"
                    "  intervals, their coverage, and the CRPS per year and on average.\n");
  if (!vm.count("scenario")) throw UsageError("backtest: no scenario file given");
  const auto scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (scenarios.size() != 1) throw UsageError("backtest takes one scenario");
  if (!vm.count("fit-until")) throw UsageError("backtest: --fit-until YEAR is required");
  const int fit_until = static_cast<int>(parse_count("fit-until", vm["fit-until"].as<std::string>(), 2013, 2100));
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError("--format " + format + ": must be table, json or csv");
  }
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  std::uint64_t seed = studies::kDefaultSeed;
  if (vm.count("seed")) seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  int threads = 0;
  if (vm.count("threads")) threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  std::uint64_t block_size = 1024;
  if (vm.count("block-size")) block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);

  const std::string file = scenarios[0];
  const studies::Scenario given = studies::load_scenario(file);
  CommandFiles files;
  files.add_scenario(given.resolved);
  files.add_output(out, "--out");
  files.check();
  const models::History& history = given.model.params().observed;
  if (fit_until >= history.last_year()) {
    throw UsageError("--fit-until " + std::to_string(fit_until) + ": must be before the last observed year of " +
                     history.file + " (" + std::to_string(history.last_year()) + "), so that there are years to score");
  }
  if (fit_until < history.first_year()) {
    throw UsageError("--fit-until " + std::to_string(fit_until) + ": " + history.file + " starts in " +
                     std::to_string(history.first_year()));
  }
  const models::CalibrationResult cal = models::calibrate(history, fit_until, given.model.params());

  // The scenario with the calibrated growth, the origin moved back to
  // fit_until, and a horizon that reaches the last observed year.
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& e : cal.estimates) {
    if (e.scenario_key) overrides.emplace_back(e.key, engine::decimal(e.value));
  }
  overrides.emplace_back("history.origin_year", std::to_string(fit_until));
  if (given.model.target_year() < history.last_year()) {
    overrides.emplace_back("target.year", std::to_string(history.last_year()));
  }
  // Levers acting before the new origin would be rejected; a backtest scores the rules of the past.
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    const models::Lever& l = lever.get(given.model.params());
    if (l.enabled && l.year <= fit_until) {
      throw UsageError("backtest: " + file + " enables " + lever.key + " from " + std::to_string(l.year) +
                       ", inside the fitted years up to " + std::to_string(fit_until));
    }
  }
  const studies::Scenario s = studies::load_scenario(file, overrides);
  const std::uint64_t n_paths = vm.count("paths")
                                    ? parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL)
                                    : static_cast<std::uint64_t>(s.model.params().simulation.paths);

  engine::RunConfig cfg;
  cfg.seed = seed;
  cfg.n_paths = n_paths;
  cfg.block_size = block_size;
  cfg.n_threads = threads;
  cfg.cancel = ctx.cancel;
  const engine::RunResult r = ctx.cluster->run(std::span<const models::BanenafspraakModel>(&s.model, 1), cfg);
  if (!ctx.is_root()) return 0;  // rank 0 holds the result and writes the output
  if (r.cancelled) {
    std::cerr << "banensim: interrupted after " << r.n_paths << " of " << n_paths << " paths; no output written\n";
    return kExitInterrupted;
  }

  const auto& layout = s.model.layout();
  const auto& t = r.tally.variant(0);
  std::vector<ScoredYear> scored;
  const struct {
    const char* series;
    double models::HistoryYear::*observed;
  } kSeries[] = {{"total", &models::HistoryYear::total_counted},
                 {"market", &models::HistoryYear::market_counted},
                 {"government", &models::HistoryYear::government_counted}};
  for (const auto& ser : kSeries) {
    const std::size_t i_series = layout.series_index(ser.series);
    for (const auto& h : history.years) {
      if (h.year <= fit_until) continue;
      const auto step = static_cast<std::size_t>(h.year - fit_until - 1);
      if (step >= layout.n_steps() || layout.step_labels[step] != std::to_string(h.year)) {
        throw std::logic_error("backtest: the model's steps do not start at the year after the origin");
      }
      const auto& hist = t.series(i_series, step).histogram;
      // The scores need the quantiles as numbers; a growing histogram holds
      // every path, so this fails only beyond 2^40 times its first range.
      if (hist.underflow() + hist.overflow() > 0) {
        throw std::runtime_error("backtest: the forecast of " + std::string(ser.series) + " in " +
                                 std::to_string(h.year) + " has paths outside the histogram's largest range; "
                                 "its quantiles and CRPS are not known");
      }
      ScoredYear y;
      y.series = ser.series;
      y.year = h.year;
      y.observed = h.*ser.observed;
      y.p05 = hist.quantile(0.05);
      y.p25 = hist.quantile(0.25);
      y.p50 = hist.quantile(0.5);
      y.p75 = hist.quantile(0.75);
      y.p95 = hist.quantile(0.95);
      y.in_50 = y.observed >= y.p25 && y.observed <= y.p75;
      y.in_90 = y.observed >= y.p05 && y.observed <= y.p95;
      y.crps = engine::crps(hist, y.observed);
      y.resolution = hist.bin_width();
      scored.push_back(y);
    }
  }
  struct Summary {
    std::string series;
    int n = 0, in_50 = 0, in_90 = 0;
    double crps_sum = 0;
    double resolution = 0;
  };
  std::vector<Summary> summary;
  for (const auto& y : scored) {
    if (summary.empty() || summary.back().series != y.series) summary.push_back({y.series, 0, 0, 0, 0, y.resolution});
    auto& sm = summary.back();
    ++sm.n;
    sm.in_50 += y.in_50;
    sm.in_90 += y.in_90;
    sm.crps_sum += y.crps;
  }

  const int first_scored = fit_until + 1, last_scored = history.last_year();
  std::string text;
  if (format == "json") {
    nlohmann::json j;
    nlohmann::json estimates = nlohmann::json::array();
    for (const auto& e : cal.estimates) {
      estimates.push_back({{"key", e.key},
                           {"value", e.value},
                           {"std_error", std::isfinite(e.std_error) ? nlohmann::json(e.std_error) : nlohmann::json()},
                           {"unit", e.unit},
                           {"scenario_key", e.scenario_key}});
    }
    j["provenance"] = {{"program", "banensim"},
                       {"version", studies::program_version()},
                       {"git_commit", studies::program_commit()},
                       {"scenario", {{"file", file}, {"name", s.name}, {"resolved_hash", s.resolved.hash()}}},
                       {"history_file", history.file},
                       {"seed", seed},
                       {"paths", r.n_paths},
                       {"block_size", block_size},
                       {"threads", r.n_threads},
                       {"ranks", ctx.cluster->size()},
                       {"wall_seconds", r.wall_seconds}};
    j["fit_until"] = fit_until;
    j["calibration"] = {{"first_year", cal.first_year}, {"last_year", cal.last_year}, {"method", cal.method},
                        {"estimates", estimates}};
    j["origin_year"] = fit_until;
    j["scored_years"] = {first_scored, last_scored};
    j["crps_method"] = "integral of (F(x) - 1{x >= y})^2 dx with F the histogram CDF, linear within bins; "
                       "resolution: the bin width";
    nlohmann::json years = nlohmann::json::array();
    for (const auto& y : scored) {
      years.push_back({{"series", y.series}, {"year", y.year}, {"observed", y.observed}, {"median", y.p50},
                       {"p25", y.p25}, {"p75", y.p75}, {"p05", y.p05}, {"p95", y.p95}, {"in_50", y.in_50},
                       {"in_90", y.in_90}, {"crps", y.crps}, {"crps_resolution", y.resolution}});
    }
    j["years"] = years;
    nlohmann::json sums = nlohmann::json::array();
    for (const auto& sm : summary) {
      sums.push_back({{"series", sm.series}, {"n_years", sm.n},
                      {"coverage_50", static_cast<double>(sm.in_50) / sm.n},
                      {"coverage_90", static_cast<double>(sm.in_90) / sm.n},
                      {"mean_crps", sm.crps_sum / sm.n}, {"crps_resolution", sm.resolution}});
    }
    j["summary"] = sums;
    text = j.dump(2) + "\n";
  } else if (format == "csv") {
    std::ostringstream os;
    os << "series,year,observed,median,p25,p75,p05,p95,in_50,in_90,crps,crps_resolution,fit_until,seed,paths\n";
    for (const auto& y : scored) {
      os << y.series << "," << y.year;
      for (const double x : {y.observed, y.p50, y.p25, y.p75, y.p05, y.p95}) os << "," << engine::decimal(x);
      os << "," << (y.in_50 ? 1 : 0) << "," << (y.in_90 ? 1 : 0) << "," << engine::decimal(y.crps) << ","
         << engine::decimal(y.resolution) << "," << fit_until << "," << seed << "," << r.n_paths << "\n";
    }
    text = os.str();
  } else {
    std::ostringstream os;
    os << studies::version_line() << "\nBacktest of " << s.name << " (" << file << ")\n"
       << "Calibrated on " << history.file << ", years " << cal.first_year << "-" << cal.last_year
       << "; forecast from the end-" << fit_until << " measurement; scored against the observed years "
       << first_scored << "-" << last_scored << ".\n"
       << "seed " << seed << ", " << engine::fmt_int(static_cast<double>(r.n_paths)) << " paths, " << r.n_threads
       << " threads, " << engine::fmt(r.wall_seconds, 1) << " s\n"
       << "CRPS = integral of (F(x) - 1{x >= observed})^2 dx, F the simulated distribution's histogram CDF\n"
       << "(linear within bins; resolution = bin width: ";
    for (std::size_t i = 0; i < summary.size(); ++i) {
      os << (i ? ", " : "") << summary[i].series << " " << engine::fmt_int(summary[i].resolution) << " jobs";
    }
    os << "). Lower is better; in jobs.\n\n";
    std::vector<std::vector<std::string>> rows = {
        {"series", "year", "observed", "median", "50% interval", "in 50%", "90% interval", "in 90%", "CRPS"}};
    for (const auto& y : scored) {
      rows.push_back({y.series, std::to_string(y.year), engine::fmt_int(y.observed), engine::fmt_int(y.p50),
                      "[" + engine::fmt_int(y.p25) + ", " + engine::fmt_int(y.p75) + "]", y.in_50 ? "yes" : "no",
                      "[" + engine::fmt_int(y.p05) + ", " + engine::fmt_int(y.p95) + "]", y.in_90 ? "yes" : "no",
                      engine::fmt_int(y.crps)});
    }
    os << engine::format_table(rows, 1) << "\n";
    rows = {{"series", "years", "coverage 50%", "coverage 90%", "mean CRPS"}};
    for (const auto& sm : summary) {
      rows.push_back({sm.series, std::to_string(sm.n),
                      std::to_string(sm.in_50) + "/" + std::to_string(sm.n) + " = " +
                          engine::fmt(static_cast<double>(sm.in_50) / sm.n, 2),
                      std::to_string(sm.in_90) + "/" + std::to_string(sm.n) + " = " +
                          engine::fmt(static_cast<double>(sm.in_90) / sm.n, 2),
                      engine::fmt_int(sm.crps_sum / sm.n)});
    }
    os << "Coverage and mean CRPS over " << first_scored << "-" << last_scored << "\n" << engine::format_table(rows, 1);
    if (last_scored - first_scored < 4) {
      const int n = last_scored - first_scored + 1;
      os << "\nWith " << n << (n == 1 ? " scored year" : " scored years")
         << " a coverage is a count out of very few: read it as a check, not a rate.\n";
    }
    text = os.str();
  }
  if (out) {
    engine::write_file_atomically(*out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace banensim::app
