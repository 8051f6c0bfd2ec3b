// `banensim backtest SCENARIO (--fit-until YEAR | --rolling FROM:TO)`:
// parses the command line, runs studies::run_backtest with the paths of each
// forecast on the execution context's cluster (this process's threads or MPI
// ranks), and writes what it returns. Method: docs/BACKTEST_AND_SWEEPS.md §2;
// outputs: docs/OUTPUT.md, "Backtest".

#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/atomic_file.hpp"
#include "studies/backtest.hpp"
#include "studies/point_runner.hpp"
#include "studies/provenance.hpp"
#include "studies/scenario.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

const char* kUsage =
    "Usage: banensim backtest SCENARIO (--fit-until YEAR | --rolling FROM:TO) [options]\n"
    "  For each forecast origin (YEAR, or every year FROM..TO): calibrates on the data dated up to the\n"
    "  origin only, forecasts from the end-of-origin measurement with the scenario, and scores the forecast\n"
    "  of every later observed year (total, market, government): median, 50% and 90% intervals and their\n"
    "  coverage, the PIT and the CRPS, beside a random walk with drift and a linear trend fitted on the\n"
    "  same data. The same seed and paths at every origin.\n";

// FILE.csv -> FILE.summary.csv (other names: FILE -> FILE.summary.csv).
std::string summary_path(const std::string& out) {
  const std::string stem = out.size() > 4 && out.ends_with(".csv") ? out.substr(0, out.size() - 4) : out;
  return stem + ".summary.csv";
}

std::pair<int, int> parse_rolling(const std::string& text) {
  const auto colon = text.find(':');
  const auto year = [&](const std::string& part, const char* name) {
    try {
      return static_cast<int>(parse_count("rolling", part, 2013, 2100));
    } catch (const UsageError&) {
      throw UsageError("--rolling " + text + ": " + name + " '" + part + "' must be a year from 2013 to 2100");
    }
  };
  if (colon == std::string::npos) throw UsageError("--rolling " + text + ": must be FROM:TO (two years)");
  const int from = year(text.substr(0, colon), "FROM");
  const int to = year(text.substr(colon + 1), "TO");
  if (to < from) throw UsageError("--rolling " + text + ": TO must not be before FROM");
  return {from, to};
}

}  // namespace

int cmd_backtest(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("fit-until", po::value<std::string>(), "one forecast origin: calibrate on the data up to YEAR, forecast from it")
    ("rolling", po::value<std::string>(), "every forecast origin FROM..TO (e.g. 2016:2022), pooled")
    ("paths,n", po::value<std::string>(), "paths per forecast (default: the scenario's simulation.paths)")
    ("seed,s", po::value<std::string>(), "random seed, the same for every origin (default 2013)")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("block-size", po::value<std::string>(), "paths per block (default 1024)")
    ("format,f", po::value<std::string>()->default_value("table"), "table | json | csv")
    ("out,o", po::value<std::string>(),
     "write the output to FILE (atomically) instead of stdout; with csv also the pooled summary to FILE.summary.csv");
  const po::variables_map vm = parse_command(args, d, kUsage);
  if (!vm.count("scenario")) throw UsageError("backtest: no scenario file given");
  const auto scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (scenarios.size() != 1) throw UsageError("backtest takes one scenario");
  if (vm.count("fit-until") == vm.count("rolling")) {
    throw UsageError("backtest: give one of --fit-until YEAR (one origin) and --rolling FROM:TO (several)");
  }
  std::pair<int, int> origins;
  if (vm.count("fit-until")) {
    const int year = static_cast<int>(parse_count("fit-until", vm["fit-until"].as<std::string>(), 2013, 2100));
    origins = {year, year};
  } else {
    origins = parse_rolling(vm["rolling"].as<std::string>());
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError("--format " + format + ": must be table, json or csv");
  }
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  std::optional<std::string> summary_out;
  if (out && format == "csv") summary_out = summary_path(*out);
  studies::BacktestRequest request;
  request.scenario = scenarios[0];
  request.first_origin = origins.first;
  request.last_origin = origins.second;
  request.origin_name = vm.count("fit-until") ? "--fit-until" : "--rolling";
  request.range = vm.count("rolling") != 0;
  if (vm.count("seed")) request.seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  if (vm.count("block-size")) {
    request.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  }
  if (vm.count("paths")) {
    request.paths = parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  }
  if (vm.count("threads")) {
    ctx.threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  }

  const studies::BacktestStudy study = studies::plan_backtest(request);
  CommandFiles files;
  files.add_scenario(study.scenario.resolved);
  files.add_output(out, "--out");
  files.add_output(summary_out, "the summary file of --out");
  files.check();
  const studies::BacktestResult result = studies::run_backtest(study, ctx);
  if (!ctx.is_root()) return 0;  // rank 0 holds the result and writes the output
  if (result.cancelled) {
    std::cerr << "banensim: interrupted; no output written\n";
    return kExitInterrupted;
  }
  const studies::RunInfo info = studies::run_info(study, ctx);
  const std::string text = format == "json"  ? studies::backtest_json(result, info).dump(2) + "\n"
                           : format == "csv" ? studies::backtest_csv(result, info)
                                             : studies::backtest_table(result, info);
  if (summary_out) engine::write_file_atomically(*summary_out, studies::backtest_summary_csv(result, info));
  if (out) {
    engine::write_file_atomically(*out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace banensim::app
