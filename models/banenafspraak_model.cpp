#include "models/banenafspraak_model.hpp"

#include "models/banenafspraak_streams.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Dense>

namespace banensim::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBaselineYear = 2012;

using namespace streams;

double clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }

double target_in(const TargetPath& t, int year, double TargetYear::*field) {
  if (t.years.empty() || year < t.years.front().year) return 0.0;
  if (year >= t.years.back().year) return t.years.back().*field;
  return t.years[static_cast<std::size_t>(year - t.years.front().year)].*field;
}

// A factor F with F F^T = R: the Cholesky factor when R is positive
// definite; for a singular (semi-definite) R, the pivoted LDL^T factor
// P^T L sqrt(D), which has the same product.
std::array<double, kNumComponents * kNumComponents> factor(const std::array<double, kNumComponents * kNumComponents>& r) {
  using Mat = Eigen::Matrix<double, kNumComponents, kNumComponents, Eigen::RowMajor>;
  const Mat m = Eigen::Map<const Mat>(r.data());
  Mat f;
  Eigen::LLT<Mat> llt(m);
  if (llt.info() == Eigen::Success) {
    f = llt.matrixL();
  } else {
    Eigen::LDLT<Mat> ldlt(m);
    const Mat l = ldlt.matrixL();
    const Eigen::Vector4d d = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
    f = ldlt.transpositionsP().transpose() * (l * d.asDiagonal());
  }
  std::array<double, kNumComponents * kNumComponents> out{};
  Eigen::Map<Mat>(out.data()) = f;
  return out;
}

}  // namespace

double gross_shortfall(double target, double counted, double dispersion) noexcept {
  if (target <= 0) return 0.0;
  const double gap = 1.0 - counted / target;  // the sector's unfilled share of its quota
  if (dispersion <= 0) return target * std::max(0.0, gap);
  const double z = gap / dispersion;
  constexpr double kInvSqrt2Pi = 0.398942280401432677940;
  return target * (gap * engine::normal_cdf(z) + dispersion * kInvSqrt2Pi * std::exp(-0.5 * z * z));
}

double supply_factor(double extra_jobs, double capacity, double shape) noexcept {
  const double used = std::max(0.0, extra_jobs) / capacity;
  return std::max(0.0, 1.0 - std::pow(used, shape));
}

BanenafspraakModel::BanenafspraakModel(BanenafspraakParams params) : p_(std::move(params)) {
  for (int y = p_.origin_year + 1; y <= p_.target.year; ++y) layout_.step_labels.push_back(std::to_string(y));
  layout_.series = {
      {"total", "extra jobs", -100000, 400000, 2000},
      {"market", "extra jobs", -100000, 400000, 2000},
      {"government", "extra jobs", -50000, 100000, 1500},
  };
  layout_.scalars = {
      {"first_year_reached", "year", static_cast<double>(kBaselineYear + 1), static_cast<double>(p_.target.year + 1),
       static_cast<std::size_t>(p_.target.year - kBaselineYear), true, true},
      {"levy_total_eur", "EUR", 0, 4e9, 4000, false},
  };
  layout_.indicators = {
      {"reach_target", "total reaches the target by the target year"},
      {"market_meets_target", "market meets its own target in the target year"},
      {"government_meets_target", "government meets its own target in the target year"},
      {"quota_activated", "a quota is active in some simulated year"},
      {"quota_activated_market", "the market quota is active in some simulated year"},
      {"quota_activated_government", "the government quota is active in some simulated year"},
      {"quota_in_force_target_year", "a quota (and its levy) is in force in the target year"},
  };
  i_total_ = layout_.series_index("total");
  i_market_ = layout_.series_index("market");
  i_government_ = layout_.series_index("government");
  i_first_ = layout_.scalar_index("first_year_reached");
  i_levy_ = layout_.scalar_index("levy_total_eur");
  i_reach_ = layout_.indicator_index("reach_target");
  i_market_met_ = layout_.indicator_index("market_meets_target");
  i_government_met_ = layout_.indicator_index("government_meets_target");
  i_quota_ = layout_.indicator_index("quota_activated");
  i_quota_market_ = layout_.indicator_index("quota_activated_market");
  i_quota_government_ = layout_.indicator_index("quota_activated_government");
  i_quota_in_force_ = layout_.indicator_index("quota_in_force_target_year");

  shock_factor_ = factor(correlation_matrix(p_));
  const auto& loading = p_.cycle.loading;
  cycle_loading_ = {loading.market, loading.government, loading.government, loading.inleen};

  observed_first_reached_ = kNaN;
  if (p_.origin_year != kBaselineYear) {
    for (const auto& h : p_.observed.years) {
      if (h.year == p_.origin_year) {
        origin_market_ = h.market_counted;
        origin_government_ = h.government_counted;
      }
      if (h.year <= p_.origin_year && std::isnan(observed_first_reached_) && h.total_counted >= p_.target.total_jobs) {
        observed_first_reached_ = h.year;
      }
    }
  }
}

