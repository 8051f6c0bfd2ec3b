#include "models/banenafspraak_params.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include <Eigen/Dense>

namespace banensim::models {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kJobs = 1e7;  // a bound no job count in this model can honestly reach

ParamSpec real(std::string key, double min, double max, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Real, min, max, std::move(unit), std::move(doc)};
}
ParamSpec integer(std::string key, double min, double max, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Integer, min, max, std::move(unit), std::move(doc)};
}
ParamSpec boolean(std::string key, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Boolean, -kInf, kInf, "", std::move(doc)};
}
ParamSpec text(std::string key, std::string doc) {
  return ParamSpec{std::move(key), ParamType::String, -kInf, kInf, "", std::move(doc)};
}
ParamSpec path(std::string key, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Path, -kInf, kInf, "", std::move(doc)};
}

void add_component(ParamSchema& s, const std::string& name, const std::string& what) {
  const std::string k = "growth." + name + ".";
  s.push_back(real(k + "trend_mean", -1e5, 1e5, "jobs/year", "mean trend growth of " + what));
  s.push_back(real(k + "trend_sd", 0, 1e5, "jobs/year", "sd over paths of the trend of " + what));
  s.push_back(real(k + "volatility", 0, 1e5, "jobs/year", "sd of the yearly shock to " + what));
}

