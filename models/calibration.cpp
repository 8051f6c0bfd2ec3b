#include "models/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <Eigen/Dense>

#include "engine/fnv1a.hpp"
#include "engine/text_format.hpp"
#include "models/banenafspraak_model.hpp"

namespace banensim::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBaselineYear = 2012;
// No component's regular part falls below this share of its sector's shock
// variance (when the hired-in part would take it all).
constexpr double kMinRegularShare = 0.1;

double min_eigenvalue(const BanenafspraakParams& p) {
  const auto c = correlation_matrix(p);
  const Eigen::Matrix4d m = Eigen::Map<const Eigen::Matrix<double, 4, 4, Eigen::RowMajor>>(c.data());
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d>(m).eigenvalues().minCoeff();
}

RegisterFit fit_register(const BanenafspraakParams& a, int fit) {
  std::vector<TimedValue> obs;
  for (const TimedValue& v : a.trend_reports.register_persons) {
    if (v.x >= a.calibration.register_trend_from && v.x <= fit) obs.push_back(v);
  }
  RegisterFit r;
  r.n_observations = static_cast<int>(obs.size());
  if (obs.size() < 2) {
    r.growth = a.calibration.register_growth_prior;
    r.growth_sd = a.calibration.register_growth_prior_sd;
    r.method = "prior (fewer than two observations)";
    return r;
  }
  const double n = static_cast<double>(obs.size());
  double mx = 0, my = 0;
  for (const auto& v : obs) {
    mx += v.x / n;
    my += v.value / n;
  }
  double sxx = 0, sxy = 0;
  for (const auto& v : obs) {
    sxx += (v.x - mx) * (v.x - mx);
    sxy += (v.x - mx) * (v.value - my);
  }
  r.growth = sxy / sxx;
  if (obs.size() == 2) {
    r.growth_sd = a.calibration.register_growth_prior_sd;
    r.method = "two points (sd: the prior's)";
    return r;
  }
  double rss = 0;
  for (const auto& v : obs) {
    const double e = v.value - my - r.growth * (v.x - mx);
    rss += e * e;
  }
  r.growth_sd = std::sqrt(rss / (n - 2) / sxx);
  r.method = "OLS slope and its standard error";
  return r;
}

InleenFit fit_inleen(const BanenafspraakParams& a, int fit) {
  std::vector<TimedValue> obs;
  for (const TimedValue& v : a.trend_reports.inleen) {
    if (v.x <= fit) obs.push_back(v);
  }
  const int nu0 = a.calibration.prior_df;
  const double s0 = a.calibration.prior_sd.inleen;
  InleenFit f;
  f.n_increments = obs.empty() ? 0 : static_cast<int>(obs.size()) - 1;
  if (f.n_increments == 0) {
    f.trend = 0;
    f.volatility = f.trend_se = s0;
    f.dof = nu0;
  } else {
    double sum_d = 0, sum_h = 0;
    for (std::size_t i = 1; i < obs.size(); ++i) {
      sum_d += obs[i].value - obs[i - 1].value;
      sum_h += obs[i].x - obs[i - 1].x;
    }
    f.trend = sum_d / sum_h;
    double ss = 0;
    for (std::size_t i = 1; i < obs.size(); ++i) {
      const double h = obs[i].x - obs[i - 1].x;
      const double e = obs[i].value - obs[i - 1].value - h * f.trend;
      ss += e * e / h;
    }
    f.dof = f.n_increments - 1 + nu0;
    // One increment and no prior: no spread to estimate; the prior's sd, no scale draw.
    f.volatility = f.dof > 0 ? std::sqrt((ss + nu0 * s0 * s0) / f.dof) : s0;
    f.trend_se = f.volatility / std::sqrt(sum_h);
  }
  const double cycle = a.cycle.loading.inleen * std::abs(f.trend) * a.cycle.sd;
  f.shock_volatility = std::sqrt(std::max(0.0, f.volatility * f.volatility - cycle * cycle));
  return f;
}

}  // namespace

