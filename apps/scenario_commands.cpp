// banensim: the command-line program. The composition root -- the only code
// that sees both the generic engine and the banenafspraak model.
//
// Exit codes: 0 success; 1 run-time failure (e.g. a non-finite value in a
// path, an output file that cannot be written); 2 bad input (command line,
// scenario or data files); 130 interrupted (SIGINT/SIGTERM), nothing written.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "engine/atomic_file.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "apps/cli_common.hpp"
#include "apps/html_report.hpp"
#include "apps/research_commands.hpp"
#include "apps/serve_command.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/calibration.hpp"
#include "models/history.hpp"
#include "models/scenario_loader.hpp"

#ifdef BANENSIM_MPI
#include <mpi.h>
#endif

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace banensim;
using namespace banensim::app;

namespace {

const char* kMainHelp = R"(banensim - Monte Carlo scenarios for the Dutch banenafspraak

Usage:
  banensim run SCENARIO [options]          probability of reaching the target, per-year distributions
  banensim compare S1 S2 ... [options]     scenarios on common random numbers, paired against S1
  banensim validate FILE...                check scenario files; every problem at once
  banensim explain SCENARIO [--set K=V] [--out FILE]
                                           print the fully resolved scenario
  banensim calibrate [SCENARIO] [--history FILE] [--fit-until YEAR] [--out FILE]
                                           estimate trend, volatility and correlation from the history
  banensim sweep SCENARIO --set K=V1,V2 | --range K=LO:HI:N ... --out FILE.csv [--svg FILE.svg] [--resume]
                                           a grid (or --one-at-a-time tornado) of parameter values on
                                           common random numbers; one CSV row per point, resumable
  banensim backtest SCENARIO --fit-until YEAR [options]
                                           calibrate up to YEAR, forecast the years after, score
                                           against the observed ones (interval coverage, CRPS)
  banensim sensitivity SCENARIO --method sobol|morris --samples N [--out FILE.csv] [--resume]
                                           Sobol' or Morris indices of P(reach) and the mean total
                                           for every uncertain parameter over its plausible range
  banensim discover SCENARIO --samples N [--threshold P] [--out FILE.csv] [--resume]
                                           PRIM: the box of parameter values where P(reach) >= P
  banensim serve [SCENARIO] [--port P]    the advisers' live page on http://127.0.0.1:P/
  banensim help COMMAND | --help | --version

Run 'banensim COMMAND --help' for the options of a command.
Exit codes: 0 ok, 1 run-time failure, 2 bad input, 130 interrupted.
)";

// `text` with its control characters written as escapes (\n, \t, \x01), for a message.
std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

struct RunOptions {
  std::vector<std::string> scenarios;
  std::optional<std::uint64_t> paths;
  std::uint64_t seed = kDefaultSeed;
  int threads = 0;
  std::string format = "table";
  std::optional<std::string> out;
  std::optional<std::string> report;
  std::optional<double> precision;
  std::uint64_t max_paths = 10'000'000;
  std::uint64_t block_size = 1024;
  std::vector<std::pair<std::string, std::string>> overrides;
};

po::options_description run_options_description() {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("paths,n", po::value<std::string>(), "number of paths (default: the scenario's simulation.paths)")
    ("seed,s", po::value<std::string>(), "random seed, 0..2^64-1 (default 2013); recorded in every output")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("format,f", po::value<std::string>()->default_value("table"), "table | json | csv")
    ("out,o", po::value<std::string>(), "write the output to FILE (atomically) instead of stdout")
    ("report", po::value<std::string>(), "also write a self-contained HTML report (charts, table, provenance) to FILE")
    ("target", po::value<std::string>(), "target number of extra jobs (sets target.total_jobs)")
    ("target-year", po::value<std::string>(), "year of the measurement that must reach it (sets target.year)")
    ("set", po::value<std::vector<std::string>>()->composing(), "override a parameter: KEY=VALUE (repeatable)")
    ("precision", po::value<std::string>(), "add blocks of paths until every 95% half-width <= EPS")
    ("max-paths", po::value<std::string>(), "cap on paths with --precision (default 10,000,000)")
    ("block-size", po::value<std::string>(), "paths per block (default 1024; part of the reproducibility key)");
  return d;
}

