// `banensim sweep`, `sensitivity` and `discover`: see
// apps/research_commands.hpp, docs/BACKTEST_AND_SWEEPS.md and docs/ANALYSIS.md.

#include "apps/research_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "apps/cli_common.hpp"
#include "engine/crps.hpp"
#include "engine/fnv1a.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/prim.hpp"
#include "engine/results_journal.hpp"
#include "engine/sensitivity.hpp"
#include "engine/sobol_design.hpp"
#include "engine/svg_chart.hpp"
#include "engine/text_format.hpp"
#include "models/calibration.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

const models::ParamSpec* find_spec(const std::string& key) {
  return models::find_param(models::banenafspraak_schema(), key);
}

// The uncertain parameters (a plausible range in models/banenafspraak_params.hpp
// and docs/MODEL.md section 6), in declaration order.
std::vector<const models::ParamSpec*> uncertain_parameters() {
  return models::uncertain_parameters(models::banenafspraak_schema());
}

// ---------------------------------------------------------------- sweep ----

struct SweepKey {
  std::string key;
  std::vector<std::string> values;  // as text, parsed by the scenario loader
  std::string source;               // "--set", "--range" or "--range-from-schema"
};

struct SweepPoint {
  std::vector<std::string> values;  // one per key
  int varied = -1;                  // one-at-a-time: index of the key varied; -1 for the base point
};

struct SweepOptions {
  std::string scenario;
  std::vector<SweepKey> keys;
  bool one_at_a_time = false;
  bool from_schema = false;
  std::optional<std::uint64_t> paths;
  std::uint64_t seed = kDefaultSeed;
  int threads = 0;
  std::uint64_t block_size = 1024;
  std::string out;
  std::optional<std::string> svg;
  bool resume = false;
  std::vector<std::pair<std::string, std::string>> fixed;  // --target, --target-year: part of the base scenario
};

constexpr std::uint64_t kMaxPoints = 1'000'000;

const char* kSweepUsage =
    "Usage: banensim sweep SCENARIO (--set KEY=V1,V2,... | --range KEY=LO:HI:N)... --out FILE.csv\n"
    "                      [--one-at-a-time [--range-from-schema]] [--svg FILE.svg] [--resume]\n"
    "                      [--paths N] [--seed S] [--threads T] [--block-size B] [--target N] [--target-year Y]\n"
    "  Runs the scenario at every point of a grid of parameter values, every point on the same\n"
    "  random draws (common random numbers). Several keys: the full grid, the first key varying\n"
    "  slowest. --one-at-a-time: a base point (the scenario's values), then each key alone over\n"
    "  its values (a tornado). Each point's CSV row is appended and synced as it completes;\n"
    "  --resume continues an interrupted sweep and gives the same bytes as an uninterrupted run.\n";

SweepKey parse_set(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError("--set " + text + ": must be KEY=V1,V2,...");
  }
  SweepKey k{text.substr(0, eq), {}, "--set"};
  std::stringstream ss(text.substr(eq + 1));
  std::string v;
  while (std::getline(ss, v, ',')) {
    if (v.empty()) throw UsageError("--set " + text + ": an empty value in the list");
    k.values.push_back(v);
  }
  if (text.back() == ',') throw UsageError("--set " + text + ": an empty value in the list");
  return k;
}

SweepKey parse_range(const std::string& text) {
  const auto eq = text.find('=');
  const auto c1 = text.find(':', eq == std::string::npos ? 0 : eq);
  const auto c2 = c1 == std::string::npos ? c1 : text.find(':', c1 + 1);
  if (eq == std::string::npos || eq == 0 || c1 == std::string::npos || c2 == std::string::npos) {
    throw UsageError("--range " + text + ": must be KEY=LO:HI:N");
  }
  SweepKey k{text.substr(0, eq), {}, "--range"};
  auto part = [&](const char* name, const std::string& value) {
    try {
      return parse_real("range", value, -std::numeric_limits<double>::infinity(),
                        std::numeric_limits<double>::infinity());
    } catch (const UsageError&) {
      throw UsageError("--range " + text + ": " + name + " '" + value + "' must be a finite number");
    }
  };
  const double lo = part("LO", text.substr(eq + 1, c1 - eq - 1));
  const double hi = part("HI", text.substr(c1 + 1, c2 - c1 - 1));
  std::uint64_t n = 0;
  try {
    n = parse_count("range", text.substr(c2 + 1), 1, kMaxPoints);
  } catch (const UsageError&) {
    throw UsageError("--range " + text + ": N '" + text.substr(c2 + 1) + "' must be a whole number from 1 to " +
                     std::to_string(kMaxPoints));
  }
  if (n > 1 && !(hi > lo)) throw UsageError("--range " + text + ": HI must be above LO");
  const models::ParamSpec* spec = find_spec(k.key);
  const bool integral = spec != nullptr && spec->type == models::ParamType::kInteger;
  for (std::uint64_t i = 0; i < n; ++i) {
    // The last value is HI exactly, not LO + (N-1) * step with its rounding.
    const double v = n == 1 ? lo : i + 1 == n ? hi : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
    const std::string t = integral ? std::to_string(std::llround(v)) : engine::decimal(v);
    if (!k.values.empty() && k.values.back() == t) {
      throw UsageError("--range " + text + ": " + k.key + " is a whole number; " + std::to_string(n) +
                       " points between LO and HI repeat values");
    }
    k.values.push_back(t);
  }
  return k;
}