double BanenafspraakModel::market_target(int year) const {
  return target_in(p_.legal_targets, year, &TargetYear::market);
}
double BanenafspraakModel::government_target(int year) const {
  return target_in(p_.legal_targets, year, &TargetYear::government);
}

void BanenafspraakModel::begin_path(State& s, const engine::PathRandom& rng, engine::PathRecord&) const {
  // Split the observed sector counts at the origin into components. The key
  // applied in the origin year's measurement is taken to be the mean share.
  const bool baseline = p_.origin_year == kBaselineYear;
  const double inleen = p_.composition.inleen_share_at_origin * (origin_market_ + origin_government_);
  const double key0 = p_.inleen.government_share_mean;
  const double gov_regular = origin_government_ - key0 * inleen;
  s.purchased = baseline ? 0.0 : p_.purchasing.jobs_at_origin;
  s.jobs[kMarketRegular] = origin_market_ - (1.0 - key0) * inleen - s.purchased;
  s.jobs[kGovSecurity] = p_.composition.security_share * gov_regular;
  s.jobs[kGovOther] = (1.0 - p_.composition.security_share) * gov_regular;
  s.jobs[kInleen] = inleen;

  // Parameter uncertainty: the market and government trend errors share the
  // market-government correlation; hired-in trends have their own.
  auto trend = rng.stream(kTrendStream);
  const double z_market = trend.normal();
  const double z_other = trend.normal();
  const double z_inleen = trend.normal();
  const double rho = p_.shocks.correlation.market_government;
  const double z_government = rho * z_market + std::sqrt(std::max(0.0, 1.0 - rho * rho)) * z_other;
  const std::array<double, kNumComponents> z = {z_market, z_government, z_government, z_inleen};
  for (std::size_t c = 0; c < kNumComponents; ++c) s.trend[c] = p_.growth[c].trend_mean + p_.growth[c].trend_sd * z[c];

  s.gov_share =
      clamp01(p_.inleen.government_share_mean + p_.inleen.government_share_sd * rng.stream(kGovShareStream).normal());
  s.cycle = p_.cycle.sd * rng.stream(kCycleInitialStream).normal();

  s.quota = {};
  s.quota[kQuotaMarket].active = p_.quota.market_active_at_origin;
  s.quota[kQuotaMarket].last_shortfall = std::max(0.0, market_target(p_.origin_year) - origin_market_);
  s.quota[kQuotaGovernment].active = p_.quota.government_active_at_origin;
  s.quota[kQuotaGovernment].last_shortfall = std::max(0.0, government_target(p_.origin_year) - origin_government_);
  s.levy_eur = 0;
  s.first_reached = kNaN;
  s.split_dropped = false;
  s.market_count = origin_market_;
  s.government_count = s.government_quota_count = origin_government_;
  s.total = origin_market_ + origin_government_;
}

