#pragma once
// The parameters of the banenafspraak model, each declared once: the struct
// the model is built from, whose layout mirrors the scenario file's tables
// (key `inleen.government_share_sd` = member `p.inleen.government_share_sd`),
// and below it the table that declares every member -- unit, accepted range,
// kind, default, plausible range, meaning (models/parameter_table.hpp). The
// loader's schema, the reading into the struct, the lever horizon check and
// the plausible ranges studies vary all come from that table; tests check it
// against scenarios/base.toml and docs/MODEL.md §6. docs/EXTENDING.md shows
// how to add a parameter or a lever.
//
// Units: jobs are "extra jobs above the baseline of 1 January 2013" (one job
// = 25.5 hours a week); rates are per year; shares are fractions in [0, 1].

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/history.hpp"
#include "models/law.hpp"
#include "models/observations.hpp"
#include "models/parameter_schema.hpp"
#include "models/parameter_table.hpp"
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
  double trend_mean = 0;
  double trend_sd = 0;
  double volatility = 0;
};

// Every member below is a scenario key (declared in banenafspraak_parameters()),
// except the last group, which params_from_scenario derives from them.
struct BanenafspraakParams {
  struct Scenario {
    std::string name, description;
  };
  struct HistoryFile {
    std::string file, trend_file;
    int origin_year = 0;
  };
  struct TargetsFile {
    std::string file;
  };
  struct LawFile {
    std::string file;
  };
  struct Target {
    double total_jobs = 0;
    int year = 0, horizon_year = 0;
  };
  struct Simulation {
    std::int64_t paths = 0;
  };
  struct Composition {
    double security_share = 0;
  };
  struct Purchasing {
    double jobs_at_origin = 0, insourcing_per_year = 0;
  };
  struct Growth {
    ComponentGrowth market, government_security, government_other, inleen;
    // By Component index.
    ComponentGrowth& operator[](std::size_t c) { return this->*by_component()[c]; }
    const ComponentGrowth& operator[](std::size_t c) const { return this->*by_component()[c]; }
    static constexpr std::array<ComponentGrowth Growth::*, kNumComponents> by_component() {
      return {&Growth::market, &Growth::government_security, &Growth::government_other, &Growth::inleen};
    }
  };
  struct Uncertainty {
    struct Dof {
      int regular = 0, inleen = 0;
    } dof;
  };
  struct Cycle {
    double persistence = 0, sd = 0;
    struct Loading {
      double market = 0, government = 0, inleen = 0;
    } loading;
  };
  struct Shocks {
    struct Correlation {
      double market_government = 0, market_inleen = 0, government_inleen = 0, security_other = 0;
    } correlation;
  };
  struct Supply {
    double max_working_share = 0, jobs_per_worker = 0, baseline_jobs = 0, register_at_baseline = 0;
    double register_growth_per_year = 0, register_growth_sd = 0, shape = 0;
  };
  struct Inleen {
    std::string key_samples_file;
    double key_drift_per_year = 0, key_drift_sd = 0, government_share_sd = 0, key_sample_sd = 0, floor_jobs = 0;
  };
  struct Quota {
    std::string decisions_file;
    double activation_probability = 0;
    bool deactivate_when_met = false;
    double response_max = 0, response_half_eur = 0;
    double levy_per_job_eur = 0, bonus_per_job_eur = 0, liable_share = 0, employer_dispersion = 0;
  };
  struct Calibration {
    int prior_df = 0;
    struct PriorSd {
      double market = 0, government = 0, inleen = 0;
    } prior_sd;
    double register_trend_from = 0, register_growth_prior = 0, register_growth_prior_sd = 0;
  };
  // What the calibrated keys were fitted on (written by `banensim calibrate`
  // beside them): compared with the data a run reads (calibration_mismatch).
  struct Calibrated {
    int fit_year = 0;              // 0: not stamped, nothing compared
    std::string data_fingerprint;  // calibration_data_fingerprint() of the data up to fit_year
  };
  struct AbolishSplit : Lever {
    double friction_gain = 0, government_accountability_loss = 0;
  };
  struct KeepSplit : Lever {};
  struct PurchaseAtBuyer : Lever {
    bool stop_insourcing = false;
    double procurement_gain_per_year = 0;
  };
  struct ExcludeSecurity : Lever {
    double base_share = 0, security_growth_change = 0;
  };
  struct Policy {
    AbolishSplit abolish_split;
    PurchaseAtBuyer purchase_at_buyer;
    ExcludeSecurity exclude_security;
    KeepSplit keep_split;
  };

