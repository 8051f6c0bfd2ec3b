// `banensim validate FILE...`: loads each scenario with every check (extends
// chain, keys, types, ranges, cross-key checks, data files) and reports
// every problem at once; a study file (docs/STUDIES.md) is checked as one.

#include <iostream>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "models/calibration.hpp"
#include "studies/scenario.hpp"
#include "studies/study_file.hpp"

namespace banensim::app {

int cmd_validate(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: banensim validate FILE...\n"
                 "  Checks each scenario (extends chain, keys, types, ranges, data files), and each\n"
                 "  study file (a top-level factors array and no extends: docs/STUDIES.md) as a study.\n";
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
      if (studies::looks_like_study_file(f)) {
        (void)studies::read_study_file(f);
        std::cout << f << ": ok (study file)\n";
      } else {
        const studies::Scenario s = studies::load_scenario(f);
        std::cout << f << ": ok\n";
        // Not an input error: the scenario runs, but its calibrated keys are not its data's.
        const std::string stale = models::calibration_mismatch(s.model.params());
        if (!stale.empty()) std::cerr << "banensim: warning: " << f << ": " << stale << "\n";
      }
    } catch (const models::InputError& e) {
      for (const auto& p : e.problems()) std::cerr << p.message() << "\n";
      status = kExitUsage;
    }
  }
  return status;
}

}  // namespace banensim::app