SweepOptions parse_sweep_options(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("set", po::value<std::vector<std::string>>()->composing(), "KEY=V1,V2,...: values of a parameter (repeatable)")
    ("range", po::value<std::vector<std::string>>()->composing(), "KEY=LO:HI:N: N evenly spaced values from LO to HI (repeatable)")
    ("one-at-a-time", "vary each key alone around the scenario's values (tornado) instead of the full grid")
    ("range-from-schema", "with --one-at-a-time: add every uncertain parameter at the low and high end of its "
                          "plausible range (docs/MODEL.md)")
    ("out,o", po::value<std::string>(), "the CSV file (required); rows are appended as points complete")
    ("svg", po::value<std::string>(), "also write a chart: line (one key), heat map (two keys) or tornado")
    ("resume", "continue the sweep in --out: keep its finished points, run the rest")
    ("paths,n", po::value<std::string>(), "paths per point (default: the scenario's simulation.paths)")
    ("seed,s", po::value<std::string>(), "random seed, the same for every point (default 2013)")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("block-size", po::value<std::string>(), "paths per block (default 1024; part of the reproducibility key)")
    ("target", po::value<std::string>(), "target number of extra jobs at every point (sets target.total_jobs)")
    ("target-year", po::value<std::string>(), "year of the measurement at every point (sets target.year)");
  std::vector<po::option> ordered;
  const po::variables_map vm = parse_command(args, d, &ordered);
  if (vm.count("help")) {
    std::cout << kSweepUsage << d;
    std::exit(0);
  }
  SweepOptions o;
  if (!vm.count("scenario")) throw UsageError("sweep: no scenario file given");
  const auto scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (scenarios.size() != 1) throw UsageError("sweep takes one scenario");
  o.scenario = scenarios[0];
  // Keys in command-line order (the grid order depends on it).
  for (const auto& opt : ordered) {
    if (opt.string_key == "set") o.keys.push_back(parse_set(opt.value.at(0)));
    if (opt.string_key == "range") o.keys.push_back(parse_range(opt.value.at(0)));
  }
  o.one_at_a_time = vm.count("one-at-a-time") > 0;
  o.from_schema = vm.count("range-from-schema") > 0;
  if (o.from_schema && !o.one_at_a_time) {
    throw UsageError("--range-from-schema needs --one-at-a-time (a full grid over every uncertain parameter "
                     "would have 2^" + std::to_string(uncertain_parameters().size()) + " points)");
  }
  if (o.from_schema) {
    for (const models::ParamSpec* spec : uncertain_parameters()) {
      const auto given = [&](const SweepKey& k) { return k.key == spec->key; };
      if (std::any_of(o.keys.begin(), o.keys.end(), given)) continue;
      const models::PlausibleRange& r = *spec->plausible;
      o.keys.push_back({spec->key, {engine::decimal(r.low), engine::decimal(r.high)}, "--range-from-schema"});
    }
  }
  if (o.keys.empty()) throw UsageError("sweep: nothing to vary; give --set KEY=V1,V2,... or --range KEY=LO:HI:N");
  std::set<std::string> seen;
  for (const auto& k : o.keys) {
    if (!seen.insert(k.key).second) throw UsageError("sweep: " + k.key + " is given more than once");
    if (k.key == "simulation.paths") {
      throw UsageError("sweep: " + k.source + " simulation.paths: the path count is not a swept parameter (every "
                       "point runs --paths paths on the same random draws); give --paths N");
    }
  }
  if (!vm.count("out")) throw UsageError("sweep: --out FILE.csv is required (the rows are written there as they complete)");
  o.out = vm["out"].as<std::string>();
  if (vm.count("svg")) o.svg = vm["svg"].as<std::string>();
  if (o.svg && std::filesystem::path(*o.svg).lexically_normal() == std::filesystem::path(o.out).lexically_normal()) {
    throw UsageError("--out and --svg name the same file " + o.out);
  }
  if (o.svg && !o.one_at_a_time && o.keys.size() > 2) {
    throw UsageError("--svg draws one key (a line), two keys (a heat map) or --one-at-a-time (a tornado); this "
                     "grid has " + std::to_string(o.keys.size()) + " keys");
  }
  o.resume = vm.count("resume") > 0;
  if (vm.count("paths")) o.paths = parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  if (vm.count("seed")) o.seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  if (vm.count("threads")) o.threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  if (vm.count("block-size")) o.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  if (vm.count("target")) {
    parse_real("target", vm["target"].as<std::string>(), 1, 1e7);
    o.fixed.emplace_back("target.total_jobs", vm["target"].as<std::string>());
  }
  if (vm.count("target-year")) {
    parse_count("target-year", vm["target-year"].as<std::string>(), 2013, 2100);
    o.fixed.emplace_back("target.year", vm["target-year"].as<std::string>());
  }
  return o;
}

std::vector<SweepPoint> make_points(const SweepOptions& o, const std::vector<std::string>& base_values) {
  std::vector<SweepPoint> points;
  if (o.one_at_a_time) {
    std::uint64_t n = 1;
    for (const auto& k : o.keys) n += k.values.size();
    if (n > kMaxPoints) throw UsageError("sweep: " + std::to_string(n) + " points; at most " + std::to_string(kMaxPoints));
    points.push_back({base_values, -1});
    for (std::size_t i = 0; i < o.keys.size(); ++i) {
      for (const auto& v : o.keys[i].values) {
        SweepPoint p{base_values, static_cast<int>(i)};
        p.values[i] = v;
        points.push_back(std::move(p));
      }
    }
    return points;
  }
  std::uint64_t n = 1;
  for (const auto& k : o.keys) {
    n *= k.values.size();
    if (n > kMaxPoints) throw UsageError("sweep: the grid has more than " + std::to_string(kMaxPoints) + " points");
  }
  // Row-major: the first key varies slowest, the last fastest.
  for (std::uint64_t i = 0; i < n; ++i) {
    SweepPoint p{std::vector<std::string>(o.keys.size()), -1};
    std::uint64_t rest = i;
    for (std::size_t k = o.keys.size(); k-- > 0;) {
      const auto m = o.keys[k].values.size();
      p.values[k] = o.keys[k].values[rest % m];
      rest /= m;
    }
    points.push_back(std::move(p));
  }
  return points;
}

std::vector<std::pair<std::string, std::string>> point_overrides(const SweepOptions& o, const SweepPoint& p) {
  std::vector<std::pair<std::string, std::string>> ov;
  for (std::size_t k = 0; k < o.keys.size(); ++k) ov.emplace_back(o.keys[k].key, p.values[k]);
  return ov;
}

const char* kSweepResultColumns[] = {"p_reach",   "p_reach_ci_low", "p_reach_ci_high", "total_p05",
                                     "total_p50", "total_p95",      "p_quota",         "p_quota_ci_low",
                                     "p_quota_ci_high", "charge_mean_eur", "charge_std_error_eur", "seed", "paths"};

std::string sweep_row(const SweepOptions& o, std::size_t i_point, const SweepPoint& p,
                      const models::BanenafspraakModel& model, const engine::RunResult& r) {
  const auto& layout = model.layout();
  const auto& t = r.tally.variant(0);
  const auto& reach = t.indicator(layout.indicator_index("reach_target"));
  const auto& quota = t.indicator(layout.indicator_index("quota_in_force_target_year"));
  const auto& total = t.series(layout.series_index("total"), layout.n_steps() - 1).histogram;
  const auto& charge = t.scalar(layout.scalar_index("quota_charge_total_eur")).moments;
  std::string row = std::to_string(i_point);
  if (o.one_at_a_time) row += "," + (p.varied < 0 ? std::string("base") : csv_field(o.keys[static_cast<std::size_t>(p.varied)].key));
  for (const auto& v : p.values) row += "," + csv_field(v);
  const auto rci = reach.wilson();
  const auto qci = quota.wilson();
  for (double x : {reach.estimate(), rci.low, rci.high}) row += "," + engine::decimal(x);
  // A quantile known only as a bound is written >=X or <X (docs/OUTPUT.md).
  for (double q : {0.05, 0.5, 0.95}) row += "," + engine::quantile_text(total.quantile_estimate(q), engine::decimal, "");
  for (double x : {quota.estimate(), qci.low, qci.high, charge.mean(), charge.std_error()}) row += "," + engine::decimal(x);
  row += "," + std::to_string(o.seed) + "," + std::to_string(r.n_paths);
  return row;
}