ParamSchema make_schema() {
  ParamSchema s;
  s.push_back(text("scenario.name", "label in tables and reports (file stem when empty)"));
  s.push_back(text("scenario.description", "one line on what the scenario assumes"));
  s.push_back(path("history.file", "monitor history CSV (yearly measurements)"));
  s.push_back(integer("history.origin_year", 0, 2100, "year",
                      "forecast origin: 0 = last year in the history file; 2012 = the baseline"));
  s.push_back(path("targets.file", "legal target path CSV"));
  s.push_back(real("target.total_jobs", 1, kJobs, "jobs", "extra jobs the agreement promises"));
  s.push_back(integer("target.year", 2013, 2100, "year", "measurement (end of year) the target is judged on"));
  s.push_back(integer("simulation.paths", 1, 1e9, "paths", "default number of Monte Carlo paths"));

  s.push_back(real("composition.inleen_share_at_origin", 0, 1, "1", "hired-in share of counted jobs at the origin"));
  s.push_back(real("composition.inleen_growth_share", 0, 1, "1", "hired-in share of trend growth (calibration)"));
  s.push_back(real("composition.security_share", 0, 1, "1", "security-role share of government regular jobs"));
  s.push_back(real("purchasing.jobs_at_origin", 0, 1e5, "jobs", "supplier jobs that exist through government purchasing"));
  s.push_back(real("purchasing.insourcing_per_year", 0, 1e4, "jobs/year", "supplier jobs government takes in-house per year"));

  add_component(s, "market", "regular market jobs");
  add_component(s, "government_security", "regular government jobs in security roles");
  add_component(s, "government_other", "regular government jobs in other roles");
  add_component(s, "inleen", "hired-in jobs");

  s.push_back(real("cycle.persistence", 0, 0.99, "1", "AR(1) coefficient of the business-cycle factor"));
  s.push_back(real("cycle.sd", 0, 1, "1", "stationary sd of the business-cycle factor"));
  s.push_back(real("cycle.loading.market", 0, 3, "1", "cycle loading of regular market growth"));
  s.push_back(real("cycle.loading.government", 0, 3, "1", "cycle loading of regular government growth"));
  s.push_back(real("cycle.loading.inleen", 0, 3, "1", "cycle loading of hired-in growth"));

  s.push_back(real("shocks.correlation.market_government", -1, 1, "1", "shock correlation market / government roles"));
  s.push_back(real("shocks.correlation.market_inleen", -1, 1, "1", "shock correlation market / hired-in"));
  s.push_back(real("shocks.correlation.government_inleen", -1, 1, "1", "shock correlation government roles / hired-in"));
  s.push_back(real("shocks.correlation.security_other", -1, 1, "1", "shock correlation security / other government roles"));

  s.push_back(real("supply.capacity_jobs", 1000, kJobs, "jobs", "extra jobs the register can fill at most"));
  s.push_back(real("supply.shape", 0.5, 10, "1", "exponent of the supply slowdown"));

  s.push_back(real("inleen.government_share_mean", 0, 1, "1", "true government share of hired-in jobs, mean"));
  s.push_back(real("inleen.government_share_sd", 0, 0.5, "1", "true government share of hired-in jobs, sd over paths"));
  s.push_back(real("inleen.key_sample_sd", 0, 0.5, "1", "sampling sd of the yearly SEO allocation key"));

  s.push_back(real("quota.activation_probability", 0, 1, "1", "probability a missed target activates the quota"));
  s.push_back(integer("quota.activation_delay_years", 1, 10, "years", "years from the missed measurement to activation"));
  s.push_back(boolean("quota.deactivate_when_met", "an active quota is switched off when the target is met"));
  s.push_back(real("quota.response_rate", 0, 1, "1/year", "share of the shortfall employers close per year while active"));
  s.push_back(real("quota.levy_per_job_eur", 0, 1e6, "EUR/job/year", "levy per unfilled job"));
  s.push_back(integer("quota.levy_first_year", 2013, 2100, "year", "first year a levy is owed"));
  s.push_back(real("quota.liable_share", 0, 1, "1", "share of a shortfall at employers with 25+ employees"));
  s.push_back(real("quota.employer_dispersion", 0, 5, "1", "sd of employers' fulfilment ratio (no offsetting)"));
  s.push_back(boolean("quota.market_active_at_origin", "market quota active at the forecast origin"));
  s.push_back(boolean("quota.government_active_at_origin", "government quota active at the forecast origin"));

  s.push_back(boolean("policy.abolish_split.enabled", "lever 1: one national target, no allocation key"));
  s.push_back(integer("policy.abolish_split.year", 2013, 2100, "year", "first year lever 1 acts"));
  s.push_back(real("policy.abolish_split.friction_gain", 0, 1, "1", "relative rise of every trend (friction removed)"));
  s.push_back(real("policy.abolish_split.government_accountability_loss", 0, 1, "1",
                   "relative fall of government trends (own quota lost)"));
  s.push_back(boolean("policy.purchase_at_buyer.enabled", "lever 2: purchased services count at the buyer"));
  s.push_back(integer("policy.purchase_at_buyer.year", 2013, 2100, "year", "first year lever 2 acts"));
  s.push_back(boolean("policy.purchase_at_buyer.stop_insourcing", "insourcing for counting's sake stops"));
  s.push_back(real("policy.purchase_at_buyer.procurement_gain_per_year", 0, 1e5, "jobs/year",
                   "supplier jobs created per year through social procurement"));
  s.push_back(boolean("policy.exclude_security.enabled", "lever 3: security roles leave the quota scheme"));
  s.push_back(integer("policy.exclude_security.year", 2013, 2100, "year", "first year lever 3 acts"));
  s.push_back(real("policy.exclude_security.base_share", 0, 0.95, "1", "security roles' share of the government quota base"));
  s.push_back(real("policy.exclude_security.security_growth_change", -1, 2, "1",
                   "relative change of the security-role trend once excluded"));
  return s;
}

Problem problem_at(const ResolvedScenario& r, const std::string& key, std::string value, std::string constraint) {
  return Problem{r.where(key), key, std::move(value), std::move(constraint)};
}

// Reads a data file named by a scenario key; its own problems (with their
// file, line and column) are added, plus one naming the key that points to it.
template <class Reader>
auto read_named(const ResolvedScenario& r, const std::string& key, Reader reader, std::vector<Problem>& problems)
    -> std::optional<decltype(reader(std::string{}))> {
  try {
    return reader(r.string(key));
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    problems.push_back(problem_at(r, key, r.string(key), "the file it names has the problems above"));
  }
  return std::nullopt;
}

ComponentGrowth component(const ResolvedScenario& r, const std::string& name) {
  const std::string k = "growth." + name + ".";
  return {r.real(k + "trend_mean"), r.real(k + "trend_sd"), r.real(k + "volatility")};
}

LeverSwitch lever(const ResolvedScenario& r, const std::string& name) {
  return {r.boolean("policy." + name + ".enabled"), static_cast<int>(r.integer("policy." + name + ".year"))};
}