RunOptions parse_run_options(const std::vector<std::string>& args, bool many) {
  po::options_description desc = run_options_description();
  const po::variables_map vm = parse_command(args, desc);
  if (vm.count("help")) {
    std::cout << (many ? "Usage: banensim compare S1 S2 ... [options]\n  S1 is the reference.\n"
                       : "Usage: banensim run SCENARIO [options]\n")
              << desc;
    std::exit(0);
  }
  RunOptions o;
  if (vm.count("scenario")) o.scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (o.scenarios.empty()) throw UsageError("no scenario file given");
  if (!many && o.scenarios.size() > 1) throw UsageError("run takes one scenario; use 'compare' for several");
  if (vm.count("paths")) o.paths = parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  if (vm.count("seed")) o.seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  if (vm.count("threads")) o.threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  o.format = vm["format"].as<std::string>();
  if (o.format != "table" && o.format != "json" && o.format != "csv") {
    throw UsageError("--format " + o.format + ": must be table, json or csv");
  }
  if (vm.count("out")) o.out = vm["out"].as<std::string>();
  if (vm.count("report")) o.report = vm["report"].as<std::string>();
  if (vm.count("block-size")) o.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  if (vm.count("precision")) o.precision = parse_real("precision", vm["precision"].as<std::string>(), 1e-6, 0.5);
  if (vm.count("max-paths")) {
    if (!o.precision) throw UsageError("--max-paths needs --precision");
    o.max_paths = parse_count("max-paths", vm["max-paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  }
  if (o.precision && o.paths) throw UsageError("--paths and --precision conflict: --precision decides the path count (cap it with --max-paths)");
  if (vm.count("target")) {
    parse_real("target", vm["target"].as<std::string>(), 1, 1e7);
    o.overrides.emplace_back("target.total_jobs", vm["target"].as<std::string>());
  }
  if (vm.count("target-year")) {
    parse_count("target-year", vm["target-year"].as<std::string>(), 2013, 2100);
    o.overrides.emplace_back("target.year", vm["target-year"].as<std::string>());
  }
  if (vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--set " + kv + ": must be KEY=VALUE");
      o.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  return o;
}

// Progress on stderr, only when it is a terminal and the run is not quick.
class Progress {
 public:
  Progress() : enabled_(g_rank == 0 && ::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t done, std::uint64_t planned) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (elapsed < 1.0 || std::chrono::duration<double>(now - last_).count() < 0.2) return;
    last_ = now;
    shown_ = true;
    const double frac = static_cast<double>(done) / static_cast<double>(planned);
    const double rate = static_cast<double>(done) / elapsed;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%s%s] %s/%s paths  %s paths/s  %s s left ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), engine::fmt_int(static_cast<double>(done)).c_str(),
                 engine::fmt_int(static_cast<double>(planned)).c_str(), engine::fmt_int(rate).c_str(),
                 engine::fmt(rate > 0 ? static_cast<double>(planned - done) / rate : 0.0, 0).c_str());
  }
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

nlohmann::json provenance(const RunOptions& o, const std::vector<LoadedScenario>& scenarios,
                          const engine::RunResult& r, std::uint64_t planned) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& s : scenarios) {
    files.push_back({{"file", s.file}, {"name", s.name}, {"resolved_hash", s.resolved.hash()},
                     {"extends_chain", s.resolved.files}});
  }
  nlohmann::json stop = o.precision ? nlohmann::json{{"rule", "precision"}, {"epsilon", *o.precision},
                                                     {"max_paths", planned}, {"converged", r.stopped_by_rule}}
                                    : nlohmann::json{{"rule", "fixed"}, {"paths", planned}};
  return {{"program", "banensim"},
          {"version", BANENSIM_VERSION},
          {"git_commit", BANENSIM_GIT_COMMIT},
          {"scenarios", files},
          {"seed", o.seed},
          {"paths", r.n_paths},
          {"block_size", o.block_size},
          {"threads", r.n_threads},
          {"ranks", g_n_ranks},
          {"stopping", stop},
          {"wall_seconds", r.wall_seconds},
          {"rng", "Philox4x64-10 keyed by (seed, purpose), counter (path, substream, block)"},
          {"interval_method", "Wilson score 95% for probabilities; normal 95% on paired per-path differences"}};
}

