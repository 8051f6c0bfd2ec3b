#pragma once
// Pieces the banensim commands share (apps/scenario_commands.cpp,
// apps/research_commands.cpp): exit codes, the interrupt flag, strict option
// parsing, scenario loading with overrides, CSV quoting. Part of the
// composition root: it sees both the engine and the model.

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>

#include "engine/atomic_file.hpp"
#include "engine/run_summary.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"

namespace banensim::app {

inline constexpr std::uint64_t kDefaultSeed = 2013;  // the year of the agreement; never the clock
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// Set by SIGINT/SIGTERM; runs stop at the next block of paths.
inline std::atomic<bool> g_interrupted{false};
// This process's MPI rank and the number of ranks (0 and 1 without MPI).
// Only rank 0 prints, shows progress and writes files.
inline int g_rank = 0;
inline int g_n_ranks = 1;
extern "C" inline void on_signal(int) { g_interrupted.store(true); }

// A command-line problem: one line, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min,
                                 std::uint64_t max) {
  // Digits only: rejects "-5", "1e99", "abc", "12x" and anything that overflows.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19) {
    throw UsageError("--" + option + " " + text + ": must be a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max));
  }
  const std::uint64_t v = std::stoull(text);
  if (v < min || v > max) {
    throw UsageError("--" + option + " " + text + ": must be from " + std::to_string(min) + " to " +
                     std::to_string(max));
  }
  return v;
}

inline double parse_real(const std::string& option, const std::string& text, double min, double max) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || !std::isfinite(v) || v < min || v > max) {
    throw UsageError("--" + option + " " + text + ": must be a number in [" + engine::fmt(min, 4) + ", " +
                     engine::fmt(max, 4) + "]");
  }
  return v;
}

inline std::string version_string() {
  return std::string("banensim ") + BANENSIM_VERSION + " (commit " + BANENSIM_GIT_COMMIT + ")";
}

// An output path that cannot be written is a command-line problem (exit 2),
// found before any work is done.
inline void check_output(const std::optional<std::string>& file) {
  if (!file) return;
  try {
    engine::check_writable(*file);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
}

struct LoadedScenario {
  std::string file;
  std::string name;
  models::ResolvedScenario resolved;
  models::BanenafspraakModel model;
};

inline LoadedScenario load(const std::string& file,
                           const std::vector<std::pair<std::string, std::string>>& overrides) {
  const auto& schema = models::banenafspraak_schema();
  models::ResolvedScenario r = models::load_scenario(file, schema, models::banenafspraak_check);
  if (!overrides.empty()) models::apply_overrides(r, schema, overrides, "command line", models::banenafspraak_check);
  std::string name = r.string("scenario.name");
  if (name.empty()) name = std::filesystem::path(file).stem().string();
  models::BanenafspraakModel model(models::params_from_scenario(r));
  return LoadedScenario{file, name, std::move(r), std::move(model)};
}

// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Parses a command's arguments against `options`, collecting every
// positional argument under "scenario". `ordered`, when given, receives the
// options in command-line order (for options whose order matters).
inline boost::program_options::variables_map parse_command(
    const std::vector<std::string>& args, const boost::program_options::options_description& options,
    std::vector<boost::program_options::option>* ordered = nullptr) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description pos;
  pos.add("scenario", -1);
  const po::parsed_options parsed = po::command_line_parser(args).options(all).positional(pos).run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  if (ordered != nullptr) *ordered = parsed.options;
  return vm;
}

}  // namespace banensim::app
