// `banensim explain SCENARIO`: the scenario fully resolved -- every key with
// its value, as TOML a scenario can use -- with the data files it reads and
// the hash every output records (which covers their content, not their names).

#include <iostream>
#include <optional>
#include <sstream>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/atomic_file.hpp"
#include "studies/scenario.hpp"

namespace po = boost::program_options;

namespace banensim::app {

int cmd_explain(const Args& args, studies::ExecutionContext& ctx) {
  po::options_description d("Options");
  d.add_options()("help,h", "show this help");
  add_scenario_options(d);
  d.add_options()("out,o", po::value<std::string>(), "write the resolved scenario to FILE (atomically) instead of stdout");
  const po::variables_map vm = parse_command(
      args, d,
      "Usage: banensim explain SCENARIO [--set KEY=VALUE]... [--target N] [--target-year Y] [--out FILE]\n"
      "  Prints the scenario fully resolved (its extends chain followed, overrides applied): every key\n"
      "  with its value, as TOML a scenario can use, the data files it reads, and the hash every output\n"
      "  records (computed from the values and the data files' content, not from how paths are spelled).\n");
  const std::string file = one_scenario(vm, "explain");
  std::optional<std::string> out;
  if (vm.count("out")) out = vm["out"].as<std::string>();
  const studies::Scenario s = studies::load_scenario(file, scenario_overrides(vm));
  CommandFiles files;
  files.add_scenario(s.resolved);
  files.add_output(out, "--out");
  files.check();
  warn_calibration(ctx, {&s});
  std::ostringstream text;
  text << "# " << s.file << " fully resolved (extends: ";
  for (std::size_t i = 0; i < s.resolved.files.size(); ++i) text << (i ? " <- " : "") << s.resolved.files[i];
  text << "); hash " << s.resolved.hash() << "\n";
  for (const std::string& key : s.resolved.path_keys) {
    text << "# data " << key << " = " << s.resolved.string(key) << " (content fnv1a64 " << s.resolved.data_file(key).digest
         << ")\n";
  }
  // What two values mean here, which the keys alone do not say.
  if (s.resolved.integer("history.origin_year") == 0) {
    text << "# history.origin_year = 0: the history file's last year, here " << s.model.origin_year() << "\n";
  }
  text << "# a lever's other keys (year, effects) act only while its enabled is true\n";
  text << s.resolved.canonical_toml();
  if (!out) {
    std::cout << text.str();
  } else if (ctx.is_root()) {
    engine::write_file_atomically(*out, text.str());
  }
  return 0;
}

}  // namespace banensim::app
