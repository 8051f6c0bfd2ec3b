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
#include "engine/results_journal.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/assumption_compare.hpp"
#include "studies/scenario_run.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

struct RunCommand {
  studies::RunRequest request;
  std::string format = "table";
  std::optional<std::string> out, report;
  int threads = 0;
  // compare --assumptions N
  std::optional<std::uint64_t> assumptions;
  bool seed_given = false;  // --seed: else a study file's seed applies to --assumptions
  std::optional<std::string> study, rows;
  bool resume = false;
  double min_density = 0.8;
  std::optional<studies::Sampling> design;
};

const char* kCompareUsage =
    "Usage: banensim compare S1 S2 ... [--variant \"NAME=FILE KEY=VALUE ...\"]... [options]\n"
    "       banensim compare S1 S2 ... --assumptions N [--study FILE] [--design sobol|lhs|monte_carlo]\n"
    "                                  [--rows FILE.csv [--resume]] [options]\n"
    "  S1 is the reference (the first --variant when no scenario file is given).\n"
    "  --variant defines an option on the command line: a scenario file plus settings of its own, under a\n"
    "  name, e.g. --variant \"levy2=scenarios/status-quo.toml quota.levy_per_job_eur=10000\"; its\n"
    "  settings apply to it alone (--set applies to every option), after --set.\n"
    "  --assumptions N: N assumption sets of a randomised Sobol' design (--design: or a Latin hypercube,\n"
    "  or plain Monte Carlo) over the uncertain parameters the\n"
    "  options use (their plausible ranges; a study file's factors with --study), every option run at each\n"
    "  set on common random numbers (default 20,000 paths per set); per option the median and 5-95% range\n"
    "  over the sets of P(reach) and of the difference, the share of sets it beats / ties / loses against\n"
    "  S1 beyond its Monte Carlo noise, the worst-case regret and the rule (PRIM) that decides the sign.\n";

// --variant "NAME=FILE KEY=VALUE ...": tokens split at spaces (a value holds none).
studies::Variant parse_variant(const std::string& text) {
  std::vector<std::string> tokens;
  std::string token;
  for (const char c : text + " ") {
    if (c == ' ') {
      if (!token.empty()) tokens.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  const std::string what = "--variant \"" + text + "\": ";
  if (tokens.empty()) throw UsageError(what + "must be \"NAME=FILE KEY=VALUE ...\"");
  studies::Variant v;
  const auto eq = tokens[0].find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == tokens[0].size()) {
    throw UsageError(what + "must start with NAME=FILE (the option's name and its scenario file)");
  }
  v.name = tokens[0].substr(0, eq);  // its characters: checked by studies::load_run_scenarios
  v.file = tokens[0].substr(eq + 1);
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const auto e = tokens[i].find('=');
    if (e == std::string::npos || e == 0) throw UsageError(what + tokens[i] + " must be KEY=VALUE");
    v.overrides.emplace_back(tokens[i].substr(0, e), tokens[i].substr(e + 1));
  }
  check_each_key_once(v.overrides, what);
  return v;
}

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
  if (many) {
    d.add_options()
      ("variant", po::value<std::vector<std::string>>()->composing(),
       "an option: \"NAME=FILE KEY=VALUE ...\", the scenario FILE with these settings for it alone (repeatable)")
      ("assumptions", po::value<std::string>(), "compare across N plausible assumption sets (see above)")
      ("study", po::value<std::string>(), "with --assumptions: a study file whose factors replace the plausible ranges")
      ("rows", po::value<std::string>(), "with --assumptions: CSV of the sets' rows, appended as each completes")
      ("resume", "with --rows: continue that file, keeping its finished sets")
      ("min-density", po::value<std::string>(), "with --assumptions: the sign rule's box has at least this density (default 0.8)")
      ("design", po::value<std::string>(), "with --assumptions: how the sets are drawn: sobol (randomised Sobol', "
                                           "the default), lhs (Latin hypercube) or monte_carlo (default: the study "
                                           "file's)");
  }
  add_scenario_options(d);
  const po::variables_map vm =
      parse_command(args, d, many ? kCompareUsage : "Usage: banensim run SCENARIO [options]\n");
  RunCommand c;
  if (vm.count("scenario")) c.request.scenarios = vm["scenario"].as<std::vector<std::string>>();
  if (vm.count("variant")) {
    for (const std::string& v : vm["variant"].as<std::vector<std::string>>()) c.request.variants.push_back(parse_variant(v));
  }
  if (c.request.scenarios.empty() && c.request.variants.empty()) throw UsageError("no scenario file given");
  if (!many && c.request.scenarios.size() > 1) throw UsageError("run takes one scenario; use 'compare' for several");
  const RunOptions r = run_options(vm);
  c.request.paths = r.paths;
  c.request.seed = r.seed.value_or(studies::kDefaultSeed);
  c.seed_given = r.seed.has_value();
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
  if (vm.count("assumptions")) {
    c.assumptions = parse_count("assumptions", vm["assumptions"].as<std::string>(), 2, studies::kMaxAssumptionSets);
    if (c.request.precision) throw UsageError("--precision and --assumptions conflict: give --paths per assumption set");
  }
  for (const char* o : {"study", "rows", "resume", "min-density", "design"}) {
    if (vm.count(o) && !c.assumptions) throw UsageError(std::string("--") + o + " needs --assumptions N");
  }
  if (vm.count("study")) c.study = vm["study"].as<std::string>();
  if (vm.count("rows")) c.rows = vm["rows"].as<std::string>();
  c.resume = vm.count("resume") > 0;
  if (c.resume && !c.rows) throw UsageError("--resume needs --rows FILE.csv (the file to continue)");
  if (vm.count("min-density")) c.min_density = parse_real("min-density", vm["min-density"].as<std::string>(), 0, 1);
  if (vm.count("design")) c.design = parse_design_option(vm["design"].as<std::string>());
  return c;
}

