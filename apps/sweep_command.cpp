// `banensim sweep SCENARIO`: the scenario at every point of a grid (or one
// key at a time) of parameter values, on common random numbers, one CSV row
// per point, resumable (studies/sweep.hpp; docs/BACKTEST_AND_SWEEPS.md).

#include <algorithm>
#include <iostream>
#include <limits>
#include <sstream>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/atomic_file.hpp"
#include "engine/results_journal.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/provenance.hpp"
#include "studies/sweep.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

const char* kUsage =
    "Usage: banensim sweep SCENARIO (--set KEY=V1,V2,... | --range KEY=LO:HI:N | --study FILE)... --out FILE.csv\n"
    "                      [--one-at-a-time [--range-from-schema]] [--svg FILE.svg] [--resume]\n"
    "       banensim sweep SCENARIO --samples N [--design sobol|lhs|monte_carlo] [--study FILE] --out FILE.csv\n"
    "       banensim sweep SCENARIO --points POINTS.csv --out FILE.csv\n"
    "                      [--paths N] [--seed S] [--threads T] [--block-size B] [--target N] [--target-year Y]\n"
    "  Runs the scenario at every point of a grid of parameter values, every point on the same\n"
    "  random draws (common random numbers). Several keys: the full grid, the first key varying\n"
    "  slowest. --one-at-a-time: a base point (the scenario's values), then each key alone over\n"
    "  its values (a tornado). --study FILE: its factors become keys (docs/STUDIES.md) and its\n"
    "  outputs the result columns. --samples N: N points of a randomised Sobol' design, a Latin\n"
    "  hypercube or plain Monte Carlo (--design) over the study file's factors or the plausible\n"
    "  ranges, instead of a grid; --points POINTS.csv: the points of a file (a column per key, a row\n"
    "  per point: any sampler's; '#' lines are comments). Each point's CSV row is appended and\n"
    "  synced as it completes; --resume continues an interrupted sweep and gives the same bytes as\n"
    "  an uninterrupted run.\n";

studies::SweepKey parse_set(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) throw UsageError("--set " + text + ": must be KEY=V1,V2,...");
  studies::SweepKey k{text.substr(0, eq), {}, "--set"};
  std::stringstream ss(text.substr(eq + 1));
  std::string v;
  while (std::getline(ss, v, ',')) {
    if (v.empty()) throw UsageError("--set " + text + ": an empty value in the list");
    if (std::find(k.values.begin(), k.values.end(), v) != k.values.end()) {
      throw UsageError("--set " + text + ": the value " + v + " is listed twice (each point once)");
    }
    k.values.push_back(v);
  }
  if (text.back() == ',') throw UsageError("--set " + text + ": an empty value in the list");
  return k;
}

