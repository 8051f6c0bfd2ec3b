#include "apps/design_options.hpp"

#include <iostream>

#include "engine/results_journal.hpp"
#include "engine/text_format.hpp"

namespace po = boost::program_options;

namespace banensim::app {

void add_design_options(po::options_description& d) {
  d.add_options()
    ("help,h", "show this help")
    ("samples,N", po::value<std::string>(), "design size (required unless the study file gives it; see above)")
    ("study", po::value<std::string>(), "a study file: factors and their distributions, outputs, method and "
                                        "settings (docs/STUDIES.md); default: the declared plausible ranges")
    ("output", po::value<std::vector<std::string>>()->composing(),
     "an output to analyse, e.g. p_reach, total_mean, quota_charge_total_eur_mean (repeatable; default: the study "
     "file's, else p_reach and total_mean)");
  add_run_options(d, "paths per design row (default 2000)");
  d.add_options()
    ("out,o", po::value<std::string>(), "CSV file of the design rows, appended as each completes")
    ("resume", "continue the design in --out: keep its finished rows, run the rest")
    ("svg", po::value<std::string>(), "also write the chart (SVG)");
  add_scenario_options(d);
}

DesignCommand design_command(const po::variables_map& vm, const std::string& command) {
  DesignCommand c;
  c.request.scenario = one_scenario(vm, command);
  if (vm.count("samples")) {
    c.request.samples = parse_count("samples", vm["samples"].as<std::string>(), 2, studies::kMaxDesignRows);
  }
  if (vm.count("study")) c.request.study_file = vm["study"].as<std::string>();
  if (vm.count("output")) c.request.outputs = vm["output"].as<std::vector<std::string>>();
  const RunOptions r = run_options(vm);
  c.request.paths = r.paths;
  c.request.seed = r.seed;
  c.request.block_size = r.block_size;
  c.threads = r.threads;
  if (vm.count("out")) c.out = vm["out"].as<std::string>();
  if (vm.count("svg")) c.svg = vm["svg"].as<std::string>();
  c.resume = vm.count("resume") > 0;
  if (c.resume && !c.out) throw UsageError("--resume needs --out FILE.csv (the file to continue)");
  c.request.overrides = scenario_overrides(vm);
  return c;
}

std::string factors_text(const studies::DesignStudy& s, const DesignCommand& c) {
  const std::string n = std::to_string(s.factors.size());
  if (c.request.study_file) return n + " factors from " + *c.request.study_file;
  return n + " uncertain parameters, uniform on their plausible ranges";
}

void print_notes(const studies::DesignStudy& s) {
  for (const auto& n : s.notes) std::cerr << "banensim: note: " << n << "\n";
}

void check_design_files(const studies::DesignStudy& s, const DesignCommand& c,
                        std::initializer_list<std::pair<std::optional<std::string>, std::string>> beside_out) {
  CommandFiles files;
  files.add_scenario(s.base.resolved);
  files.add_inputs(s.inputs.files);
  if (c.request.study_file) files.add_input(*c.request.study_file);
  files.add_journal(c.out, "--out");
  for (const auto& [file, role] : beside_out) files.add_output(file, role);
  files.add_output(c.svg, "--svg");
  files.check();
  print_notes(s);
}

std::string output_meaning(const studies::DesignStudy& s, const studies::OutputSpec& o) {
  if (o.name != "p_reach") return o.description();
  return "P(total >= " + engine::fmt_int(s.base.model.target_total()) + " in " +
         std::to_string(s.base.model.target_year()) + ")";
}

std::string outputs_text(const studies::DesignStudy& s) {
  std::string text;
  for (const auto& o : s.outputs) text += (text.empty() ? "" : "; ") + o.name + " = " + output_meaning(s, o);
  return text;
}

int report_interrupted(const studies::PointRun& run, const studies::DesignStudy& s, const DesignCommand& c) {
  std::cerr << "banensim: interrupted after " << run.table.rows.size() << " of " << s.unit.rows() << " design rows"
            << (c.out ? "; they are in " + engine::ResultsJournal::partial_path(*c.out).string() +
                            "; run the same command with --resume to continue"
                      : std::string("; nothing written (give --out FILE.csv to keep finished rows)"))
            << "\n";
  return kExitInterrupted;
}

}  // namespace banensim::app
