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

// The scale of a path's shock sds: sqrt(nu / X), X a sum of nu squared
// standard normals (chi-square with nu degrees of freedom), so that sigma^2
// times the squared scale is a scaled inverse-chi-square draw around the
// estimate; nu = 0: no draw, 1.
double scale_draw(engine::RandomStream stream, int nu) {
  if (nu <= 0) return 1.0;
  double x = 0;
  for (int i = 0; i < nu; ++i) {
    const double z = stream.normal();
    x += z * z;
  }
  return std::sqrt(static_cast<double>(nu) / x);
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
  if (!(capacity > 0)) return 0.0;
  const double used = std::max(0.0, extra_jobs) / capacity;
  return std::max(0.0, 1.0 - std::pow(used, shape));
}

double quota_response_rate(double charge_per_job, double response_max, double response_half) noexcept {
  const double i = std::max(0.0, charge_per_job);
  return response_max * i / (i + response_half);
}

double RegisterPath::at(double x, double growth) const {
  if (x >= knots.back().x) return knots.back().value + growth * (x - knots.back().x);
  if (x <= knots.front().x) return knots.front().value;
  std::size_t i = 1;
  while (knots[i].x < x) ++i;
  const TimedValue& a = knots[i - 1];
  const TimedValue& b = knots[i];
  return a.value + (b.value - a.value) * (x - a.x) / (b.x - a.x);
}

RegisterPath register_path(const BanenafspraakParams& p, int origin) {
  RegisterPath r;
  r.knots.push_back({static_cast<double>(kBaselineYear), p.supply.register_at_baseline, 0});
  for (const TimedValue& v : p.trend_reports.register_persons) {
    if (v.x > kBaselineYear && v.x <= origin) r.knots.push_back(v);
  }
  return r;
}

double key_extrapolated(const KeySamples& samples, int origin, double year, double drift) {
  // The samples known at the origin: those of the years up to it.
  std::size_t n_known = 0;
  while (n_known < samples.samples.size() && samples.samples[n_known].year <= origin) ++n_known;
  if (n_known == 0) return samples.samples.front().government_share;  // none yet: the first there is
  const KeySample& first = samples.samples.front();
  const KeySample& last = samples.samples[n_known - 1];
  if (year <= first.year) return first.government_share;
  if (year >= last.year) return last.government_share + drift * (year - last.year);
  std::size_t i = 1;
  while (samples.samples[i].year < year) ++i;
  const KeySample& a = samples.samples[i - 1];
  const KeySample& b = samples.samples[i];
  return a.government_share + (b.government_share - a.government_share) * (year - a.year) / (b.year - a.year);
}

