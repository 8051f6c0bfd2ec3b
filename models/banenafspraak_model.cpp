#include "models/banenafspraak_model.hpp"

#include "models/banenafspraak_streams.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Dense>

#include "engine/simd.hpp"

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

// The scale of a path's shock sds: sqrt(nu / X), X the sum of the squares
// of nu standard normals z[j * stride + lane] (chi-square with nu degrees of
// freedom), so that sigma^2 times the squared scale is a scaled
// inverse-chi-square draw around the estimate; nu = 0: no draw, 1.
void scale_draws(const double* z, std::size_t stride, int nu, std::size_t n, double* out) {
  if (nu <= 0) {
    std::fill_n(out, n, 1.0);
    return;
  }
  std::fill_n(out, n, 0.0);
  for (int j = 0; j < nu; ++j) {
    const double* row = z + static_cast<std::size_t>(j) * stride;
    for (std::size_t lane = 0; lane < n; ++lane) out[lane] += row[lane] * row[lane];
  }
  const double dof = nu;
  for (std::size_t lane = 0; lane < n; ++lane) out[lane] = std::sqrt(dof / out[lane]);
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
  // The default shape 2 as a product: the same square (pow is accurate to
  // ~0.5 ulp, the product correctly rounded), at a fraction of pow's cost in
  // the model's innermost loop.
  return std::max(0.0, 1.0 - (shape == 2.0 ? used * used : std::pow(used, shape)));
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

BanenafspraakModel::BatchState::BatchState(std::size_t max_lanes) {
  const std::size_t n = engine::padded_lanes(max_lanes);
  for (Rows<double>* rows : {&jobs, &trend, &volatility}) {
    for (std::vector<double>& row : *rows) row.assign(n, 0.0);
  }
  for (std::vector<double>* v :
       {&purchased, &register_growth, &gov_share, &cycle, &charge_eur, &charge_owed, &first_reached, &reach,
        &market_met, &government_met, &quota_in_force_target, &g_regular, &g_inleen, &supply}) {
    v->assign(n, 0.0);
  }
  for (std::size_t q = 0; q < kNumQuotas; ++q) {
    active[q].assign(n, 0.0);
    pending_from[q].assign(n, 0.0);
    last_shortfall[q].assign(n, 0.0);
    response_base[q].assign(n, 0.0);
  }
}

BanenafspraakModel::BatchState BanenafspraakModel::make_batch_state(std::size_t max_lanes) const {
  return BatchState(max_lanes);
}

void BanenafspraakModel::begin_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord&) const {
  const int t0 = p_.origin_year;
  const bool baseline = t0 == kBaselineYear;
  const std::size_t n = rng.n_lanes();
  const std::size_t stride = rng.stride();

  // Parameter uncertainty. The scale draws first: the shock sds are
  // themselves estimated from few increments, and the trends' standard
  // errors grow with the drawn scale (normal-inverse-chi-square).
  const int nu_regular = p_.uncertainty.dof.regular;
  const int nu_inleen = p_.uncertainty.dof.inleen;
  // (Each request's rows are used before the next one: BlockRandom::draw_rows.
  // With no scale uncertainty, nu = 0, nothing is drawn and the scale is 1.)
  scale_draws(nu_regular > 0 ? rng.normal_rows(kScaleRegular, 0, static_cast<std::size_t>(nu_regular)) : nullptr,
              stride, nu_regular, n, s.g_regular.data());
  scale_draws(nu_inleen > 0 ? rng.normal_rows(kScaleInleen, 0, static_cast<std::size_t>(nu_inleen)) : nullptr,
              stride, nu_inleen, n, s.g_inleen.data());

  const double* path_rows = rng.draw_rows(kPath, 0, kPathKinds);
  const auto row = [&](std::size_t j) { return path_rows + j * stride; };
  const double* z_market_row = row(kTrendMarket);
  const double* z_other_row = row(kTrendOther);
  const double* z_inleen_row = row(kTrendInleen);
  const double* z_register = row(kRegister);
  const double* z_gov_share = row(kGovShare);
  const double* z_cycle = row(kCycleInitial);
  const double* z_bridge = row(kInleenOrigin);

  const double rho = p_.shocks.correlation.market_government;
  const double rho_other = std::sqrt(std::max(0.0, 1.0 - rho * rho));
  const double security = p_.composition.security_share;
  const double purchased = baseline ? 0.0 : p_.purchasing.jobs_at_origin;
  const double sqrt_gap = std::sqrt(inleen_gap_);
  for (std::size_t lane = 0; lane < n; ++lane) {
    const double g_regular = s.g_regular[lane];
    const double g_inleen = s.g_inleen[lane];
    const double z_market = z_market_row[lane];
    const double z_government = rho * z_market + rho_other * z_other_row[lane];
    const std::array<double, kNumComponents> z = {z_market, z_government, z_government, z_inleen_row[lane]};
    const std::array<double, kNumComponents> g = {g_regular, g_regular, g_regular, g_inleen};
    std::array<double, kNumComponents> trend{};
    for (std::size_t c = 0; c < kNumComponents; ++c) {
      trend[c] = p_.growth[c].trend_mean + p_.growth[c].trend_sd * g[c] * z[c];
      s.volatility[c][lane] = p_.growth[c].volatility * g[c];
    }
    // The regular trends are estimated as the counted sectors' trends less
    // the key's share of the hired-in trend (MODEL.md §7), so their errors
    // carry minus that share of the hired-in trend's error: a hired-in trend
    // drawn high moves jobs from regular to hired-in, it adds none to a
    // sector's count, whose trend uncertainty the sector fit already measures.
    const double inleen_trend_error = trend[kInleen] - p_.growth[kInleen].trend_mean;
    trend[kMarketRegular] -= (1.0 - key_at_origin_) * inleen_trend_error;
    trend[kGovSecurity] -= security * key_at_origin_ * inleen_trend_error;
    trend[kGovOther] -= (1.0 - security) * key_at_origin_ * inleen_trend_error;
    for (std::size_t c = 0; c < kNumComponents; ++c) s.trend[c][lane] = trend[c];
    s.register_growth[lane] = p_.supply.register_growth_per_year + p_.supply.register_growth_sd * z_register[lane];

    // Hired-in jobs at the origin: observed, or bridged from the last
    // observation with this path's trend and its increments' spread.
    double inleen = inleen_last_;
    if (inleen_gap_ > 0) {
      inleen += trend[kInleen] * inleen_gap_ + inleen_bridge_sd_ * g_inleen * sqrt_gap * z_bridge[lane];
      inleen = std::max(p_.inleen.floor_jobs, inleen);
    }
    const double gov_share = clamp01(key_at_origin_ + p_.inleen.government_share_sd * z_gov_share[lane]);
    s.gov_share[lane] = gov_share;
    s.cycle[lane] = p_.cycle.sd * z_cycle[lane];

    // Split the observed sector counts at the origin into components, so
    // that the origin's measurement is reproduced exactly.
    const double gov_regular = origin_government_ - gov_share * inleen;
    s.purchased[lane] = purchased;
    s.jobs[kMarketRegular][lane] = origin_market_ - (1.0 - gov_share) * inleen - purchased;
    s.jobs[kGovSecurity][lane] = security * gov_regular;
    s.jobs[kGovOther][lane] = (1.0 - security) * gov_regular;
    s.jobs[kInleen][lane] = inleen;

    s.charge_eur[lane] = 0;
    s.charge_owed[lane] = 0;
    s.first_reached[lane] = kNaN;
    s.reach[lane] = s.market_met[lane] = s.government_met[lane] = s.quota_in_force_target[lane] = 0;
  }

  // Quota states at the origin; a miss not yet decided is activated on this
  // path with the activation probability.
  for (std::size_t q = 0; q < kNumQuotas; ++q) {
    const QuotaState& o = origin_quotas_.state[q];
    const int undecided = origin_quotas_.undecided_from[q];
    const double* u = row(kActivationOriginMarket + q);
    for (std::size_t lane = 0; lane < n; ++lane) {
      s.active[q][lane] = o.active ? 1.0 : 0.0;
      s.last_shortfall[q][lane] = o.last_shortfall;
      s.pending_from[q][lane] =
          undecided != 0 && u[lane] < p_.quota.activation_probability ? undecided : o.pending_from;
    }
  }
}