void BanenafspraakModel::step(State& s, std::size_t i_step, const engine::PathRandom& rng,
                              engine::PathRecord& rec) const {
  const int year = p_.origin_year + 1 + static_cast<int>(i_step);
  const auto substream = static_cast<std::uint64_t>(year);
  const bool one_target = p_.policy.abolish_split.active(year);
  const bool at_buyer = p_.policy.purchase_at_buyer.active(year);
  const bool no_security = p_.policy.exclude_security.active(year);

  // Lever 1 ends the sector quotas (and government's own stick) at once.
  if (one_target && !s.split_dropped) {
    for (std::size_t q : {kQuotaMarket, kQuotaGovernment}) {
      s.quota[q].active = false;
      s.quota[q].pending_from = 0;
    }
    s.split_dropped = true;
  }
  s.quota_in_force = false;
  for (auto& q : s.quota) {
    if (q.pending_from != 0 && year >= q.pending_from) {
      q.active = true;
      q.pending_from = 0;
    }
    if (q.active) q.ever_active = true;
    s.quota_in_force = s.quota_in_force || q.active;
  }

  // Every draw of the year is taken whether or not a lever uses it, so the
  // streams stay aligned across scenarios.
  auto cycle_stream = rng.stream(kCycleStream, substream);
  const double eta = cycle_stream.normal();
  auto shock_stream = rng.stream(kShockStream, substream);
  std::array<double, kNumComponents> z{};
  for (double& v : z) v = shock_stream.normal();
  const double key_z = rng.stream(kKeyStream, substream).normal();
  const double u_market = rng.stream(kActivationMarket, substream).uniform();
  const double u_government = rng.stream(kActivationGovernment, substream).uniform();
  const double u_national = rng.stream(kActivationNational, substream).uniform();

  const double phi = p_.cycle.persistence;
  s.cycle = phi * s.cycle + std::sqrt(1.0 - phi * phi) * p_.cycle.sd * eta;

  const double extra = s.jobs[0] + s.jobs[1] + s.jobs[2] + s.jobs[3] + s.purchased;
  const double supply = supply_factor(extra, p_.supply.capacity_jobs, p_.supply.shape);

  // Lever multipliers on the trends.
  std::array<double, kNumComponents> lever{1.0, 1.0, 1.0, 1.0};
  if (one_target) {
    for (double& a : lever) a *= 1.0 + p_.policy.abolish_split.friction_gain;
    lever[kGovSecurity] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
    lever[kGovOther] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
  }
  if (no_security) lever[kGovSecurity] *= 1.0 + p_.policy.exclude_security.security_growth_change;

  // Behavioural response to the quotas active this year: a share of the last
  // measured shortfall, limited by supply like any other hiring.
  const double t_market = market_target(year);
  const double t_government_full = government_target(year);
  std::array<double, kNumComponents> response{};
  auto response_of = [&](std::size_t q) {
    return s.quota[q].active ? p_.quota.response_rate * supply * s.quota[q].last_shortfall : 0.0;
  };
  const double r_market = response_of(kQuotaMarket);
  const double r_government = response_of(kQuotaGovernment);
  const double r_national = response_of(kQuotaNational);
  const double w_government =
      t_market + t_government_full > 0 ? t_government_full / (t_market + t_government_full) : 0.0;
  const double security_part = no_security ? 0.0 : p_.composition.security_share;
  response[kMarketRegular] = r_market + (1.0 - w_government) * r_national;
  response[kGovSecurity] = security_part * (r_government + w_government * r_national);
  response[kGovOther] = (1.0 - security_part) * (r_government + w_government * r_national);

  // Insourcing moves supplier jobs into government without adding any.
  const double insourcing =
      (at_buyer && p_.policy.purchase_at_buyer.stop_insourcing)
          ? 0.0
          : std::min(p_.purchasing.insourcing_per_year, std::max(0.0, s.purchased));
  const double procurement = at_buyer ? p_.policy.purchase_at_buyer.procurement_gain_per_year * supply : 0.0;

  for (std::size_t c = 0; c < kNumComponents; ++c) {
    double e = 0.0;
    for (std::size_t j = 0; j < kNumComponents; ++j) e += shock_factor_[c * kNumComponents + j] * z[j];
    const double growth = s.trend[c] * supply * (1.0 + cycle_loading_[c] * s.cycle) * lever[c];
    s.jobs[c] += growth + p_.growth[c].volatility * e + response[c];
  }
  s.jobs[kGovOther] += insourcing;
  s.purchased += procurement - insourcing;

  // Measurement at the end of the year. Once the split is gone there is no
  // allocation key; the sector figures then show the true shares.
  const double key = clamp01(s.gov_share + p_.inleen.key_sample_sd * key_z);
  const double share = one_target ? s.gov_share : key;
  const double inleen = s.jobs[kInleen];
  s.market_count = s.jobs[kMarketRegular] + (1.0 - share) * inleen + (at_buyer ? 0.0 : s.purchased);
  s.government_count = s.jobs[kGovSecurity] + s.jobs[kGovOther] + share * inleen + (at_buyer ? s.purchased : 0.0);
  s.government_quota_count = s.government_count - (no_security ? s.jobs[kGovSecurity] : 0.0);
  s.total = s.market_count + s.government_count;
  const double t_government = t_government_full * (no_security ? 1.0 - p_.policy.exclude_security.base_share : 1.0);

  // The levy owed for this year by the quotas active in it.
  if (year >= p_.quota.levy_first_year) {
    const double per_job = p_.quota.levy_per_job_eur * p_.quota.liable_share;
    const double d = p_.quota.employer_dispersion;
    if (s.quota[kQuotaMarket].active) s.levy_eur += per_job * gross_shortfall(t_market, s.market_count, d);
    if (s.quota[kQuotaGovernment].active) {
      s.levy_eur += per_job * gross_shortfall(t_government, s.government_quota_count, d);
    }
    if (s.quota[kQuotaNational].active) {
      s.levy_eur += per_job * gross_shortfall(t_market + t_government, s.market_count + s.government_quota_count, d);
    }
  }

  // Measured against the targets: a miss may activate a quota after the delay.
  auto measure = [&](Quota& q, double target, double counted, double u) {
    q.last_shortfall = std::max(0.0, target - counted);
    if (target > 0 && counted < target) {
      if (!q.active && q.pending_from == 0 && u < p_.quota.activation_probability) {
        q.pending_from = year + p_.quota.activation_delay_years;
      }
    } else if (p_.quota.deactivate_when_met) {
      q.active = false;
      q.pending_from = 0;
    }
  };
  if (one_target) {
    measure(s.quota[kQuotaNational], t_market + t_government, s.market_count + s.government_quota_count, u_national);
  } else {
    measure(s.quota[kQuotaMarket], t_market, s.market_count, u_market);
    measure(s.quota[kQuotaGovernment], t_government, s.government_quota_count, u_government);
  }

  rec.series(i_total_, i_step) = s.total;
  rec.series(i_market_, i_step) = s.market_count;
  rec.series(i_government_, i_step) = s.government_count;
  if (std::isnan(s.first_reached) && s.total >= p_.target.total_jobs) s.first_reached = year;
}

void BanenafspraakModel::end_path(State& s, const engine::PathRandom&, engine::PathRecord& rec) const {
  const int y = p_.target.year;
  const bool no_security = p_.policy.exclude_security.active(y);
  const double t_government = government_target(y) * (no_security ? 1.0 - p_.policy.exclude_security.base_share : 1.0);
  rec.scalar(i_first_) = std::isnan(observed_first_reached_) ? s.first_reached : observed_first_reached_;
  rec.scalar(i_levy_) = s.levy_eur;
  rec.set_indicator(i_reach_, s.total >= p_.target.total_jobs);
  rec.set_indicator(i_market_met_, s.market_count >= market_target(y));
  rec.set_indicator(i_government_met_, s.government_quota_count >= t_government);
  rec.set_indicator(i_quota_market_, s.quota[kQuotaMarket].ever_active);
  rec.set_indicator(i_quota_government_, s.quota[kQuotaGovernment].ever_active);
  rec.set_indicator(i_quota_, s.quota[kQuotaMarket].ever_active || s.quota[kQuotaGovernment].ever_active ||
                                  s.quota[kQuotaNational].ever_active);
  rec.set_indicator(i_quota_in_force_, s.quota_in_force);  // the last simulated year is the target year
}

}  // namespace banensim::models
