#pragma once
// Running the model over a set of points: the one loop every study shares
// (sweep points, Sobol' and Morris design rows, discovery samples).
//
// A point is the base scenario with some overrides. Every point is checked
// up front -- all problems reported at once before anything runs -- with the
// data files read once for all of them (models::DataFiles). Each point is
// then one Monte Carlo run with the study's seed (common random numbers: the
// differences between points come from their parameters, not from sampling
// noise) and becomes one row: the point's label cells, the outputs
// (studies/outputs.hpp), seed and paths.
//
// With a result file the rows go to an engine::ResultsJournal: each appended
// and synced as its run completes, the file renamed into place when all are
// in, locked while written, and continued by resume after an interruption
// (its finished rows verified, a torn last line dropped) to the bytes of an
// uninterrupted run. A file of another computation is refused, naming the
// first line that differs -- or, when its data files differ, which data file
// changed.
//
// Points are dealt across the cluster's ranks (studies/execution.hpp); the
// root appends them in point order, so the rows and the file are the
// one-process ones byte for byte. Cancellation (ExecutionContext::cancel)
// ends the loop after the rows finished so far.

#include <cstdint>
#include <functional>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "engine/proportion.hpp"
#include "engine/results_journal.hpp"
#include "engine/running_stats.hpp"
#include "engine/tally.hpp"
#include "studies/execution.hpp"
#include "studies/outputs.hpp"
#include "studies/scenario.hpp"

namespace banensim::studies {

inline constexpr std::uint64_t kDefaultSeed = 2013;  // the year of the agreement; never the clock

struct RunSettings {
  std::uint64_t seed = kDefaultSeed;  // the same at every point
  std::uint64_t paths = 2000;         // per point
  std::uint64_t block_size = 1024;    // paths per block (part of the reproducibility key)
};

struct PointSet {
  std::uint64_t size = 0;
  std::string noun = "point";    // a point in problem origins: "sweep point 3", "design row 12"
  std::string items = "points";  // the points in messages: "3 of 8 points done", "design rows"
  // The leading columns; the first holds the point's index (0, 1, ...).
  std::vector<engine::JournalColumn> label_columns;
  std::function<std::vector<std::string>(std::uint64_t)> labels;  // point i's label cells, as text
  std::function<Overrides(std::uint64_t)> overrides;              // point i's scenario
  // Where point i comes from, in problem origins ("points.csv:4 (point 2)");
  // unset: noun + " " + i.
  std::function<std::string(std::uint64_t)> origin;
};

// Where a study keeps its rows, and whether to continue an earlier run.
struct ResultFile {
  std::string path;
  std::string provenance;  // the leading "# ..." lines: the identity of the computation
  bool resume = false;
  // Files written after the rows from them (indices, charts, the command's
  // --out): removed just before the complete rows take `path`'s place, so a
  // crash between that and their writing leaves them missing, never an
  // earlier run's beside these rows. Left alone when the run is interrupted.
  std::vector<std::string> companions;
  // Called on the root after the companions are removed and before the rows
  // take `path`'s place, on a completed run only: for a caller's own clean-up
  // that must re-check a file first (an earlier run's FILE.s2.csv).
  std::function<void()> before_commit;
};

// A study's rows as written (and, after a resume, as read back): the text
// cells, so a resumed study analyses exactly the numbers of an
// uninterrupted one.
class PointTable {
 public:
  std::vector<std::string> columns;            // every column but the check value
  std::vector<std::vector<std::string>> rows;  // cells per row

  std::size_t column(const std::string& name) const;  // throws std::out_of_range naming it
  double number(std::size_t row, std::size_t col) const;  // NaN when empty or not a number
  std::vector<double> numbers(const std::string& name) const;
};

struct PointRun {
  bool completed = false;  // false: cancelled; the rows finished before are in the table (and the file)
  bool root = true;        // this process holds the rows (MPI: rank 0 only)
  std::uint64_t resumed = 0;  // rows taken from the result file
  PointTable table;
};

// What check_points learns of the data the points read.
struct PointInputs {
  std::vector<std::string> files;  // every data file a point names (a swept data-file key included)
  // One line "# point data KEY = PATH fnv1a64 DIGEST\n" per data file a point
  // names that its base does not (a data-file key among the factors), sorted:
  // the result file's header records what those rows were computed on, so a
  // resume refuses an edited one as it does an edited base file. "" when the
  // points read only their bases' files (their digests are in the header).
  std::string data_lines;
};

// Checks every point on `base` (all problems at once: models::InputError);
// returns the data files the points name and the digests of those the base does not.
PointInputs check_points(const Scenario& base, const PointSet& points);

// Runs every point not already in `file` (see above). Throws StudyError for
// a result file that cannot be resumed, models::InputError for a bad point,
// and the run's own failure (e.g. engine::NonFiniteError) at its point.
PointRun run_points(const Scenario& base, const PointSet& points, const std::vector<OutputSpec>& outputs,
                    const RunSettings& settings, const std::optional<ResultFile>& file, ExecutionContext& ctx);

// The same loop with several scenarios at each point (compare across
// assumptions, studies/assumption_compare.hpp): point i runs every scenario
// of `bases` -- each with the point's overrides, then its own `last`
// overrides (so an option's own settings win over the point's) -- together
// on common random numbers (engine::run_paired; the first is the reference
// of the paired statistics), with the study's seed at every point. Its row:
// the point's label cells, `cells` of the run (as many as `output_columns`),
// seed and paths. Result file, resume, dealing across ranks and cancellation
// as for run_points; `bases[0]` names the data a refused resume reports.
using PairedCells = std::function<std::vector<std::string>(const engine::PairedTally&, const engine::OutputLayout&)>;
PointRun run_paired_points(const std::vector<Scenario>& bases, const std::vector<Overrides>& last,
                           const PointSet& points, const std::vector<engine::JournalColumn>& output_columns,
                           const PairedCells& cells, const RunSettings& settings, const std::optional<ResultFile>& file,
                           ExecutionContext& ctx);

// check_points for run_paired_points: every point on every base, with its `last` overrides.
PointInputs check_paired_points(const std::vector<Scenario>& bases, const std::vector<Overrides>& last,
                                const PointSet& points);

// The result file's columns for these labels and outputs (the check value excluded).
std::vector<engine::JournalColumn> point_columns(const PointSet& points, const std::vector<OutputSpec>& outputs);

// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text);

// CSV cells of a number, each preceded by its comma, as the stream's
// precision writes it; an undefined number (e.g. a mean over zero paths) is
// an empty field, which pandas and R both read as missing.
void csv_number(std::ostream& os, double x);
// A probability and its 95% Wilson interval: three fields (estimate, low, high).
void csv_probability(std::ostream& os, const engine::Proportion& p);
// A paired difference's mean and its 95% Monte Carlo interval (normal, on
// the per-path differences): three fields (mean, low, high).
void csv_difference(std::ostream& os, const engine::RunningStats& d);

}  // namespace banensim::studies