namespace {

// What the vector part of a year reads and writes: lane arrays (each
// padded, the loop runs over whole vectors) and the year's constants.
struct GrowthLanes {
  double* jobs[kNumComponents];
  const double* trend[kNumComponents];
  const double* volatility[kNumComponents];
  double* purchased;
  double* cycle;
  double* gov_share;
  const double* register_growth;
  const double* supply;  // the supply factor computed beforehand, or nullptr: computed here (shape 2)
  const double* response_base[kNumQuotas];
  const double* eta;
  const double* z[kNumComponents];
  const double* key;
  const double* drift;
  double* total;
  double* market;
  double* government;
  double phi, cycle_innovation_sd;
  double register_base, register_years_after, jobs_per_register, baseline_jobs;
  std::array<double, kNumComponents> lever;
  double response_rate, w_government, security_part;
  bool stop_insourcing, at_buyer, national;
  double insourcing_per_year, procurement_gain, floor_jobs;
  double key_drift, key_drift_sd, key_sample_sd;
  std::array<double, kNumComponents * kNumComponents> shock_factor;
  std::array<double, kNumComponents> cycle_loading;
};

// The year's cycle, supply factor, quota response, growth and measured
// counts for every lane, 4 lanes per vector (engine/simd.hpp): each lane
// the same IEEE operations, in the same order, as docs/MODEL.md §4 written
// out per path, so the numbers do not depend on the vector width.
BANENSIM_LANE_KERNEL void grow_lanes(const GrowthLanes& g, std::size_t stride) {
  using namespace engine::simd;
  const Doubles zero = splat(0.0), one = splat(1.0);
  for (std::size_t i = 0; i < stride; i += kWidth) {
    const Doubles cycle = splat(g.phi) * load(g.cycle + i) + splat(g.cycle_innovation_sd) * load(g.eta + i);
    store(g.cycle + i, cycle);

    // Supply: what the register (at the end of last year) can still fill.
    Doubles jobs[kNumComponents];
    for (std::size_t c = 0; c < kNumComponents; ++c) jobs[c] = load(g.jobs[c] + i);
    Doubles purchased = load(g.purchased + i);
    Doubles f;
    if (g.supply != nullptr) {
      f = load(g.supply + i);
    } else {
      const Doubles extra = jobs[0] + jobs[1] + jobs[2] + jobs[3] + purchased;
      const Doubles reg = splat(g.register_base) + load(g.register_growth + i) * splat(g.register_years_after);
      const Doubles capacity = splat(g.jobs_per_register) * reg - splat(g.baseline_jobs);
      const Doubles used = max(extra, zero) / capacity;
      f = select(capacity > zero, max(one - used * used, zero), zero);
    }

    // Behavioural response to the quotas active this year.
    const Doubles rate_f = splat(g.response_rate) * f;
    const Doubles r_market = rate_f * load(g.response_base[0] + i);
    const Doubles r_government = rate_f * load(g.response_base[1] + i);
    const Doubles r_national = rate_f * load(g.response_base[2] + i);
    const Doubles w = splat(g.w_government);
    Doubles response[kNumComponents];
    response[kMarketRegular] = r_market + splat(1.0 - g.w_government) * r_national;
    response[kGovSecurity] = splat(g.security_part) * (r_government + w * r_national);
    response[kGovOther] = splat(1.0 - g.security_part) * (r_government + w * r_national);
    response[kInleen] = zero;

    const Doubles insourcing = g.stop_insourcing ? zero : min(max(purchased, zero), splat(g.insourcing_per_year));
    const Doubles procurement = g.at_buyer ? splat(g.procurement_gain) * f : zero;

    // Growth.
    Doubles z[kNumComponents];
    for (std::size_t j = 0; j < kNumComponents; ++j) z[j] = load(g.z[j] + i);
    for (std::size_t c = 0; c < kNumComponents; ++c) {
      Doubles e = zero;
      for (std::size_t j = 0; j < kNumComponents; ++j) e = e + splat(g.shock_factor[c * kNumComponents + j]) * z[j];
      const Doubles own = load(g.trend[c] + i);
      const Doubles trend = own + splat(g.cycle_loading[c]) * max(own, -own) * cycle;  // |own|
      const Doubles shock = load(g.volatility[c] + i) * e;
      if (c == kInleen) {
        jobs[c] = max(jobs[c] + trend + shock, splat(g.floor_jobs));
      } else {
        jobs[c] = jobs[c] + (f * trend * splat(g.lever[c]) + shock + response[c]);
      }
    }
    jobs[kGovOther] = jobs[kGovOther] + insourcing;
    purchased = purchased + (procurement - insourcing);
    for (std::size_t c = 0; c < kNumComponents; ++c) store(g.jobs[c] + i, jobs[c]);
    store(g.purchased + i, purchased);

    // Measurement at the end of the year.
    const Doubles gov_share =
        min(max(load(g.gov_share + i) + splat(g.key_drift) + splat(g.key_drift_sd) * load(g.drift + i), zero), one);
    store(g.gov_share + i, gov_share);
    const Doubles key = min(max(gov_share + splat(g.key_sample_sd) * load(g.key + i), zero), one);
    const Doubles share = g.national ? gov_share : key;
    const Doubles inleen = jobs[kInleen];
    const Doubles market_count = jobs[kMarketRegular] + (one - share) * inleen + (g.at_buyer ? zero : purchased);
    const Doubles government_count =
        jobs[kGovSecurity] + jobs[kGovOther] + share * inleen + (g.at_buyer ? purchased : zero);
    store(g.market + i, market_count);
    store(g.government + i, government_count);
    store(g.total + i, market_count + government_count);
  }
}

// What the quota rules of a year read and write (docs/MODEL.md §4.1, §4.11
// for a surcharge, §4.12, §4.13): lane arrays, padded as GrowthLanes', and
// the year's constants.
struct QuotaLanes {
  double* active[kNumQuotas];
  double* pending_from[kNumQuotas];
  double* last_shortfall[kNumQuotas];
  double* response_base[kNumQuotas];
  const double* u[kNumQuotas];  // the year's activation uniforms
  double* charge_owed;
  double* quota_in_force_target;
  double* charge_eur;
  double* first_reached;
  double* reach;
  double* market_met;
  double* government_met;
  const double* total;
  const double* market;
  const double* government;
  const double* security;
  int year;
  bool reset, charged, target_year;
  bool national, no_security, surcharge, deactivate_when_met;
  double charge_per_job, market_target, government_target, target_total;
  double activation_probability, pending_when_missed;
};

// max(0, x) as std::max(0.0, x) computes it: x where 0 < x, else +0.
[[gnu::always_inline]] inline engine::simd::Doubles positive_part(engine::simd::Doubles x) noexcept {
  using namespace engine::simd;
  return select(splat(0.0) < x, x, splat(0.0));
}

// The quota states at the start of the year: reset under a new regime,
// pending activations take effect; the shortfall the response sees; whether
// a charged instrument is in force.
BANENSIM_LANE_KERNEL void start_quota_lanes(const QuotaLanes& g, std::size_t stride) {
  using namespace engine::simd;
  const Doubles zero = splat(0.0), one = splat(1.0), year = splat(static_cast<double>(g.year));
  for (std::size_t i = 0; i < stride; i += kWidth) {
    Mask in_force = zero != zero;
    for (std::size_t q = 0; q < kNumQuotas; ++q) {
      Doubles active = load(g.active[q] + i);
      Doubles pending = load(g.pending_from[q] + i);
      Doubles shortfall = load(g.last_shortfall[q] + i);
      if (g.reset) active = pending = shortfall = zero;
      const Mask takes_effect = (pending != zero) & (year >= pending);
      active = select(takes_effect, one, active);
      pending = select(takes_effect, zero, pending);
      const Mask is_active = active != zero;
      in_force |= is_active;
      store(g.active[q] + i, active);
      store(g.pending_from[q] + i, pending);
      store(g.last_shortfall[q] + i, shortfall);
      store(g.response_base[q] + i, select(is_active, shortfall, zero));
    }
    if (g.charged) store(g.charge_owed + i, select(in_force, one, load(g.charge_owed + i)));
    if (g.target_year) store(g.quota_in_force_target + i, one_if(in_force));
  }
}

// One quota measured against its target in lanes i .. i + kWidth - 1: the
// shortfall; a miss may activate it, in force `activation_lag` years after
// the missed measurement; a met target deactivates it.
[[gnu::always_inline]] inline void measure_quota(const QuotaLanes& g, std::size_t i, std::size_t q,
                                                 double target_value, engine::simd::Doubles counted) noexcept {
  using namespace engine::simd;
  const Doubles zero = splat(0.0), target = splat(target_value);
  store(g.last_shortfall[q] + i, positive_part(target - counted));
  Doubles active = load(g.active[q] + i);
  Doubles pending = load(g.pending_from[q] + i);
  const Mask missed = target_value > 0 ? counted < target : zero != zero;
  const Mask activates =
      missed & (active == zero) & (pending == zero) & (load(g.u[q] + i) < splat(g.activation_probability));
  pending = select(activates, splat(g.pending_when_missed), pending);
  if (g.deactivate_when_met) {
    active = select(missed, active, zero);
    pending = select(missed, pending, zero);
  }
  store(g.active[q] + i, active);
  store(g.pending_from[q] + i, pending);
}

// The end of the year: the surcharge owed by the quotas active in it (a
// levy is added per lane beforehand), each quota measured against its
// target (a miss may activate it, a met target deactivates it), the first
// year the total reaches its target and the target year's outcomes.
BANENSIM_LANE_KERNEL void measure_quota_lanes(const QuotaLanes& g, std::size_t stride) {
  using namespace engine::simd;
  const Doubles zero = splat(0.0);
  const Doubles market_target = splat(g.market_target), government_target = splat(g.government_target);
  const Doubles national_target = splat(g.market_target + g.government_target);
  const Doubles year = splat(static_cast<double>(g.year));
  for (std::size_t i = 0; i < stride; i += kWidth) {
    const Doubles total = load(g.total + i);
    const Doubles market_count = load(g.market + i);
    const Doubles government_count = load(g.government + i);
    const Doubles government_quota_count =
        g.no_security ? government_count - load(g.security + i) : government_count - zero;
    const Doubles national_count = market_count + government_quota_count;

    // The surcharge net of the bonus, in balance at the quota (negative: a
    // net bonus).
    if (g.surcharge) {
      const Doubles per_job = splat(g.charge_per_job);
      Doubles charge = load(g.charge_eur + i);
      const Doubles targets[kNumQuotas] = {market_target, government_target, national_target};
      const Doubles counts[kNumQuotas] = {market_count, government_quota_count, national_count};
      for (std::size_t q = 0; q < kNumQuotas; ++q) {  // market, government, national: the order of §4.11
        charge = select(load(g.active[q] + i) != zero, charge + per_job * (targets[q] - counts[q]), charge);
      }
      store(g.charge_eur + i, charge);
    }

    if (g.national) {
      measure_quota(g, i, BanenafspraakModel::kQuotaNational, g.market_target + g.government_target, national_count);
    } else {
      measure_quota(g, i, BanenafspraakModel::kQuotaMarket, g.market_target, market_count);
      measure_quota(g, i, BanenafspraakModel::kQuotaGovernment, g.government_target, government_quota_count);
    }

    const Doubles target_total = splat(g.target_total);
    const Doubles first = load(g.first_reached + i);
    store(g.first_reached + i, select(is_nan(first) & (total >= target_total), year, first));
    if (g.target_year) {
      store(g.reach + i, one_if(total >= target_total));
      store(g.market_met + i, one_if(market_count >= market_target));
      store(g.government_met + i, one_if(government_quota_count >= government_target));
    }
  }
}

}  // namespace

