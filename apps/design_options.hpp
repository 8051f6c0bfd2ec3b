#pragma once
// The options `sensitivity` and `discover` share: the scenario (with --set,
// --target, --target-year), the study file, the design size and the runs,
// the result files.

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "apps/cli.hpp"
#include "studies/design.hpp"

namespace banensim::app {

struct DesignCommand {
  studies::DesignRequest request;
  std::optional<std::string> out, svg;
  bool resume = false;
  int threads = 0;
};

void add_design_options(boost::program_options::options_description& d);
DesignCommand design_command(const boost::program_options::variables_map& vm, const std::string& command);

// "d factors, uniform on their plausible ranges" or "... from STUDY"; notes
// on the factors left out, on stderr.
std::string factors_text(const studies::DesignStudy& s, const DesignCommand& c);
void print_notes(const studies::DesignStudy& s);
// Before the first row runs: every input reads (the scenario and its files,
// the study's) and every output can be written (--out and the partial file
// it writes first, the files written beside it -- (path, role) -- and
// --svg), else a UsageError naming it; then the study's notes.
void check_design_files(const studies::DesignStudy& s, const DesignCommand& c,
                        std::initializer_list<std::pair<std::optional<std::string>, std::string>> beside_out);
// An interrupted design: says how many rows finished and where they are
// (or that nothing was written without --out); returns kExitInterrupted.
int report_interrupted(const studies::PointRun& run, const studies::DesignStudy& s, const DesignCommand& c);
// "P(total >= 125,000 in 2026)" for p_reach, else the output's description.
std::string output_meaning(const studies::DesignStudy& s, const studies::OutputSpec& o);
// "p_reach = P(total >= 125,000 in 2026); total_mean = mean of total in the target year"
std::string outputs_text(const studies::DesignStudy& s);

}  // namespace banensim::app