studies::SweepKey parse_range(const std::string& text) {
  const auto eq = text.find('=');
  const auto c1 = text.find(':', eq == std::string::npos ? 0 : eq);
  const auto c2 = c1 == std::string::npos ? c1 : text.find(':', c1 + 1);
  if (eq == std::string::npos || eq == 0 || c1 == std::string::npos || c2 == std::string::npos) {
    throw UsageError("--range " + text + ": must be KEY=LO:HI:N");
  }
  auto part = [&](const char* name, const std::string& value) {
    try {
      return parse_real("range", value, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
    } catch (const UsageError&) {
      throw UsageError("--range " + text + ": " + name + " '" + value + "' must be a finite number");
    }
  };
  const double lo = part("LO", text.substr(eq + 1, c1 - eq - 1));
  const double hi = part("HI", text.substr(c1 + 1, c2 - c1 - 1));
  std::uint64_t n = 0;
  try {
    n = parse_count("range", text.substr(c2 + 1), 1, studies::kMaxSweepPoints);
  } catch (const UsageError&) {
    throw UsageError("--range " + text + ": N '" + text.substr(c2 + 1) + "' must be a whole number from 1 to " +
                     std::to_string(studies::kMaxSweepPoints));
  }
  if (n > 1 && !(hi > lo)) throw UsageError("--range " + text + ": HI must be above LO");
  return studies::range_key(text.substr(0, eq), lo, hi, n, "--range " + text);
}

struct SweepCommand {
  studies::SweepRequest request;
  std::string out;
  std::optional<std::string> svg;
  bool resume = false;
  int threads = 0;
};

SweepCommand parse(const Args& args) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("set", po::value<std::vector<std::string>>()->composing(), "KEY=V1,V2,...: values of a parameter (repeatable)")
    ("range", po::value<std::vector<std::string>>()->composing(), "KEY=LO:HI:N: N evenly spaced values from LO to HI (repeatable)")
    ("study", po::value<std::string>(), "a study file: its factors become keys, its outputs the columns (docs/STUDIES.md)")
    ("one-at-a-time", "vary each key alone around the scenario's values (tornado) instead of the full grid")
    ("range-from-schema", "with --one-at-a-time: add every uncertain parameter the scenario uses at the low and "
                          "high end of its plausible range (docs/MODEL.md)")
    ("out,o", po::value<std::string>(), "the CSV file (required); rows are appended as points complete")
    ("svg", po::value<std::string>(),
     "also write a chart: line (one key), heat map (two keys), tornado, or for sampled or given points the first "
     "output against each numeric key")
    ("resume", "continue the sweep in --out: keep its finished points, run the rest")
    ("samples", po::value<std::string>(), "instead of a grid: N points drawn over the study file's factors (--study) "
                                          "or the plausible ranges")
    ("points", po::value<std::string>(), "instead of a grid: the points of a CSV file, a column per scenario key "
                                         "and a row per point (any sampler's design)")
    ("design", po::value<std::string>(), "with --samples: sobol (randomised Sobol', the default), lhs (Latin "
                                         "hypercube) or monte_carlo (default: the study file's design)");
  add_run_options(d, "paths per point (default: the scenario's simulation.paths)");
  add_scenario_options(d, false);
  std::vector<po::option> ordered;
  const po::variables_map vm = parse_command(args, d, kUsage, &ordered);
  SweepCommand c;
  c.request.scenario = one_scenario(vm, "sweep");
  for (const auto& opt : ordered) {  // keys in command-line order: the grid order depends on it
    if (opt.string_key == "set") c.request.keys.push_back(parse_set(opt.value.at(0)));
    if (opt.string_key == "range") c.request.keys.push_back(parse_range(opt.value.at(0)));
  }
  if (vm.count("study")) c.request.study_file = vm["study"].as<std::string>();
  if (vm.count("samples")) {
    c.request.samples = parse_count("samples", vm["samples"].as<std::string>(), 2, studies::kMaxSweepPoints);
  }
  if (vm.count("points")) c.request.points = studies::read_points_file(vm["points"].as<std::string>());
  if (vm.count("design")) {
    if (!c.request.samples) throw UsageError("--design needs --samples N (a grid has no design to draw)");
    c.request.design = parse_design_option(vm["design"].as<std::string>());
  }
  c.request.one_at_a_time = vm.count("one-at-a-time") > 0;
  c.request.from_schema = vm.count("range-from-schema") > 0;
  if (c.request.from_schema && !c.request.one_at_a_time) {
    throw UsageError("--range-from-schema needs --one-at-a-time (a full grid over every uncertain parameter "
                     "would have 2^d points)");
  }
  if (!vm.count("out")) throw UsageError("sweep: --out FILE.csv is required (the rows are written there as they complete)");
  c.out = vm["out"].as<std::string>();
  if (vm.count("svg")) c.svg = vm["svg"].as<std::string>();
  c.resume = vm.count("resume") > 0;
  const RunOptions r = run_options(vm);
  c.request.paths = r.paths;
  c.request.seed = r.seed;  // default: the study file's, else 2013
  c.request.block_size = r.block_size;
  c.threads = r.threads;
  c.request.fixed = scenario_overrides(vm, false);
  return c;
}

}  // namespace

