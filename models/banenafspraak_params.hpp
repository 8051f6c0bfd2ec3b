#pragma once
// The parameters of the banenafspraak model: the schema every scenario file
// is checked against (one entry per TOML key, with type, range, unit and
// meaning), the cross-key checks, and the typed struct the model is built
// from. docs/MODEL.md documents every key; a test keeps the two in step.
//
// Units: jobs are "extra jobs above the baseline of 1 January 2013" (one job
// = 25.5 hours a week); rates are per year; shares are fractions in [0, 1].

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/history.hpp"
#include "models/parameter_schema.hpp"
#include "models/scenario_loader.hpp"

namespace banensim::models {

// The stochastic components (index order used by trend, volatility, shock
// and correlation arrays).
enum Component : std::size_t {
  kMarketRegular = 0,     // regular jobs at market employers
  kGovSecurity = 1,       // regular government jobs in security roles
  kGovOther = 2,          // regular government jobs in all other roles
  kInleen = 3,            // hired-in jobs (agency, secondment, sheltered work), both sectors
  kNumComponents = 4,
};

struct ComponentGrowth {
  double trend_mean = 0;  // jobs/year: mean of the path's trend growth
  double trend_sd = 0;    // jobs/year: sd of the path's trend around trend_mean (parameter uncertainty)
  double volatility = 0;  // jobs/year: sd of the yearly shock
};

struct LeverSwitch {
  bool enabled = false;
  int year = 0;  // first calendar year the lever acts in (measurement at its end counts under it)
  bool active(int y) const { return enabled && y >= year; }
};

struct BanenafspraakParams {
  std::string name;

  // Data and horizon.
  History history;         // the monitor history (already read)
  TargetPath targets;      // the legal target path (already read)
  int origin_year = 0;     // last observed year; 2012 = the baseline (all counts 0)
  int target_year = 2026;  // the measurement (end of year) the agreement is judged on
  double target_total = 125000;  // extra jobs the agreement promises

  // Composition at the forecast origin and of growth.
  double inleen_share_at_origin = 0;  // hired-in share of the counted total at origin
  double inleen_growth_share = 0;     // hired-in share of trend growth (used by calibration only)
  double security_share = 0;          // security-role share of government regular jobs (stock and growth)
  double purchased_jobs_at_origin = 0;    // jobs at market suppliers that exist through government purchasing
  double insourcing_per_year = 0;         // jobs/year government takes in-house from those suppliers

  std::array<ComponentGrowth, kNumComponents> growth{};

  // Business cycle: C_t = phi C_{t-1} + sqrt(1 - phi^2) sd eta_t; growth x (1 + loading C_t).
  double cycle_persistence = 0;
  double cycle_sd = 0;
  std::array<double, kNumComponents> cycle_loading{};

  // Shock correlations (see docs/MODEL.md for the matrix they fill).
  double corr_market_government = 0;
  double corr_market_inleen = 0;
  double corr_government_inleen = 0;
  double corr_security_other = 0;

  // Register supply limit: growth x max(0, 1 - (E / capacity)^shape).
  double supply_capacity_jobs = 0;
  double supply_shape = 1;

  // Hired-in jobs and the SEO allocation key.
  double gov_share_mean = 0;  // true government share of hired-in jobs: mean over paths
  double gov_share_sd = 0;    // ... and its sd over paths (uncertainty of the share itself)
  double key_sample_sd = 0;   // sampling error of each year's SEO key around the true share

  // The quota mechanism.
  double activation_probability = 0;
  int activation_delay_years = 0;
  bool deactivate_when_met = true;
  double response_rate = 0;       // share of the measured shortfall closed per year while active
  double levy_per_job_eur = 0;
  int levy_first_year = 0;
  double liable_share = 1;        // share of a shortfall that falls on employers with >= 25 employees
  double employer_dispersion = 0; // sd of employers' fulfilment ratio around the sector's
  bool market_active_at_origin = false;
  bool government_active_at_origin = false;

  // Lever 1: abolish the market/government split.
  LeverSwitch abolish_split;
  double friction_gain = 0;                   // relative rise of every trend once the split is gone
  double government_accountability_loss = 0;  // relative fall of government trends once the split is gone

  // Lever 2: purchased services count at the buyer.
  LeverSwitch purchase_at_buyer;
  bool stop_insourcing = true;            // insourcing for counting's sake stops
  double procurement_gain_per_year = 0;   // jobs/year created through social procurement

  // Lever 3: security roles excluded from the quota scheme.
  LeverSwitch exclude_security;
  double security_base_share = 0;      // security roles' share of the government quota base (target)
  double security_growth_change = 0;   // relative change of the security trend once excluded
};

// Every key a banenafspraak scenario may (and the base file must) set.
const ParamSchema& banenafspraak_schema();

// Cross-key checks: correlation matrix positive semi-definite, lever years
// inside the simulated horizon, target year after the forecast origin, data
// files readable and covering the origin. Returns every problem found.
std::vector<Problem> banenafspraak_check(const ResolvedScenario& scenario);

// Builds the typed parameters (reads the history and target files). Throws
// InputError for the problems banenafspraak_check reports.
BanenafspraakParams params_from_scenario(const ResolvedScenario& scenario);

// The 4x4 shock correlation matrix (row-major) the four correlation keys fill.
std::array<double, kNumComponents * kNumComponents> correlation_matrix(const BanenafspraakParams& p);

}  // namespace banensim::models