nlohmann::json result_json(const RunOptions& o, const std::vector<LoadedScenario>& sc, const engine::RunResult& r,
                          std::uint64_t planned) {
  const auto& layout = sc[0].model.layout();
  nlohmann::json out;
  out["provenance"] = provenance(o, sc, r, planned);
  out["seed"] = o.seed;
  out["paths"] = r.n_paths;
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& m = sc[k].model;
    const auto& t = r.tally.variant(k);
    const auto& reach = t.indicator(layout.indicator_index("reach_target"));
    const auto ci = reach.wilson();
    nlohmann::json j;
    j["name"] = sc[k].name;
    j["file"] = sc[k].file;
    j["target_jobs"] = m.target_total();
    j["target_year"] = m.target_year();
    j["origin_year"] = m.origin_year();
    // Where the sector targets come from; after the file's last year its last
    // targets hold (docs/MODEL.md 4.7), which the outputs say.
    const auto& targets = m.params().legal_targets;
    j["sector_targets"] = {{"file", targets.file},
                           {"first_year", targets.years.front().year},
                           {"last_year", targets.years.back().year},
                           {"held_after_last_year", m.target_year() > targets.years.back().year}};
    j["probability"] = reach.estimate();
    j["ci_low"] = ci.low;
    j["ci_high"] = ci.high;
    j["results"] = engine::tally_json(t, layout);
    if (k > 0) j["vs_reference"] = engine::paired_json(r.tally, k, layout);
    arr.push_back(j);
  }
  out["scenarios"] = arr;
  return out;
}

// Undefined numbers (e.g. a mean over zero paths) are empty fields, which
// pandas and R both read as missing.
void csv_number(std::ostream& os, double x) {
  os << ",";
  if (std::isfinite(x)) os << x;
}

// A number as csv_number writes it (10 significant digits), without the comma.
std::string csv_text(double x) {
  if (!std::isfinite(x)) return "";
  std::ostringstream os;
  os.precision(10);
  os << x;
  return os.str();
}

std::string render_csv(const std::vector<LoadedScenario>& sc, const engine::RunResult& r, std::uint64_t seed) {
  // Tidy: one row per scenario and year; one column group per series.
  const auto& layout = sc[0].model.layout();
  std::ostringstream os;
  os << "scenario,year,seed,paths";
  for (const auto& s : layout.series) {
    for (const char* q : {"mean", "std_error", "p05", "p25", "p50", "p75", "p95"}) os << "," << s.name << "_" << q;
  }
  os << "\n";
  os.precision(10);
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& t = r.tally.variant(k);
    for (std::size_t step = 0; step < layout.n_steps(); ++step) {
      os << csv_field(sc[k].name) << "," << layout.step_labels[step] << "," << seed << "," << r.n_paths;
      for (std::size_t i = 0; i < layout.series.size(); ++i) {
        const auto& d = t.series(i, step);
        csv_number(os, d.moments.mean());
        csv_number(os, d.moments.std_error());
        // A quantile known only as a bound is written as >=X or <X, never as a number.
        for (double q : engine::kQuantileLevels) {
          os << "," << engine::quantile_text(d.histogram.quantile_estimate(q), csv_text, "");
        }
      }
      os << "\n";
    }
  }
  return os.str();
}

// A quantile of jobs for a table: 125,000, or ">= 400,000" when only a bound is known.
std::string jobs_quantile(const engine::Histogram& h, double p) {
  return engine::quantile_text(h.quantile_estimate(p), [](double v) { return engine::fmt_int(v); });
}

std::string ci_text(const engine::Interval& ci, int decimals) {
  return "[" + engine::fmt(ci.low, decimals) + ", " + engine::fmt(ci.high, decimals) + "]";
}

