#pragma once
// The banenafspraak model: extra jobs for people in the target-group register
// above the baseline of 1 January 2013, per component, counted per sector
// under the counting rules, the law and the levers in force, measured yearly
// against the legal targets, with the quota mechanism. docs/MODEL.md states
// every equation; this file and that page must agree.
//
// Years up to the forecast origin are observed (taken from the data files,
// not simulated); the model simulates the years origin+1 .. horizon, one
// engine step per year, where the horizon is max(target.year,
// target.horizon_year). It satisfies engine::BatchModel
// (engine/batch_model.hpp): it simulates a batch of paths ("lanes") per
// call, every per-lane value in BatchState arrays, immutable during a run,
// every random number from the engine's BlockRandom keyed by purpose and
// calendar year, so that two scenarios compared on common random numbers see
// the same draws for the same purpose in the same year whatever their levers
// do. A batch allocates nothing. It has no per-path interface: one
// implementation of the equations (per-path samples come from the batch
// runner, engine/parallel_runner.hpp).
//
// Draws per path (docs/MODEL.md §9), all from engine/block_random.hpp:
// purpose banenafspraak.scale.regular (substream 0): uncertainty.dof.regular
// normals; banenafspraak.scale.inleen (0): uncertainty.dof.inleen normals;
// banenafspraak.path (0): 7 normals (3 trend, register, government share,
// initial cycle, hired-in bridge) and 3 uniforms (activation of a quota
// undecided at the origin); per simulated year banenafspraak.year (substream
// the calendar year): 7 normals (1 cycle, 4 shocks, 1 allocation key, 1
// drift of the true share) and 3 uniforms (quota activation: market,
// government, national). Every draw is made whether or not the path uses it.

#include <array>
#include <cstdint>
#include <vector>

#include "engine/batch_model.hpp"
#include "engine/block_random.hpp"
#include "engine/model.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/quota_rules.hpp"

namespace banensim::models {

// Expected sum of employers' shortfalls when a sector with quota `target`
// counts `counted` jobs and employers' fulfilment ratios are normal around
// the sector's with sd `dispersion`: target * E[max(0, 1 - R_i)],
// R_i ~ N(counted/target, dispersion^2). Employers above their quota do not
// offset those below, so this is >= max(0, target - counted), with equality
// when dispersion = 0. Returns 0 when target <= 0.
double gross_shortfall(double target, double counted, double dispersion) noexcept;

// Supply factor max(0, 1 - (max(E, 0) / capacity)^shape) for E extra jobs;
// 0 when capacity <= 0 (the register cannot fill one more job).
double supply_factor(double extra_jobs, double capacity, double shape) noexcept;

// The behavioural response to a quota: the share of the last shortfall
// employers close per year when missing a job costs them `charge_per_job`
// EUR a year: response_max * i / (i + response_half), i = max(charge, 0).
double quota_response_rate(double charge_per_job, double response_max, double response_half) noexcept;

// The target-group register (persons) at measurement time x, from the
// observations known at `origin` (models/observations.hpp) with the baseline
// (2012, register_at_baseline) first: linear between observations, constant
// before the first; after the last one (x_last) it grows by `growth` a year.
struct RegisterPath {
  std::vector<TimedValue> knots;  // ascending x, the baseline first
  double at(double x, double growth) const;
  double last_x() const { return knots.back().x; }
};
RegisterPath register_path(const BanenafspraakParams& p, int origin);

// The true government share of hired-in jobs as the key samples known at
// `origin` extrapolate it: linear between samples, the first before the
// first, after the last one `drift` a year from it.
double key_extrapolated(const KeySamples& samples, int origin, double year, double drift);

class BanenafspraakModel {
 public:
  enum QuotaIndex : std::size_t { kQuotaMarket = 0, kQuotaGovernment = 1, kQuotaNational = 2 };