SectorMoments sector_moments(const BanenafspraakParams& p, double k) {
  const auto& g = p.growth;
  const double sM = g[kMarketRegular].volatility, sS = g[kGovSecurity].volatility, sO = g[kGovOther].volatility,
               sI = g[kInleen].volatility;
  const auto& corr = p.shocks.correlation;
  const double r_mg = corr.market_government, r_mi = corr.market_inleen, r_gi = corr.government_inleen,
               r_so = corr.security_other;
  // market shock = e_M + (1-k) e_I; government shock = e_S + e_O + k e_I
  const double var_m = sM * sM + (1 - k) * (1 - k) * sI * sI + 2 * (1 - k) * r_mi * sM * sI;
  const double var_g = sS * sS + sO * sO + 2 * r_so * sS * sO + k * k * sI * sI + 2 * k * r_gi * (sS + sO) * sI;
  const double cov = r_mg * sM * (sS + sO) + k * r_mi * sM * sI + (1 - k) * r_gi * (sS + sO) * sI + k * (1 - k) * sI * sI;
  SectorMoments m{};
  m.market_sd = std::sqrt(var_m);
  m.government_sd = std::sqrt(var_g);
  m.correlation = cov / (m.market_sd * m.government_sd);
  return m;
}

BanenafspraakParams component_shocks(const SectorFit& market, const SectorFit& government, double correlation,
                                     double s_inleen, double k, const BanenafspraakParams& assumptions) {
  BanenafspraakParams p = assumptions;
  const double s = p.composition.security_share;
  auto& corr = p.shocks.correlation;
  auto& g = p.growth;
  // Solve the sector variance equations (sector_moments) for the market and
  // government sds given the hired-in sd: the positive roots, floored.
  const double sm = market.shock_volatility, sg = government.shock_volatility;
  const double b_m = (1 - k) * corr.market_inleen * s_inleen;
  double s_market = -b_m + std::sqrt(std::max(0.0, b_m * b_m + sm * sm - (1 - k) * (1 - k) * s_inleen * s_inleen));
  s_market = std::max(s_market, std::sqrt(kMinRegularShare) * sm);
  const double q = s * s + (1 - s) * (1 - s) + 2 * s * (1 - s) * corr.security_other;
  const double b_g = k * corr.government_inleen * s_inleen;
  double s_gov = q > 0 ? (-b_g + std::sqrt(std::max(0.0, b_g * b_g - q * (k * k * s_inleen * s_inleen - sg * sg)))) / q
                       : 0.0;
  if (q > 0) s_gov = std::max(s_gov, std::sqrt(kMinRegularShare / q) * sg);
  g[kInleen].volatility = s_inleen;
  g[kMarketRegular].volatility = s_market;
  g[kGovSecurity].volatility = s * s_gov;
  g[kGovOther].volatility = (1 - s) * s_gov;

  // The regular market-government correlation: the sectors' shock
  // correlation. (Inverting the covariance too, with the assumed hired-in
  // correlations, would attribute the weakly identified sector correlation
  // (s.e. ~0.3) to them: a strongly negative number that the assumptions,
  // not the data, make.) Shrunk toward 0 until the 4x4 matrix is positive
  // semi-definite.
  corr.market_government = std::clamp(correlation, -0.99, 0.99);
  for (int i = 0; i < 100 && min_eigenvalue(p) < 0; ++i) corr.market_government *= 0.95;
  return p;
}

std::string calibration_data_fingerprint(const History& history, const BanenafspraakParams& data, int fit_year) {
  std::string text;
  char line[160];
  const auto add = [&](const char* what, double x, double v) {
    std::snprintf(line, sizeof line, "%s %.17g %.17g\n", what, x, v);
    text += line;
  };
  for (const HistoryYear& y : history.years) {
    if (y.year > fit_year) continue;
    add("market", y.year, y.market_counted);
    add("government", y.year, y.government_counted);
  }
  for (const TimedValue& v : data.trend_reports.inleen) {
    if (v.x <= fit_year) add("inleen", v.x, v.value);
  }
  for (const TimedValue& v : data.trend_reports.register_persons) {
    if (v.x <= fit_year) add("register", v.x, v.value);
  }
  for (const KeySample& k : data.key_samples.samples) {
    if (k.year <= fit_year) add("key", k.year, k.government_share);
  }
  return "fnv1a64 " + engine::fnv1a64_hex(text);
}