std::string render_table(const RunOptions& o, const std::vector<LoadedScenario>& sc, const engine::RunResult& r,
                         std::uint64_t planned) {
  const auto& layout = sc[0].model.layout();
  const auto& m0 = sc[0].model;
  std::ostringstream os;
  os << version_string() << "\n";
  os << "seed " << o.seed << ", " << engine::fmt_int(static_cast<double>(r.n_paths)) << " paths, " << r.n_threads
     << " threads, " << engine::fmt(r.wall_seconds, 1) << " s";
  if (o.precision) {
    os << "; stopping rule: 95% half-width <= " << *o.precision << " -> "
       << (r.stopped_by_rule ? "converged" : "NOT converged (max paths reached), widest half-width " +
                                                 engine::fmt(engine::max_half_width(r.tally), 4));
  }
  (void)planned;
  os << "\nTarget: " << engine::fmt_int(m0.target_total()) << " extra jobs at the end-" << m0.target_year()
     << " measurement; observed up to " << m0.origin_year() << ", simulated after.\n";
  const auto& targets = m0.params().legal_targets;
  if (m0.target_year() > targets.years.back().year) {
    const std::string last = std::to_string(targets.years.back().year);
    os << "Sector targets: " << targets.file << " (" << targets.years.front().year << "-" << last << "); after " << last
       << " its " << last << " targets hold (the legal end state).\n";
  }
  os << "Intervals: 95% Wilson for probabilities; 95% normal on paired per-path differences.\n\n";

  const std::size_t i_reach = layout.indicator_index("reach_target");
  const std::size_t i_total = layout.series_index("total");
  const std::size_t i_first = layout.scalar_index("first_year_reached");
  const std::size_t i_levy = layout.scalar_index("levy_total_eur");
  const std::size_t i_quota = layout.indicator_index("quota_in_force_target_year");
  const std::size_t last = layout.n_steps() - 1;

  std::vector<std::vector<std::string>> rows;
  if (sc.size() == 1) {
    const auto& t = r.tally.variant(0);
    os << "Scenario: " << sc[0].name << " (" << sc[0].file << ")\n\n";
    const auto& p = t.indicator(i_reach);
    os << "P(total >= " << engine::fmt_int(m0.target_total()) << " in " << m0.target_year()
       << ") = " << engine::fmt(p.estimate(), 4) << "  95% CI " << ci_text(p.wilson(), 4) << "\n\n";
    rows.push_back({"outcome", "probability", "95% CI"});
    for (std::size_t i = 0; i < layout.indicators.size(); ++i) {
      rows.push_back({layout.indicators[i].description.empty() ? layout.indicators[i].name
                                                              : layout.indicators[i].description,
                      engine::fmt(t.indicator(i).estimate(), 4), ci_text(t.indicator(i).wilson(), 4)});
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
                      dec ? engine::fmt(d.moments.std_error(), 2) : engine::fmt_int(d.moments.std_error()),
                      q(0.05), q(0.5), q(0.95), layout.scalars[i].unit});
    }
    os << engine::format_table(rows) << "\n";
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
  rows.push_back({"scenario", "P(reach)", "95% CI", "diff vs ref", "95% CI", "P(only var)", "P(only ref)",
                  "median total " + layout.step_labels[last], "90% interval", "median 1st year",
                  "P(quota " + layout.step_labels[last] + ")", "95% CI",
                  "E[levy] EUR"});
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& t = r.tally.variant(k);
    const auto& p = t.indicator(i_reach);
    const auto& tot = t.series(i_total, last).histogram;
    std::vector<std::string> row = {sc[k].name, engine::fmt(p.estimate(), 4), ci_text(p.wilson(), 4)};
    if (k == 0) {
      row.insert(row.end(), {"(reference)", "", "", ""});
    } else {
      const auto& pair = r.tally.indicator_pair(k, i_reach);
      row.push_back(engine::fmt(pair.difference.mean(), 4));
      row.push_back(ci_text(engine::mean_interval(pair.difference), 4));
      row.push_back(engine::fmt(pair.variant_only.estimate(), 4));
      row.push_back(engine::fmt(pair.reference_only.estimate(), 4));
    }
    row.push_back(jobs_quantile(tot, 0.5));
    row.push_back("[" + jobs_quantile(tot, 0.05) + ", " + jobs_quantile(tot, 0.95) + "]");
    const auto& first = t.scalar(i_first);
    row.push_back(t.scalar_present(i_first).successes() * 2 > t.scalar_present(i_first).trials()
                      ? engine::quantile_text(first.histogram.quantile_discrete_estimate(
                                                  0.5 * static_cast<double>(t.n_paths()) /
                                                  static_cast<double>(t.scalar_present(i_first).successes())),
                                              [](double v) { return engine::fmt(v, 0); })
                      : "not reached");
    row.push_back(engine::fmt(t.indicator(i_quota).estimate(), 3));
    row.push_back(ci_text(t.indicator(i_quota).wilson(), 3));
    row.push_back(engine::fmt_int(t.scalar(i_levy).moments.mean()) + " +- " +
                  engine::fmt_int(t.scalar(i_levy).moments.std_error()));
    rows.push_back(row);
  }
  os << engine::format_table(rows)
     << "\nmedian 1st year: the year by which half of all paths have reached the target (\"not reached\" if fewer than half do).\n"
     << "P(quota " << layout.step_labels[last] << "): a quota, and so its levy, is in force in " << layout.step_labels[last]
     << " (the market's, the government's or, once the split is abolished, the national one).\n";
  return os.str();
}