BanenafspraakModel::BanenafspraakModel(BanenafspraakParams params) : p_(std::move(params)) {
  const int t0 = p_.origin_year;
  const int horizon = p_.horizon_year;
  const bool baseline = t0 == kBaselineYear;

  observed_first_reached_ = kNaN;
  if (!baseline) {
    for (const auto& h : p_.observed.years) {
      if (h.year == t0) {
        origin_market_ = h.market_counted;
        origin_government_ = h.government_counted;
      }
      if (h.year <= t0 && std::isnan(observed_first_reached_) && h.total_counted >= p_.target.total_jobs) {
        observed_first_reached_ = h.year;
      }
    }
  }

  for (int y = t0 + 1; y <= horizon; ++y) layout_.step_labels.push_back(std::to_string(y));
  // Summaries (sweep and study outputs) report the target year by default.
  if (p_.target.year > t0) layout_.headline_step = static_cast<std::size_t>(p_.target.year - t0 - 1);
  layout_.series = {
      {"total", "extra jobs", -100000, 400000, 2000},
      {"market", "extra jobs", -100000, 400000, 2000},
      {"government", "extra jobs", -50000, 100000, 1500},
  };
  // First year reached: one bin per year, from the first simulated year (or
  // the observed year that reached it) to the horizon.
  const int first_low = std::isnan(observed_first_reached_) ? t0 + 1 : static_cast<int>(observed_first_reached_);
  layout_.scalars = {
      {"first_year_reached", "year", static_cast<double>(first_low), static_cast<double>(horizon + 1),
       static_cast<std::size_t>(horizon + 1 - first_low), true, true},
      {"quota_charge_total_eur", "EUR", -2e9, 6e9, 8000, false},
  };
  layout_.indicators = {
      {"reach_target", "total reaches the target in the target year"},
      {"market_meets_target", "market meets its own target in the target year"},
      {"government_meets_target", "government meets its own target in the target year"},
      {"quota_in_force_target_year", "a quota is active in the target year"},
      {"charge_owed", "a levy or surcharge is owed for some simulated year"},
  };
  i_total_ = layout_.series_index("total");
  i_market_ = layout_.series_index("market");
  i_government_ = layout_.series_index("government");
  i_first_ = layout_.scalar_index("first_year_reached");
  i_charge_ = layout_.scalar_index("quota_charge_total_eur");
  i_reach_ = layout_.indicator_index("reach_target");
  i_market_met_ = layout_.indicator_index("market_meets_target");
  i_government_met_ = layout_.indicator_index("government_meets_target");
  i_quota_in_force_ = layout_.indicator_index("quota_in_force_target_year");
  i_charge_owed_ = layout_.indicator_index("charge_owed");

  shock_factor_ = factor(correlation_matrix(p_));
  const auto& loading = p_.cycle.loading;
  cycle_loading_ = {loading.market, loading.government, loading.government, loading.inleen};

  // The rules of every simulated year.
  const RegisterPath reg = register_path(p_, t0);
  const auto& quota = p_.quota;
  for (int y = t0 + 1; y <= horizon; ++y) {
    const Regime regime = regime_in(p_, y);
    YearRules r;
    r.reset = !regime.same_rules_as(regime_in(p_, y - 1));
    r.national = regime.national;
    r.at_buyer = p_.policy.purchase_at_buyer.active(y);
    r.no_security = p_.policy.exclude_security.active(y);
    r.charged = regime.law->charged;
    r.levy = regime.law->instrument == Instrument::kLevy;
    const double price = r.levy ? quota.levy_per_job_eur : quota.bonus_per_job_eur;
    r.charge_per_job = r.charged ? price * quota.liable_share : 0.0;
    r.response_rate = quota_response_rate(r.charge_per_job, quota.response_max, quota.response_half_eur);
    r.activation_lag = p_.law_timeline.in_force(y + 1).activation_lag_years;
    r.market_target = market_target(y);
    r.government_target_full = government_target(y);
    r.government_target =
        r.government_target_full * (r.no_security ? 1.0 - p_.policy.exclude_security.base_share : 1.0);
    const double x = y - 1;  // the register at the end of the year before
    r.register_base = reg.at(std::min(x, reg.last_x()), 0.0);
    r.register_years_after = std::max(0.0, x - reg.last_x());
    rules_.push_back(r);
  }

  origin_quotas_ = replay_quotas(p_, t0);

  // Hired-in jobs at the origin: the observation there, or the last one
  // before it (the baseline's 0 when there is none) to bridge from.
  inleen_last_ = 0;
  double x_last = kBaselineYear;
  for (const TimedValue& v : p_.trend_reports.inleen) {
    if (v.x <= t0) {
      inleen_last_ = v.value;
      x_last = v.x;
    }
  }
  inleen_gap_ = baseline ? 0.0 : t0 - x_last;
  if (baseline) inleen_last_ = 0;
  const double cycle_part = p_.cycle.loading.inleen * std::abs(p_.growth.inleen.trend_mean) * p_.cycle.sd;
  inleen_bridge_sd_ = std::sqrt(p_.growth.inleen.volatility * p_.growth.inleen.volatility + cycle_part * cycle_part);
  key_at_origin_ = key_extrapolated(p_.key_samples, t0, t0, p_.inleen.key_drift_per_year);
}

double BanenafspraakModel::market_target(int year) const { return models::market_target(p_.legal_targets, year); }
double BanenafspraakModel::government_target(int year) const {
  return models::government_target(p_.legal_targets, year);
}