std::string sweep_provenance(const SweepOptions& o, const LoadedScenario& base, std::uint64_t n_paths,
                             std::size_t n_points) {
  std::string keys_text;
  for (const auto& k : o.keys) {
    keys_text += "# key " + k.key + " = ";
    for (std::size_t i = 0; i < k.values.size(); ++i) keys_text += (i ? "," : "") + k.values[i];
    keys_text += "\n";
  }
  std::ostringstream os;
  // No wall-clock time, thread count or file path: the header is the identity
  // of the computation, which --resume compares byte for byte.
  os << "# banensim sweep; scenario " << base.name << "; resolved_hash " << base.resolved.hash() << "; seed " << o.seed
     << "; paths " << n_paths << "; block_size " << o.block_size << "; mode "
     << (o.one_at_a_time ? "one-at-a-time" : "grid") << "; points " << n_points << "; grid_hash "
     << engine::fnv1a64_hex(keys_text)
     << "; program " << BANENSIM_VERSION << " (commit " << BANENSIM_GIT_COMMIT << ")\n"
     << keys_text;
  return os.str();
}

// The sweep CSV's columns and what their cells hold (checked on --resume).
std::vector<engine::JournalColumn> sweep_columns(const SweepOptions& o) {
  using Kind = engine::JournalColumn::Kind;
  std::vector<engine::JournalColumn> columns = {{"point", Kind::kIndex}};
  if (o.one_at_a_time) columns.push_back({"varied", Kind::kText});
  for (const auto& k : o.keys) columns.push_back({k.key, Kind::kText});
  for (const char* c : kSweepResultColumns) {
    const std::string name = c;
    columns.push_back({name, name.rfind("total_p", 0) == 0 ? Kind::kQuantile : Kind::kNumber});
  }
  return columns;
}

// A number cell of a verified journal row (engine/results_journal.hpp checked
// it with std::from_chars; std::stod would throw on a denormal); NaN when
// empty or not a number.
double field_number(const std::string& text) {
  double v = std::nan("");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size() ? v : std::nan("");
}

// The chart, from the rows as written (so a resumed sweep draws the same bytes).
std::string sweep_svg(const SweepOptions& o, const LoadedScenario& base, const std::vector<std::string>& rows,
                      const std::vector<SweepPoint>& points) {
  const std::size_t c_p = 1 + (o.one_at_a_time ? 1 : 0) + o.keys.size();
  std::vector<double> p, lo, hi;
  for (const auto& row : rows) {
    const auto f = engine::split_csv_record(row);
    p.push_back(field_number(f[c_p]));
    lo.push_back(field_number(f[c_p + 1]));
    hi.push_back(field_number(f[c_p + 2]));
  }
  const std::string what = "P(total >= " + engine::fmt_int(base.model.target_total()) + " in " +
                           std::to_string(base.model.target_year()) + ")";
  const std::string sub = "; " + base.name + ", seed " + std::to_string(o.seed);
  if (o.one_at_a_time) {
    std::vector<engine::TornadoBar> bars;
    std::size_t i = 1;
    for (std::size_t k = 0; k < o.keys.size(); ++k) {
      const std::size_t first = i, last = i + o.keys[k].values.size() - 1;
      bars.push_back({o.keys[k].key, p[first], p[last], points[first].values[k], points[last].values[k]});
      i = last + 1;
    }
    std::stable_sort(bars.begin(), bars.end(), [](const engine::TornadoBar& a, const engine::TornadoBar& b) {
      return std::abs(a.at_high - a.at_low) > std::abs(b.at_high - b.at_low);
    });
    return engine::svg_tornado("One at a time: " + what + sub, what, p[0], bars);
  }
  if (o.keys.size() == 1) {
    std::vector<double> x;
    for (std::size_t i = 0; i < points.size(); ++i) {
      // Numeric values on a numeric axis; other values (true/false) by position.
      try {
        std::size_t used = 0;
        const double v = std::stod(points[i].values[0], &used);
        x.push_back(used == points[i].values[0].size() ? v : static_cast<double>(i));
      } catch (const std::exception&) {
        x.push_back(static_cast<double>(i));
      }
    }
    return engine::svg_line_band(what + " with its 95% Wilson interval" + sub, o.keys[0].key, what, x, p, lo, hi);
  }
  // Two keys: the first (slowest) on the y axis, the second on the x axis; point order is row-major.
  return engine::svg_heat_map(what + sub, o.keys[1].key, o.keys[0].key, o.keys[1].values, o.keys[0].values, p,
                              "P(reach)");
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  const SweepOptions o = parse_sweep_options(args);
  const auto& schema = models::banenafspraak_schema();
  const LoadedScenario base = load(o.scenario, o.fixed);
  CommandFiles files;
  files.add_scenario(base.resolved);
  // Unknown keys get the loader's message (with "did you mean").
  std::vector<std::string> base_values;
  for (const auto& k : o.keys) {
    if (find_spec(k.key) == nullptr) {
      models::ResolvedScenario copy = base.resolved;
      models::apply_overrides(copy, schema, {{k.key, k.values.at(0)}}, k.source, models::banenafspraak_check);
    }
    base_values.push_back(models::value_text(base.resolved.values.at(k.key).value));
  }
  const std::vector<SweepPoint> points = make_points(o, base_values);
  // Every point is checked before anything runs: bad values are reported all at once, exit 2.
  {
    std::vector<models::Problem> problems;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < points.size(); ++i) {
      models::ResolvedScenario r = base.resolved;
      try {
        models::apply_overrides(r, schema, point_overrides(o, points[i]), "sweep point " + std::to_string(i),
                                models::banenafspraak_check);
        files.add_data_files(r);  // a swept history.file or targets.file is an input too
      } catch (const models::InputError& e) {
        for (const auto& pr : e.problems()) {
          if (seen.insert(pr.key + "=" + pr.value + ": " + pr.constraint).second) problems.push_back(pr);
        }
      }
    }
    if (!problems.empty()) throw models::InputError(problems);
  }
  // Every output is checked before the first point runs.
  files.add_journal(o.out, "--out");
  files.add_output(o.svg, "--svg");
  files.check();
  const std::uint64_t n_paths = o.paths.value_or(static_cast<std::uint64_t>(base.model.params().simulation.paths));
  const std::string provenance = sweep_provenance(o, base, n_paths, points.size());

  // The journal (the CSV) is rank 0's alone; every rank learns where to start.
  std::optional<engine::ResultsJournal> journal;
  std::vector<std::string> rows;
  const std::uint64_t n_done = decided_on_rank0([&]() -> std::uint64_t {
    journal.emplace(open_journal(o.out, provenance, sweep_columns(o), o.resume, points.size(), "points"));
    rows = journal->records();
    return rows.size();
  });

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const bool tty = g_rank == 0 && ::isatty(STDERR_FILENO) == 1;
  auto eval = [&](std::uint64_t i) -> std::optional<std::string> {
    models::ResolvedScenario r = base.resolved;
    models::apply_overrides(r, schema, point_overrides(o, points[i]), "sweep point " + std::to_string(i),
                            models::banenafspraak_check);
    const models::BanenafspraakModel model(models::params_from_scenario(r));
    engine::RunConfig cfg;
    cfg.seed = o.seed;  // the same seed at every point: common random numbers
    cfg.n_paths = n_paths;
    cfg.block_size = o.block_size;
    cfg.n_threads = o.threads;
    cfg.cancel = &g_interrupted;
    if (tty) std::fprintf(stderr, "\rpoint %llu/%zu ", static_cast<unsigned long long>(i + 1), points.size());
    const engine::RunResult res = engine::run(model, cfg);
    if (res.cancelled || g_interrupted.load()) return std::nullopt;
    return sweep_row(o, i, points[i], model, res);
  };
  auto consume = [&](std::uint64_t, std::string&& row) {
    rows.push_back(std::move(row));
    journal->append(rows.back());
  };
  if (for_each_item(n_done, points.size(), eval, consume) == LoopEnd::kCancelled) {
    if (tty) std::fprintf(stderr, "\n");
    std::cerr << "banensim: interrupted; " << rows.size() << " of " << points.size() << " points are in "
              << engine::ResultsJournal::partial_path(o.out).string()
              << "; run the same command with --resume to continue\n";
    return kExitInterrupted;
  }
  if (g_rank != 0) return 0;  // rank 0 holds the rows and writes the outputs
  if (tty) std::fprintf(stderr, "\r%40s\r", "");
  journal->commit();  // every point is in: the CSV takes its place at --out
  if (o.svg) engine::write_file_atomically(*o.svg, sweep_svg(o, base, rows, points));

  // A short table on stdout; the CSV is the result.
  const std::size_t c_p = 1 + (o.one_at_a_time ? 1 : 0) + o.keys.size();
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> head = {"point"};
  if (o.one_at_a_time) head.push_back("varied");
  if (!o.one_at_a_time) {
    for (const auto& k : o.keys) head.push_back(k.key);
  } else {
    head.push_back("value");
  }
  head.insert(head.end(), {"P(reach)", "95% CI"});
  table.push_back(head);
  for (std::size_t i = 0; i < rows.size() && i < 60; ++i) {
    const auto f = engine::split_csv_record(rows[i]);
    std::vector<std::string> row = {f[0]};
    if (o.one_at_a_time) {
      row.push_back(f[1]);
      row.push_back(points[i].varied < 0 ? "" : points[i].values[static_cast<std::size_t>(points[i].varied)]);
    } else {
      for (std::size_t k = 0; k < o.keys.size(); ++k) row.push_back(f[1 + k]);
    }
    row.push_back(engine::fmt(field_number(f[c_p]), 4));
    row.push_back("[" + engine::fmt(field_number(f[c_p + 1]), 4) + ", " + engine::fmt(field_number(f[c_p + 2]), 4) + "]");
    table.push_back(row);
  }
  std::cout << version_string() << "\nSweep of " << base.name << " (" << o.scenario << "): " << points.size()
            << " points, " << engine::fmt_int(static_cast<double>(n_paths)) << " paths each, seed " << o.seed
            << " at every point (common random numbers)\n\n"
            << engine::format_table(table, o.one_at_a_time ? 3 : 1);
  if (rows.size() > 60) std::cout << "(" << rows.size() - 60 << " more rows in " << o.out << ")\n";
  std::cout << "\nwrote " << o.out << (o.svg ? " and " + *o.svg : std::string()) << "\n";
  return 0;
}

