// `banensim calibrate [SCENARIO]`: re-estimates the growth parameters from
// the monitor history (models/calibration.hpp) and writes a parameter file a
// scenario can include.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/atomic_file.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "models/calibration.hpp"
#include "models/history.hpp"
#include "models/scenario_loader.hpp"
#include "studies/scenario.hpp"

namespace po = boost::program_options;

namespace banensim::app {

int cmd_calibrate(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()("help,h", "show this help")
    ("history", po::value<std::string>(), "history CSV (default: the scenario's history.file)")
    ("fit-until", po::value<std::string>(), "use observed years up to YEAR only")
    ("out,o", po::value<std::string>(), "write the parameter file (TOML) to FILE")
    ("update", po::value<std::string>(), "put the keys into FILE, a file of the scenario's extends chain that "
                                         "sets them (e.g. scenarios/base.toml): their values change in place, "
                                         "nothing else");
  // The scenario: a positional argument, or --scenario F (both land in "scenario").
  const po::variables_map vm = parse_command(
      args, d,
      "Usage: banensim calibrate [SCENARIO | --scenario SCENARIO] [options]\n"
      "  SCENARIO (default scenarios/base.toml) supplies the assumptions calibration does not\n"
      "  estimate (composition shares, supply, cycle) and, unless --history is given, the history.\n");
  std::string scenario = (std::filesystem::path("scenarios") / "base.toml").string();
  if (vm.count("scenario")) {
    const auto given = vm["scenario"].as<std::vector<std::string>>();
    if (given.size() != 1) throw UsageError("calibrate takes one scenario (given " + std::to_string(given.size()) + ")");
    scenario = given[0];
  }
  const int until =
      vm.count("fit-until") ? static_cast<int>(parse_count("fit-until", vm["fit-until"].as<std::string>(), 2013, 2100)) : 0;
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  std::optional<std::string> update;
  if (vm.count("update")) update = vm["update"].as<std::string>();
  const studies::Scenario s = studies::load_scenario(scenario);
  if (update) {
    // Only a file the scenario is made of: the keys belong to its assumptions and data.
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(*update, ec);
    const bool in_chain = std::any_of(s.resolved.files.begin(), s.resolved.files.end(), [&](const std::string& f) {
      std::error_code e2;
      return !ec && fs::weakly_canonical(f, e2) == target && !e2;
    });
    if (!in_chain) {
      std::string chain;
      for (const auto& f : s.resolved.files) chain += (chain.empty() ? "" : ", ") + f;
      throw UsageError("--update " + *update + ": not a file of " + scenario + "'s extends chain (" + chain + ")");
    }
    if (out && fs::weakly_canonical(*out, ec) == target) throw UsageError("--out and --update name the same file");
  }
  CommandFiles files;
  files.add_scenario(s.resolved);
  if (vm.count("history")) files.add_input(vm["history"].as<std::string>());
  files.add_output(out, "--out");
  files.check();
  const models::History h =
      vm.count("history") ? models::read_history(vm["history"].as<std::string>()) : s.model.params().observed;
  if (until != 0 && !h.years.empty()) {
    // The fit needs two observed years up to it (models::calibrate); name the option, not the file.
    const int second = h.years.size() > 1 ? h.years[1].year : h.years[0].year;
    if (until < second) {
      throw UsageError("--fit-until " + std::to_string(until) + ": " + h.file + " starts in " +
                       std::to_string(h.first_year()) + "; the fit needs two observed years (--fit-until " +
                       std::to_string(second) + " or later)");
    }
    if (until > h.last_year()) {
      std::cerr << "banensim: note: --fit-until " << until << " is after " << h.file << "'s last year "
                << h.last_year() << ": fitted on every observed year, stamped " << h.last_year() << "\n";
    }
  }
  const models::CalibrationResult c = models::calibrate(h, until, s.model.params());
  // The file with the new values, made before anything is printed or written.
  std::optional<std::string> before, updated;
  if (update) {
    std::vector<models::Problem> problems;
    before = models::read_text_file(*update, *update, problems);
    if (!before) throw models::InputError(std::move(problems));
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& e : c.estimates) {
      if (e.scenario_key) values.emplace_back(e.key, models::toml_value(e));
    }
    updated = models::rewrite_scenario_values(*before, *update, values);
  }
  std::vector<std::vector<std::string>> rows = {{"parameter", "estimate", "std. error", "unit", "note"}};
  for (const auto& e : c.estimates) {
    const std::string value = !e.text.empty() ? e.text
                              : e.integer     ? std::to_string(std::llround(e.value))
                                              : engine::fmt(e.value, 4);
    rows.push_back({e.key, value, engine::fmt(e.std_error, 4), e.unit, e.note});
  }
  std::cout << "Calibration of " << scenario << " on " << c.history_file << ", years " << c.first_year << "-"
            << c.last_year << "\nMethod: " << c.method << "\n\n"
            << engine::format_table(rows, 1);
  if (out && ctx.is_root()) {
    engine::write_file_atomically(*out, models::calibration_toml(c));
    std::cout << "\nwrote " << *out << "\n";
  }
  if (update && ctx.is_root()) {
    if (*updated == *before) {
      std::cout << "\n" << *update << " holds these values already: unchanged\n";
    } else {
      engine::write_file_atomically(*update, *updated);
      std::cout << "\nupdated the calibrated keys in " << *update << " (their values only)\n";
    }
  }
  return 0;
}

}  // namespace banensim::app