int cmd_sweep(const Args& args, studies::ExecutionContext& ctx) {
  const SweepCommand c = parse(args);
  const studies::SweepStudy s = studies::plan_sweep(c.request);
  if (c.svg && s.source != studies::SweepStudy::Source::kGrid) {
    if (studies::sweep_numeric_keys(s).empty()) {
      throw UsageError("--svg draws sampled or given points (--samples, --points) against each key whose values are "
                       "numbers; these points have none");
    }
  }
  if (c.svg && s.source == studies::SweepStudy::Source::kGrid && !s.one_at_a_time && s.keys.size() > 2) {
    throw UsageError("--svg draws one key (a line), two keys (a heat map) or --one-at-a-time (a tornado); this "
                     "grid has " + std::to_string(s.keys.size()) + " keys");
  }
  CommandFiles files;  // every output is checked before the first point runs
  files.add_scenario(s.base.resolved);
  files.add_inputs(s.inputs.files);
  files.add_journal(c.out, "--out");
  files.add_output(c.svg, "--svg");
  files.check();
  warn_calibration(ctx, {&s.base});
  for (const auto& n : s.notes) std::cerr << "banensim: note: " << n << "\n";

  ctx.threads = c.threads;
  show_progress(ctx, "point");
  std::vector<std::string> companions;
  if (c.svg) companions.push_back(*c.svg);
  const studies::PointRun run = studies::run_sweep(s, c.out, c.resume, ctx, companions);
  clear_progress(ctx);
  if (!run.completed) {
    std::cerr << "banensim: interrupted; " << run.table.rows.size() << " of " << s.points.size() << " points are in "
              << engine::ResultsJournal::partial_path(c.out).string()
              << "; run the same command with --resume to continue\n";
    return kExitInterrupted;
  }
  if (!run.root) return 0;  // the root holds the rows and writes the outputs
  if (c.svg) engine::write_file_atomically(*c.svg, studies::sweep_svg(s, run.table));

  // A short table on stdout; the CSV is the result.
  const studies::PointTable& t = run.table;
  const std::string first = s.outputs.front().name;
  const bool interval = s.outputs.front().stat == studies::OutputSpec::Stat::kProbability;
  const std::size_t c_p = t.column(first);
  std::vector<std::string> head = {"point"};
  // Up to four keys' values beside each point; more would not fit a terminal (they are in the CSV).
  constexpr std::size_t kMaxShownKeys = 4;
  const bool show_keys = s.keys.size() <= kMaxShownKeys;
  if (s.one_at_a_time) {
    head.insert(head.end(), {"varied", "value"});
  } else if (show_keys) {
    for (const auto& k : s.keys) head.push_back(k.key);
  }
  head.push_back(first == "p_reach" ? "P(reach)" : first);
  if (interval) head.push_back("95% CI");
  std::vector<std::vector<std::string>> table = {head};
  for (std::size_t i = 0; i < t.rows.size() && i < 60; ++i) {
    const auto& f = t.rows[i];
    std::vector<std::string> row = {f[0]};
    if (s.one_at_a_time) {
      row.push_back(f[1]);
      row.push_back(s.points[i].varied < 0 ? "" : s.points[i].values[static_cast<std::size_t>(s.points[i].varied)]);
    } else if (show_keys) {
      for (std::size_t k = 0; k < s.keys.size(); ++k) row.push_back(f[1 + k]);
    }
    row.push_back(interval ? engine::fmt(t.number(i, c_p), 4) : f[c_p]);
    if (interval) {
      row.push_back(engine::fmt_interval(t.number(i, c_p + 1), t.number(i, c_p + 2), 4));
    }
    table.push_back(row);
  }
  std::cout << studies::version_line() << "\nSweep of " << s.base.name << " (" << c.request.scenario
            << "): " << s.points.size() << " points, " << engine::fmt_int(static_cast<double>(s.run.paths))
            << " paths each, seed " << s.run.seed << " at every point (common random numbers)\n"
            << (s.one_at_a_time || show_keys ? std::string()
                                             : "the values of the " + std::to_string(s.keys.size()) +
                                                   " keys at each point are in " + c.out + "\n")
            << "\n"
            << engine::format_table(table, s.one_at_a_time ? 3 : 1);
  if (t.rows.size() > 60) std::cout << "(" << t.rows.size() - 60 << " more rows in " << c.out << ")\n";
  std::cout << "\nwrote " << c.out << (c.svg ? " and " + *c.svg : std::string()) << "\n";
  return 0;
}

}  // namespace banensim::app