std::vector<Problem> check_impl(const ResolvedScenario& r, std::optional<History>* history_out,
                                std::optional<TargetPath>* targets_out) {
  std::vector<Problem> problems;
  auto history = read_named(r, "history.file", [](const std::string& f) { return read_history(f); }, problems);
  auto targets = read_named(r, "targets.file", [](const std::string& f) { return read_targets(f); }, problems);

  // Correlation matrix: positive semi-definite, or no Cholesky-type factor exists.
  BanenafspraakParams p;
  p.corr_market_government = r.real("shocks.correlation.market_government");
  p.corr_market_inleen = r.real("shocks.correlation.market_inleen");
  p.corr_government_inleen = r.real("shocks.correlation.government_inleen");
  p.corr_security_other = r.real("shocks.correlation.security_other");
  const auto c = correlation_matrix(p);
  const Eigen::Matrix4d m = Eigen::Map<const Eigen::Matrix<double, 4, 4, Eigen::RowMajor>>(c.data());
  const double min_eigen = Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d>(m).eigenvalues().minCoeff();
  if (min_eigen < -1e-10) {
    for (const char* key : {"shocks.correlation.market_government", "shocks.correlation.market_inleen",
                            "shocks.correlation.government_inleen", "shocks.correlation.security_other"}) {
      problems.push_back(problem_at(r, key, std::to_string(r.real(key)),
                                    "the four shock correlations together do not form a positive semi-definite "
                                    "matrix (smallest eigenvalue " + std::to_string(min_eigen) + ")"));
    }
  }

  int origin = static_cast<int>(r.integer("history.origin_year"));
  if (history) {
    if (origin == 0) origin = history->last_year();
    if (origin != 2012 && (origin < history->first_year() || origin > history->last_year())) {
      problems.push_back(problem_at(r, "history.origin_year", std::to_string(origin),
                                    "must be 0 (the last observed year), 2012 (the baseline) or a year in " +
                                        r.string("history.file") + " (" + std::to_string(history->first_year()) +
                                        "-" + std::to_string(history->last_year()) + ")"));
      origin = 0;
    }
  }
  const int target_year = static_cast<int>(r.integer("target.year"));
  if (history && targets && origin > 0 && target_year > origin) {
    for (Problem& gap : target_coverage_problems(*targets, origin + 1, history->first_year(), r.where("targets.file"),
                                               "targets.file")) {
      problems.push_back(std::move(gap));
    }
  }
  if (origin > 0 && target_year <= origin) {
    problems.push_back(problem_at(r, "target.year", std::to_string(target_year),
                                  "must be after the forecast origin " + std::to_string(origin) +
                                      " (the last observed year): there is nothing to simulate"));
  }
  if (origin > 0 && target_year > origin) {
    for (const char* name : {"abolish_split", "purchase_at_buyer", "exclude_security"}) {
      const std::string key = std::string("policy.") + name + ".year";
      const auto y = r.integer(key);
      if (r.boolean(std::string("policy.") + name + ".enabled") && (y <= origin || y > target_year)) {
        problems.push_back(problem_at(r, key, std::to_string(y),
                                      "an enabled lever must take effect inside the simulated horizon " +
                                          std::to_string(origin + 1) + "-" + std::to_string(target_year)));
      }
    }
  }
  if (history_out) *history_out = std::move(history);
  if (targets_out) *targets_out = std::move(targets);
  return problems;
}

}  // namespace

const ParamSchema& banenafspraak_schema() {
  static const ParamSchema schema = make_schema();
  return schema;
}

std::array<double, kNumComponents * kNumComponents> correlation_matrix(const BanenafspraakParams& p) {
  std::array<double, kNumComponents * kNumComponents> c{};
  auto set = [&c](std::size_t i, std::size_t j, double v) {
    c[i * kNumComponents + j] = v;
    c[j * kNumComponents + i] = v;
  };
  for (std::size_t i = 0; i < kNumComponents; ++i) set(i, i, 1.0);
  set(kMarketRegular, kGovSecurity, p.corr_market_government);
  set(kMarketRegular, kGovOther, p.corr_market_government);
  set(kMarketRegular, kInleen, p.corr_market_inleen);
  set(kGovSecurity, kGovOther, p.corr_security_other);
  set(kGovSecurity, kInleen, p.corr_government_inleen);
  set(kGovOther, kInleen, p.corr_government_inleen);
  return c;
}