// ------------------------------------------------- sensitivity, discover ----

namespace {

// One uncertain parameter as the design varies it: uniform on [low, high].
struct Factor {
  std::string key;
  double low = 0;
  double high = 0;
  bool integral = false;  // an Integer key: the value is rounded to the nearest whole number
  models::Distribution distribution = models::Distribution::kUniform;
};

// The value of a factor at unit-cube coordinate u in [0, 1], as scenario text.
std::string factor_value(const Factor& f, double u) {
  const double v = u >= 1 ? f.high : f.low + (f.high - f.low) * u;
  return f.integral ? std::to_string(std::llround(v)) : engine::decimal(v);
}

// The uncertain parameters that can be varied on this scenario: each key,
// alone, at the low and at the high end of its plausible range must pass the
// scenario checks. A key that cannot (its value is tied to another key by a
// check) is skipped; `notes` says which and why.
std::vector<Factor> uncertain_factors(const LoadedScenario& base, std::vector<std::string>& notes) {
  const auto& schema = models::banenafspraak_schema();
  std::vector<Factor> factors;
  for (const models::ParamSpec* spec : uncertain_parameters()) {
    const models::PlausibleRange& r = *spec->plausible;
    if (r.distribution != models::Distribution::kUniform) {
      throw std::logic_error(spec->key + ": the designs draw uniform factors only");
    }
    const Factor f{spec->key, r.low, r.high, spec->type == models::ParamType::kInteger, r.distribution};
    std::string why;
    for (const double u : {0.0, 1.0}) {
      models::ResolvedScenario copy = base.resolved;
      try {
        models::apply_overrides(copy, schema, {{f.key, factor_value(f, u)}}, "plausible range",
                                models::banenafspraak_check);
      } catch (const models::InputError& e) {
        if (why.empty()) why = e.problems().empty() ? e.what() : e.problems().front().message();
      }
    }
    if (why.empty()) {
      factors.push_back(f);
    } else {
      notes.push_back(f.key + ": cannot be varied independently on this scenario (" + why + "); skipped");
    }
  }
  return factors;
}

struct DesignRunOptions {
  std::string command;  // "sensitivity" or "discover": names the journal
  std::string scenario;
  std::uint64_t n_paths = 2000;
  std::uint64_t seed = kDefaultSeed;
  int threads = 0;
  std::uint64_t block_size = 1024;
  std::optional<std::string> out;
  bool resume = false;
};

constexpr std::uint64_t kDefaultDesignPaths = 2000;
constexpr std::uint64_t kMaxDesignRows = 1'000'000;

const char* kDesignResultColumns[] = {"p_reach", "p_reach_ci_low", "p_reach_ci_high", "total_mean", "seed", "paths"};

// The outputs of every design row, parsed back from the rows as written, so a
// resumed run analyses exactly the numbers of an uninterrupted one.
struct EvaluatedDesign {
  engine::DesignMatrix values;     // per row, the parameter values as run (after rounding)
  std::vector<double> p_reach;     // P(total >= target in the target year), per row
  std::vector<double> total_mean;  // mean total extra jobs in the target year, per row
  bool interrupted = false;
  bool worker = false;  // an MPI rank other than 0: ran its share of the rows, has none of the results
};

std::string design_provenance(const DesignRunOptions& o, const LoadedScenario& base, const std::vector<Factor>& factors,
                              const std::string& design, std::size_t n_rows) {
  std::ostringstream os;
  // The identity of the computation (no time, threads or path): --resume compares it byte for byte.
  os << "# banensim " << o.command << "; scenario " << base.name << "; resolved_hash " << base.resolved.hash()
     << "; design " << design << "; rows " << n_rows << "; seed " << o.seed << "; paths " << o.n_paths
     << "; block_size " << o.block_size << "; program " << BANENSIM_VERSION << " (commit " << BANENSIM_GIT_COMMIT
     << ")\n";
  for (const auto& f : factors) {
    os << "# factor " << f.key << " " << models::distribution_name(f.distribution) << " " << engine::decimal(f.low)
       << ":" << engine::decimal(f.high) << (f.integral ? " rounded" : "") << "\n";
  }
  return os.str();
}

// The design CSV's columns and what their cells hold (checked on --resume).
std::vector<engine::JournalColumn> design_columns(const std::vector<Factor>& factors) {
  using Kind = engine::JournalColumn::Kind;
  std::vector<engine::JournalColumn> columns = {{"row", Kind::kIndex}};
  for (const auto& f : factors) columns.push_back({f.key, Kind::kNumber});
  for (const char* c : kDesignResultColumns) columns.push_back({c, Kind::kNumber});
  return columns;
}

// Runs the scenario at every row of `unit` (points in [0,1]^d, one column per
// factor), each row one Monte Carlo run with the same seed (common random
// numbers). With --out, each row is appended to the journal as it completes
// and --resume skips the rows already there.
EvaluatedDesign evaluate_design(const DesignRunOptions& o, const LoadedScenario& base,
                                const std::vector<Factor>& factors, const engine::DesignMatrix& unit,
                                const std::string& design) {
  const auto& schema = models::banenafspraak_schema();
  const std::size_t n_rows = unit.rows(), d = factors.size();
  auto overrides = [&](std::size_t i) {
    std::vector<std::pair<std::string, std::string>> ov;
    for (std::size_t k = 0; k < d; ++k) ov.emplace_back(factors[k].key, factor_value(factors[k], unit(i, k)));
    return ov;
  };
  // Each key passes on its own; a combination might still break a check
  // linking two keys. Report every such row before anything runs.
  {
    std::vector<models::Problem> problems;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n_rows; ++i) {
      models::ResolvedScenario r = base.resolved;
      try {
        models::apply_overrides(r, schema, overrides(i), "design row " + std::to_string(i), models::banenafspraak_check);
      } catch (const models::InputError& e) {
        for (const auto& pr : e.problems()) {
          if (seen.insert(pr.key + "=" + pr.value + ": " + pr.constraint).second) problems.push_back(pr);
        }
      }
    }
    if (!problems.empty()) throw models::InputError(problems);
  }

