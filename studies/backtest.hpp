#pragma once
// Backtests of the banenafspraak model (docs/BACKTEST_AND_SWEEPS.md §2):
// for each forecast origin o in a range, calibrate on the data dated up to o
// only (models::calibrate with fit-until o), forecast from the end-o
// measurement with the scenario (the same seed and paths at every origin),
// and score every observed year after o -- total, market, government -- by
// its quantiles, interval coverage, probability integral transform (PIT)
// and continuous ranked probability score (CRPS), beside two naive
// benchmarks fitted on the same data: a Gaussian random walk with drift and
// a linear trend. `banensim backtest --fit-until Y` is the range Y:Y,
// `--rolling FROM:TO` the range FROM:TO.
//
// The paths of each forecast are run by a function the caller passes (one
// process, or MPI ranks with only rank 0 holding the result), so this
// library needs neither threads nor MPI of its own.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/parallel_runner.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/calibration.hpp"
#include "models/scenario_loader.hpp"
#include "studies/execution.hpp"
#include "studies/point_runner.hpp"
#include "studies/scenario.hpp"

namespace banensim::studies {

// A Gaussian forecast of one observation.
struct NormalForecast {
  double mean = 0;
  double sd = 0;
};

// The benchmarks, from a series observed at `years` (ascending, the first
// the baseline 2012 with value 0) up to the origin (the last of them):
//  - random walk with drift, plug-in: increments d_j over h_j years,
//    drift = sum d / sum h, s^2 = sum (d - h drift)^2 / h / (n - 1) (n
//    increments, n >= 2); the forecast of year y is
//    N(Y_origin + (y - origin) drift, (y - origin) s^2);
//  - linear trend: OLS of the value on the year over the n points (n >= 3),
//    with the OLS prediction interval:
//    N(b0 + b1 y, s^2 (1 + 1/n + (y - mean year)^2 / Sxx)), s^2 = RSS/(n - 2).
// Throw std::invalid_argument with too few points.
NormalForecast random_walk_forecast(const std::vector<int>& years, const std::vector<double>& values, int year);
NormalForecast linear_trend_forecast(const std::vector<int>& years, const std::vector<double>& values, int year);

// A Gaussian forecast scored against an observation.
struct BenchmarkScore {
  NormalForecast forecast;
  bool in_50 = false, in_90 = false;  // inside the central 50% / 90% interval
  double crps = 0;                    // closed form (engine::crps_normal)
};
BenchmarkScore score_normal(const NormalForecast& f, double observed);

// One scored forecast: a series in an observed year, from one origin.
struct ScoredYear {
  int origin = 0;
  std::string series;  // total, market, government
  int year = 0;
  double observed = 0;
  double p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;
  bool in_50 = false, in_90 = false;
  double pit = 0;         // the forecast's CDF at the observation (histogram, linear within bins)
  double crps = 0;        // jobs; within about one bin width of the simulated distribution's
  double resolution = 0;  // the histogram's bin width, jobs
  BenchmarkScore random_walk, linear_trend;
};

struct OriginForecast {
  int origin = 0;
  models::CalibrationResult calibration;
  std::string resolved_hash;  // of the scenario as run from this origin (calibrated keys, origin)
  std::vector<ScoredYear> years;
};

// The mean of model CRPS - benchmark CRPS over a series' forecasts (jobs;
// below 0 the model is better) with a 95% interval clustered by origin:
// each origin's forecasts share one calibration and one path, so they are
// one cluster; the CR1 cluster-robust variance of a mean,
//   V = G / (G - 1) * sum_o (sum_{i in o} (d_i - mean))^2 / N^2,
// and mean +- t_{G-1, 0.975} sqrt(V) (Student t, G = origins). Forecasts of
// the same year from different origins are correlated too, which the
// clusters do not capture: the interval is if anything too narrow. No
// interval (NaN ends) with fewer than 2 origins.
struct CrpsDifference {
  double mean = 0;
  double ci_low = 0, ci_high = 0;
  int origins = 0;
};

// `d` the differences, `origin` each one's origin (equal origins adjacent or
// not); as above. Throws std::invalid_argument when the sizes differ.
CrpsDifference crps_difference(const std::vector<double>& d, const std::vector<int>& origin);

// Pooled over every origin and scored year of one series.
struct SeriesSummary {
  std::string series;
  int n = 0;                     // forecasts scored
  int in_50 = 0, in_90 = 0;      // inside the model's 50% / 90% interval
  std::array<int, 10> pit_histogram{};  // PIT in [0, 0.1), [0.1, 0.2), ..., [0.9, 1]
  double crps = 0, crps_random_walk = 0, crps_linear_trend = 0;  // means, jobs
  int random_walk_in_50 = 0, random_walk_in_90 = 0, linear_trend_in_50 = 0, linear_trend_in_90 = 0;
  double resolution = 0;         // the largest bin width among the forecasts, jobs
  CrpsDifference vs_random_walk, vs_linear_trend;  // model - benchmark, per forecast
  double skill_random_walk() const { return 1 - crps / crps_random_walk; }
  double skill_linear_trend() const { return 1 - crps / crps_linear_trend; }
};

struct BacktestOptions {
  int first_origin = 0;
  int last_origin = 0;
  // Runs the paths of one forecast (e.g. engine::run_paired, or across MPI
  // ranks); the same seed, paths and block size at every origin.
  std::function<engine::RunResult(const models::BanenafspraakModel&)> run;
  // False on MPI ranks other than 0: they run their share of the paths,
  // rank 0 holds and scores the result.
  bool holds_results = true;
};

struct BacktestResult {
  std::string scenario_file, scenario_name, history_file;
  int first_origin = 0, last_origin = 0, last_observed = 0;
  std::uint64_t n_paths = 0;  // per forecast
  int n_threads = 0;
  double wall_seconds = 0;    // all forecasts
  bool cancelled = false;     // interrupted: no result
  std::vector<OriginForecast> forecasts;
  std::vector<SeriesSummary> summary;  // total, market, government
};

// The backtest of `scenario` (loaded from `file`). Throws InputError when an
// origin has fewer than two observed years up to it or no observed year
// after it, or the scenario enables a lever that acts at or before an origin
// (a backtest scores the rules of the past). An origin's forecast with paths
// beyond the histograms' largest range cannot be scored (std::runtime_error).
BacktestResult run_backtest(const std::string& file, const models::ResolvedScenario& scenario,
                            const BacktestOptions& options);

// What the outputs record about the program and the run.
struct RunInfo {
  std::string program;     // e.g. "banensim 0.1.0 (commit abc)"
  std::string version, git_commit;
  std::uint64_t seed = 0, block_size = 0;
  int ranks = 1;
};

// A backtest as the program (`banensim backtest`) and the Python module
// (banensim.backtest) ask for it.
struct BacktestRequest {
  std::string scenario;  // the scenario file
  int first_origin = 0, last_origin = 0;
  // How the caller names the origins in its messages ("--fit-until", "rolling"), and whether it
  // asked for a range FROM:TO (the messages then name the end that is wrong).
  std::string origin_name = "origin";
  bool range = false;
  std::optional<std::uint64_t> paths;  // per forecast; default: the scenario's simulation.paths
  std::uint64_t seed = kDefaultSeed;   // the same at every origin
  std::uint64_t block_size = 1024;
};

struct BacktestStudy {
  BacktestRequest request;
  Scenario scenario;  // as loaded from request.scenario
  std::uint64_t paths = 0;
};

// Loads the scenario (models::InputError) and checks the origins against its
// history: each must lie from its first observed year to before its last,
// so that there are years to score (StudyError naming the origin, the
// history file and its years).
BacktestStudy plan_backtest(const BacktestRequest& request);

// Runs the study on ctx's cluster with ctx's threads, cancel flag and (on
// the root) progress; only the root's result holds the forecasts.
BacktestResult run_backtest(const BacktestStudy& study, ExecutionContext& ctx);

// What the outputs record of this run.
RunInfo run_info(const BacktestStudy& study, const ExecutionContext& ctx);

// The outputs (docs/OUTPUT.md, "Backtest").
std::string backtest_table(const BacktestResult& result, const RunInfo& info);
// One row per origin, series and scored year.
std::string backtest_csv(const BacktestResult& result, const RunInfo& info);
// One row per series: the pooled summary.
std::string backtest_summary_csv(const BacktestResult& result, const RunInfo& info);
nlohmann::json backtest_json(const BacktestResult& result, const RunInfo& info);

}  // namespace banensim::studies
