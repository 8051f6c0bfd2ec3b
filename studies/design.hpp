#pragma once
// The design studies -- `sensitivity` (Sobol', Morris) and `discover` (PRIM)
// -- as far as they share: what is asked, how the factors and outputs are
// chosen, the design's points in the unit cube, and their evaluation through
// the one point loop (studies/point_runner.hpp). The analyses are in
// studies/sensitivity.hpp and studies/discovery.hpp; methods in
// docs/ANALYSIS.md, the study-file format in docs/STUDIES.md.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/design_matrix.hpp"
#include "engine/sensitivity.hpp"
#include "studies/factors.hpp"
#include "studies/point_runner.hpp"
#include "studies/sampling.hpp"
#include "studies/study_file.hpp"

namespace banensim::studies {

inline constexpr std::uint64_t kDefaultDesignPaths = 2000;
inline constexpr std::uint64_t kMaxDesignRows = 1'000'000;

// What a caller (the CLI, Python) asks of a design study. Every optional
// setting overrides the study file's; without a study file the factors are
// the declared plausible ranges the scenario uses (default_factors).
struct DesignRequest {
  std::string scenario;
  Overrides overrides;                    // --set, --target, --target-year: applied to the scenario
  std::optional<std::string> study_file;
  std::optional<std::string> method;      // sensitivity: "sobol" | "morris"
  std::optional<std::uint64_t> samples, paths, seed;
  std::uint64_t block_size = 1024;
  std::vector<std::string> outputs;       // empty: the study file's, else p_reach and total_mean
  std::optional<bool> second_order;       // sobol
  std::optional<double> threshold, min_density;  // discover
  std::optional<std::size_t> boxes;              // discover
  std::optional<Sampling> design;                // discover: the points' design (default: the study file's, else sobol)
};

// The points of a design over factors: point i sets each factor's key to
// its value at unit(i, k); the journal labels each row with `index_column`
// (its number) and the factors' values. `factors` and `unit` must outlive
// the PointSet (its functions refer to them).
PointSet factor_design_points(const std::vector<Factor>& factors, const engine::DesignMatrix& unit, std::string noun,
                              std::string items, std::string index_column);

struct DesignStudy {
  DesignStudy(std::string command_, Scenario base_) : command(std::move(command_)), base(std::move(base_)) {}

  std::string command;  // "sensitivity" or "discover": names the result file
  std::string method;   // "sobol", "morris" or "prim"
  Scenario base;
  std::vector<Factor> factors;
  std::vector<std::string> notes;  // factors left out, or that cannot change an output, and why
  std::vector<OutputSpec> outputs;
  RunSettings run;
  std::uint64_t samples = 0;
  SobolSettings sobol;
  MorrisSettings morris;
  PrimSettings prim;
  engine::DesignMatrix unit;  // a row per run, a column per factor, in [0, 1]
  std::optional<engine::MorrisDesign> morris_design;
  std::string design;  // the design as the result file's header names it
  Sampling sampling = Sampling::kSobol;  // discover: how its points were drawn
  PointInputs inputs;  // the data files every row reads (for the output checks), with the factors' digests

  PointSet points() const;
  // The result file's header: the computation's identity, its data, its factors.
  std::string provenance() const;
  std::vector<std::string> factor_keys() const;
};

// What each row of a file written beside the result file (FILE.indices.csv,
// FILE.s2.csv, FILE.trajectory.csv) records in its last three columns, so that
// kept apart it still names what it was computed from: the seed, the base
// scenario's resolved hash, and identity_hash = FNV-1a 64 of the result file's
// identity lines (DesignStudy::provenance(), the file's leading '#' lines with
// their newlines), which names the rows it was computed from.
struct CompanionStamp {
  std::uint64_t seed = 0;
  std::string resolved_hash, identity_hash;

  static constexpr const char* kColumns = "seed,resolved_hash,identity_hash";
  std::string cells() const;  // the three cells, comma-separated
};
CompanionStamp companion_stamp(const DesignStudy& study);

DesignStudy plan_sensitivity(const DesignRequest& request);
DesignStudy plan_discovery(const DesignRequest& request);

// The rows of a design, run (or read back from the result file).
struct EvaluatedDesign {
  PointRun run;
  engine::DesignMatrix values;               // per row and factor, as the analysis sees it (Factor::number)
  std::vector<std::vector<double>> outputs;  // per output, per row: its value (the output's first column)
};

// Runs the design through the point loop; with `out`, the rows go to that
// result file (`resume`: continue it; `companions`, `before_commit`: as
// ResultFile's). Only the root's result holds rows.
EvaluatedDesign evaluate_design(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                                ExecutionContext& ctx, const std::vector<std::string>& companions = {},
                                const std::function<void()>& before_commit = {});

}  // namespace banensim::studies