int cmd_run(const std::vector<std::string>& args, bool many) {
  RunOptions o = parse_run_options(args, many);
  if (many && o.scenarios.size() < 2) throw UsageError("compare needs at least two scenarios (the first is the reference)");
  std::vector<LoadedScenario> sc;
  for (const auto& f : o.scenarios) sc.push_back(load(f, o.overrides));
  CommandFiles files;
  for (const auto& s : sc) files.add_scenario(s.resolved);
  files.add_output(o.out, "--out");
  files.add_output(o.report, "--report");
  files.check();
  for (std::size_t k = 1; k < sc.size(); ++k) {
    if (sc[k].model.layout().step_labels != sc[0].model.layout().step_labels) {
      throw UsageError("scenario " + sc[k].file + " simulates years " + sc[k].model.layout().step_labels.front() + "-" +
                       sc[k].model.layout().step_labels.back() + " but the reference " + sc[0].file + " simulates " +
                       sc[0].model.layout().step_labels.front() + "-" + sc[0].model.layout().step_labels.back() +
                       ": compared scenarios need the same forecast origin and target year");
    }
  }
  std::vector<models::BanenafspraakModel> variants;
  for (const auto& s : sc) variants.push_back(s.model);

  engine::RunConfig cfg;
  cfg.seed = o.seed;
  cfg.block_size = o.block_size;
  cfg.n_threads = o.threads;
  cfg.cancel = &g_interrupted;
  const std::uint64_t planned =
      o.precision ? o.max_paths : o.paths.value_or(static_cast<std::uint64_t>(sc[0].model.params().simulation.paths));
  cfg.n_paths = planned;
  if (o.precision) {
    const double eps = *o.precision;
    cfg.stop_rule = [eps](const engine::PairedTally& t) { return engine::max_half_width(t) <= eps; };
  }
  Progress progress;
  cfg.progress = [&progress](std::uint64_t done, std::uint64_t n) { progress.update(done, n); };
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const std::span<const models::BanenafspraakModel> span(variants);
  const engine::RunResult r = run_on_all_ranks(span, cfg);
  if (g_rank != 0) return 0;  // rank 0 holds the result and writes the output
  if (r.cancelled) {
    std::cerr << "banensim: interrupted after " << r.n_paths << " of " << planned
              << " paths; no output written\n";
    return kExitInterrupted;
  }
  const nlohmann::json result = result_json(o, sc, r, planned);
  std::string text = o.format == "json"  ? result.dump(2) + "\n"
                     : o.format == "csv" ? render_csv(sc, r, o.seed)
                                         : render_table(o, sc, r, planned);
  if (o.precision) {
    std::cerr << "banensim: " << (r.stopped_by_rule ? "converged" : "not converged") << " after " << r.n_paths
              << " paths (widest 95% half-width " << engine::fmt(engine::max_half_width(r.tally), 5) << ", asked <= "
              << *o.precision << ")\n";
  }
  if (o.report) {
    std::vector<app::TargetPoint> path;
    for (const auto& t : sc[0].model.params().legal_targets.years) {
      path.push_back({t.year, t.total});
    }
    // The model holds the target flat after the file's last year.
    const auto& m0 = sc[0].model;
    if (!path.empty() && path.back().year < m0.target_year()) path.push_back({m0.target_year(), m0.target_total()});
    engine::write_file_atomically(*o.report, app::html_report(result, path));
  }
  if (o.out) {
    engine::write_file_atomically(*o.out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: banensim validate FILE...\n  Checks each scenario (extends chain, keys, types, ranges, data files).\n";
    return 0;
  }
  // File names only; "--" ends the options, for a file whose name starts with '-'.
  std::vector<std::string> files;
  bool options_done = false;
  for (const auto& a : args) {
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.size() > 1 && a[0] == '-') {
      throw UsageError("validate: unknown option '" + a + "' (validate takes scenario files and --help; "
                       "write -- before a file whose name starts with '-')");
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) throw UsageError("validate needs at least one scenario file");
  int status = 0;
  for (const auto& f : files) {
    try {
      (void)load(f, {});
      std::cout << f << ": ok\n";
    } catch (const models::InputError& e) {
      for (const auto& p : e.problems()) std::cerr << p.message() << "\n";
      status = kExitUsage;
    }
  }
  return status;
}

const char* kExplainUsage =
    "Usage: banensim explain SCENARIO [--set KEY=VALUE]... [--target N] [--target-year Y] [--out FILE]\n"
    "  Prints the scenario fully resolved (its extends chain followed, overrides applied): every key\n"
    "  with its value, as TOML a scenario can use, and the hash every output records.\n";

int cmd_explain(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("set", po::value<std::vector<std::string>>()->composing(), "override a parameter: KEY=VALUE (repeatable)")
    ("target", po::value<std::string>(), "target number of extra jobs (sets target.total_jobs)")
    ("target-year", po::value<std::string>(), "year of the measurement that must reach it (sets target.year)")
    ("out,o", po::value<std::string>(), "write the resolved scenario to FILE (atomically) instead of stdout");
  const po::variables_map vm = parse_command(args, d);
  if (vm.count("help")) {
    std::cout << kExplainUsage << d;
    return 0;
  }
  if (!vm.count("scenario")) throw UsageError("explain: no scenario file given");
  const auto scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (scenarios.size() != 1) throw UsageError("explain takes one scenario");
  std::vector<std::pair<std::string, std::string>> overrides;
  if (vm.count("target")) {
    parse_real("target", vm["target"].as<std::string>(), 1, 1e7);
    overrides.emplace_back("target.total_jobs", vm["target"].as<std::string>());
  }
  if (vm.count("target-year")) {
    parse_count("target-year", vm["target-year"].as<std::string>(), 2013, 2100);
    overrides.emplace_back("target.year", vm["target-year"].as<std::string>());
  }
  if (vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--set " + kv + ": must be KEY=VALUE");
      overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  const LoadedScenario s = load(scenarios[0], overrides);
  CommandFiles files;
  files.add_scenario(s.resolved);
  files.add_output(out, "--out");
  files.check();
  std::ostringstream text;
  text << "# " << s.file << " fully resolved (extends: ";
  for (std::size_t i = 0; i < s.resolved.files.size(); ++i) text << (i ? " <- " : "") << s.resolved.files[i];
  text << "); hash " << s.resolved.hash() << "\n" << s.resolved.canonical_toml();
  if (!out) {
    std::cout << text.str();
  } else if (g_rank == 0) {
    engine::write_file_atomically(*out, text.str());
  }
  return 0;
}

int cmd_calibrate(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()("help,h", "show this help")
    ("history", po::value<std::string>(), "history CSV (default: the scenario's history.file)")
    ("fit-until", po::value<std::string>(), "use observed years up to YEAR only")
    ("out,o", po::value<std::string>(), "write the parameter file (TOML) to FILE");
  // The scenario: a positional argument, or --scenario F (both land in "scenario").
  const po::variables_map vm = parse_command(args, d);
  if (vm.count("help")) {
    std::cout << "Usage: banensim calibrate [SCENARIO | --scenario SCENARIO] [options]\n"
                 "  SCENARIO (default scenarios/base.toml) supplies the assumptions calibration does not\n"
                 "  estimate (composition shares, supply, cycle) and, unless --history is given, the history.\n"
              << d;
    return 0;
  }
  std::string scenario = (fs::path("scenarios") / "base.toml").string();
  if (vm.count("scenario")) {
    const auto given = vm["scenario"].as<std::vector<std::string>>();
    if (given.size() != 1) throw UsageError("calibrate takes one scenario (given " + std::to_string(given.size()) + ")");
    scenario = given[0];
  }
  const int until = vm.count("fit-until") ? static_cast<int>(parse_count("fit-until", vm["fit-until"].as<std::string>(), 2013, 2100)) : 0;
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  const LoadedScenario s = load(scenario, {});
  CommandFiles files;
  files.add_scenario(s.resolved);
  if (vm.count("history")) files.add_input(vm["history"].as<std::string>());
  files.add_output(out, "--out");
  files.check();
  const models::History h = vm.count("history") ? models::read_history(vm["history"].as<std::string>())
                                                : s.model.params().observed;
  const models::CalibrationResult c = models::calibrate(h, until, s.model.params());
  std::vector<std::vector<std::string>> rows = {{"parameter", "estimate", "std. error", "unit", "note"}};
  for (const auto& e : c.estimates) rows.push_back({e.key, engine::fmt(e.value, 4), engine::fmt(e.std_error, 4), e.unit, e.note});
  std::cout << "Calibration of " << scenario << " on " << c.history_file << ", years " << c.first_year << "-"
            << c.last_year << "\nMethod: " << c.method << "\n\n" << engine::format_table(rows, 1);
  if (out && g_rank == 0) {
    engine::write_file_atomically(*out, models::calibration_toml(c));
    std::cout << "\nwrote " << *out << "\n";
  }
  return 0;
}

}  // namespace

#ifdef BANENSIM_MPI
// Every rank runs the whole command (loading and checking the same inputs, so
// a bad input fails on every rank alike); run, compare and backtest split the
// paths of their run across ranks (engine/mpi_runner.hpp), sweep, sensitivity
// and discover deal their points across ranks (engine/mpi_map.hpp); only rank
// 0 prints and writes.
void finalize_mpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void init_mpi(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  std::atexit(finalize_mpi);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_n_ranks);
  if (g_rank != 0) {
    std::cout.rdbuf(nullptr);
    std::cerr.rdbuf(nullptr);
  }
}
#endif