void BanenafspraakModel::step_batch(BatchState& s, std::size_t i_step, engine::BlockRandom& rng,
                                    engine::BatchRecord& rec) const {
  const int year = p_.origin_year + 1 + static_cast<int>(i_step);
  const YearRules r = rules_[i_step];
  const std::size_t n = rng.n_lanes();
  const std::size_t stride = rng.stride();

  // Every draw of the year is taken whether or not a lever uses it, so the
  // streams stay aligned across scenarios.
  const double* year_rows = rng.draw_rows(kYear, static_cast<std::uint32_t>(year), kYearKinds);
  const auto row = [&](std::size_t j) -> const double* { return year_rows + j * stride; };
  const double* u_row[kNumQuotas] = {row(kActivationMarket), row(kActivationGovernment), row(kActivationNational)};
  const bool target_year = year == p_.target.year;

  // 1. Quota states at the start of the year: a new regime's rules apply
  // only from its first year (every quota reset), then activations take
  // effect (vectors, as the growth below).
  QuotaLanes ql{};
  for (std::size_t q = 0; q < kNumQuotas; ++q) {
    ql.active[q] = s.active[q].data();
    ql.pending_from[q] = s.pending_from[q].data();
    ql.last_shortfall[q] = s.last_shortfall[q].data();
    ql.response_base[q] = s.response_base[q].data();
    ql.u[q] = u_row[q];
  }
  ql.charge_owed = s.charge_owed.data();
  ql.quota_in_force_target = s.quota_in_force_target.data();
  ql.year = year;
  ql.reset = r.reset;
  ql.charged = r.charged;
  ql.target_year = target_year;
  start_quota_lanes(ql, stride);

  // 2. Cycle, supply, response, growth and the measured counts: vectors.
  const auto& supply = p_.supply;
  GrowthLanes g{};
  for (std::size_t c = 0; c < kNumComponents; ++c) {
    g.jobs[c] = s.jobs[c].data();
    g.trend[c] = s.trend[c].data();
    g.volatility[c] = s.volatility[c].data();
    g.z[c] = row(kShock0 + c);
  }
  g.purchased = s.purchased.data();
  g.cycle = s.cycle.data();
  g.gov_share = s.gov_share.data();
  g.register_growth = s.register_growth.data();
  for (std::size_t q = 0; q < kNumQuotas; ++q) g.response_base[q] = s.response_base[q].data();
  g.eta = row(kCycle);
  g.key = row(kKey);
  g.drift = row(kKeyDrift);
  g.total = rec.series(i_total_);
  g.market = rec.series(i_market_);
  g.government = rec.series(i_government_);
  g.phi = p_.cycle.persistence;
  g.cycle_innovation_sd = std::sqrt(1.0 - g.phi * g.phi) * p_.cycle.sd;
  g.register_base = r.register_base;
  g.register_years_after = r.register_years_after;
  g.jobs_per_register = supply.jobs_per_worker * supply.max_working_share;
  g.baseline_jobs = supply.baseline_jobs;
  // Lever multipliers on the regular trends (hired-in jobs have none: a
  // relative gain on a shrinking channel would speed its fall).
  g.lever = {1.0, 1.0, 1.0, 1.0};
  if (r.national) {
    for (std::size_t c = 0; c < kInleen; ++c) g.lever[c] *= 1.0 + p_.policy.abolish_split.friction_gain;
    g.lever[kGovSecurity] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
    g.lever[kGovOther] *= 1.0 - p_.policy.abolish_split.government_accountability_loss;
  }
  if (r.no_security) g.lever[kGovSecurity] *= 1.0 + p_.policy.exclude_security.security_growth_change;
  g.response_rate = r.response_rate;
  g.w_government = r.market_target + r.government_target_full > 0
                       ? r.government_target_full / (r.market_target + r.government_target_full)
                       : 0.0;
  g.security_part = r.no_security ? 0.0 : p_.composition.security_share;
  g.stop_insourcing = r.at_buyer && p_.policy.purchase_at_buyer.stop_insourcing;
  g.at_buyer = r.at_buyer;
  g.national = r.national;
  g.insourcing_per_year = p_.purchasing.insourcing_per_year;
  g.procurement_gain = p_.policy.purchase_at_buyer.procurement_gain_per_year;
  g.floor_jobs = p_.inleen.floor_jobs;
  g.key_drift = p_.inleen.key_drift_per_year;
  g.key_drift_sd = p_.inleen.key_drift_sd;
  g.key_sample_sd = p_.inleen.key_sample_sd;
  g.shock_factor = shock_factor_;
  g.cycle_loading = cycle_loading_;
  // A supply shape other than 2 needs pow: computed beforehand, per lane.
  g.supply = nullptr;
  if (supply.shape != 2.0) {
    for (std::size_t lane = 0; lane < stride; ++lane) {
      const double extra =
          s.jobs[0][lane] + s.jobs[1][lane] + s.jobs[2][lane] + s.jobs[3][lane] + s.purchased[lane];
      const double reg = r.register_base + s.register_growth[lane] * r.register_years_after;
      s.supply[lane] = supply_factor(extra, g.jobs_per_register * reg - g.baseline_jobs, supply.shape);
    }
    g.supply = s.supply.data();
  }
  grow_lanes(g, stride);

  // 3. What the quotas active this year owe, the measurement against the
  // targets, the first year the target is reached: vectors; a levy's gross
  // shortfall (normal cdf and exp, only under the old rules) per lane.
  ql.total = rec.series(i_total_);
  ql.market = rec.series(i_market_);
  ql.government = rec.series(i_government_);
  ql.security = s.jobs[kGovSecurity].data();
  ql.charge_eur = s.charge_eur.data();
  ql.first_reached = s.first_reached.data();
  ql.reach = s.reach.data();
  ql.market_met = s.market_met.data();
  ql.government_met = s.government_met.data();
  ql.national = r.national;
  ql.no_security = r.no_security;
  ql.surcharge = r.charged && !r.levy;
  ql.charge_per_job = r.charge_per_job;
  ql.market_target = r.market_target;
  ql.government_target = r.government_target;
  ql.target_total = p_.target.total_jobs;
  ql.activation_probability = p_.quota.activation_probability;
  ql.deactivate_when_met = p_.quota.deactivate_when_met;
  ql.pending_when_missed = static_cast<double>(year + r.activation_lag);
  if (r.charged && r.levy) {
    // A levy on the employers' shortfalls (no offsetting), before the
    // measurement changes which quotas are active.
    const double national_target = r.market_target + r.government_target;
    const double d = p_.quota.employer_dispersion;
    for (std::size_t lane = 0; lane < n; ++lane) {
      const double market_count = ql.market[lane];
      const double government_quota_count = ql.government[lane] - (r.no_security ? ql.security[lane] : 0.0);
      const double national_count = market_count + government_quota_count;
      const auto owed = [&](double target, double counted) {
        return r.charge_per_job * gross_shortfall(target, counted, d);
      };
      double charge = s.charge_eur[lane];
      if (s.active[kQuotaMarket][lane] != 0) charge += owed(r.market_target, market_count);
      if (s.active[kQuotaGovernment][lane] != 0) charge += owed(r.government_target, government_quota_count);
      if (s.active[kQuotaNational][lane] != 0) charge += owed(national_target, national_count);
      s.charge_eur[lane] = charge;
    }
  }
  measure_quota_lanes(ql, stride);
}

void BanenafspraakModel::end_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord& rec) const {
  const std::size_t n = rng.n_lanes();
  const bool observed = !std::isnan(observed_first_reached_);
  double* first = rec.scalar(i_first_);
  double* charge = rec.scalar(i_charge_);
  for (std::size_t lane = 0; lane < n; ++lane) {
    first[lane] = observed ? observed_first_reached_ : s.first_reached[lane];
    charge[lane] = s.charge_eur[lane];
  }
  const auto indicator = [&](const std::vector<double>& from, std::size_t i) {
    unsigned char* to = rec.indicator(i);
    for (std::size_t lane = 0; lane < n; ++lane) to[lane] = from[lane] != 0.0 ? 1 : 0;
  };
  indicator(s.reach, i_reach_);
  indicator(s.market_met, i_market_met_);
  indicator(s.government_met, i_government_met_);
  indicator(s.quota_in_force_target, i_quota_in_force_);
  indicator(s.charge_owed, i_charge_owed_);
}

}  // namespace banensim::models
