#include "models/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <Eigen/Dense>

#include "engine/text_format.hpp"
#include "models/banenafspraak_model.hpp"

namespace banensim::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBaselineYear = 2012;

struct Increment {
  double h;        // years spanned
  double a;        // h * supply factor at the start
  double market;   // counted increment, insourcing added back
  double government;
};

double min_eigenvalue(const BanenafspraakParams& p) {
  const auto c = correlation_matrix(p);
  const Eigen::Matrix4d m = Eigen::Map<const Eigen::Matrix<double, 4, 4, Eigen::RowMajor>>(c.data());
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d>(m).eigenvalues().minCoeff();
}

}  // namespace

SectorMoments sector_moments(const BanenafspraakParams& p) {
  const double k = p.inleen.government_share_mean;
  const auto& g = p.growth;
  const double sM = g[kMarketRegular].volatility, sS = g[kGovSecurity].volatility, sO = g[kGovOther].volatility,
               sI = g[kInleen].volatility;
  const auto& corr = p.shocks.correlation;
  const double r_mg = corr.market_government, r_mi = corr.market_inleen, r_gi = corr.government_inleen,
               r_so = corr.security_other;
  SectorMoments m{};
  m.market_trend = g[kMarketRegular].trend_mean + (1 - k) * g[kInleen].trend_mean;
  m.government_trend = g[kGovSecurity].trend_mean + g[kGovOther].trend_mean + k * g[kInleen].trend_mean;
  // market shock = e_M + (1-k) e_I; government shock = e_S + e_O + k e_I
  const double var_m = sM * sM + (1 - k) * (1 - k) * sI * sI + 2 * (1 - k) * r_mi * sM * sI;
  const double var_g = sS * sS + sO * sO + 2 * r_so * sS * sO + k * k * sI * sI + 2 * k * r_gi * (sS + sO) * sI;
  const double cov = r_mg * sM * (sS + sO) + k * r_mi * sM * sI + (1 - k) * r_gi * (sS + sO) * sI + k * (1 - k) * sI * sI;
  m.market_sd = std::sqrt(var_m);
  m.government_sd = std::sqrt(var_g);
  m.correlation = cov / (m.market_sd * m.government_sd);
  return m;
}