int main(int argc, char** argv) {
#ifdef BANENSIM_MPI
  init_mpi(argc, argv);
#endif
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    // A control character (line break, tab, NUL, ...) belongs in no file name
    // or value, and would break the messages and file headers it is copied
    // into: refused wherever it is.
    for (const auto& a : args) {
      if (std::any_of(a.begin(), a.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        throw UsageError("the argument \"" + escaped(a) + "\" holds a control character (line break, tab, ...); "
                         "no option, value or file name may");
      }
    }
    if (!args.empty() && args[0] == "help" && args.size() == 2) args = {args[1], "--help"};  // help COMMAND
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      if (args.size() > 1) throw UsageError(args[0] + " takes no arguments (try 'banensim COMMAND --help')");
      std::cout << kMainHelp;
      return args.empty() ? kExitUsage : 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
      if (args.size() > 1) throw UsageError(args[0] + " takes no arguments");
      std::cout << version_string() << "\n";
      return 0;
    }
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "run") return cmd_run(rest, false);
    if (cmd == "compare") return cmd_run(rest, true);
    if (cmd == "validate") return cmd_validate(rest);
    if (cmd == "explain") return cmd_explain(rest);
    if (cmd == "calibrate") return cmd_calibrate(rest);
    if (cmd == "sweep") return app::cmd_sweep(rest);
    if (cmd == "backtest") return app::cmd_backtest(rest);
    if (cmd == "sensitivity") return app::cmd_sensitivity(rest);
    if (cmd == "discover") return app::cmd_discover(rest);
#ifndef BANENSIM_MPI
    if (cmd == "serve") return app::cmd_serve(rest);
#endif
    throw UsageError("unknown command '" + cmd + "' (try 'banensim --help')");
  } catch (const UsageError& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const po::error& e) {
    std::cerr << "banensim: " << e.what() << " (try 'banensim --help')\n";
    return kExitUsage;
  } catch (const models::InputError& e) {
    for (const auto& p : e.problems()) std::cerr << p.message() << "\n";
    return kExitUsage;
  } catch (const engine::NonFiniteError& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitRuntime;
  }
}
