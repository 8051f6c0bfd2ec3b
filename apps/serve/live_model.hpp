#pragma once
// What `banensim serve` computes: the start-up scenario (the reference: the
// status quo only when that is what the server was started on) against the
// same scenario with the levers, assumptions and target set on the page, on
// common random numbers -- exactly
//
//   banensim compare REFERENCE VARIANT --paths N --seed S --set ...
//
// where VARIANT is REFERENCE with the page's lever settings, and the page's
// other settings (assumptions, target) apply to both. Which keys are levers
// comes from the lever declarations (ParamTable::levers()), never from a list
// of names here, so renamed or added levers appear on the page by themselves.
//
// Results are reported progressively: after 4 blocks of paths (a run of its
// own, so that the server can give it priority), then at every doubling,
// then at the end; each report is the tally of a whole number of blocks,
// folded as a run of that many paths folds them, so it equals `compare
// --paths <that count>` with the same seed.
//
// Thread-safety: built once at start-up, then only read (any number of
// requests at once).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/serve/serve_request.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/run_summary.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/parameter_schema.hpp"

namespace banensim::app::serve {

inline constexpr std::uint64_t kBlockSize = 1024;       // compare's default: part of the reproducibility key
inline constexpr std::uint64_t kFirstReportBlocks = 4;  // the quick estimate: 4,096 paths

// One computation, validated and ready to run: variant 0 is the reference.
struct PreparedRun {
  ComputeRequest request;
  std::vector<models::ResolvedScenario> resolved;  // reference, variant
  std::vector<std::string> names;
  std::vector<models::BanenafspraakModel> models;
};

class LiveModel {
 public:
  // Loads `scenario_file` and checks that every slider key is a declared
  // numeric parameter with a plausible range and that no slider is a lever
  // key. Throws models::InputError (bad scenario) or std::invalid_argument
  // (bad slider list, naming the key and the reason).
  LiveModel(std::string scenario_file, std::vector<std::string> slider_keys, RequestLimits limits);

  const RequestLimits& limits() const { return limits_; }
  const std::string& scenario_file() const { return file_; }

  // What the page and /api/model call the reference: the scenario as started,
  // by its name and file, with the levers it has on -- "as started: all three
  // (scenarios/all-three.toml), levers on: purchase_at_buyer from 2027, ..."
  // or "..., no lever on". Never "status quo" unless that is its name.
  std::string reference_label() const;

  // Why the reference's calibrated keys are not those of the data it reads
  // (models::calibration_mismatch), or "" when they are.
  std::string calibration_mismatch() const;

  // GET /api/model: the levers (from the declarations) with their years, the
  // sliders with their plausible ranges, the target, the observed years, the
  // defaults (seed, paths) and the program's version.
  nlohmann::json describe() const;

  // The two scenarios of a request, through the same validator as `--set`
  // (models::apply_overrides with the declarations and the model's cross-key
  // checks; problems name "request" where the command line says "command
  // line"). Throws models::InputError.
  PreparedRun prepare(const ComputeRequest& request) const;

  // The quick estimate: a run of the first kFirstReportBlocks blocks alone
  // (what `compare --paths 4096` computes), reported once through `report`
  // -- as final when the request asks for no more paths. Returns the
  // engine's result (result.cancelled tells).
  engine::RunResult run_quick(const PreparedRun& run, int n_threads, const std::atomic<bool>* cancel,
                              const std::function<void(const nlohmann::json&)>& report) const;

  // The whole run on `n_threads` threads (0: all cores), calling `report`
  // with a snapshot (see snapshot()) at every doubling of the blocks from
  // `first_report_blocks` on and at the end (final = true). Stops at the next
  // block when `cancel` is set.
  engine::RunResult run(const PreparedRun& run, int n_threads, const std::atomic<bool>* cancel,
                        const std::function<void(const nlohmann::json&)>& report,
                        std::uint64_t first_report_blocks = kFirstReportBlocks) const;

  // The page's figures of a tally: P(reach) of both with 95% Wilson
  // intervals, the paired difference with its 95% normal interval, P(reached
  // by year) per year, and the fan chart quantiles of the total per year.
  nlohmann::json snapshot(const PreparedRun& run, const engine::PairedTally& tally, bool final) const;

  // The JSON document `compare --format json` writes for this run, built by
  // the same function (studies::run_json), each scenario named in its
  // provenance as "SCENARIO --set KEY=VALUE ..."; and the HTML report
  // `compare --report` writes from it.
  nlohmann::json compare_json(const PreparedRun& run, const engine::RunResult& result) const;
  std::string report_html(const PreparedRun& run, const engine::RunResult& result) const;

 private:
  std::string file_;
  models::ResolvedScenario startup_;
  models::BanenafspraakModel startup_model_;
  std::vector<std::string> slider_keys_;
  RequestLimits limits_;
};

// P(the target is first reached in or before each simulated year), from the
// engine's P(reached by year) (engine::cumulative_by_value of the first year
// reached): the numbers `run` prints, with their counts.
struct ReachedByYear {
  int year;
  engine::Proportion reached;  // paths whose first year reached is <= year, of all paths
};
std::vector<ReachedByYear> reached_by_year(const engine::Tally& tally, const engine::OutputLayout& layout);

}  // namespace banensim::app::serve