  Scenario scenario;
  HistoryFile history;
  TargetsFile targets;
  LawFile law;
  Target target;
  Simulation simulation;
  Composition composition;
  Purchasing purchasing;
  Growth growth;
  Uncertainty uncertainty;
  Cycle cycle;
  Shocks shocks;
  Supply supply;
  Inleen inleen;
  Quota quota;
  Calibration calibration;
  Calibrated calibrated;
  Policy policy;

  // Derived by params_from_scenario: the files read, the origin and horizon resolved.
  History observed;               // history.file
  TrendReports trend_reports;     // history.trend_file
  TargetPath legal_targets;       // targets.file
  LawTimeline law_timeline;       // law.file
  QuotaDecisions decisions;       // quota.decisions_file
  KeySamples key_samples;         // inleen.key_samples_file
  int origin_year = 0;   // history.origin_year, or the last observed year when that is 0; 2012 = the baseline
  int horizon_year = 0;  // max(target.year, target.horizon_year): the last simulated year
};

// Every parameter of the model, declared once: the table is at the end of
// this file.
const ParamTable<BanenafspraakParams>& banenafspraak_parameters();

// The loader's schema: every key a banenafspraak scenario may (and the base
// file must) set, in the order of the table above.
const ParamSchema& banenafspraak_schema();

// Cross-key checks: correlation matrix positive semi-definite, enabled lever
// years inside the simulated years, at most one of the two split levers,
// target year after the forecast origin, data files readable and covering
// the years measured, decisions consistent with the history. Returns every
// problem found.
std::vector<Problem> banenafspraak_check(const ResolvedScenario& scenario);

// Builds the typed parameters (reads the history and target files). Throws
// InputError for the problems banenafspraak_check reports.
BanenafspraakParams params_from_scenario(const ResolvedScenario& scenario);

// The 4x4 shock correlation matrix (row-major) the four correlation keys fill.
std::array<double, kNumComponents * kNumComponents> correlation_matrix(const BanenafspraakParams& p);