  // The journal is rank 0's alone; every rank learns where to start.
  std::optional<engine::ResultsJournal> journal;
  std::vector<std::string> rows;
  const std::uint64_t n_done = decided_on_rank0([&]() -> std::uint64_t {
    if (!o.out) return 0;
    journal.emplace(open_journal(*o.out, design_provenance(o, base, factors, design, n_rows), design_columns(factors),
                                 o.resume, n_rows, "design rows"));
    rows = journal->records();
    return rows.size();
  });

  EvaluatedDesign ev;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const bool tty = g_rank == 0 && ::isatty(STDERR_FILENO) == 1;
  auto eval = [&](std::uint64_t i) -> std::optional<std::string> {
    models::ResolvedScenario r = base.resolved;
    models::apply_overrides(r, schema, overrides(i), "design row " + std::to_string(i), models::banenafspraak_check);
    const models::BanenafspraakModel model(models::params_from_scenario(r));
    engine::RunConfig cfg;
    cfg.seed = o.seed;  // the same seed at every row: common random numbers
    cfg.n_paths = o.n_paths;
    cfg.block_size = o.block_size;
    cfg.n_threads = o.threads;
    cfg.cancel = &g_interrupted;
    if (tty) std::fprintf(stderr, "\rdesign row %llu/%zu ", static_cast<unsigned long long>(i + 1), n_rows);
    const engine::RunResult res = engine::run(model, cfg);
    if (res.cancelled || g_interrupted.load()) return std::nullopt;
    const auto& layout = model.layout();
    const auto& t = res.tally.variant(0);
    const auto& reach = t.indicator(layout.indicator_index("reach_target"));
    // The model's last step is the target year (it simulates origin+1 .. target year).
    const auto& total = t.series(layout.series_index("total"), layout.n_steps() - 1).moments;
    const auto ci = reach.wilson();
    std::string row = std::to_string(i);
    for (const auto& [key, value] : overrides(i)) row += "," + csv_field(value);
    for (const double x : {reach.estimate(), ci.low, ci.high, total.mean()}) row += "," + engine::decimal(x);
    row += "," + std::to_string(o.seed) + "," + std::to_string(res.n_paths);
    return row;
  };
  auto consume = [&](std::uint64_t, std::string&& row) {
    rows.push_back(std::move(row));
    if (journal) journal->append(rows.back());
  };
  if (for_each_item(n_done, n_rows, eval, consume) == LoopEnd::kCancelled) {
    if (tty) std::fprintf(stderr, "\n");
    std::cerr << "banensim: interrupted after " << rows.size() << " of " << n_rows << " design rows"
              << (o.out ? "; they are in " + engine::ResultsJournal::partial_path(*o.out).string() +
                              "; run the same command with --resume to continue"
                        : std::string("; nothing written (give --out FILE.csv to keep finished rows)"))
              << "\n";
    ev.interrupted = true;
    return ev;
  }
  if (tty) std::fprintf(stderr, "\r%40s\r", "");
  if (g_rank != 0) {  // rank 0 holds the rows and does the analysis
    ev.worker = true;
    return ev;
  }
  if (journal) journal->commit();  // every row is in: the CSV takes its place at --out

  ev.values = engine::DesignMatrix(n_rows, d);
  for (std::size_t i = 0; i < n_rows; ++i) {
    const auto f = engine::split_csv_record(rows[i]);
    for (std::size_t k = 0; k < d; ++k) ev.values(i, k) = field_number(f[1 + k]);
    ev.p_reach.push_back(field_number(f[1 + d]));
    ev.total_mean.push_back(field_number(f[1 + d + 3]));
  }
  return ev;
}

// Options shared by sensitivity and discover.
void add_design_options(po::options_description& d) {
  d.add_options()
    ("help,h", "show this help")
    ("samples,N", po::value<std::string>(), "design size (required; see above)")
    ("paths,n", po::value<std::string>(), "paths per design row (default 2000)")
    ("seed,s", po::value<std::string>(), "seed of the design and of every run, the same at every row (default 2013)")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("block-size", po::value<std::string>(), "paths per block (default 1024; part of the reproducibility key)")
    ("out,o", po::value<std::string>(), "CSV file of the design rows, appended as each completes")
    ("resume", "continue the design in --out: keep its finished rows, run the rest");
}

