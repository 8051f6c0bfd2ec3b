#pragma once
// What the banensim commands share: exit codes, strict option parsing, the
// --set/--target/--target-year overrides every scenario command accepts, the
// checks of a command's files, progress on a terminal. Part of the
// composition root (apps/): it parses and renders; the work is in studies/.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "engine/run_files.hpp"
#include "models/parameter_schema.hpp"
#include "studies/execution.hpp"
#include "studies/sampling.hpp"
#include "studies/scenario.hpp"

namespace banensim::app {

inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// A command-line problem: one line, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Asked for --help: print `text` and exit 0 (thrown so that no command
// calls exit()).
struct HelpRequested {
  std::string text;
};

// A whole number in [min, max], digits only: rejects "-5", "1e99", "abc", "12x", " 5".
std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max);
// A finite real in [min, max] (infinite bounds: none); the message quotes `text` as typed.
double parse_real(const std::string& option, const std::string& text, double min, double max);
// --design NAME: sobol, lhs or monte_carlo (studies/sampling.hpp).
studies::Sampling parse_design_option(const std::string& text);
// A bound of a range as a user would type it: 0.5, 1e-06, 10000000.
std::string bound_text(double x);

// Parses a command's arguments against `options`, collecting every
// positional argument under "scenario"; --help throws HelpRequested with
// `usage` and the options. `ordered` receives the options in command-line
// order (for options whose order matters).
boost::program_options::variables_map parse_command(const std::vector<std::string>& args,
                                                    const boost::program_options::options_description& options,
                                                    const std::string& usage,
                                                    std::vector<boost::program_options::option>* ordered = nullptr);

// The one scenario a command takes ("COMMAND: no scenario file given", "COMMAND takes one scenario").
std::string one_scenario(const boost::program_options::variables_map& vm, const std::string& command);

// --set KEY=VALUE (repeatable), --target N, --target-year Y: the options
// every command that loads a scenario accepts as `run` does.
void add_scenario_options(boost::program_options::options_description& d, bool with_set = true);
studies::Overrides scenario_overrides(const boost::program_options::variables_map& vm, bool with_set = true);
// Throws UsageError, prefixed by `where`, when a key appears twice in `ov`.
void check_each_key_once(const studies::Overrides& ov, const std::string& where);

// --paths, --seed, --threads, --block-size.
void add_run_options(boost::program_options::options_description& d, const std::string& paths_help);
struct RunOptions {
  std::optional<std::uint64_t> paths;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::uint64_t block_size = 1024;
};
RunOptions run_options(const boost::program_options::variables_map& vm);

// The files of one run (engine/run_files.hpp): every output is checked --
// writable, not special, not an input, not another output -- before any
// work is done; a refusal is a command-line problem (exit 2).
class CommandFiles {
 public:
  // The scenario's extends chain and every data file it names.
  void add_scenario(const models::ResolvedScenario& r);
  void add_input(const std::string& file) { files_.add_input(file); }
  void add_inputs(const std::vector<std::string>& files);
  void add_output(const std::optional<std::string>& file, const std::string& role);
  // A result file and the partial file it writes first.
  void add_journal(const std::optional<std::string>& file, const std::string& role);
  void check() const;

 private:
  engine::RunFiles files_;
};

// "banensim: warning: FILE[, FILE...]: REASON" on stderr (root only), one
// line per distinct reason, for the scenarios whose calibrated keys no
// longer belong to the data they read (models::calibration_mismatch: a
// newer measurement, a revised figure). The run goes on; its JSON records it.
void warn_calibration(const studies::ExecutionContext& ctx, const std::vector<const studies::Scenario*>& scenarios);

// Progress on stderr when it is a terminal (root only): a bar for the paths
// of one run, a counter for the points of a study; notes as "banensim: ...".
void show_progress(studies::ExecutionContext& ctx, const std::string& noun);
void clear_progress(const studies::ExecutionContext& ctx);


}  // namespace banensim::app