// The table. It stands here, next to the struct, so that a parameter's
// member and its row are in one file; it is compiled once, in
// models/banenafspraak_params.cpp, which defines
// BANENSIM_DEFINE_BANENAFSPRAAK_PARAMETERS before including this header.
// Meanings are one line; docs/MODEL.md §6 gives each its source, and §4 the
// equation it enters.
#ifdef BANENSIM_DEFINE_BANENAFSPRAAK_PARAMETERS
const ParamTable<BanenafspraakParams>& banenafspraak_parameters() {
  static const ParamTable<BanenafspraakParams> table = [] {
    constexpr double kJobs = 1e7;  // a bound no job count in this model can honestly reach
    ParamTable<BanenafspraakParams> t;
    t.param(BANENSIM_MEMBER(scenario.name)).setting("").means("label in tables and reports (file stem when empty)");
    t.param(BANENSIM_MEMBER(scenario.description)).setting().means("one line on what the scenario assumes");
    t.param(BANENSIM_MEMBER(history.file)).file().setting("../data/monitor-history.csv")
        .means("monitor history CSV (yearly measurements), relative to the file that sets it");
    t.param(BANENSIM_MEMBER(history.trend_file)).file().setting("../data/monitor-trend-quarterly.csv")
        .means("UWV trend reports CSV (hired-in jobs, register), relative to the file that sets it");
    t.param(BANENSIM_MEMBER(history.origin_year)).unit("year").range(0, 2100).setting(0)
        .means("forecast origin: 0 = last year in the history file; 2012 = the baseline");
    t.param(BANENSIM_MEMBER(targets.file)).file().setting("../data/targets.csv")
        .means("legal target path CSV, relative to the file that sets it");
    t.param(BANENSIM_MEMBER(law.file)).file().setting("../data/law.csv")
        .means("the law in force year by year (CSV), relative to the file that sets it");
    t.param(BANENSIM_MEMBER(target.total_jobs)).unit("jobs").range(1, kJobs).stated(125000)
        .means("extra jobs the agreement promises");
    t.param(BANENSIM_MEMBER(target.year)).unit("year").range(2013, 2100).setting(2026)
        .means("measurement (end of year) the target is judged on");
    t.param(BANENSIM_MEMBER(target.horizon_year)).unit("year").range(2013, 2100).setting(2035)
        .means("simulate up to this year (or the target year, when later): P(reached by year)");
    t.param(BANENSIM_MEMBER(simulation.paths)).unit("paths").range(1, 1e9).setting(200000)
        .means("default number of Monte Carlo paths");

    t.param(BANENSIM_MEMBER(composition.security_share)).unit("1").range(0, 1).assumption(0.1)
        .plausible(0.03, 0.25).means("security-role share of government regular jobs (stock and growth)");
    t.param(BANENSIM_MEMBER(purchasing.jobs_at_origin)).unit("jobs").range(0, 1e5).assumption(2000)
        .plausible(500, 5000).means("jobs at market suppliers that exist through government purchasing");
    t.param(BANENSIM_MEMBER(purchasing.insourcing_per_year)).unit("jobs/year").range(0, 1e4).assumption(150)
        .plausible(0, 500).means("jobs government takes in-house from those suppliers per year");

    t.param(BANENSIM_MEMBER(growth.market.trend_mean)).unit("jobs/year").range(-1e5, 1e5).calibrated()
        .means("mean over paths of the trend growth of regular market jobs");
    t.param(BANENSIM_MEMBER(growth.market.trend_sd)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("standard error of that trend (times the path's scale draw)");
    t.param(BANENSIM_MEMBER(growth.market.volatility)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("sd of the yearly shock to regular market jobs (times the path's scale draw)");
    t.param(BANENSIM_MEMBER(growth.government_security.trend_mean)).unit("jobs/year").range(-1e5, 1e5).calibrated()
        .means("mean over paths of the trend growth of government jobs in security roles");
    t.param(BANENSIM_MEMBER(growth.government_security.trend_sd)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("standard error of that trend");
    t.param(BANENSIM_MEMBER(growth.government_security.volatility)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("sd of the yearly shock to government jobs in security roles");
    t.param(BANENSIM_MEMBER(growth.government_other.trend_mean)).unit("jobs/year").range(-1e5, 1e5).calibrated()
        .means("mean over paths of the trend growth of government jobs in other roles");
    t.param(BANENSIM_MEMBER(growth.government_other.trend_sd)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("standard error of that trend");
    t.param(BANENSIM_MEMBER(growth.government_other.volatility)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("sd of the yearly shock to government jobs in other roles");
    t.param(BANENSIM_MEMBER(growth.inleen.trend_mean)).unit("jobs/year").range(-1e5, 1e5).calibrated()
        .means("mean over paths of the trend of hired-in jobs (own trend: may be negative)");
    t.param(BANENSIM_MEMBER(growth.inleen.trend_sd)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("standard error of that trend (times the path's hired-in scale draw)");
    t.param(BANENSIM_MEMBER(growth.inleen.volatility)).unit("jobs/year").range(0, 1e5).calibrated()
        .means("sd of the yearly shock to hired-in jobs, the cycle's part removed");
    t.param(BANENSIM_MEMBER(uncertainty.dof.regular)).unit("1").range(0, 1000).calibrated()
        .means("degrees of freedom of the regular shock sds' scale draw (0: no draw)");
    t.param(BANENSIM_MEMBER(uncertainty.dof.inleen)).unit("1").range(0, 1000).calibrated()
        .means("degrees of freedom of the hired-in shock sd's scale draw (0: no draw)");

    t.param(BANENSIM_MEMBER(cycle.persistence)).unit("1").range(0, 0.99).assumption(0.6).plausible(0.5, 0.8)
        .means("AR(1) persistence of the business-cycle factor");
    t.param(BANENSIM_MEMBER(cycle.sd)).unit("1").range(0, 1).assumption(0.25).plausible(0, 0.5)
        .means("sd of the business-cycle factor");
    t.param(BANENSIM_MEMBER(cycle.loading.market)).unit("1").range(0, 3).assumption(1)
        .means("cycle loading of regular market jobs");
    t.param(BANENSIM_MEMBER(cycle.loading.government)).unit("1").range(0, 3).assumption(0.3).plausible(0, 0.6)
        .means("cycle loading of regular government jobs");
    t.param(BANENSIM_MEMBER(cycle.loading.inleen)).unit("1").range(0, 3).assumption(1.5).plausible(1, 2.5)
        .means("cycle loading of hired-in jobs");

    t.param(BANENSIM_MEMBER(shocks.correlation.market_government)).unit("1").range(-1, 1).calibrated()
        .means("correlation of market and government shocks");
    t.param(BANENSIM_MEMBER(shocks.correlation.market_inleen)).unit("1").range(-1, 1).assumption(0.3)
        .plausible(0, 0.6).means("correlation of market and hired-in shocks");
    t.param(BANENSIM_MEMBER(shocks.correlation.government_inleen)).unit("1").range(-1, 1).assumption(0.2)
        .plausible(0, 0.5).means("correlation of government and hired-in shocks");
    t.param(BANENSIM_MEMBER(shocks.correlation.security_other)).unit("1").range(-1, 1).assumption(0.5)
        .plausible(0.2, 0.9).means("correlation of security-role and other government shocks");

    t.param(BANENSIM_MEMBER(supply.max_working_share)).unit("1").range(0.01, 1).assumption(0.8)
        .plausible(0.65, 1).means("largest share of the register that can work");
    t.param(BANENSIM_MEMBER(supply.jobs_per_worker)).unit("jobs/person").range(0.5, 5).derived(1.16)
        .means("counted jobs per working person in the register");
    t.param(BANENSIM_MEMBER(supply.baseline_jobs)).unit("jobs").range(0, kJobs).stated(75179)
        .means("jobs of the target group at the baseline (not extra jobs)");
    t.param(BANENSIM_MEMBER(supply.register_at_baseline)).unit("persons").range(1, kJobs).stated(247739)
        .means("persons in the target-group register at the baseline");
    t.param(BANENSIM_MEMBER(supply.register_growth_per_year)).unit("persons/year").range(-1e6, 1e6).calibrated()
        .means("register growth after its last observation, mean over paths");
    t.param(BANENSIM_MEMBER(supply.register_growth_sd)).unit("persons/year").range(0, 1e6).calibrated()
        .means("register growth after its last observation, sd over paths");
    t.param(BANENSIM_MEMBER(supply.shape)).unit("1").range(0.5, 10).assumption(2).plausible(1, 4)
        .means("exponent of the supply slowdown");

    t.param(BANENSIM_MEMBER(inleen.key_samples_file)).file().setting("../data/seo-key.csv")
        .means("SEO samples of the allocation key (CSV), relative to the file that sets it");
    t.param(BANENSIM_MEMBER(inleen.key_drift_per_year)).unit("1/year").range(-0.2, 0.2).calibrated()
        .means("drift of the true government share of hired-in jobs");
    t.param(BANENSIM_MEMBER(inleen.key_drift_sd)).unit("1/year").range(0, 0.5).assumption(0.01)
        .plausible(0.005, 0.02).means("sd of the yearly random-walk step of the true share around its drift");
    t.param(BANENSIM_MEMBER(inleen.government_share_sd)).unit("1").range(0, 0.5).assumption(0.02)
        .plausible(0.01, 0.04).means("sd of the true share at the origin around the samples' extrapolation");
    t.param(BANENSIM_MEMBER(inleen.key_sample_sd)).unit("1").range(0, 0.5).assumption(0.01).plausible(0.005, 0.03)
        .means("sampling sd of the yearly SEO allocation key around the true share");
    t.param(BANENSIM_MEMBER(inleen.floor_jobs)).unit("jobs").range(-1e6, 0).assumption(-5000)
        .plausible(-15000, 0).means("hired-in jobs cannot fall below this (minus their baseline stock)");

    t.param(BANENSIM_MEMBER(quota.decisions_file)).file().setting("../data/quota-decisions.csv")
        .means("quota activation decisions taken (CSV), relative to the file that sets it");
    t.param(BANENSIM_MEMBER(quota.activation_probability)).unit("1").range(0, 1).assumption(0.7).plausible(0.3, 1)
        .means("probability a missed target activates the quota");
    t.param(BANENSIM_MEMBER(quota.deactivate_when_met)).stated(true)
        .means("an active quota is switched off when the target is met");
    t.param(BANENSIM_MEMBER(quota.response_max)).unit("1/year").range(0, 1).assumption(0.3).plausible(0, 0.6)
        .means("largest share of the shortfall employers close per year, at an unbounded charge");
    t.param(BANENSIM_MEMBER(quota.response_half_eur)).unit("EUR/job/year").range(1, 1e6).assumption(5000)
        .plausible(2000, 20000).means("charge per missing job at which the response is half its largest");
    t.param(BANENSIM_MEMBER(quota.levy_per_job_eur)).unit("EUR/job/year").range(0, 1e6).stated(5000)
        .means("levy per unfilled job (old rules)");
    t.param(BANENSIM_MEMBER(quota.bonus_per_job_eur)).unit("EUR/job/year").range(0, 1e6).assumption(2000)
        .plausible(1000, 5000).means("surcharge minus bonus per missing job (new law): the net charge");
    t.param(BANENSIM_MEMBER(quota.liable_share)).unit("1").range(0, 1).assumption(0.9).plausible(0.8, 1)
        .means("share of a shortfall that falls on employers with 25+ employees");
    t.param(BANENSIM_MEMBER(quota.employer_dispersion)).unit("1").range(0, 5).assumption(0.5).plausible(0.2, 1)
        .means("sd of employers' fulfilment ratio around the sector's (no offsetting)");

    t.param(BANENSIM_MEMBER(calibration.prior_df)).unit("1").range(0, 100).assumption(2)
        .means("increments the prior on each shock sd is worth (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.prior_sd.market)).unit("jobs/year").range(1, 1e5).assumption(4000)
        .means("prior sd of the market sector's increments (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.prior_sd.government)).unit("jobs/year").range(1, 1e5).assumption(1500)
        .means("prior sd of the government sector's increments (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.prior_sd.inleen)).unit("jobs/year").range(1, 1e5).assumption(2000)
        .means("prior sd of the hired-in increments (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.register_trend_from)).unit("year").range(2012, 2100).assumption(2016.5)
        .means("register growth is fitted on observations from this time on (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.register_growth_prior)).unit("persons/year").range(-1e6, 1e6)
        .assumption(5000).means("register growth when fewer than two observations fit (calibration only)");
    t.param(BANENSIM_MEMBER(calibration.register_growth_prior_sd)).unit("persons/year").range(0, 1e6)
        .assumption(4000).means("its sd, also with exactly two observations (calibration only)");
    t.param(BANENSIM_MEMBER(calibrated.fit_year)).unit("year").range(0, 2100).calibrated()
        .means("the last observed year the calibrated keys were fitted on (0: not stamped, not compared)");
    t.param(BANENSIM_MEMBER(calibrated.data_fingerprint)).calibrated()
        .means("fingerprint of the data calibrate read up to that year (compared with the data a run reads)");

    t.lever(BANENSIM_MEMBER(policy.abolish_split)).from(2020).years(2013, 2100)
        .parameters_act_when_off()  // whenever the targets are national: also under the law from 2026
        .means("lever 1: one national target, no allocation key");
    t.param(BANENSIM_MEMBER(policy.abolish_split.friction_gain)).unit("1").range(0, 1).assumption(0.03)
        .plausible(0, 0.1).means("relative rise of the regular trends once the split is gone (friction removed)");
    t.param(BANENSIM_MEMBER(policy.abolish_split.government_accountability_loss)).unit("1").range(0, 1)
        .assumption(0.1).plausible(0, 0.3)
        .means("relative fall of government trends once the split is gone (own quota lost)");

    t.lever(BANENSIM_MEMBER(policy.purchase_at_buyer)).from(2020).years(2013, 2100)
        .means("lever 2: purchased services count at the buyer");
    t.param(BANENSIM_MEMBER(policy.purchase_at_buyer.stop_insourcing)).assumption(true)
        .means("insourcing for counting's sake stops");
    t.param(BANENSIM_MEMBER(policy.purchase_at_buyer.procurement_gain_per_year)).unit("jobs/year").range(0, 1e5)
        .assumption(300).plausible(0, 1000).means("supplier jobs created per year through social procurement");

    t.lever(BANENSIM_MEMBER(policy.exclude_security)).from(2020).years(2013, 2100)
        .means("lever 3: security roles leave the quota scheme");
    t.param(BANENSIM_MEMBER(policy.exclude_security.base_share)).unit("1").range(0, 0.95).assumption(0.12)
        .plausible(0.05, 0.25).means("security roles' share of the government quota base (target)");
    t.param(BANENSIM_MEMBER(policy.exclude_security.security_growth_change)).unit("1").range(-1, 2)
        .assumption(-0.5).plausible(-1, 0).means("relative change of the security-role trend once excluded");

    t.lever(BANENSIM_MEMBER(policy.keep_split)).from(2026).years(2013, 2100)
        .excludes("policy.abolish_split")  // one abolishes the split, the other keeps it
        .means("lever 1 undone: sector targets kept when the law has one national target");

    if (const auto problems = t.declaration_problems(); !problems.empty()) {
      std::string text = "banenafspraak_parameters: bad declarations:";
      for (const auto& p : problems) text += "\n  " + p;
      throw std::logic_error(text);
    }
    return t;
  }();
  return table;
}
#endif  // BANENSIM_DEFINE_BANENAFSPRAAK_PARAMETERS

}  // namespace banensim::models