void BanenafspraakModel::begin_path(State& s, const engine::PathRandom& rng, engine::PathRecord&) const {
  const int t0 = p_.origin_year;
  const bool baseline = t0 == kBaselineYear;

  // Parameter uncertainty. The scale draws first: the shock sds are
  // themselves estimated from few increments, and the trends' standard
  // errors grow with the drawn scale (normal-inverse-chi-square).
  const double g_regular = scale_draw(rng.stream(kScaleRegularStream), p_.uncertainty.dof.regular);
  const double g_inleen = scale_draw(rng.stream(kScaleInleenStream), p_.uncertainty.dof.inleen);
  auto trend = rng.stream(kTrendStream);
  const double z_market = trend.normal();
  const double z_other = trend.normal();
  const double z_inleen = trend.normal();
  const double rho = p_.shocks.correlation.market_government;
  const double z_government = rho * z_market + std::sqrt(std::max(0.0, 1.0 - rho * rho)) * z_other;
  const std::array<double, kNumComponents> z = {z_market, z_government, z_government, z_inleen};
  const std::array<double, kNumComponents> g = {g_regular, g_regular, g_regular, g_inleen};
  for (std::size_t c = 0; c < kNumComponents; ++c) {
    s.trend[c] = p_.growth[c].trend_mean + p_.growth[c].trend_sd * g[c] * z[c];
    s.volatility[c] = p_.growth[c].volatility * g[c];
  }
  // The regular trends are estimated as the counted sectors' trends less the
  // key's share of the hired-in trend (MODEL.md §7), so their errors carry
  // minus that share of the hired-in trend's error: a hired-in trend drawn
  // high moves jobs from regular to hired-in, it adds none to a sector's
  // count, whose trend uncertainty the sector fit already measures.
  const double inleen_trend_error = s.trend[kInleen] - p_.growth[kInleen].trend_mean;
  const double security = p_.composition.security_share;
  s.trend[kMarketRegular] -= (1.0 - key_at_origin_) * inleen_trend_error;
  s.trend[kGovSecurity] -= security * key_at_origin_ * inleen_trend_error;
  s.trend[kGovOther] -= (1.0 - security) * key_at_origin_ * inleen_trend_error;
  s.register_growth =
      p_.supply.register_growth_per_year + p_.supply.register_growth_sd * rng.stream(kRegisterStream).normal();

  // Hired-in jobs at the origin: observed, or bridged from the last
  // observation with this path's trend and its increments' spread.
  double inleen = inleen_last_;
  if (inleen_gap_ > 0) {
    inleen += s.trend[kInleen] * inleen_gap_ +
              inleen_bridge_sd_ * g_inleen * std::sqrt(inleen_gap_) * rng.stream(kInleenOriginStream).normal();
    inleen = std::max(p_.inleen.floor_jobs, inleen);
  }
  s.gov_share = clamp01(key_at_origin_ + p_.inleen.government_share_sd * rng.stream(kGovShareStream).normal());
  s.cycle = p_.cycle.sd * rng.stream(kCycleInitialStream).normal();

  // Split the observed sector counts at the origin into components, so that
  // the origin's measurement is reproduced exactly.
  const double gov_regular = origin_government_ - s.gov_share * inleen;
  s.purchased = baseline ? 0.0 : p_.purchasing.jobs_at_origin;
  s.jobs[kMarketRegular] = origin_market_ - (1.0 - s.gov_share) * inleen - s.purchased;
  s.jobs[kGovSecurity] = p_.composition.security_share * gov_regular;
  s.jobs[kGovOther] = (1.0 - p_.composition.security_share) * gov_regular;
  s.jobs[kInleen] = inleen;

  // Quota states at the origin; a miss not yet decided is activated on this
  // path with the activation probability.
  s.quota = origin_quotas_.state;
  static constexpr engine::StreamId kActivation[] = {kActivationMarket, kActivationGovernment, kActivationNational};
  for (std::size_t q = 0; q < kNumQuotas; ++q) {
    if (origin_quotas_.undecided_from[q] == 0) continue;
    if (rng.stream(kActivation[q], static_cast<std::uint64_t>(t0)).uniform() < p_.quota.activation_probability) {
      s.quota[q].pending_from = origin_quotas_.undecided_from[q];
    }
  }
  s.charge_eur = 0;
  s.charge_owed = false;
  s.first_reached = kNaN;
  s.reach = s.market_met = s.government_met = s.quota_in_force_target = false;
}