po::variables_map parse_design_command(const std::string& command, const std::vector<std::string>& args,
                                       const po::options_description& d, const char* usage) {
  const po::variables_map vm = parse_command(args, d);
  if (vm.count("help")) {
    std::cout << usage << d;
    std::exit(0);
  }
  if (!vm.count("scenario")) throw UsageError(command + ": no scenario file given");
  if (vm["scenario"].as<std::vector<std::string>>().size() != 1) throw UsageError(command + " takes one scenario");
  if (!vm.count("samples")) throw UsageError(command + ": --samples N is required");
  return vm;
}

DesignRunOptions design_run_options(const std::string& command, const po::variables_map& vm) {
  DesignRunOptions o;
  o.command = command;
  o.scenario = vm["scenario"].as<std::vector<std::string>>()[0];
  o.n_paths = vm.count("paths") ? parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL)
                                : kDefaultDesignPaths;
  if (vm.count("seed")) o.seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  if (vm.count("threads")) o.threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  if (vm.count("block-size")) o.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  if (vm.count("out")) o.out = vm["out"].as<std::string>();
  o.resume = vm.count("resume") > 0;
  if (o.resume && !o.out) throw UsageError("--resume needs --out FILE.csv (the file to continue)");
  return o;
}

// FILE.csv -> FILE.indices.csv (other names: FILE -> FILE.indices.csv).
std::string indices_path(const std::string& out) {
  const std::string stem = out.size() > 4 && out.ends_with(".csv") ? out.substr(0, out.size() - 4) : out;
  return stem + ".indices.csv";
}

std::string interval_text(const engine::IndexEstimate& e, int decimals) {
  return "[" + engine::fmt(e.low, decimals) + ", " + engine::fmt(e.high, decimals) + "]";
}

const char* kSensitivityUsage =
    "Usage: banensim sensitivity SCENARIO --method sobol|morris --samples N [--paths P] [--seed S]\n"
    "                            [--threads T] [--out FILE.csv [--resume]]\n"
    "  Global sensitivity of P(reach the target) and of the mean total extra jobs in the target\n"
    "  year to every uncertain parameter (uniform on its plausible range, docs/MODEL.md section 6).\n"
    "  Every design row is one Monte Carlo run of --paths paths on the same seed.\n"
    "  sobol:  Saltelli design with N base rows (N (d+2) runs; N a power of 2 is best); first-order\n"
    "          and total Sobol' indices with 95% bootstrap intervals.\n"
    "  morris: N trajectories on a 4-level grid (N (d+1) runs); mu, mu* (95% interval), sigma,\n"
    "          in output units per whole plausible range.\n"
    "  The index table is printed; with --out it is also written to FILE.indices.csv (atomically,\n"
    "  at the end), and FILE.csv receives each design row as it completes (--resume continues).\n";

const char* kDiscoverUsage =
    "Usage: banensim discover SCENARIO --samples N [--threshold P] [--min-density D] [--boxes K] [--paths P]\n"
    "                         [--seed S] [--threads T] [--out FILE.csv [--resume]]\n"
    "  Scenario discovery: N points of a randomised Sobol' design over the plausible ranges, each\n"
    "  one Monte Carlo run of --paths paths; a point is a case of interest when its P(reach the\n"
    "  target) >= --threshold (default 0.5). PRIM (peeling and pasting) then finds the box of\n"
    "  parameter values where those cases concentrate; the box shown is the one with the largest\n"
    "  coverage among those with density >= --min-density (default 0.8), with its coverage,\n"
    "  density and mass, followed by the whole peeling trajectory. --boxes K: up to K boxes by\n"
    "  covering, each sought among the cases of interest outside the boxes before it.\n";

// The box discover shows from a PRIM trajectory: the largest coverage among
// the boxes with density >= min_density (the most explanatory box that still
// mostly holds cases of interest); if none is that dense, the densest box,
// with `qualifies` false.
struct ChosenBox {
  std::size_t index = 0;
  bool qualifies = true;
};
ChosenBox choose_box(const engine::PrimResult& pr, double min_density) {
  try {
    return {pr.max_coverage_with_density_at_least(min_density), true};
  } catch (const std::out_of_range&) {
    ChosenBox densest{0, false};
    for (std::size_t i = 0; i < pr.trajectory.size(); ++i) {
      if (pr.trajectory[i].density > pr.trajectory[densest.index].density) densest.index = i;
    }
    return densest;
  }
}

// Box `i_box` of the trajectory as discover prints it, from "NAME: the target
// is reached ..." to the trajectory table.
std::string box_text(const engine::PrimResult& pr, std::size_t i_box, const std::string& name,
                     const std::vector<Factor>& factors, double threshold, std::size_t n_interest,
                     const std::string& trajectory_title) {
  const engine::PrimBox& box = pr.trajectory[i_box];
  auto bound = [](double x) { return std::abs(x) >= 100 ? engine::fmt_int(x) : engine::fmt(x, 3); };
  // A side the box did not peel is open up to the end of the plausible
  // range; a parameter whose box keeps >= 90% of its range is a minor trim
  // (peeling a finite sample always nibbles at a few edges).
  std::vector<std::string> major, minor;
  for (std::size_t j = 0; j < factors.size(); ++j) {
    if (!box.restricted[j]) continue;
    const double lo = box.low[j] > pr.domain_low[j] ? box.low[j] : factors[j].low;
    const double hi = box.high[j] < pr.domain_high[j] ? box.high[j] : factors[j].high;
    const double kept = (hi - lo) / (factors[j].high - factors[j].low);
    const std::string text_j = factors[j].key + " in [" + bound(lo) + ", " + bound(hi) + "]";
    (kept < 0.9 ? major : minor).push_back(text_j + (kept < 0.9 ? " (" + engine::fmt(100 * kept, 0) + "% of its range)" : ""));
  }
  std::ostringstream text;
  text << name << ": the target is reached (P >= " << engine::fmt(threshold, 3) << ") ";
  if (major.empty()) {
    text << "without a marked restriction";
  } else {
    text << "when";
    for (std::size_t i = 0; i < major.size(); ++i) text << (i ? "\n  and " : " ") << major[i];
  }
  text << "\n  coverage " << engine::fmt(box.coverage, 3) << " (" << box.n_interest_inside << " of " << n_interest
       << " cases of interest inside), density " << engine::fmt(box.density, 3) << " (" << box.n_interest_inside
       << " of " << box.n_inside << " points inside), mass " << engine::fmt(box.mass, 3) << "\n";
  if (!minor.empty()) {
    text << "  minor trims (the box keeps >= 90% of the range):";
    for (std::size_t i = 0; i < minor.size(); ++i) text << (i ? ", " : " ") << minor[i];
    text << "\n";
  }
  std::vector<std::vector<std::string>> table = {{"box", "phase", "coverage", "density", "mass", "restricted"}};
  for (std::size_t i = 0; i < pr.trajectory.size(); ++i) {
    const auto& b = pr.trajectory[i];
    table.push_back({std::to_string(i) + (i == i_box ? " *" : ""), i == 0 ? "start" : b.pasted ? "paste" : "peel",
                     engine::fmt(b.coverage, 3), engine::fmt(b.density, 3), engine::fmt(b.mass, 3),
                     std::to_string(b.n_restricted())});
  }
  text << "\n" << trajectory_title << " (* = the box above)\n" << engine::format_table(table, 2);
  return text.str();
}

}  // namespace

