#pragma once
// Global sensitivity studies: Sobol' indices and Morris screening of every
// output over the study's factors, with SALib's names and conventions
// (docs/ANALYSIS.md section 6):
//
//   Sobol'  S1, S1_conf, ST, ST_conf (and S2, S2_conf with second order)
//   Morris  mu, mu_star, mu_star_conf, sigma
//
// where X_conf is the half-width of the 95% (the study's confidence)
// interval as SALib reports it: z times the standard deviation of the
// bootstrap replicates (z = 1.96 at 95%). The percentile bootstrap interval
// (engine/sensitivity.hpp) is kept beside it for the table's "~0" flag.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "engine/sensitivity.hpp"
#include "studies/design.hpp"

namespace banensim::studies {

struct SobolRow {
  std::string factor;
  double S1 = 0, S1_conf = 0, ST = 0, ST_conf = 0;
  engine::IndexEstimate s1_interval, st_interval;  // percentile bootstrap
};
struct SobolPair {
  std::string factor_1, factor_2;
  double S2 = 0, S2_conf = 0;
};
struct SobolTable {
  std::string output;
  double mean = 0, variance = 0;   // of the output over the A and B rows
  std::vector<SobolRow> rows;      // in factor order
  std::vector<SobolPair> pairs;    // second order: (0,1), (0,2), ..., (1,2), ...
  // Why there are no indices (zero variance: the output is the same at every
  // row); "" when there are. Without them the rows and pairs are still there,
  // their indices NaN (empty cells in the files): one row per (output, factor).
  std::string failure;
};

struct MorrisRow {
  std::string factor;
  double mu = 0, mu_star = 0, mu_star_conf = 0, sigma = 0;
  engine::IndexEstimate mu_star_interval;  // percentile bootstrap
};
struct MorrisTable {
  std::string output;
  std::vector<MorrisRow> rows;  // in factor order; NaN effects with a failure
  std::string failure;          // why there are no effects (a value not finite); "" when there are
  // The output is the same at every design row: every effect is 0 (not
  // undefined, as Sobol' indices are then), and the notes say so.
  bool constant = false;
};

// The analyses of one output's values in design order (unit-testable on
// closed-form functions: tests/studies/).
SobolTable sobol_table(const std::vector<std::string>& factors, const std::string& output,
                       std::span<const double> values, const SobolSettings& settings, std::uint64_t seed);
MorrisTable morris_table(const std::vector<std::string>& factors, const std::string& output,
                         const engine::MorrisDesign& design, std::span<const double> values,
                         const MorrisSettings& settings, std::uint64_t seed);

struct SensitivityResult {
  EvaluatedDesign evaluated;          // completed / root in evaluated.run
  std::vector<SobolTable> sobol;      // per output (method sobol)
  std::vector<MorrisTable> morris;    // per output (method morris)
  // What a reader of the indices must know (the CLI prints them on stderr,
  // Python adds them to `notes`): an output without indices and why, an
  // output the same at every row, an earlier run's second-order file removed
  // (or left, because it changed after it was judged).
  std::vector<std::string> notes;
  // What failed after the rows were complete, which does not undo them: an
  // earlier run's second-order file that could not be removed (file and
  // error). The CLI writes everything, then reports these and exits 1;
  // Python warns (RuntimeWarning) and adds them to `notes`.
  std::vector<std::string> errors;
};

// `companions`: files the caller writes from the results (its chart); the
// indices files of `out` (sensitivity_files) are companions already. An
// earlier run's second-order file this run does not write again
// (SensitivityFiles::earlier_second_order) is removed as the rows are
// committed if it is still the file judged at planning; the notes say what
// became of it, and a failed removal is in `errors`.
SensitivityResult run_sensitivity(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                                  ExecutionContext& ctx, const std::vector<std::string>& companions = {});

// The indices as CSV, one row per (output, factor) in factor order -- an
// output without indices too, its index cells empty -- each row
// ending with the stamp's columns (CompanionStamp: seed,resolved_hash,identity_hash):
//   sobol:  output,factor,S1,S1_conf,ST,ST_conf,...
//   morris: output,factor,mu,mu_star,mu_star_conf,sigma,...
std::string indices_csv(const SensitivityResult& r, const CompanionStamp& stamp);
// Second order: output,factor_1,factor_2,S2,S2_conf,... ("" without).
std::string second_order_csv(const SensitivityResult& r, const CompanionStamp& stamp);

// The files a study with result file `out` writes beside it at the end
// (docs/OUTPUT.md): FILE.indices.csv (indices_csv), and FILE.s2.csv
// (second_order_csv) when the study asks for second-order Sobol' indices.
// One rule for the program and the Python module, so both write the same files.
// A file judged, when the study was planned, to be one an earlier run wrote
// beside its result (a regular file whose header ends in
// CompanionStamp::kColumns): its name and the digest of the bytes judged, so
// that a removal later removes that file and no other.
struct JudgedCompanion {
  std::string path;
  std::string digest;  // FNV-1a 64 of the file's bytes, 16 hex digits
};

// What remove_earlier_companion did.
struct CompanionRemoval {
  enum class Outcome {
    kRemoved,  // it was still the file judged, and is gone now
    kGone,     // nothing there any more: nothing to do
    kChanged,  // another file now (other bytes, or not a regular file): left as it is
    kFailed,   // still the file judged, but the removal failed: it is there
  };
  Outcome outcome = Outcome::kRemoved;
  std::string detail;  // kChanged: what changed; kFailed: the error
};
// Removes `judged` if it is still the file judged: a regular file (not a
// link) with the same bytes. `remove` removes a file as
// std::filesystem::remove does (the default; a test's may fail).
using RemoveFile = std::function<bool(const std::filesystem::path&, std::error_code&)>;
CompanionRemoval remove_earlier_companion(const JudgedCompanion& judged, const RemoveFile& remove = {});

struct SensitivityFiles {
  std::string indices;
  std::optional<std::string> second_order;
  // Without second order: FILE.s2.csv when it is there and an earlier run's
  // (its header ends in CompanionStamp::kColumns), which would otherwise stay
  // beside the new FILE's indices and be read with them (a FILE.*.csv glob):
  // removed when the new rows are committed -- if it is still the file judged
  // here (remove_earlier_companion) -- never on an interrupted run.
  std::optional<JudgedCompanion> earlier_second_order;
  // FILE.s2.csv there but not an earlier run's (not a file banensim wrote):
  // left alone, with a note.
  std::optional<std::string> foreign_second_order;
};
SensitivityFiles sensitivity_files(const DesignStudy& study, const std::string& out);
// Writes each of `files` atomically (engine/atomic_file.hpp).
void write_sensitivity_files(const SensitivityFiles& files, const DesignStudy& study, const SensitivityResult& r);

// Bars per factor (S1 and ST, or mu* and sigma), with their _conf whiskers;
// one chart, a panel per output.
std::string sensitivity_svg(const DesignStudy& study, const SensitivityResult& r);

// z of a two-sided interval at `confidence`: 1.96 at 0.95.
double z_of(double confidence);

}  // namespace banensim::studies
