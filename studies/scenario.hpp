#pragma once
// A scenario as studies use it: the resolved parameters (models/scenario_loader.hpp)
// with their data-file snapshots, the model built from them, and the name
// outputs show. Overrides are (dotted key, value text) pairs, as --set gives
// them; a study derives its points from a base scenario by overrides.

#include <string>
#include <utility>
#include <vector>

#include "models/banenafspraak_model.hpp"
#include "models/banenafspraak_params.hpp"

namespace banensim::studies {

using Overrides = std::vector<std::pair<std::string, std::string>>;

struct Scenario {
  std::string file;  // as given
  std::string name;  // scenario.name, or the file's stem when that is empty
  models::ResolvedScenario resolved;
  models::BanenafspraakModel model;
  Overrides overrides = {};  // applied to the file's values (--set, --target, a --variant's settings), in order
};

// Loads `file` and applies `overrides` (problems named after `origin`).
// Throws models::InputError naming file, line, key, value and constraint.
Scenario load_scenario(const std::string& file, const Overrides& overrides = {},
                       const std::string& origin = "command line");

// `base` with `overrides` applied and checked (data files from base's
// snapshots); throws models::InputError naming `origin`.
models::ResolvedScenario derive(const models::ResolvedScenario& base, const Overrides& overrides,
                                const std::string& origin);

// Scenarios whose calibrated keys are not those of the data they read
// (models::calibration_mismatch), one entry per distinct reason, with the
// scenarios it applies to, in their order; empty when there are none.
struct StaleCalibration {
  std::string reason;
  std::vector<std::string> files, names;
};
std::vector<StaleCalibration> stale_calibrations(const std::vector<const Scenario*>& scenarios);

// The data files a scenario reads: the value of every Path-typed key.
std::vector<std::string> data_file_names(const models::ResolvedScenario& r);

// One provenance line per data file, "# data KEY fnv1a64 DIGEST\n" in key
// order: what a result file records of the data it was computed on. No path:
// a file's spelling is not part of the computation.
std::string data_lines(const models::ResolvedScenario& r);

// Why a result file begun on other data cannot be resumed: for each
// "# data KEY fnv1a64 D" line of `old_header` whose digest differs from
// `now`'s, "KEY (PATH) has changed since the file was begun (content
// fnv1a64 OLD then, NEW now)", and likewise for each "# point data KEY =
// PATH fnv1a64 D" line (a data file the study's points name) whose digest
// differs from that line in `new_header`; "" when the data are the same.
std::string data_changes(const std::string& old_header, const std::string& new_header,
                         const models::ResolvedScenario& now);

}  // namespace banensim::studies
