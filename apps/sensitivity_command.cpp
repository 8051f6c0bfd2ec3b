// `banensim sensitivity SCENARIO --method sobol|morris`: Sobol' indices or
// Morris screening of the outputs over the factors (studies/sensitivity.hpp;
// docs/ANALYSIS.md section 6), printed with SALib's names and written to
// FILE.indices.csv (and FILE.s2.csv, FILE.svg) beside the design rows.

#include <algorithm>
#include <iostream>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/design_options.hpp"
#include "engine/atomic_file.hpp"
#include "engine/results_journal.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/provenance.hpp"
#include "studies/sensitivity.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

const char* kUsage =
    "Usage: banensim sensitivity SCENARIO --method sobol|morris --samples N [--study FILE] [--output NAME]...\n"
    "                            [--second-order | --no-second-order] [--paths P] [--seed S] [--threads T]\n"
    "                            [--set KEY=VALUE]...\n"
    "                            [--target N] [--target-year Y] [--out FILE.csv [--resume]] [--svg FILE.svg]\n"
    "  Global sensitivity of the outputs (default P(reach the target) and the mean total extra jobs in\n"
    "  the target year) to the factors: a study file's (docs/STUDIES.md), or every uncertain parameter\n"
    "  the scenario uses, uniform on its plausible range (docs/MODEL.md section 6).\n"
    "  Every design row is one Monte Carlo run of --paths paths on the same seed.\n"
    "  sobol:  Saltelli design with N base rows (N (d+2) runs, N (2d+2) with --second-order; N a power\n"
    "          of 2 is best): S1, S1_conf, ST, ST_conf (and S2, S2_conf), as SALib names them.\n"
    "          --no-second-order: none, though the study file's [sobol] second_order = true.\n"
    "  morris: N trajectories on a 4-level grid (N (d+1) runs): mu, mu_star, mu_star_conf, sigma.\n"
    "  X_conf is the half-width of the 95% interval: 1.96 bootstrap standard deviations (as SALib).\n"
    "  The table is printed; with --out also FILE.indices.csv (and FILE.s2.csv), written at the end,\n"
    "  and FILE.csv receives each design row as it completes (--resume continues).\n";

std::string conf_text(double estimate, double conf, int decimals) {
  return engine::fmt(estimate, decimals) + " +- " + engine::fmt(conf, decimals);
}

std::string sobol_text(const studies::SobolTable& t, int decimals) {
  std::ostringstream os;
  if (!t.failure.empty()) {
    os << "\n" << t.output << ": no indices (" << t.failure << ")\n";
    return os.str();
  }
  std::vector<std::size_t> order(t.rows.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return t.rows[a].ST > t.rows[b].ST; });
  std::vector<std::vector<std::string>> table = {{"parameter", "S1 +- S1_conf", "", "ST +- ST_conf", ""}};
  for (const std::size_t k : order) {
    const auto& r = t.rows[k];
    table.push_back({r.factor, conf_text(r.S1, r.S1_conf, 3), std::abs(r.S1) <= r.S1_conf ? "~0" : "",
                     conf_text(r.ST, r.ST_conf, 3), std::abs(r.ST) <= r.ST_conf ? "~0" : ""});
  }
  os << "\n" << t.output << ": mean " << engine::fmt(t.mean, decimals) << ", variance over the design "
     << engine::fmt(t.variance, decimals == 0 ? 0 : 6) << "; by total index (ST)\n"
     << engine::format_table(table, 1);
  if (!t.pairs.empty()) {
    std::vector<std::size_t> pairs(t.pairs.size());
    for (std::size_t k = 0; k < pairs.size(); ++k) pairs[k] = k;
    std::stable_sort(pairs.begin(), pairs.end(), [&](std::size_t a, std::size_t b) { return t.pairs[a].S2 > t.pairs[b].S2; });
    std::vector<std::vector<std::string>> rows = {{"pair", "S2 +- S2_conf", ""}};
    for (std::size_t i = 0; i < pairs.size() && i < 10; ++i) {
      const auto& p = t.pairs[pairs[i]];
      rows.push_back({p.factor_1 + " x " + p.factor_2, conf_text(p.S2, p.S2_conf, 3),
                      std::abs(p.S2) <= p.S2_conf ? "~0" : ""});
    }
    os << "second-order indices, largest " << std::min<std::size_t>(10, pairs.size()) << " of " << pairs.size()
       << " pairs (all in the .s2.csv)\n"
       << engine::format_table(rows, 1);
  }
  return os.str();
}

