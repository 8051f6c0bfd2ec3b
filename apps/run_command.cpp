// `banensim run SCENARIO` and `banensim compare S1 S2 ...`: one Monte Carlo
// run of the scenarios on common random numbers (studies/scenario_run.hpp),
// as a table, CSV or JSON, and optionally an HTML report (docs/OUTPUT.md).

#include <iostream>
#include <optional>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "apps/html_report.hpp"
#include "apps/run_render.hpp"
#include "engine/atomic_file.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/scenario_run.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

struct RunCommand {
  studies::RunRequest request;
  std::string format = "table";
  std::optional<std::string> out, report;
  int threads = 0;
};

RunCommand parse(const Args& args, bool many) {
  po::options_description d("Options");
  d.add_options()("help,h", "show this help");
  add_run_options(d, "number of paths (default: the scenario's simulation.paths)");
  d.add_options()
    ("format,f", po::value<std::string>()->default_value("table"), "table | json | csv")
    ("out,o", po::value<std::string>(), "write the output to FILE (atomically) instead of stdout")
    ("report", po::value<std::string>(), "also write a self-contained HTML report (charts, table, provenance) to FILE")
    ("precision", po::value<std::string>(), "add blocks of paths until every 95% half-width <= EPS")
    ("max-paths", po::value<std::string>(), "cap on paths with --precision (default 10,000,000)");
  add_scenario_options(d);
  const po::variables_map vm =
      parse_command(args, d, many ? "Usage: banensim compare S1 S2 ... [options]\n  S1 is the reference.\n"
                                  : "Usage: banensim run SCENARIO [options]\n");
  RunCommand c;
  if (vm.count("scenario")) c.request.scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (c.request.scenarios.empty()) throw UsageError("no scenario file given");
  if (!many && c.request.scenarios.size() > 1) throw UsageError("run takes one scenario; use 'compare' for several");
  const RunOptions r = run_options(vm);
  c.request.paths = r.paths;
  c.request.seed = r.seed.value_or(studies::kDefaultSeed);
  c.request.block_size = r.block_size;
  c.threads = r.threads;
  c.format = vm["format"].as<std::string>();
  if (c.format != "table" && c.format != "json" && c.format != "csv") {
    throw UsageError("--format " + c.format + ": must be table, json or csv");
  }
  if (vm.count("out")) c.out = vm["out"].as<std::string>();
  if (vm.count("report")) c.report = vm["report"].as<std::string>();
  if (vm.count("precision")) c.request.precision = parse_real("precision", vm["precision"].as<std::string>(), 1e-6, 0.5);
  if (vm.count("max-paths")) {
    if (!c.request.precision) throw UsageError("--max-paths needs --precision");
    c.request.max_paths = parse_count("max-paths", vm["max-paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  }
  if (c.request.precision && c.request.paths) {
    throw UsageError("--paths and --precision conflict: --precision decides the path count (cap it with --max-paths)");
  }
  c.request.overrides = scenario_overrides(vm);
  return c;
}

}  // namespace

int cmd_run(const Args& args, studies::ExecutionContext& ctx, bool many) {
  const RunCommand c = parse(args, many);
  if (many && c.request.scenarios.size() < 2) {
    throw UsageError("compare needs at least two scenarios (the first is the reference)");
  }
  std::vector<studies::Scenario> scenarios = studies::load_run_scenarios(c.request);
  CommandFiles files;
  for (const auto& s : scenarios) files.add_scenario(s.resolved);
  files.add_output(c.out, "--out");
  files.add_output(c.report, "--report");
  files.check();

  ctx.threads = c.threads;
  show_progress(ctx, "run");
  const studies::ScenarioRun run = studies::run_scenarios(std::move(scenarios), c.request, ctx);
  clear_progress(ctx);
  if (!ctx.is_root()) return 0;  // the root holds the result and writes the output
  const engine::RunResult& r = run.result;
  if (r.cancelled) {
    std::cerr << "banensim: interrupted after " << r.n_paths << " of " << run.planned << " paths; no output written\n";
    return kExitInterrupted;
  }
  const nlohmann::json result = studies::run_json(run);
  const std::string text = c.format == "json"  ? result.dump(2) + "\n"
                           : c.format == "csv" ? render_csv(run)
                                               : render_table(run);
  if (c.request.precision) {
    std::cerr << "banensim: " << (r.stopped_by_rule ? "converged" : "not converged") << " after " << r.n_paths
              << " paths (widest 95% half-width " << engine::fmt(engine::max_half_width(r.tally), 5) << ", asked <= "
              << *c.request.precision << ")\n";
  }
  if (c.report) {
    engine::write_file_atomically(*c.report, html_report(result, legal_target_path(run.scenarios[0].model)));
  }
  if (c.out) {
    engine::write_file_atomically(*c.out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace banensim::app