int cmd_sensitivity(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()("method,m", po::value<std::string>(), "sobol | morris (required)");
  add_design_options(d);
  const po::variables_map vm = parse_design_command("sensitivity", args, d, kSensitivityUsage);
  if (!vm.count("method")) throw UsageError("sensitivity: --method sobol|morris is required");
  const std::string method = vm["method"].as<std::string>();
  if (method != "sobol" && method != "morris") throw UsageError("--method " + method + ": must be sobol or morris");
  const std::uint64_t n_samples = parse_count("samples", vm["samples"].as<std::string>(), 2, kMaxDesignRows);
  const DesignRunOptions o = design_run_options("sensitivity", vm);

  const LoadedScenario base = load(o.scenario, {});
  {
    CommandFiles files;
    files.add_scenario(base.resolved);
    files.add_journal(o.out, "--out");
    if (o.out) files.add_output(indices_path(*o.out), "the indices file of --out");
    files.check();
  }
  std::vector<std::string> notes;
  const std::vector<Factor> factors = uncertain_factors(base, notes);
  for (const auto& n : notes) std::cerr << "banensim: note: " << n << "\n";
  if (factors.empty()) throw UsageError("sensitivity: no uncertain parameter can be varied on " + o.scenario);
  const std::size_t n_dims = factors.size();
  const std::size_t rows_per = method == "sobol" ? n_dims + 2 : n_dims + 1;
  if (n_samples > kMaxDesignRows / rows_per) {
    throw UsageError("--samples " + std::to_string(n_samples) + ": the design would have more than " +
                     std::to_string(kMaxDesignRows) + " rows");
  }

  engine::DesignMatrix unit;
  std::optional<engine::MorrisDesign> morris;
  std::string design;
  if (method == "sobol") {
    unit = engine::saltelli_design(n_samples, n_dims, o.seed).points;
    design = "sobol saltelli randomized_sobol n_base " + std::to_string(n_samples);
  } else {
    engine::MorrisOptions mo;
    mo.n_trajectories = n_samples;
    mo.seed = o.seed;
    morris = engine::morris_design(n_dims, mo);
    unit = morris->points;
    design = "morris levels " + std::to_string(mo.n_levels) + " trajectories " + std::to_string(n_samples);
  }
  const EvaluatedDesign ev = evaluate_design(o, base, factors, unit, design);
  if (ev.interrupted) return kExitInterrupted;
  if (ev.worker) return 0;

  engine::BootstrapOptions boot;
  boot.seed = o.seed;
  const struct {
    const char* name;
    const char* label;
    const std::vector<double>* values;
    int decimals;
  } outputs[] = {{"p_reach", "P(reach)", &ev.p_reach, 4}, {"total_mean", "mean total", &ev.total_mean, 0}};

  std::ostringstream csv;
  std::ostringstream text;
  text << version_string() << "\n" << (method == "sobol" ? "Sobol'" : "Morris") << " sensitivity of " << base.name
       << " (" << o.scenario << "): " << n_dims << " uncertain parameters, uniform on their plausible ranges; "
       << unit.rows() << " runs of " << engine::fmt_int(static_cast<double>(o.n_paths)) << " paths, seed " << o.seed
       << " at every run (common random numbers)\n"
       << "Outputs: P(reach) = P(total >= " << engine::fmt_int(base.model.target_total()) << " in "
       << base.model.target_year() << "); mean total = mean extra jobs in " << base.model.target_year()
       << ". Intervals: 95% percentile bootstrap (" << boot.n_resamples << " resamples).\n";
  if (method == "sobol") {
    csv << "output,factor,first_order,first_order_low,first_order_high,first_order_contains_zero,total_order,"
           "total_order_low,total_order_high,total_order_contains_zero\n";
    for (const auto& out : outputs) {
      engine::SobolIndices si;
      try {
        si = engine::sobol_indices(n_dims, *out.values, boot);
      } catch (const std::invalid_argument& e) {
        text << "\n" << out.label << ": no indices (" << e.what() << ")\n";
        continue;
      }
      std::vector<std::size_t> order(n_dims);
      for (std::size_t k = 0; k < n_dims; ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return si.total_order[a].estimate > si.total_order[b].estimate;
      });
      std::vector<std::vector<std::string>> table = {
          {"parameter", "S1", "95% interval", "", "ST", "95% interval", ""}};
      for (const std::size_t k : order) {
        const auto& s1 = si.first_order[k];
        const auto& st = si.total_order[k];
        table.push_back({factors[k].key, engine::fmt(s1.estimate, 3), interval_text(s1, 3),
                         s1.interval_contains_zero ? "~0" : "", engine::fmt(st.estimate, 3), interval_text(st, 3),
                         st.interval_contains_zero ? "~0" : ""});
      }
      for (std::size_t k = 0; k < n_dims; ++k) {
        const auto& s1 = si.first_order[k];
        const auto& st = si.total_order[k];
        csv << out.name << "," << csv_field(factors[k].key);
        for (const auto* index : {&s1, &st}) {
          csv << "," << engine::decimal(index->estimate) << "," << engine::decimal(index->low) << ","
              << engine::decimal(index->high) << "," << (index->interval_contains_zero ? 1 : 0);
        }
        csv << "\n";
      }
      text << "\n" << out.label << ": mean " << engine::fmt(si.mean, out.decimals) << ", variance over the design "
           << engine::fmt(si.variance, out.decimals == 0 ? 0 : 6) << "; by total index (ST)\n"
           << engine::format_table(table, 1);
    }
    text << "\n~0: the 95% interval contains zero (the data cannot tell the index from zero).\n";
  } else {
    csv << "output,factor,mu,mu_star,mu_star_low,mu_star_high,mu_star_contains_zero,sigma\n";
    for (const auto& out : outputs) {
      const engine::MorrisResult mr = engine::morris_effects(*morris, *out.values, boot);
      std::vector<std::vector<std::string>> table = {{"parameter", "mu", "mu*", "95% interval", "", "sigma"}};
      for (const std::size_t k : mr.ranking()) {
        const auto& f = mr.factors[k];
        const int dec = out.decimals == 0 ? 0 : 4;
        table.push_back({factors[k].key, engine::fmt(f.mu, dec), engine::fmt(f.mu_star.estimate, dec),
                         interval_text(f.mu_star, dec), f.mu_star.interval_contains_zero ? "~0" : "",
                         engine::fmt(f.sigma, dec)});
      }
      for (std::size_t k = 0; k < n_dims; ++k) {
        const auto& f = mr.factors[k];
        csv << out.name << "," << csv_field(factors[k].key) << "," << engine::decimal(f.mu) << ","
            << engine::decimal(f.mu_star.estimate) << "," << engine::decimal(f.mu_star.low) << ","
            << engine::decimal(f.mu_star.high) << "," << (f.mu_star.interval_contains_zero ? 1 : 0) << ","
            << engine::decimal(f.sigma) << "\n";
      }
      text << "\n" << out.label << ": elementary effects per whole plausible range; by mu*\n"
           << engine::format_table(table, 1);
    }
    text << "\n~0: the 95% interval of mu* contains zero.\n";
  }
  if (o.out) {
    engine::write_file_atomically(indices_path(*o.out), csv.str());
    text << "\nwrote " << *o.out << " (design rows) and " << indices_path(*o.out) << " (indices)\n";
  }
  std::cout << text.str();
  return 0;
}