std::string morris_text(const studies::MorrisTable& t, int decimals) {
  std::ostringstream os;
  if (!t.failure.empty()) {
    os << "\n" << t.output << ": no effects (" << t.failure << ")\n";
    return os.str();
  }
  std::vector<std::size_t> order(t.rows.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return t.rows[a].mu_star > t.rows[b].mu_star; });
  std::vector<std::vector<std::string>> table = {{"parameter", "mu", "mu* +- mu*_conf", "", "sigma"}};
  for (const std::size_t k : order) {
    const auto& r = t.rows[k];
    table.push_back({r.factor, engine::fmt(r.mu, decimals), conf_text(r.mu_star, r.mu_star_conf, decimals),
                     r.mu_star <= r.mu_star_conf ? "~0" : "", engine::fmt(r.sigma, decimals)});
  }
  os << "\n" << t.output << ": elementary effects per step through each factor's whole range; by mu*\n"
     << engine::format_table(table, 1);
  return os.str();
}

}  // namespace

int cmd_sensitivity(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()("method,m", po::value<std::string>(), "sobol | morris (required unless the study file gives it)")
    ("second-order", "sobol: also the second-order indices S2 (2d + 2 runs per base row)")
    ("no-second-order", "sobol: no second-order indices, whatever the study file says");
  add_design_options(d);
  const po::variables_map vm = parse_command(args, d, kUsage);
  DesignCommand c = design_command(vm, "sensitivity");
  if (vm.count("method")) {
    c.request.method = vm["method"].as<std::string>();
    if (*c.request.method != "sobol" && *c.request.method != "morris") {
      throw UsageError("--method " + *c.request.method + ": must be sobol or morris");
    }
  }
  if (vm.count("second-order") && vm.count("no-second-order")) {
    throw UsageError("--second-order and --no-second-order: give one of them");
  }
  if (vm.count("second-order")) c.request.second_order = true;
  // The command line overrides the study file's settings both ways.
  if (vm.count("no-second-order")) c.request.second_order = false;
  const studies::DesignStudy s = studies::plan_sensitivity(c.request);
  const std::optional<studies::SensitivityFiles> written =
      c.out ? std::optional(studies::sensitivity_files(s, *c.out)) : std::nullopt;
  const std::optional<std::string> indices = written ? std::optional(written->indices) : std::nullopt;
  const std::optional<std::string> s2 = written ? written->second_order : std::nullopt;
  check_design_files(s, c, {{indices, "the indices file of --out"}, {s2, "the second-order file of --out"}});
  warn_calibration(ctx, {&s.base});

  ctx.threads = c.threads;
  show_progress(ctx, "design row");
  std::vector<std::string> companions;
  if (c.svg) companions.push_back(*c.svg);
  const studies::SensitivityResult r = studies::run_sensitivity(s, c.out, c.resume, ctx, companions);
  clear_progress(ctx);
  const studies::PointRun& run = r.evaluated.run;
  if (!run.completed) return report_interrupted(run, s, c);
  if (!run.root) return 0;
  for (const std::string& note : r.notes) std::cerr << "banensim: note: " << note << "\n";
  const bool sobol = s.method == "sobol";
  const double conf = sobol ? s.sobol.confidence : s.morris.confidence;
  const std::size_t resamples = sobol ? s.sobol.resamples : s.morris.resamples;
  std::ostringstream text;
  text << studies::version_line() << "\n" << (sobol ? "Sobol'" : "Morris") << " sensitivity of " << s.base.name << " ("
       << c.request.scenario << "): " << factors_text(s, c) << "; " << s.unit.rows() << " runs of "
       << engine::fmt_int(static_cast<double>(s.run.paths)) << " paths, seed " << s.run.seed
       << " at every run (common random numbers)\n"
       << "Outputs: " << outputs_text(s) << ".\n"
       << "X +- X_conf: the estimate and the half-width of its " << engine::shortest(100 * conf)
       << "% interval, " << engine::fmt(studies::z_of(conf), 2) << " standard deviations of " << resamples
       << " bootstrap resamples (SALib's convention).\n";
  for (std::size_t o = 0; o < s.outputs.size(); ++o) {
    const int decimals = s.outputs[o].stat == studies::OutputSpec::Stat::kProbability ? 4 : 0;
    text << (sobol ? sobol_text(r.sobol[o], decimals) : morris_text(r.morris[o], decimals == 0 ? 0 : 4));
  }
  text << "\n~0: the interval contains zero (the data cannot tell the index from zero).\n";
  if (written) studies::write_sensitivity_files(*written, s, r);
  if (c.svg) engine::write_file_atomically(*c.svg, studies::sensitivity_svg(s, r));
  if (c.out) {
    text << "\nwrote " << *c.out << " (design rows) and " << *indices << " (indices)" << (s2 ? " and " + *s2 : "")
         << "\n";
  }
  std::cout << text.str();
  // After everything is written: what failed does not undo the results, but must not pass as a success.
  for (const std::string& error : r.errors) std::cerr << "banensim: " << error << "\n";
  return r.errors.empty() ? 0 : kExitRuntime;
}

}  // namespace banensim::app
