#pragma once
// Sweeps (docs/BACKTEST_AND_SWEEPS.md): the scenario at every point of a set
// of parameter values -- the full grid of several keys (the first slowest,
// like itertools.product), or one key at a time around the scenario's values
// (a tornado) -- every point on the same seed (common random numbers), one
// row per point through the point loop (studies/point_runner.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "studies/design.hpp"

namespace banensim::studies {

inline constexpr std::uint64_t kMaxSweepPoints = 1'000'000;

struct SweepKey {
  std::string key;                  // any scenario key
  std::vector<std::string> values;  // as text, parsed by the scenario loader
  std::string source;               // where it came from, for messages: "--set", "--range", "--study FILE", ...
};

// n evenly spaced values from lo to hi (the last exactly hi); an integer key's
// rounded (StudyError when that repeats a value).
SweepKey range_key(const std::string& key, double lo, double hi, std::uint64_t n, const std::string& source);

// Points given as a table (sweep --points FILE.csv; Python's evaluate): a
// column per scenario key, a row per point, each value as text, as the
// scenario loader reads it.
struct GivenPoints {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> origins;  // per row, where it is ("FILE:LINE"); empty: "point i"
  std::string source = "points";     // how messages name them: "--points FILE"
};

// Reads a points file: CSV (models/csv_table.hpp: strict, a header of
// scenario keys, rows as wide as it, full-line '#' comments anywhere, skipped
// and not part of the points' identity), one row per point. models::InputError
// naming file, line and column for a malformed file or a column that is not a
// key a point can set (every one, at the header's line); StudyError for one
// without a row.
GivenPoints read_points_file(const std::string& file);

struct SweepRequest {
  std::string scenario;
  Overrides fixed;              // the same at every point: --target, --target-year
  std::vector<SweepKey> keys;   // in command-line order
  bool one_at_a_time = false;
  bool from_schema = false;     // with one_at_a_time: every uncertain parameter the scenario uses, at its two ends
  std::optional<std::string> study_file;  // its factors become keys ([sweep] points values each), its outputs the columns
  std::optional<std::uint64_t> paths;     // default: the scenario's simulation.paths
  std::optional<std::uint64_t> seed;     // default: the study file's seed, else kDefaultSeed
  std::uint64_t block_size = 1024;
  std::vector<std::string> outputs;       // default: p_reach, total_p05/p50/p95, p_quota, charge_mean_eur, charge_std_error_eur
  // A sampled sweep instead of a grid: `samples` points of `design` (default: the
  // study file's, else sobol) over the study file's factors or, without one, the
  // plausible ranges the scenario uses (default_factors). Not with keys,
  // one_at_a_time or from_schema.
  std::optional<std::uint64_t> samples;
  std::optional<Sampling> design;
  // Points given one by one instead (any sampler's: SALib's, a CSV file); not
  // with keys, one_at_a_time, from_schema or samples.
  std::optional<GivenPoints> points;
};

struct SweepPoint {
  std::vector<std::string> values;  // one per key
  int varied = -1;                  // one at a time: the key varied; -1 for the base point
};

struct SweepStudy {
  explicit SweepStudy(Scenario base_) : base(std::move(base_)) {}

  Scenario base;
  std::vector<SweepKey> keys;
  bool one_at_a_time = false;
  std::vector<SweepPoint> points;
  std::vector<OutputSpec> outputs;
  RunSettings run;
  std::vector<std::string> notes;        // keys left out of --range-from-schema, and why
  // Where the points come from: a grid (or one key at a time), a sampled
  // design (--samples) or given (--points). Sampled and given points are named
  // in the header by `source_lines` in place of the grid's "# key" lines:
  // "# design DESIGN" and a "# factor" line per factor, or "# points K fnv1a64 H"
  // and a "# key KEY" line per column.
  enum class Source { kGrid, kSampled, kGiven };
  Source source = Source::kGrid;
  std::string source_lines;
  std::vector<std::string> point_origins;  // given points: where each row is ("FILE:LINE"); else empty
  PointInputs inputs;  // every point's data files, and the digests of those a swept key names

  PointSet point_set() const;
  std::string provenance() const;
};

// Builds and checks every point (all problems at once).
SweepStudy plan_sweep(const SweepRequest& request);

// `companions`: files the caller writes from the rows afterwards (ResultFile).
PointRun run_sweep(const SweepStudy& study, const std::optional<std::string>& out, bool resume, ExecutionContext& ctx,
                   const std::vector<std::string>& companions = {});

// The chart of a finished sweep, from its rows as written (so a resumed sweep
// draws the same bytes): the first output against the key (one key, with
// its interval when it has one), a heat map (two keys), a tornado (one at a
// time); sampled or given points: the first output against each numeric
// key, one scatter per key, stacked. "" when there is no chart for this
// shape (a grid of more than two keys, or no numeric key).
std::string sweep_svg(const SweepStudy& study, const PointTable& table);

// The keys (indices into study.keys) whose value at every point is a finite
// number: those a chart of sampled or given points is drawn against.
std::vector<std::size_t> sweep_numeric_keys(const SweepStudy& study);

}  // namespace banensim::studies