// The --report file (when asked) and the rendered text to --out or stdout;
// each file written whole or not at all.
void write_outputs(const RunCommand& c, const nlohmann::json& result, const std::vector<TargetPoint>& legal_target,
                   const std::string& text) {
  if (c.report) engine::write_file_atomically(*c.report, html_report(result, legal_target));
  if (c.out) {
    engine::write_file_atomically(*c.out, text);
  } else {
    std::cout << text;
  }
}

int compare_across_assumptions(const RunCommand& c, studies::ExecutionContext& ctx) {
  studies::AssumptionRequest request;
  request.run = c.request;
  if (c.seed_given) request.seed = c.request.seed;
  request.sets = *c.assumptions;
  request.study_file = c.study;
  request.min_density = c.min_density;
  request.design = c.design;
  const studies::AssumptionStudy s = studies::plan_assumption_compare(request);
  CommandFiles files;
  for (const auto& o : s.options) files.add_scenario(o.resolved);
  files.add_inputs(s.inputs.files);
  if (c.study) files.add_input(*c.study);
  files.add_journal(c.rows, "--rows");
  files.add_output(c.out, "--out");
  files.add_output(c.report, "--report");
  files.check();
  std::vector<const studies::Scenario*> loaded;
  for (const auto& o : s.options) loaded.push_back(&o);
  warn_calibration(ctx, loaded);
  if (ctx.is_root()) {
    for (const auto& n : s.notes) std::cerr << "banensim: note: " << n << "\n";
  }
  ctx.threads = c.threads;
  show_progress(ctx, "assumption set");
  // The JSON/CSV/table and the report are made from the rows: none of an earlier run stays beside new rows.
  std::vector<std::string> companions;
  if (c.out) companions.push_back(*c.out);
  if (c.report) companions.push_back(*c.report);
  const studies::AssumptionResult r = studies::run_assumption_compare(s, c.rows, c.resume, ctx, companions);
  clear_progress(ctx);
  if (!r.run.completed) {
    if (!ctx.is_root()) return kExitInterrupted;
    if (r.central.result.cancelled) {
      // Before the sets: their file was not opened, so it is as it was.
      const bool kept = c.rows && c.resume;
      std::cerr << "banensim: interrupted during the comparison at the scenarios' own values, before any assumption "
                   "set ran; "
                << (kept ? engine::ResultsJournal::partial_path(*c.rows).string() +
                               " (if any) is unchanged; run the same command to continue"
                         : std::string("nothing written"))
                << "\n";
      return kExitInterrupted;
    }
    std::cerr << "banensim: interrupted after " << r.run.table.rows.size() << " of " << s.sets << " assumption sets"
              << (c.rows ? "; they are in " + engine::ResultsJournal::partial_path(*c.rows).string() +
                               "; run the same command with --resume to continue"
                         : std::string("; nothing written (give --rows FILE.csv to keep finished sets)"))
              << "\n";
    return kExitInterrupted;
  }
  if (!r.run.root) return 0;
  nlohmann::json result = studies::assumption_compare_json(s, r);
  const std::string text = c.format == "json"  ? result.dump(2) + "\n"
                           : c.format == "csv" ? studies::assumptions_csv(s, r)
                                               : render_assumptions_table(s, r);
  write_outputs(c, result, legal_target_path(s.options[0].model), text);
  return 0;
}

}  // namespace

int cmd_run(const Args& args, studies::ExecutionContext& ctx, bool many) {
  const RunCommand c = parse(args, many);
  if (c.assumptions) return compare_across_assumptions(c, ctx);
  if (many && c.request.scenarios.size() + c.request.variants.size() < 2) {
    throw UsageError("compare needs at least two scenarios (the first is the reference)");
  }
  std::vector<studies::Scenario> scenarios = studies::load_run_scenarios(c.request);
  CommandFiles files;
  for (const auto& s : scenarios) files.add_scenario(s.resolved);
  files.add_output(c.out, "--out");
  files.add_output(c.report, "--report");
  files.check();
  std::vector<const studies::Scenario*> loaded;
  for (const auto& s : scenarios) loaded.push_back(&s);
  warn_calibration(ctx, loaded);

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
  write_outputs(c, result, legal_target_path(run.scenarios[0].model), text);
  return 0;
}

}  // namespace banensim::app