void BanenafspraakModel::step(State& s, std::size_t i_step, const engine::PathRandom& rng,
                              engine::PathRecord& rec) const {
  const int year = p_.origin_year + 1 + static_cast<int>(i_step);
  const auto substream = static_cast<std::uint64_t>(year);
  const YearRules& r = rules_[i_step];

  // Quota states at the start of the year: a new regime's rules apply only
  // from its first year (every quota reset), then activations take effect.
  if (r.reset) s.quota = {};
  bool in_force = false;
  for (auto& q : s.quota) {
    if (q.pending_from != 0 && year >= q.pending_from) {
      q.active = true;
      q.pending_from = 0;
    }
    in_force = in_force || q.active;
  }
  if (in_force && r.charged) s.charge_owed = true;

  // Every draw of the year is taken whether or not a lever uses it, so the
  // streams stay aligned across scenarios.
  auto cycle_stream = rng.stream(kCycleStream, substream);
  const double eta = cycle_stream.normal();
  auto shock_stream = rng.stream(kShockStream, substream);
  std::array<double, kNumComponents> z{};
  for (double& v : z) v = shock_stream.normal();
  const double key_z = rng.stream(kKeyStream, substream).normal();
  const double drift_z = rng.stream(kKeyDriftStream, substream).normal();
  const double u_market = rng.stream(kActivationMarket, substream).uniform();
  const double u_government = rng.stream(kActivationGovernment, substream).uniform();
  const double u_national = rng.stream(kActivationNational, substream).uniform();

  const double phi = p_.cycle.persistence;
  s.cycle = phi * s.cycle + std::sqrt(1.0 - phi * phi) * p_.cycle.sd * eta;

  // Supply: what the register (at the end of last year) can still fill.
  const auto& supply = p_.supply;
  const double extra = s.jobs[0] + s.jobs[1] + s.jobs[2] + s.jobs[3] + s.purchased;
  const double reg = r.register_base + s.register_growth * r.register_years_after;
  const double capacity = supply.jobs_per_worker * supply.max_working_share * reg - supply.baseline_jobs;
  const double f = supply_factor(extra, capacity, supply.shape);

  // Lever multipliers on the regular trends (hired-in jobs have none: a
  // relative gain on a shrinking channel would speed its fall).
  std::array<double, kNumComponents> lever{1.0, 1.0, 1.0, 1.0};
  if (r.national) {
    for (std::size_t c = 0; c < kInleen; ++c) lever[c] *= 1.0 + p_.policy.abolish_split.friction_gain;
    lever[kGovSecurity] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
    lever[kGovOther] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
  }
  if (r.no_security) lever[kGovSecurity] *= 1.0 + p_.policy.exclude_security.security_growth_change;

  // Behavioural response to the quotas active this year, driven by what a
  // missing job costs an employer: a share of the last measured shortfall,
  // limited by supply like any other hiring.
  std::array<double, kNumComponents> response{};
  auto response_of = [&](std::size_t q) {
    return s.quota[q].active ? r.response_rate * f * s.quota[q].last_shortfall : 0.0;
  };
  const double r_market = response_of(kQuotaMarket);
  const double r_government = response_of(kQuotaGovernment);
  const double r_national = response_of(kQuotaNational);
  const double w_government = r.market_target + r.government_target_full > 0
                                  ? r.government_target_full / (r.market_target + r.government_target_full)
                                  : 0.0;
  const double security_part = r.no_security ? 0.0 : p_.composition.security_share;
  response[kMarketRegular] = r_market + (1.0 - w_government) * r_national;
  response[kGovSecurity] = security_part * (r_government + w_government * r_national);
  response[kGovOther] = (1.0 - security_part) * (r_government + w_government * r_national);

  // Insourcing moves supplier jobs into government without adding any.
  const double insourcing =
      (r.at_buyer && p_.policy.purchase_at_buyer.stop_insourcing)
          ? 0.0
          : std::min(p_.purchasing.insourcing_per_year, std::max(0.0, s.purchased));
  const double procurement = r.at_buyer ? p_.policy.purchase_at_buyer.procurement_gain_per_year * f : 0.0;

  // Growth. The cycle moves a trend by its loading times the trend's size,
  // so that a downturn lowers growth whatever the trend's sign.
  for (std::size_t c = 0; c < kNumComponents; ++c) {
    double e = 0.0;
    for (std::size_t j = 0; j < kNumComponents; ++j) e += shock_factor_[c * kNumComponents + j] * z[j];
    const double trend = s.trend[c] + cycle_loading_[c] * std::abs(s.trend[c]) * s.cycle;
    if (c == kInleen) {
      // Hired-in jobs follow their own trend, not supply-scaled: they shrink
      // as agencies and sheltered work shrink, down to the floor.
      s.jobs[c] = std::max(p_.inleen.floor_jobs, s.jobs[c] + trend + s.volatility[c] * e);
    } else {
      s.jobs[c] += f * trend * lever[c] + s.volatility[c] * e + response[c];
    }
  }
  s.jobs[kGovOther] += insourcing;
  s.purchased += procurement - insourcing;

  // Measurement at the end of the year. The true share drifts; the SEO key
  // is a sample of it. Once the split is gone there is no key: the sector
  // figures then show the true shares.
  s.gov_share = clamp01(s.gov_share + p_.inleen.key_drift_per_year + p_.inleen.key_drift_sd * drift_z);
  const double key = clamp01(s.gov_share + p_.inleen.key_sample_sd * key_z);
  const double share = r.national ? s.gov_share : key;
  const double inleen = s.jobs[kInleen];
  const double market_count = s.jobs[kMarketRegular] + (1.0 - share) * inleen + (r.at_buyer ? 0.0 : s.purchased);
  const double government_count =
      s.jobs[kGovSecurity] + s.jobs[kGovOther] + share * inleen + (r.at_buyer ? s.purchased : 0.0);
  const double government_quota_count = government_count - (r.no_security ? s.jobs[kGovSecurity] : 0.0);
  const double total = market_count + government_count;
  const double national_target = r.market_target + r.government_target;
  const double national_count = market_count + government_quota_count;

  // What the quotas active this year owe: a levy on the employers'
  // shortfalls (no offsetting), or the surcharge net of the bonus, in
  // balance at the quota (negative: a net bonus).
  if (r.charged) {
    const double d = p_.quota.employer_dispersion;
    const auto owed = [&](double target, double counted) {
      return r.charge_per_job * (r.levy ? gross_shortfall(target, counted, d) : target - counted);
    };
    if (s.quota[kQuotaMarket].active) s.charge_eur += owed(r.market_target, market_count);
    if (s.quota[kQuotaGovernment].active) s.charge_eur += owed(r.government_target, government_quota_count);
    if (s.quota[kQuotaNational].active) s.charge_eur += owed(national_target, national_count);
  }

  // Measured against the targets: a miss may activate a quota, in force
  // `activation_lag` years after the missed measurement.
  auto measure = [&](QuotaState& q, double target, double counted, double u) {
    q.last_shortfall = std::max(0.0, target - counted);
    if (target > 0 && counted < target) {
      if (!q.active && q.pending_from == 0 && u < p_.quota.activation_probability) {
        q.pending_from = year + r.activation_lag;
      }
    } else if (p_.quota.deactivate_when_met) {
      q.active = false;
      q.pending_from = 0;
    }
  };
  if (r.national) {
    measure(s.quota[kQuotaNational], national_target, national_count, u_national);
  } else {
    measure(s.quota[kQuotaMarket], r.market_target, market_count, u_market);
    measure(s.quota[kQuotaGovernment], r.government_target, government_quota_count, u_government);
  }

  rec.series(i_total_, i_step) = total;
  rec.series(i_market_, i_step) = market_count;
  rec.series(i_government_, i_step) = government_count;
  if (std::isnan(s.first_reached) && total >= p_.target.total_jobs) s.first_reached = year;
  if (year == p_.target.year) {
    s.reach = total >= p_.target.total_jobs;
    s.market_met = market_count >= r.market_target;
    s.government_met = government_quota_count >= r.government_target;
    s.quota_in_force_target = in_force;
  }
}

void BanenafspraakModel::end_path(State& s, const engine::PathRandom&, engine::PathRecord& rec) const {
  rec.scalar(i_first_) = std::isnan(observed_first_reached_) ? s.first_reached : observed_first_reached_;
  rec.scalar(i_charge_) = s.charge_eur;
  rec.set_indicator(i_reach_, s.reach);
  rec.set_indicator(i_market_met_, s.market_met);
  rec.set_indicator(i_government_met_, s.government_met);
  rec.set_indicator(i_quota_in_force_, s.quota_in_force_target);
  rec.set_indicator(i_charge_owed_, s.charge_owed);
}

}  // namespace banensim::models
