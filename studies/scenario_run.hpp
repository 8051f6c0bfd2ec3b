#pragma once
// One Monte Carlo run of one or more scenarios on common random numbers --
// what `run` and `compare` print, and Python's banensim.run / .compare. The
// first scenario is the reference of the paired differences. With a
// precision the run adds blocks until every 95% half-width is at most it.
// Its result as JSON is the program's documented interface
// (docs/OUTPUT.md, docs/result.schema.json).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "studies/execution.hpp"
#include "studies/point_runner.hpp"
#include "studies/scenario.hpp"

namespace banensim::studies {

// An option defined on the command line (`--variant "NAME=FILE KEY=VALUE ..."`):
// a scenario file with settings of its own, under its own name.
struct Variant {
  std::string name;
  std::string file;
  Overrides overrides;  // applied to this option only, after RunRequest::overrides
};

struct RunRequest {
  std::vector<std::string> scenarios;  // the first is the reference
  std::vector<Variant> variants;       // after the scenarios (the reference when there is no scenario)
  Overrides overrides;                 // --set, --target, --target-year: applied to every scenario
  std::optional<std::uint64_t> paths;  // default: the first scenario's simulation.paths
  std::uint64_t seed = kDefaultSeed;
  std::uint64_t block_size = 1024;
  std::optional<double> precision;     // stop when every 95% half-width is <= this
  std::uint64_t max_paths = 10'000'000;  // the cap with a precision
  // Per-path values to keep (Python): SERIES (in the target year),
  // SERIES@YEAR, SCALAR or INDICATOR (0/1), for every scenario, in path order.
  std::vector<std::string> samples;
};

struct ScenarioRun {
  std::vector<Scenario> scenarios;
  std::uint64_t planned = 0;  // paths, or the cap with a precision
  engine::RunResult result;   // on the root only
  std::optional<double> precision;
  std::uint64_t seed = kDefaultSeed;
  std::uint64_t block_size = 1024;
  int ranks = 1;
  std::vector<std::string> sample_names;  // the kept per-path values, in result.samples order
};

// Loads and checks every scenario, then every variant (they must simulate
// the same years; a variant's name must be unique). A variant's problems
// name it as their origin ("--variant NAME").
std::vector<Scenario> load_run_scenarios(const RunRequest& request);

// Each option's own overrides, in load_run_scenarios' order: none for a
// scenario file, a variant's for a variant.
std::vector<Overrides> own_overrides(const RunRequest& request);

// Runs them; a cancelled run has result.cancelled set (nothing to report).
ScenarioRun run_scenarios(std::vector<Scenario> scenarios, const RunRequest& request, ExecutionContext& ctx);

// The result as docs/OUTPUT.md documents it (keys in alphabetical order when dumped).
nlohmann::json run_json(const ScenarioRun& run);

// The levers `option` sets otherwise than `reference` (switched on or off,
// or from another year), as "KEY from YEAR, KEY from YEAR" (the first year
// either acts), when every one of them acts only after `target_year`: they
// cannot change P(reach) in that year. No value when one of them acts by
// then, or when no lever differs.
std::optional<std::string> levers_acting_after(const models::BanenafspraakParams& reference,
                                              const models::BanenafspraakParams& option, int target_year);

// When option k (> 0) reaches the target in the target year on exactly the
// paths the reference does (not one path differs), why, for a reader who
// would otherwise take a difference of exactly 0 for a fault: its levers
// that differ from the reference's act only after the target year, or
// nothing it changes acts by then. No value when some path differs. In
// run_json as vs_reference.note; the table and the report print it.
std::optional<std::string> same_reach_note(const ScenarioRun& run, std::size_t k);
// The same for option k of any paired tally (the live page's running one).
// `other_settings`: the keys outside policy.*, scenario.* and simulation.*
// in which the option differs from the reference (a --variant's settings):
// the note then credits what it quotes to the option, not to its levers.
std::optional<std::string> same_reach_note(const models::BanenafspraakModel& reference,
                                           const models::BanenafspraakModel& option,
                                           const engine::PairedTally& tally, std::size_t k,
                                           const std::vector<std::string>& other_settings = {});
// Those keys for two resolved scenarios, in key order.
std::vector<std::string> other_settings(const models::ResolvedScenario& reference,
                                        const models::ResolvedScenario& option);

}  // namespace banensim::studies