std::vector<Problem> banenafspraak_check(const ResolvedScenario& scenario) {
  return check_impl(scenario, nullptr, nullptr);
}

BanenafspraakParams params_from_scenario(const ResolvedScenario& r) {
  std::optional<History> history;
  std::optional<TargetPath> targets;
  std::vector<Problem> problems = check_impl(r, &history, &targets);
  if (!problems.empty()) throw InputError(std::move(problems));

  BanenafspraakParams p;
  p.name = r.string("scenario.name");
  p.history = std::move(*history);
  p.targets = std::move(*targets);
  p.origin_year = static_cast<int>(r.integer("history.origin_year"));
  if (p.origin_year == 0) p.origin_year = p.history.last_year();
  p.target_year = static_cast<int>(r.integer("target.year"));
  p.target_total = r.real("target.total_jobs");

  p.inleen_share_at_origin = r.real("composition.inleen_share_at_origin");
  p.inleen_growth_share = r.real("composition.inleen_growth_share");
  p.security_share = r.real("composition.security_share");
  p.purchased_jobs_at_origin = r.real("purchasing.jobs_at_origin");
  p.insourcing_per_year = r.real("purchasing.insourcing_per_year");

  p.growth[kMarketRegular] = component(r, "market");
  p.growth[kGovSecurity] = component(r, "government_security");
  p.growth[kGovOther] = component(r, "government_other");
  p.growth[kInleen] = component(r, "inleen");

  p.cycle_persistence = r.real("cycle.persistence");
  p.cycle_sd = r.real("cycle.sd");
  p.cycle_loading[kMarketRegular] = r.real("cycle.loading.market");
  p.cycle_loading[kGovSecurity] = r.real("cycle.loading.government");
  p.cycle_loading[kGovOther] = r.real("cycle.loading.government");
  p.cycle_loading[kInleen] = r.real("cycle.loading.inleen");

  p.corr_market_government = r.real("shocks.correlation.market_government");
  p.corr_market_inleen = r.real("shocks.correlation.market_inleen");
  p.corr_government_inleen = r.real("shocks.correlation.government_inleen");
  p.corr_security_other = r.real("shocks.correlation.security_other");

  p.supply_capacity_jobs = r.real("supply.capacity_jobs");
  p.supply_shape = r.real("supply.shape");

  p.gov_share_mean = r.real("inleen.government_share_mean");
  p.gov_share_sd = r.real("inleen.government_share_sd");
  p.key_sample_sd = r.real("inleen.key_sample_sd");

  p.activation_probability = r.real("quota.activation_probability");
  p.activation_delay_years = static_cast<int>(r.integer("quota.activation_delay_years"));
  p.deactivate_when_met = r.boolean("quota.deactivate_when_met");
  p.response_rate = r.real("quota.response_rate");
  p.levy_per_job_eur = r.real("quota.levy_per_job_eur");
  p.levy_first_year = static_cast<int>(r.integer("quota.levy_first_year"));
  p.liable_share = r.real("quota.liable_share");
  p.employer_dispersion = r.real("quota.employer_dispersion");
  p.market_active_at_origin = r.boolean("quota.market_active_at_origin");
  p.government_active_at_origin = r.boolean("quota.government_active_at_origin");

  p.abolish_split = lever(r, "abolish_split");
  p.friction_gain = r.real("policy.abolish_split.friction_gain");
  p.government_accountability_loss = r.real("policy.abolish_split.government_accountability_loss");
  p.purchase_at_buyer = lever(r, "purchase_at_buyer");
  p.stop_insourcing = r.boolean("policy.purchase_at_buyer.stop_insourcing");
  p.procurement_gain_per_year = r.real("policy.purchase_at_buyer.procurement_gain_per_year");
  p.exclude_security = lever(r, "exclude_security");
  p.security_base_share = r.real("policy.exclude_security.base_share");
  p.security_growth_change = r.real("policy.exclude_security.security_growth_change");
  return p;
}

}  // namespace banensim::models