int cmd_discover(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()
    ("threshold", po::value<std::string>(), "a point is a case of interest when P(reach) >= this (default 0.5)")
    ("min-density", po::value<std::string>(), "show the box of largest coverage with at least this density (default 0.8)")
    ("boxes", po::value<std::string>(), "find up to K boxes by covering, each among the cases of interest outside the earlier ones (default 1)");
  add_design_options(d);
  const po::variables_map vm = parse_design_command("discover", args, d, kDiscoverUsage);
  const std::uint64_t n_samples = parse_count("samples", vm["samples"].as<std::string>(), 2, kMaxDesignRows);
  const double threshold = vm.count("threshold") ? parse_real("threshold", vm["threshold"].as<std::string>(), 0, 1) : 0.5;
  const double min_density =
      vm.count("min-density") ? parse_real("min-density", vm["min-density"].as<std::string>(), 0, 1) : 0.8;
  const std::size_t n_boxes = vm.count("boxes") ? parse_count("boxes", vm["boxes"].as<std::string>(), 1, 10) : 1;
  const DesignRunOptions o = design_run_options("discover", vm);

  const LoadedScenario base = load(o.scenario, {});
  {
    CommandFiles files;
    files.add_scenario(base.resolved);
    files.add_journal(o.out, "--out");
    files.check();
  }
  std::vector<std::string> notes;
  const std::vector<Factor> factors = uncertain_factors(base, notes);
  for (const auto& n : notes) std::cerr << "banensim: note: " << n << "\n";
  if (factors.empty()) throw UsageError("discover: no uncertain parameter can be varied on " + o.scenario);
  const std::size_t n_dims = factors.size();
  const engine::DesignMatrix unit = engine::sobol_design(n_samples, n_dims, o.seed);
  const std::string design = "randomized_sobol points " + std::to_string(n_samples);
  const EvaluatedDesign ev = evaluate_design(o, base, factors, unit, design);
  if (ev.interrupted) return kExitInterrupted;
  if (ev.worker) return 0;

  std::vector<bool> of_interest;
  std::size_t n_interest = 0;
  for (const double p : ev.p_reach) {
    of_interest.push_back(p >= threshold);
    n_interest += p >= threshold ? 1 : 0;
  }
  std::ostringstream text;
  const std::string reach = "P(total >= " + engine::fmt_int(base.model.target_total()) + " in " +
                            std::to_string(base.model.target_year()) + ")";
  text << version_string() << "\nScenario discovery on " << base.name << " (" << o.scenario << "): " << n_samples
       << " points of a randomised Sobol' design over " << n_dims << " uncertain parameters, "
       << engine::fmt_int(static_cast<double>(o.n_paths)) << " paths each, seed " << o.seed << "\n"
       << "Case of interest: " << reach << " >= " << engine::fmt(threshold, 3) << " at the point; " << n_interest
       << " of " << n_samples << " points.\n";
  if (n_interest == 0 || n_interest == n_samples) {
    text << "\n" << (n_interest == 0 ? "No point" : "Every point")
         << " is a case of interest: there is no box to find (try another --threshold).\n";
    std::cout << text.str();
    return 0;
  }
  // Covering (Friedman & Fisher 1999, sec. 5): box k is sought among the
  // points outside boxes 1..k-1; its measures stay relative to the whole
  // design (coverage: share of all cases of interest).
  std::vector<engine::PrimBox> chosen;
  std::vector<bool> covered(of_interest.size(), false);
  std::size_t n_covered = 0;  // cases of interest inside one of the chosen boxes
  for (std::size_t k = 0; k < n_boxes; ++k) {
    const std::size_t n_left = n_interest - n_covered;
    if (n_left == 0) {
      text << "\nNo case of interest is left outside the " << k << " box" << (k == 1 ? "" : "es")
           << " above: no further box.\n";
      break;
    }
    const engine::PrimResult pr = engine::prim(ev.values, of_interest, {}, chosen);
    const ChosenBox pick = choose_box(pr, min_density);
    if (!pick.qualifies && k > 0) {
      text << "\nNo further box reaches density " << engine::fmt(min_density, 2) << " among the " << n_left
           << " cases of interest left outside the boxes above: no box " << k + 1 << ".\n";
      break;
    }
    text << "\n";
    if (!pick.qualifies) {
      text << "No box on the trajectory reaches density " << engine::fmt(min_density, 2) << "; the densest is shown.\n";
    }
    const std::string name = n_boxes > 1 ? "Box " + std::to_string(k + 1) + " (trajectory box " + std::to_string(pick.index) + ")"
                                         : "Box " + std::to_string(pick.index) + " of the trajectory";
    text << box_text(pr, pick.index, name, factors, threshold, n_interest,
                     n_boxes > 1 ? "Peeling trajectory of box " + std::to_string(k + 1) : "Peeling trajectory");
    const engine::PrimBox& box = pr.trajectory[pick.index];
    chosen.push_back(box);
    if (n_boxes > 1) {
      for (std::size_t i = 0; i < of_interest.size(); ++i) {
        if (covered[i] || !box.contains(ev.values.row(i))) continue;
        covered[i] = true;
        n_covered += of_interest[i] ? 1U : 0U;
      }
      text << (k == 0 ? std::string("Box 1 holds ") : "Boxes 1-" + std::to_string(k + 1) + " together hold ")
           << n_covered << " of " << n_interest << " cases of interest ("
           << engine::fmt(static_cast<double>(n_covered) / static_cast<double>(n_interest), 3) << ").\n";
    }
  }
  if (o.out) text << "\nwrote " << *o.out << "\n";
  std::cout << text.str();
  return 0;
}

}  // namespace banensim::app
