#pragma once
// The banenafspraak model: extra jobs for people in the target-group register
// above the baseline of 1 January 2013, per component, counted per sector
// under the counting rules and levers in force, measured yearly against the
// legal targets, with the quota mechanism. docs/MODEL.md states every
// equation; this file and that page must agree.
//
// Years up to the forecast origin are observed (taken from the history file,
// not simulated); the model simulates the years origin+1 .. target_year, one
// engine step per year. It satisfies engine::PathModel: immutable during a
// run, all per-path values in State, every random number from the engine's
// PathRandom, keyed by purpose and calendar year, so that two scenarios
// compared on common random numbers see the same draws for the same purpose
// in the same year whatever their levers do.
//
// Draws per path: 5 normals in begin_path (3 trend, 1 government share of
// hired-in jobs, 1 initial cycle) and per simulated year 6 normals (1 cycle,
// 4 shocks, 1 allocation key) and 3 uniforms (quota activation: market,
// government, national).

#include <array>
#include <cstdint>
#include <vector>

#include "engine/model.hpp"
#include "engine/random_stream.hpp"
#include "models/banenafspraak_params.hpp"

namespace banensim::models {

// Expected sum of employers' shortfalls when a sector with quota `target`
// counts `counted` jobs and employers' fulfilment ratios are normal around
// the sector's with sd `dispersion`: target * E[max(0, 1 - R_i)],
// R_i ~ N(counted/target, dispersion^2). Employers above their quota do not
// offset those below, so this is >= max(0, target - counted), with equality
// when dispersion = 0. Returns 0 when target <= 0.
double gross_shortfall(double target, double counted, double dispersion) noexcept;

// Supply factor max(0, 1 - (max(E, 0) / capacity)^shape) for E extra jobs.
double supply_factor(double extra_jobs, double capacity, double shape) noexcept;

class BanenafspraakModel {
 public:
  // The quota of one sector (or the national one once the split is gone).
  struct Quota {
    bool active = false;
    int pending_from = 0;        // year an activation takes effect; 0 = none pending
    double last_shortfall = 0;   // max(0, target - counted) at the last measurement
    bool ever_active = false;    // active in at least one simulated year
  };
  enum QuotaIndex : std::size_t { kQuotaMarket = 0, kQuotaGovernment = 1, kQuotaNational = 2, kNumQuotas = 3 };

  struct State {
    std::array<double, kNumComponents> jobs{};   // true stocks: market, gov security, gov other, hired-in
    double purchased = 0;                        // supplier jobs that exist through government purchasing
    std::array<double, kNumComponents> trend{};  // this path's trends, jobs/year
    double gov_share = 0;                        // this path's true government share of hired-in jobs
    double cycle = 0;                            // business-cycle factor C_t
    std::array<Quota, kNumQuotas> quota{};
    double levy_eur = 0;
    double first_reached = 0;  // NaN until the total reaches the target
    bool split_dropped = false;
    bool quota_in_force = false;  // some quota is active in the year last simulated
    // The last measurement, for end_path.
    double market_count = 0, government_count = 0, government_quota_count = 0, total = 0;
  };

  explicit BanenafspraakModel(BanenafspraakParams params);

  const engine::OutputLayout& layout() const { return layout_; }
  State make_state() const { return {}; }
  void begin_path(State& s, const engine::PathRandom& rng, engine::PathRecord& rec) const;
  void step(State& s, std::size_t i_step, const engine::PathRandom& rng, engine::PathRecord& rec) const;
  void end_path(State& s, const engine::PathRandom& rng, engine::PathRecord& rec) const;

  const BanenafspraakParams& params() const { return p_; }
  int origin_year() const { return p_.origin_year; }
  int target_year() const { return p_.target.year; }
  double target_total() const { return p_.target.total_jobs; }

  // Legal targets in a year: 0 before the target file's first year, the last
  // year's value after its last (the end state is kept).
  double market_target(int year) const;
  double government_target(int year) const;

  // The observed counts at the origin (zeros at the 2012 baseline).
  double observed_market_at_origin() const { return origin_market_; }
  double observed_government_at_origin() const { return origin_government_; }

 private:
  BanenafspraakParams p_;
  engine::OutputLayout layout_;
  std::array<double, kNumComponents * kNumComponents> shock_factor_{};  // F with F F^T = R, row-major
  std::array<double, kNumComponents> cycle_loading_{};  // by component: cycle.loading.market, .government twice, .inleen
  double origin_market_ = 0, origin_government_ = 0;
  double observed_first_reached_ = 0;  // NaN unless an observed year already reached the target
  std::size_t i_total_ = 0, i_market_ = 0, i_government_ = 0;
  std::size_t i_first_ = 0, i_levy_ = 0;
  std::size_t i_reach_ = 0, i_market_met_ = 0, i_government_met_ = 0;
  std::size_t i_quota_ = 0, i_quota_market_ = 0, i_quota_government_ = 0, i_quota_in_force_ = 0;
};

}  // namespace banensim::models