BanenafspraakParams component_parameters(const SectorFit& market, const SectorFit& government, double correlation,
                                         const BanenafspraakParams& assumptions) {
  BanenafspraakParams p = assumptions;
  const double phi = p.composition.inleen_growth_share, k = p.inleen.government_share_mean,
               s = p.composition.security_share;
  auto& corr = p.shocks.correlation;
  auto& g = p.growth;

  // Trends: hired-in jobs take the share phi of all trend growth.
  const double mu_inleen = phi * (market.trend + government.trend);
  const double mu_government = government.trend - k * mu_inleen;
  g[kInleen].trend_mean = mu_inleen;
  g[kMarketRegular].trend_mean = market.trend - (1 - k) * mu_inleen;
  g[kGovSecurity].trend_mean = s * mu_government;
  g[kGovOther].trend_mean = (1 - s) * mu_government;

  // Trend uncertainty: the sector trends' standard errors, shared out the
  // same way (security and other roles move together in the model).
  const double se_total = std::sqrt(std::max(0.0, market.trend_se * market.trend_se +
                                                      government.trend_se * government.trend_se +
                                                      2 * correlation * market.trend_se * government.trend_se));
  const double sd_inleen = phi * se_total;
  const double sd_government =
      std::sqrt(std::max(0.0, government.trend_se * government.trend_se - k * k * sd_inleen * sd_inleen));
  g[kInleen].trend_sd = sd_inleen;
  g[kMarketRegular].trend_sd =
      std::sqrt(std::max(0.0, market.trend_se * market.trend_se - (1 - k) * (1 - k) * sd_inleen * sd_inleen));
  g[kGovSecurity].trend_sd = s * sd_government;
  g[kGovOther].trend_sd = (1 - s) * sd_government;

  // Shock sds: solve the sector variance equations (sector_moments) for the
  // market and government sds given the hired-in sd.
  const double sm = market.shock_volatility, sg = government.shock_volatility;
  const double s_inleen = phi * std::sqrt(std::max(0.0, sm * sm + sg * sg + 2 * correlation * sm * sg));
  const double b_m = (1 - k) * corr.market_inleen * s_inleen;
  const double s_market = std::max(0.0, -b_m + std::sqrt(std::max(0.0, b_m * b_m + sm * sm - (1 - k) * (1 - k) * s_inleen * s_inleen)));
  const double q = s * s + (1 - s) * (1 - s) + 2 * s * (1 - s) * corr.security_other;
  const double b_g = k * corr.government_inleen * s_inleen;
  const double s_gov = q > 0 ? std::max(0.0, (-b_g + std::sqrt(std::max(0.0, b_g * b_g - q * (k * k * s_inleen * s_inleen - sg * sg)))) / q) : 0.0;
  g[kInleen].volatility = s_inleen;
  g[kMarketRegular].volatility = s_market;
  g[kGovSecurity].volatility = s * s_gov;
  g[kGovOther].volatility = (1 - s) * s_gov;

  // The market-government correlation that reproduces the sectors' covariance.
  const double target_cov = correlation * sm * sg;
  const double rest = k * corr.market_inleen * s_market * s_inleen +
                      (1 - k) * corr.government_inleen * s_gov * s_inleen + k * (1 - k) * s_inleen * s_inleen;
  double rho = (s_market > 0 && s_gov > 0) ? (target_cov - rest) / (s_market * s_gov) : 0.0;
  rho = std::clamp(rho, -0.99, 0.99);
  // Shrink toward 0 until the 4x4 matrix is positive semi-definite.
  corr.market_government = rho;
  for (int i = 0; i < 100 && min_eigenvalue(p) < 0; ++i) corr.market_government *= 0.95;
  return p;
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

  std::vector<Increment> inc;
  int prev_year = kBaselineYear;
  double prev_m = 0, prev_g = 0;
  for (const auto& y : years) {
    const double h = y.year - prev_year;
    const double supply = supply_factor(prev_m + prev_g, a.supply.capacity_jobs, a.supply.shape);
    inc.push_back({h, h * supply, y.market_counted - prev_m + h * a.purchasing.insourcing_per_year,
                   y.government_counted - prev_g - h * a.purchasing.insourcing_per_year});
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
  const double sd_m = std::sqrt(rmm / (n - 1)), sd_g = std::sqrt(rgg / (n - 1));
  r.correlation = (rmm > 0 && rgg > 0) ? rmg / std::sqrt(rmm * rgg) : 0.0;
  r.correlation_se = (1 - r.correlation * r.correlation) / std::sqrt(n);

  auto fit = [&](double mu, double sd, double loading) {
    SectorFit f;
    f.trend = mu;
    f.trend_se = sd / std::sqrt(saa);
    f.volatility = sd;
    f.volatility_se = sd / std::sqrt(2 * (n - 1));
    const double cycle = loading * std::abs(mu) * mean_supply * a.cycle.sd;
    f.shock_volatility = std::sqrt(std::max(0.0, sd * sd - cycle * cycle));
    return f;
  };
  r.market = fit(mu_m, sd_m, a.cycle.loading.market);
  r.government = fit(mu_g, sd_g, a.cycle.loading.government);
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
      "Gaussian maximum likelihood on yearly increments of the counted sector series (the first from the "
      "baseline, 0 at end 2012): an increment over h years has mean h*S*mu and variance h*sigma^2 (S the "
      "register supply factor at its start), so mu is weighted least squares and sigma, rho the weighted "
      "residual (co)variance with divisor n-1; the business cycle's share of the variance is removed; "
      "components from the composition shares of the scenario.";

  const std::string per = "jobs/year";
  auto sector = [&](const std::string& label, double v, double se, const std::string& unit, const std::string& note) {
    r.estimates.push_back({label, v, se, unit, note, false});
  };
  sector("market sector trend", r.market.trend, r.market.trend_se, per, "mu-hat (WLS)");
  sector("government sector trend", r.government.trend, r.government.trend_se, per, "mu-hat (WLS)");
  sector("market sector sd", r.market.volatility, r.market.volatility_se, per, "increment sd, cycle included");
  sector("government sector sd", r.government.volatility, r.government.volatility_se, per,
         "increment sd, cycle included");
  sector("sector correlation", r.correlation, r.correlation_se, "1", "of the standardised residuals");

  const BanenafspraakParams c = component_parameters(r.market, r.government, shock_corr, a);
  // The scenario keys, named by the members they are read into.
  const auto& table = banenafspraak_parameters();
  const auto parameter = [&](const double& member, double std_error, const std::string& unit, const char* note) {
    r.estimates.push_back({table.key_of(c, &member), member, std_error, unit, note, true});
  };
  for (std::size_t i = 0; i < kNumComponents; ++i) {
    const ComponentGrowth& g = c.growth[i];
    parameter(g.trend_mean, g.trend_sd, per, "s.e. is written as trend_sd");
    parameter(g.trend_sd, kNaN, per, "parameter uncertainty per path");
    parameter(g.volatility, g.volatility / std::sqrt(2 * (n - 1)), per, "cycle share removed");
  }
  parameter(c.shocks.correlation.market_government, r.correlation_se, "1", "implied by the sector correlation");
  return r;
}

std::string calibration_toml(const CalibrationResult& r) {
  const auto g6 = [](double x) { return engine::significant(x, 6); };
  std::ostringstream os;
  os << "# Written by `banensim calibrate` from " << r.history_file << ", years " << r.first_year << "-"
     << r.last_year << " (" << r.n_increments << " increments).\n";
  os << "# Method: " << r.method << "\n#\n# Sector-level estimates (estimate, standard error):\n";
  for (const auto& e : r.estimates) {
    if (!e.scenario_key) os << "#   " << e.key << " = " << g6(e.value) << " (s.e. " << g6(e.std_error) << ") " << e.unit << "\n";
  }
  os << "#\n# Include it in a scenario with  extends = [\"base.toml\", \"this-file.toml\"]\n\n";
  for (const auto& e : r.estimates) {
    if (!e.scenario_key) continue;
    // A TOML float: ".0" when the 6 significant digits came out whole.
    const std::string value = g6(e.value);
    os << e.key << " = " << value;
    if (value.find_first_of(".eEn") == std::string::npos) os << ".0";
    if (!std::isnan(e.std_error)) os << "  # s.e. " << g6(e.std_error);
    os << "\n";
  }
  return os.str();
}

}  // namespace banensim::models
