// `banensim discover SCENARIO --samples N`: scenario discovery with PRIM
// (studies/discovery.hpp; docs/ANALYSIS.md sections 5 and 6.3): the boxes of
// factor values where the cases of interest concentrate, with their exact
// bounds, coverage, density, mass and quasi-p-values, and the trajectory.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/design_options.hpp"
#include "engine/atomic_file.hpp"
#include "engine/results_journal.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/discovery.hpp"
#include "studies/provenance.hpp"

namespace po = boost::program_options;

namespace banensim::app {

namespace {

const char* kUsage =
    "Usage: banensim discover SCENARIO --samples N [--threshold P] [--min-density D] [--boxes K] [--study FILE]\n"
    "                         [--design sobol|lhs|monte_carlo]\n"
    "                         [--paths P] [--seed S] [--threads T] [--set KEY=VALUE]... [--target N] [--target-year Y]\n"
    "                         [--out FILE.csv [--resume]] [--svg FILE.svg]\n"
    "  Scenario discovery: N points of a randomised Sobol' design (--design: or a Latin hypercube, or\n"
    "  plain Monte Carlo) over the factors (a study file's, or\n"
    "  the plausible ranges), each one Monte Carlo run of --paths paths; a point is a case of interest\n"
    "  when its P(reach the target) >= --threshold (default 0.5; a study file may name another output\n"
    "  and direction). PRIM (peeling and pasting) then finds the box of parameter values where those\n"
    "  cases concentrate; the box shown is the one with the largest coverage among those with density\n"
    "  >= --min-density (default 0.8), with its exact bounds, coverage, density, mass and the\n"
    "  quasi-p-value of each restriction, followed by the whole peeling trajectory. --boxes K: up to K\n"
    "  boxes by covering. With --out: FILE.trajectory.csv (every box, exact bounds); --svg: the\n"
    "  coverage-density trade-off.\n";

std::string p_text(double p) { return std::isfinite(p) ? engine::significant(p, 2) : std::string("-"); }

// Box `f` as discover prints it, from "NAME: ..." to its trajectory table.
std::string box_text(const studies::DesignStudy& s, const studies::DiscoveryResult& r, const studies::BoxFinding& f,
                     const std::string& name, const std::string& trajectory_title) {
  const engine::PrimBox& box = f.box();
  // A side the box did not restrict reaches the end of the factor's range; a
  // restricted side is the design value at which PRIM cut, exactly (the
  // shortest text that reads back as it: a recount gives the same counts).
  // A factor whose box keeps >= 90% of its range is a minor trim (peeling a
  // finite sample always nibbles at a few edges).
  std::vector<std::vector<std::string>> major = {{"restriction", "low", "high", "kept", "quasi-p low", "quasi-p high"}};
  std::vector<std::string> minor;
  std::string conditions;
  for (std::size_t j = 0; j < s.factors.size(); ++j) {
    if (!box.restricted[j]) continue;
    const auto& fac = s.factors[j];
    const bool cut_low = box.low[j] > f.search.domain_low[j], cut_high = box.high[j] < f.search.domain_high[j];
    const double lo = cut_low ? box.low[j] : fac.support_low();
    const double hi = cut_high ? box.high[j] : fac.support_high();
    const double kept = (hi - lo) / (fac.support_high() - fac.support_low());
    const std::string interval = "[" + engine::decimal(lo) + ", " + engine::decimal(hi) + "]";
    if (kept < 0.9) {
      conditions += (conditions.empty() ? " " : "\n  and ") + fac.key + " in " + interval + " (" +
                    engine::fmt(100 * kept, 0) + "% of its range)";
      major.push_back({fac.key, cut_low ? engine::decimal(lo) : "(range end)", cut_high ? engine::decimal(hi) : "(range end)",
                       engine::fmt(100 * kept, 0) + "%", p_text(f.quasi_p.low[j]), p_text(f.quasi_p.high[j])});
    } else {
      minor.push_back(fac.key + " in " + interval);
    }
  }
  std::ostringstream text;
  text << name << ": " << (s.prim.output == "p_reach" ? "the target is reached (P >= " + engine::fmt(s.prim.threshold, 3) + ")"
                                                       : "the cases of interest (" + studies::interest_rule(s.prim) + ")")
       << " " << (conditions.empty() ? "without a marked restriction" : "when" + conditions);
  text << "\n  coverage " << engine::fmt(box.coverage, 3) << " (" << box.n_interest_inside << " of " << r.n_interest
       << " cases of interest inside), density " << engine::fmt(box.density, 3) << " (" << box.n_interest_inside
       << " of " << box.n_inside << " points inside), mass " << engine::fmt(box.mass, 3) << "\n";
  if (major.size() > 1) {
    text << "  the restrictions, their exact bounds and quasi-p-values (one-sided binomial test of the box against "
            "the box without that bound):\n"
         << engine::format_table(major, 1);
  }
  if (!minor.empty()) {
    text << "  minor trims (the box keeps >= 90% of the range):";
    for (std::size_t i = 0; i < minor.size(); ++i) text << (i ? ", " : " ") << minor[i];
    text << "\n";
  }
  std::vector<std::vector<std::string>> table = {{"box", "phase", "coverage", "density", "mass", "restricted"}};
  for (std::size_t i = 0; i < f.search.trajectory.size(); ++i) {
    const auto& b = f.search.trajectory[i];
    table.push_back({std::to_string(i) + (i == f.index ? " *" : ""), i == 0 ? "start" : b.pasted ? "paste" : "peel",
                     engine::fmt(b.coverage, 3), engine::fmt(b.density, 3), engine::fmt(b.mass, 3),
                     std::to_string(b.n_restricted())});
  }
  text << "\n" << trajectory_title << " (* = the box above)\n" << engine::format_table(table, 2);
  return text.str();
}

}  // namespace

int cmd_discover(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()
    ("threshold", po::value<std::string>(), "a point is a case of interest when P(reach) >= this (default 0.5; "
                                            "with a study's [prim] output, in that output's unit)")
    ("min-density", po::value<std::string>(), "show the box of largest coverage with at least this density (default 0.8)")
    ("boxes", po::value<std::string>(), "find up to K boxes by covering, each among the cases of interest outside the earlier ones (default 1)")
    ("design", po::value<std::string>(), "how the points are drawn: sobol (randomised Sobol', the default), lhs (Latin "
                                         "hypercube) or monte_carlo (default: the study file's design, else sobol)");
  add_design_options(d);
  const po::variables_map vm = parse_command(args, d, kUsage);
  DesignCommand c = design_command(vm, "discover");
  // Any finite number: a probability's threshold is checked against [0, 1] once the output is known.
  if (vm.count("threshold")) {
    c.request.threshold = parse_real("threshold", vm["threshold"].as<std::string>(),
                                     -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
  }
  if (vm.count("min-density")) c.request.min_density = parse_real("min-density", vm["min-density"].as<std::string>(), 0, 1);
  if (vm.count("boxes")) c.request.boxes = parse_count("boxes", vm["boxes"].as<std::string>(), 1, 10);
  if (vm.count("design")) c.request.design = parse_design_option(vm["design"].as<std::string>());
  const studies::DesignStudy s = studies::plan_discovery(c.request);
  const std::optional<studies::DiscoveryFiles> written =
      c.out ? std::optional(studies::discovery_files(*c.out)) : std::nullopt;
  const std::optional<std::string> trajectory = written ? std::optional(written->trajectory) : std::nullopt;
  check_design_files(s, c, {{trajectory, "the trajectory file of --out"}});
  warn_calibration(ctx, {&s.base});

  ctx.threads = c.threads;
  show_progress(ctx, "design row");
  std::vector<std::string> companions;
  if (c.svg) companions.push_back(*c.svg);
  const studies::DiscoveryResult r = studies::run_discovery(s, c.out, c.resume, ctx, companions);
  clear_progress(ctx);
  const studies::PointRun& run = r.evaluated.run;
  if (!run.completed) return report_interrupted(run, s, c);
  if (!run.root) return 0;
  std::ostringstream text;
  text << studies::version_line() << "\nScenario discovery on " << s.base.name << " (" << c.request.scenario
       << "): " << s.samples << " points of " << studies::sampling_description(s.sampling) << " over "
       << factors_text(s, c) << ", "
       << engine::fmt_int(static_cast<double>(s.run.paths)) << " paths each, seed " << s.run.seed << "\n"
       << "Case of interest: " << studies::interest_rule(s.prim) << " at the point (" << s.prim.output << " = "
       << output_meaning(s, *std::find_if(s.outputs.begin(), s.outputs.end(),
                                          [&](const studies::OutputSpec& o) { return o.name == s.prim.output; }))
       << "); " << r.n_interest << " of " << s.samples << " points.\n";
  for (std::size_t k = 0; k < r.boxes.size(); ++k) {
    const studies::BoxFinding& f = r.boxes[k];
    text << "\n";
    if (!f.qualifies) {
      text << "No box on the trajectory reaches density " << engine::fmt(s.prim.min_density, 2) << "; the densest is shown.\n";
    }
    const bool many = s.prim.boxes > 1;
    const std::string name = many ? "Box " + std::to_string(k + 1) + " (trajectory box " + std::to_string(f.index) + ")"
                                  : "Box " + std::to_string(f.index) + " of the trajectory";
    text << box_text(s, r, f, name, many ? "Peeling trajectory of box " + std::to_string(k + 1) : "Peeling trajectory");
    if (many) {
      text << (k == 0 ? std::string("Box 1 holds ") : "Boxes 1-" + std::to_string(k + 1) + " together hold ")
           << f.interest_together << " of " << r.n_interest << " cases of interest ("
           << engine::fmt(static_cast<double>(f.interest_together) / static_cast<double>(r.n_interest), 3) << ").\n";
    }
  }
  if (!r.stop.empty()) text << "\n" << r.stop << "\n";
  if (written) studies::write_discovery_files(*written, s, r);
  if (c.svg && !r.boxes.empty()) engine::write_file_atomically(*c.svg, studies::tradeoff_svg(s, r));
  if (c.out) text << "\nwrote " << *c.out << " (design rows) and " << *trajectory << " (boxes)\n";
  std::cout << text.str();
  return 0;
}

}  // namespace banensim::app