std::string calibration_mismatch(const BanenafspraakParams& p) {
  const int fit = p.calibrated.fit_year;
  if (fit == 0) return "";
  const auto& table = banenafspraak_parameters();
  const int last = p.observed.last_year();
  const std::string redo =
      "run `banensim calibrate` on this scenario" +
      (p.origin_year != last ? " with --fit-until " + std::to_string(p.origin_year) : std::string()) +
      " and put its keys in the scenario (--update FILE, or --out FILE to extend; docs/MODEL.md §7)";
  const std::string now = calibration_data_fingerprint(p.observed, p, fit);
  std::string why;
  if (now != p.calibrated.data_fingerprint) {
    why = "the data up to " + std::to_string(fit) + " (" + p.observed.file + ", " + p.trend_reports.file + ", " +
          p.key_samples.file + ") are not those the calibrated keys were fitted on (" +
          table.key_of(p, &p.calibrated.data_fingerprint) + " " + p.calibrated.data_fingerprint + ", the data now " +
          now + "): revised or other data";
  } else if (p.origin_year > fit) {
    why = "the calibrated keys were fitted on the data up to " + std::to_string(fit) +
          ", but the forecast starts from the end-" + std::to_string(p.origin_year) + " measurement (" +
          p.observed.file + "): its trends and volatilities leave out " +
          (p.origin_year == fit + 1 ? std::to_string(p.origin_year)
                                    : std::to_string(fit + 1) + "-" + std::to_string(p.origin_year));
  } else if (p.origin_year < fit) {
    why = "the calibrated keys were fitted on the data up to " + std::to_string(fit) +
          ", after the forecast origin " + std::to_string(p.origin_year) +
          ": the forecast uses measurements it could not have known";
  }
  return why.empty() ? why : why + "; " + redo;
}