  // The lanes' values, each an array over the lanes (padded_lanes(max_lanes)
  // values): [lane], or [component][lane] / [quota][lane].
  struct BatchState {
    explicit BatchState(std::size_t max_lanes);
    template <class T>
    using Rows = std::array<std::vector<T>, kNumComponents>;
    Rows<double> jobs;               // true stocks: market, gov security, gov other, hired-in
    std::vector<double> purchased;   // supplier jobs that exist through government purchasing
    Rows<double> trend;              // this path's trends, jobs/year
    Rows<double> volatility;         // this path's shock sds (the scale draws applied), jobs/year
    std::vector<double> register_growth;  // this path's register growth after the last observation
    std::vector<double> gov_share;   // true government share of hired-in jobs, kappa_t
    std::vector<double> cycle;       // business-cycle factor C_t
    // Quota states (models/quota_rules.hpp QuotaState), by quota, as doubles
    // so that the year's rules run as vector code: active 1 or 0, the year
    // an activation takes effect (0: none pending), the last shortfall.
    std::array<std::vector<double>, kNumQuotas> active;
    std::array<std::vector<double>, kNumQuotas> pending_from;
    std::array<std::vector<double>, kNumQuotas> last_shortfall;
    std::vector<double> charge_eur;   // levy/surcharge owed, summed over the simulated years
    std::vector<double> charge_owed;  // 1: some quota active in a year its instrument is charged, else 0
    std::vector<double> first_reached;  // NaN until the total reaches the target
    // The target year's outcomes (1 or 0), for end_batch.
    std::vector<double> reach, market_met, government_met, quota_in_force_target;
    // Scratch: the scale factors drawn per path (g); within a step the supply
    // factor and each quota's shortfall where it is active (0 elsewhere).
    // (The draws themselves are read where the BlockRandom keeps them.)
    std::vector<double> g_regular, g_inleen, supply;
    std::array<std::vector<double>, kNumQuotas> response_base;
  };

  explicit BanenafspraakModel(BanenafspraakParams params);

  const engine::OutputLayout& layout() const { return layout_; }
  BatchState make_batch_state(std::size_t max_lanes) const;
  void begin_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord& rec) const;
  void step_batch(BatchState& s, std::size_t i_step, engine::BlockRandom& rng, engine::BatchRecord& rec) const;
  void end_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord& rec) const;

  const BanenafspraakParams& params() const { return p_; }
  int origin_year() const { return p_.origin_year; }
  int target_year() const { return p_.target.year; }
  int horizon_year() const { return p_.horizon_year; }
  double target_total() const { return p_.target.total_jobs; }

  // Legal targets in a year: 0 before the target file's first year, the last
  // year's value after its last (the end state is kept).
  double market_target(int year) const;
  double government_target(int year) const;

  // The observed counts at the origin (zeros at the 2012 baseline).
  double observed_market_at_origin() const { return origin_market_; }
  double observed_government_at_origin() const { return origin_government_; }
  // The quota states at the origin, from the history, the law and the decisions.
  const OriginQuotas& origin_quotas() const { return origin_quotas_; }

 private:
  // What the rules and data fix for a simulated year, the same on every path.
  struct YearRules {
    bool reset = false;            // the regime's name or targets differ from the year before: quotas reset
    bool national = false;         // one national target (the split abolished, by law or lever 1)
    bool at_buyer = false;         // lever 2 in force
    bool no_security = false;      // lever 3 in force
    bool charged = false;          // a levy/surcharge is owed for an active quota
    double charge_per_job = 0;     // EUR per missing job to an average employer (liable share applied)
    bool levy = false;             // the instrument: levy (gross shortfall) or surcharge (net of the bonus)
    double response_rate = 0;      // quota_response_rate of the charge
    int activation_lag = 0;        // of the law deciding a miss of this year (in force the next year)
    double market_target = 0, government_target_full = 0, government_target = 0;
    double register_base = 0;      // register at the end of the year before, from the observations
    double register_years_after = 0;  // years from the last register observation to then (0 inside them)
  };

  BanenafspraakParams p_;
  engine::OutputLayout layout_;
  std::vector<YearRules> rules_;  // one per simulated year
  std::array<double, kNumComponents * kNumComponents> shock_factor_{};  // F with F F^T = R, row-major
  std::array<double, kNumComponents> cycle_loading_{};  // by component: cycle.loading.market, .government twice, .inleen
  double origin_market_ = 0, origin_government_ = 0;
  OriginQuotas origin_quotas_;
  // Hired-in jobs at the origin: observed (gap 0) or bridged from the last
  // observation `inleen_gap_` years before it.
  double inleen_last_ = 0, inleen_gap_ = 0;
  double key_at_origin_ = 0;      // the samples' extrapolation to the origin
  double inleen_bridge_sd_ = 0;   // sd per sqrt(year) of hired-in increments, the cycle's part included
  double observed_first_reached_ = 0;  // NaN unless an observed year already reached the target
  std::size_t i_total_ = 0, i_market_ = 0, i_government_ = 0;
  std::size_t i_first_ = 0, i_charge_ = 0;
  std::size_t i_reach_ = 0, i_market_met_ = 0, i_government_met_ = 0, i_quota_in_force_ = 0, i_charge_owed_ = 0;
};

}  // namespace banensim::models
