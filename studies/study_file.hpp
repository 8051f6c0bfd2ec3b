#pragma once
// Study files: a researcher's own study, in TOML -- the factors (any scenario
// key) with their distributions, the outputs to analyse, the method and its
// settings. Validated like scenarios: every problem at once, each naming the
// file, line, column, key, value and the constraint it breaks
// (models::InputError, exit code 2). docs/STUDIES.md describes the format;
// studies/example.toml is a working example.
//
//   method = "sobol"                 # for `sensitivity`: sobol | morris
//   samples = 64                     # base rows (sobol), trajectories (morris), points (discover)
//   design = "sobol"                 # discover, compare --assumptions: sobol | lhs | monte_carlo
//   paths = 2000                     # per design point
//   seed = 2013
//   outputs = ["p_reach", "total_mean"]
//
//   [sobol]    second_order = false, resamples = 1000, confidence = 0.95
//   [morris]   levels = 4, candidates = 0, resamples = 1000, confidence = 0.95
//   [prim]     output = "p_reach", threshold = 0.5, direction = ">=", min_density = 0.8,
//              boxes = 1, peel_alpha = 0.05, paste_alpha = 0.05, mass_min = 0.05
//   [sweep]    points = 2   # values per continuous factor in `sweep --study`
//
//   [[factors]]
//   key = "supply.max_working_share"
//   distribution = "normal"          # uniform | normal | triangular | log-uniform | discrete
//   mean = 0.8
//   sd = 0.1
//   low = 0.6                        # normal: truncated to [low, high]
//   high = 0.95

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/problem.hpp"
#include "studies/factors.hpp"
#include "studies/sampling.hpp"

namespace banensim::studies {

struct SobolSettings {
  bool second_order = false;    // also S2 (2d + 2 runs per base row instead of d + 2)
  std::size_t resamples = 1000;  // bootstrap resamples
  double confidence = 0.95;      // of the intervals and the _conf half-widths
};

struct MorrisSettings {
  std::size_t levels = 4;      // grid levels p (even)
  std::size_t candidates = 0;  // > samples: keep the most spread-out trajectories of this many (Campolongo 2007)
  std::size_t resamples = 1000;
  double confidence = 0.95;
};

struct PrimSettings {
  std::string output = "p_reach";  // the output that makes a point a case of interest
  double threshold = 0.5;
  models::SourceLocation threshold_at;  // where the study file sets it (file "" when it does not)
  bool at_least = true;            // case of interest: output >= threshold (false: <=)
  double min_density = 0.8;        // the box shown: largest coverage among those this dense
  std::size_t boxes = 1;           // covering: up to this many boxes
  double peel_alpha = 0.05, paste_alpha = 0.05, mass_min = 0.05;
};

struct SweepSettings {
  std::size_t points = 2;  // values per continuous factor: its quantiles at k/(points-1), ends included
};

struct StudyFile {
  std::string file;
  std::vector<Factor> factors;       // in file order
  std::vector<std::string> outputs;  // empty: the command's default
  std::optional<std::string> method;
  std::optional<std::uint64_t> samples, paths, seed;
  std::optional<Sampling> design;  // discover, compare --assumptions (studies/sampling.hpp)
  SobolSettings sobol;
  MorrisSettings morris;
  PrimSettings prim;
  SweepSettings sweep;
};

// Reads and checks a study file against the model's parameter declarations.
// Throws models::InputError with every problem.
StudyFile read_study_file(const std::string& file);

// The factors a study varies on `base`: the study file's (with notes on those
// that cannot change an output there), else the declared plausible ranges
// (default_factors).
FactorSet study_factors(const std::optional<StudyFile>& study, const Scenario& base);

// Whether `file` reads as a study file rather than a scenario: valid TOML
// whose top level has a `factors` array and no `extends` (a scenario's own
// keys are tables such as [supply]; a study's are its settings and
// factors). False for anything unreadable: the scenario loader then says
// what is wrong with it.
bool looks_like_study_file(const std::string& file);

}  // namespace banensim::studies