CalibrationResult calibrate(const History& history, int fit_until, const BanenafspraakParams& a) {
  CalibrationResult r;
  r.history_file = history.file;
  std::vector<HistoryYear> years;
  for (const auto& y : history.years) {
    if (fit_until == 0 || y.year <= fit_until) years.push_back(y);
  }
  if (years.size() < 2) {
    throw InputError({Problem{{history.file, 0, 0}, "year", std::to_string(fit_until),
                              "calibration needs at least two observed years up to the fit year"}});
  }
  r.first_year = years.front().year;
  r.last_year = years.back().year;
  const int fit = r.last_year;
  r.data_fingerprint = calibration_data_fingerprint(history, a, fit);
  const int nu0 = a.calibration.prior_df;

  // 1. The key's drift, from the samples dated up to the fit year.
  std::vector<KeySample> samples;
  for (const KeySample& s : a.key_samples.samples) {
    if (s.year <= fit) samples.push_back(s);
  }
  r.n_key_samples = static_cast<int>(samples.size());
  r.key_drift = samples.size() >= 2 ? (samples.back().government_share - samples.front().government_share) /
                                          (samples.back().year - samples.front().year)
                                    : 0.0;
  const auto key_hat = [&](double y) { return key_extrapolated(a.key_samples, fit, y, r.key_drift); };
  r.key_at_fit = key_hat(fit);

  // 2. The register's growth; 3. the hired-in trend.
  r.register_fit = fit_register(a, fit);
  r.inleen = fit_inleen(a, fit);

  // 4. The regular sector series: increments between observed years (the
  // first from the baseline, zero at end 2012), insourcing added back, the
  // hired-in trend's expected share taken out (its deviations stay in the
  // residuals).
  const RegisterPath reg = register_path(a, fit);
  const auto& supply = a.supply;
  struct Increment {
    double h, a, market, government;
  };
  std::vector<Increment> inc;
  int prev_year = kBaselineYear;
  double prev_m = 0, prev_g = 0;
  const double ins = a.purchasing.insourcing_per_year, mu_i = r.inleen.trend;
  for (const auto& y : years) {
    const double h = y.year - prev_year;
    const double capacity =
        supply.jobs_per_worker * supply.max_working_share * reg.at(prev_year, r.register_fit.growth) - supply.baseline_jobs;
    const double f = supply_factor(prev_m + prev_g, capacity, supply.shape);
    const double k = key_hat(prev_year + 0.5 * h);
    inc.push_back({h, h * f, y.market_counted - prev_m + h * ins - (1 - k) * h * mu_i,
                   y.government_counted - prev_g - h * ins - k * h * mu_i});
    prev_year = y.year;
    prev_m = y.market_counted;
    prev_g = y.government_counted;
  }
  const double n = static_cast<double>(inc.size());
  r.n_increments = static_cast<int>(inc.size());

  double saa = 0, sam = 0, sag = 0, mean_supply = 0;
  for (const auto& i : inc) {
    saa += i.a * i.a / i.h;
    sam += i.a * i.market / i.h;
    sag += i.a * i.government / i.h;
    mean_supply += i.a / i.h / n;
  }
  const double mu_m = sam / saa, mu_g = sag / saa;
  double rmm = 0, rgg = 0, rmg = 0;
  for (const auto& i : inc) {
    const double em = (i.market - i.a * mu_m) / std::sqrt(i.h);
    const double eg = (i.government - i.a * mu_g) / std::sqrt(i.h);
    rmm += em * em;
    rgg += eg * eg;
    rmg += em * eg;
  }
  // The conjugate prior: nu0 increments of sd s0 (and no correlation) added
  // to the residual sums of squares and products.
  const double s0_m = a.calibration.prior_sd.market, s0_g = a.calibration.prior_sd.government;
  const double smm = rmm + nu0 * s0_m * s0_m, sgg = rgg + nu0 * s0_g * s0_g;
  r.dof_regular = r.n_increments - 1 + nu0;
  const double sd_m = std::sqrt(smm / r.dof_regular), sd_g = std::sqrt(sgg / r.dof_regular);
  r.correlation = (smm > 0 && sgg > 0) ? rmg / std::sqrt(smm * sgg) : 0.0;
  r.correlation_se = (1 - r.correlation * r.correlation) / std::sqrt(n);

  auto fit_sector = [&](double mu, double sd, double loading) {
    SectorFit f;
    f.trend = mu;
    f.trend_se = sd / std::sqrt(saa);
    f.volatility = sd;
    f.volatility_se = sd / std::sqrt(2.0 * r.dof_regular);
    const double cycle = loading * std::abs(mu) * mean_supply * a.cycle.sd;
    f.shock_volatility = std::sqrt(std::max(0.0, sd * sd - cycle * cycle));
    return f;
  };
  r.market = fit_sector(mu_m, sd_m, a.cycle.loading.market);
  r.government = fit_sector(mu_g, sd_g, a.cycle.loading.government);
  // The cycle is common to both sectors: remove its covariance too.
  const double c_m = a.cycle.loading.market * std::abs(mu_m) * mean_supply * a.cycle.sd;
  const double c_g = a.cycle.loading.government * std::abs(mu_g) * mean_supply * a.cycle.sd;
  double shock_corr = 0;
  if (r.market.shock_volatility > 0 && r.government.shock_volatility > 0) {
    shock_corr = std::clamp((r.correlation * sd_m * sd_g - c_m * c_g) /
                                (r.market.shock_volatility * r.government.shock_volatility),
                            -1.0, 1.0);
  }

  r.method =
      "data dated up to the fit year only. Key: drift between the first and last SEO sample. Register: OLS slope "
      "of the observations from calibration.register_trend_from on. Hired-in: random walk with drift on the "
      "trend reports' observations (increments over h years: mean h*mu, variance h*sigma^2). Regular sectors: "
      "increments of the counted series (the first from the baseline, 0 at end 2012) less the hired-in trend's "
      "expected share, mean h*S*mu (S the register supply factor at the start), variance h*sigma^2: mu by "
      "weighted least squares; sigma and rho from the residual sums with a conjugate prior of "
      "calibration.prior_df increments; the business cycle's share of the variance removed; components from "
      "the composition shares and the assumed correlations with hired-in jobs.";

  const std::string per = "jobs/year";
  auto sector = [&](const std::string& label, double v, double se, const std::string& unit, const std::string& note) {
    r.estimates.push_back({label, v, se, unit, note, false, false, {}});
  };
  sector("market sector trend (regular)", r.market.trend, r.market.trend_se, per, "mu-hat (WLS)");
  sector("government sector trend (regular)", r.government.trend, r.government.trend_se, per, "mu-hat (WLS)");
  sector("market sector sd", r.market.volatility, r.market.volatility_se, per, "increment sd, cycle included");
  sector("government sector sd", r.government.volatility, r.government.volatility_se, per,
         "increment sd, cycle included");
  sector("sector correlation", r.correlation, r.correlation_se, "1", "of the standardised residuals, prior-shrunk");
  sector("hired-in increments sd", r.inleen.volatility, kNaN, per,
         std::to_string(r.inleen.n_increments) + " increments, cycle included");
  sector("register observations fitted", r.register_fit.n_observations, kNaN, "1", r.register_fit.method);
  sector("key samples", r.n_key_samples, kNaN, "1", "SEO samples up to the fit year");
  sector("key at the fit year", r.key_at_fit, kNaN, "1", "the samples' extrapolation");

  BanenafspraakParams c = component_shocks(r.market, r.government, shock_corr, r.inleen.shock_volatility, r.key_at_fit, a);
  const double s = a.composition.security_share;
  c.growth.market.trend_mean = r.market.trend;
  c.growth.market.trend_sd = r.market.trend_se;
  c.growth.government_security.trend_mean = s * r.government.trend;
  c.growth.government_security.trend_sd = s * r.government.trend_se;
  c.growth.government_other.trend_mean = (1 - s) * r.government.trend;
  c.growth.government_other.trend_sd = (1 - s) * r.government.trend_se;
  c.growth.inleen.trend_mean = r.inleen.trend;
  c.growth.inleen.trend_sd = r.inleen.trend_se;
  c.uncertainty.dof.regular = r.dof_regular;
  c.uncertainty.dof.inleen = r.inleen.dof;
  c.supply.register_growth_per_year = r.register_fit.growth;
  c.supply.register_growth_sd = r.register_fit.growth_sd;
  c.inleen.key_drift_per_year = r.key_drift;

  // The scenario keys, named by the members they are read into.
  const auto& table = banenafspraak_parameters();
  const auto parameter = [&](const double& member, double std_error, const std::string& unit, const char* note) {
    r.estimates.push_back({table.key_of(c, &member), member, std_error, unit, note, true, false, {}});
  };
  const auto whole = [&](const int& member, const char* note, const char* unit = "1") {
    r.estimates.push_back({table.key_of(c, &member), static_cast<double>(member), kNaN, unit, note, true, true, {}});
  };
  for (std::size_t i = 0; i < kNumComponents; ++i) {
    const ComponentGrowth& g = c.growth[i];
    const int dof = i == kInleen ? r.inleen.dof : r.dof_regular;
    parameter(g.trend_mean, g.trend_sd, per, "s.e. is written as trend_sd");
    parameter(g.trend_sd, kNaN, per, "parameter uncertainty per path");
    parameter(g.volatility, dof > 0 ? g.volatility / std::sqrt(2.0 * dof) : kNaN, per, "cycle share removed");
  }
  whole(c.uncertainty.dof.regular, "n - 1 + calibration.prior_df");
  whole(c.uncertainty.dof.inleen, "n - 1 + calibration.prior_df");
  parameter(c.shocks.correlation.market_government, r.correlation_se, "1", "implied by the sector correlation");
  parameter(c.supply.register_growth_per_year, c.supply.register_growth_sd, "persons/year", "s.e. is written as the sd");
  parameter(c.supply.register_growth_sd, kNaN, "persons/year", "parameter uncertainty per path");
  parameter(c.inleen.key_drift_per_year, kNaN, "1/year", "(last - first sample) / years between");
  // The stamp: what these keys were fitted on, compared with the data of every later run.
  c.calibrated.fit_year = fit;
  c.calibrated.data_fingerprint = r.data_fingerprint;
  whole(c.calibrated.fit_year, "the last observed year used", "year");
  r.estimates.push_back({table.key_of(c, &c.calibrated.data_fingerprint), kNaN, kNaN, "text",
                         "the data up to the fit year", true, false, r.data_fingerprint});
  return r;
}

std::string toml_value(const Estimate& e) {
  if (!e.text.empty()) return "\"" + e.text + "\"";  // a fingerprint: hex digits and a space, nothing to escape
  if (e.integer) return std::to_string(static_cast<long long>(e.value));
  // A TOML float: ".0" when the 6 significant digits came out whole.
  std::string value = engine::significant(e.value, 6);
  if (value.find_first_of(".eEn") == std::string::npos) value += ".0";
  return value;
}

std::string calibration_toml(const CalibrationResult& r) {
  const auto g6 = [](double x) { return engine::significant(x, 6); };
  std::ostringstream os;
  os << "# Written by `banensim calibrate` from " << r.history_file << ", years " << r.first_year << "-"
     << r.last_year << " (" << r.n_increments << " increments), and the trend reports and key samples dated up to "
     << r.last_year << ".\n";
  os << "# Method: " << r.method << "\n#\n# Sector-level estimates (estimate, standard error):\n";
  for (const auto& e : r.estimates) {
    if (!e.scenario_key) os << "#   " << e.key << " = " << g6(e.value) << " (s.e. " << g6(e.std_error) << ") " << e.unit << "\n";
  }
  os << "#\n# Include it in a scenario with  extends = [\"base.toml\", \"this-file.toml\"]\n\n";
  for (const auto& e : r.estimates) {
    if (!e.scenario_key) continue;
    os << e.key << " = " << toml_value(e);
    if (e.text.empty() && !std::isnan(e.std_error)) os << "  # s.e. " << g6(e.std_error);
    os << "\n";
  }
  return os.str();
}

}  // namespace banensim::models
