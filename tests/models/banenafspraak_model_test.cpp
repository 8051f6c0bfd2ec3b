// The banenafspraak model: a hand-computed deterministic path, each lever
// moving what it should and nothing else, the law and the quota rules (the
// origin's quota states from the data alone, no charge before 2026, the
// charge per missing job moving hiring), the parameter-uncertainty draws,
// the forecast origin taken from the data, and the one-step-ahead check
// against the observed history (docs/MODEL.md).

#include "models/banenafspraak_model.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/parallel_runner.hpp"
#include "engine/run_summary.hpp"
#include "engine/running_stats.hpp"
#include "models/scenario_loader.hpp"

namespace fs = std::filesystem;
using namespace banensim;
using models::BanenafspraakModel;
using Overrides = std::vector<std::pair<std::string, std::string>>;

namespace {

const fs::path kSource = BANENSIM_SOURCE_DIR;

BanenafspraakModel make(const std::string& scenario, const Overrides& overrides = {}) {
  const auto& schema = models::banenafspraak_schema();
  auto r = models::load_scenario(kSource / "scenarios" / (scenario + ".toml"), schema, models::banenafspraak_check);
  if (!overrides.empty()) models::apply_overrides(r, schema, overrides, "test", models::banenafspraak_check);
  return BanenafspraakModel(models::params_from_scenario(r));
}

Overrides plus(Overrides a, const Overrides& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Every source of randomness switched off.
const Overrides kNoRandomness = {
    {"growth.market.trend_sd", "0"},          {"growth.market.volatility", "0"},
    {"growth.government_security.trend_sd", "0"}, {"growth.government_security.volatility", "0"},
    {"growth.government_other.trend_sd", "0"}, {"growth.government_other.volatility", "0"},
    {"growth.inleen.trend_sd", "0"},          {"growth.inleen.volatility", "0"},
    {"uncertainty.dof.regular", "0"},         {"uncertainty.dof.inleen", "0"},
    {"supply.register_growth_sd", "0"},       {"cycle.sd", "0"},
    {"inleen.government_share_sd", "0"},      {"inleen.key_sample_sd", "0"},
    {"inleen.key_drift_sd", "0"},
};

// A batch of n paths first .. first + n - 1 begun (the model's per-path
// draws made), through the batch interface the engine uses.
struct Begun {
  BanenafspraakModel::BatchState state;
  engine::BlockRandom rng;
  engine::BatchRecord record;
};
Begun begin(const BanenafspraakModel& m, std::uint64_t seed, std::uint64_t first, std::size_t n = 1) {
  Begun b{m.make_batch_state(n), engine::BlockRandom(seed, first, n), engine::BatchRecord(m.layout(), n)};
  b.record.start(n);
  m.begin_batch(b.state, b.rng, b.record);
  return b;
}
void step(const BanenafspraakModel& m, Begun& b, std::size_t i_step) {
  b.rng.forget();
  b.record.poison_series();
  m.step_batch(b.state, i_step, b.rng, b.record);
}

// Path i_path alone (a batch of one lane): the same numbers as in any run
// with that seed, since a path's draws depend only on its index.
engine::PathRecord simulate(const BanenafspraakModel& m, std::uint64_t seed, std::uint64_t i_path) {
  engine::PathRecord rec(m.layout());
  rec.clear();
  Begun b = begin(m, seed, i_path);
  for (std::size_t t = 0; t < m.layout().n_steps(); ++t) {
    step(m, b, t);
    for (std::size_t i = 0; i < rec.n_series(); ++i) rec.series(i, t) = b.record.series(i)[0];
  }
  m.end_batch(b.state, b.rng, b.record);
  for (std::size_t i = 0; i < rec.n_scalars(); ++i) rec.scalar(i) = b.record.scalar(i)[0];
  for (std::size_t i = 0; i < rec.n_indicators(); ++i) rec.set_indicator(i, b.record.indicator(i)[0] != 0);
  return rec;
}

double series(const BanenafspraakModel& m, const engine::PathRecord& r, const std::string& name, int year) {
  return r.series(m.layout().series_index(name), static_cast<std::size_t>(year - m.origin_year() - 1));
}

double charge(const BanenafspraakModel& m, const engine::PathRecord& r) {
  return r.scalar(m.layout().scalar_index("quota_charge_total_eur"));
}

engine::RunResult run(const BanenafspraakModel& m, std::uint64_t n_paths = 4000, int threads = 2) {
  engine::RunConfig cfg;
  cfg.seed = 7;
  cfg.n_paths = n_paths;
  cfg.n_threads = threads;
  return engine::run(m, cfg);
}

std::string summary(const BanenafspraakModel& m, std::uint64_t n_paths = 4000, int threads = 2) {
  return engine::tally_json(run(m, n_paths, threads).tally.variant(0), m.layout()).dump();
}

// A copy of data/monitor-history.csv with its first `n_rows` years only.
fs::path history_until(const std::string& name, int n_rows) {
  const fs::path dir = fs::temp_directory_path() / ("banensim_model_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ifstream in(kSource / "data" / "monitor-history.csv");
  std::ofstream out(dir / name);
  std::string line;
  for (int i = 0; i <= n_rows && std::getline(in, line); ++i) out << line << "\n";
  return dir / name;
}

}  // namespace

TEST_SUITE("model") {

TEST_CASE("gross shortfall: equals the net shortfall without dispersion, exceeds it with, matches integration") {
  CHECK(models::gross_shortfall(1000, 800, 0) == doctest::Approx(200));
  CHECK(models::gross_shortfall(1000, 1200, 0) == 0);
  CHECK(models::gross_shortfall(0, 50, 0.5) == 0);
  for (double counted : {500.0, 1000.0, 1500.0}) {
    // target * E[max(0, 1 - R)], R ~ N(counted/target, 0.4^2), by the midpoint rule.
    const double target = 1000, d = 0.4, mean = counted / target;
    double integral = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const double z = -10 + 20 * (i + 0.5) / n;
      const double r = mean + d * z;
      integral += std::max(0.0, 1 - r) * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI) * (20.0 / n);
    }
    CAPTURE(counted);
    CHECK(models::gross_shortfall(target, counted, d) == doctest::Approx(target * integral).epsilon(1e-6));
    CHECK(models::gross_shortfall(target, counted, d) >= std::max(0.0, target - counted));
  }
}

TEST_CASE("supply factor, response rate, register path and key extrapolation") {
  CHECK(models::supply_factor(0, 250000, 2) == 1.0);
  CHECK(models::supply_factor(125000, 250000, 2) == doctest::Approx(0.75));
  CHECK(models::supply_factor(300000, 250000, 2) == 0.0);
  CHECK(models::supply_factor(-5000, 250000, 2) == 1.0);
  CHECK(models::supply_factor(1000, -5, 2) == 0.0);  // a register that cannot fill one more job
  // r(i) = r_max i / (i + i_half): half its largest at i_half, ~0.142 at EUR 4,500 with the defaults.
  CHECK(models::quota_response_rate(5000, 0.3, 5000) == doctest::Approx(0.15));
  CHECK(models::quota_response_rate(4500, 0.3, 5000) == doctest::Approx(0.3 * 4500 / 9500));
  CHECK(models::quota_response_rate(0, 0.3, 5000) == 0.0);
  CHECK(models::quota_response_rate(-100, 0.3, 5000) == 0.0);

  const auto model = make("status-quo");
  const auto& p = model.params();
  // Known at the origin 2023: the baseline and six observations; linear
  // between them, after the last (30 Sep 2023, x = 2022.75) the growth.
  const auto reg = models::register_path(p, 2023);
  REQUIRE(reg.knots.size() == 7);
  CHECK(reg.at(2012, 0) == 247739);
  CHECK(reg.at(2016.5, 0) == 204490);
  CHECK(reg.at(2018.5, 0) == doctest::Approx(0.5 * (221002 + 227072)));
  CHECK(reg.at(2023, 8000) == doctest::Approx(263435 + 0.25 * 8000));
  // At the origin 2018 only the baseline and 204,490 (30 June 2017) are known.
  const auto reg2018 = models::register_path(p, 2018);
  CHECK(reg2018.knots.size() == 2);
  CHECK(reg2018.at(2018, 5000) == doctest::Approx(204490 + 1.5 * 5000));

  CHECK(models::key_extrapolated(p.key_samples, 2023, 2014, 0.01) == doctest::Approx(0.24 + 0.5 * 0.038));
  CHECK(models::key_extrapolated(p.key_samples, 2023, 2023, 0.01) == doctest::Approx(0.337 + 0.03));
  CHECK(models::key_extrapolated(p.key_samples, 2018, 2018, 0.01) == doctest::Approx(0.278 + 0.02));  // 2020 unknown
  CHECK(models::key_extrapolated(p.key_samples, 2023, 2010, 0.01) == 0.24);
}

TEST_CASE("the model's draws are the words docs/MODEL.md section 9 names (block-random/1)") {
  // The purposes' ids, recorded once (FNV-1a of the name folded to 32 bits):
  // they change only with the names, which would change every number.
  CHECK(engine::kBlockRandomVersion == "block-random/1");
  CHECK(engine::purpose_id("banenafspraak.path") == 0x55fd0b8cU);
  CHECK(engine::purpose_id("banenafspraak.year") == 0xe9f92e2eU);
  CHECK(engine::purpose_id("banenafspraak.scale.regular") == 0x104dc336U);
  CHECK(engine::purpose_id("banenafspraak.scale.inleen") == 0xef4ae28fU);
  // A path's register growth, initial cycle and first cycle step, by hand
  // from its words: the path draw 3, the path draw 5, the year's draw 0.
  const auto m = make("status-quo");
  const auto& p = m.params();
  const std::uint64_t seed = 20260101, i_path = 12345;
  const auto normal = [&](const char* purpose, std::uint32_t substream, std::size_t j) {
    return engine::normal_of_word(engine::stream_word(seed, i_path, engine::purpose_id(purpose), substream, j));
  };
  Begun b = begin(m, seed, i_path);
  CHECK(b.state.register_growth[0] ==
        p.supply.register_growth_per_year + p.supply.register_growth_sd * normal("banenafspraak.path", 0, 3));
  const double c0 = p.cycle.sd * normal("banenafspraak.path", 0, 5);
  CHECK(b.state.cycle[0] == c0);
  step(m, b, 0);
  const double phi = p.cycle.persistence;
  const auto year = static_cast<std::uint32_t>(m.origin_year() + 1);
  CHECK(b.state.cycle[0] == phi * c0 + std::sqrt(1.0 - phi * phi) * p.cycle.sd * normal("banenafspraak.year", year, 0));
  // The scale draw: g = sqrt(nu / sum of nu squared normals), on the market's shock sd.
  double x = 0;
  for (int j = 0; j < p.uncertainty.dof.regular; ++j) {
    const double z = normal("banenafspraak.scale.regular", 0, static_cast<std::size_t>(j));
    x += z * z;
  }
  CHECK(b.state.volatility[models::kMarketRegular][0] ==
        p.growth.market.volatility * std::sqrt(static_cast<double>(p.uncertainty.dof.regular) / x));
}

TEST_CASE("with every randomness off the model is deterministic and matches a hand-computed path") {
  // Activation certain: no draw decides it.
  const auto m = make("status-quo", plus(kNoRandomness, {{"quota.activation_probability", "1"}}));
  const auto a = simulate(m, 1, 0);
  const auto b = simulate(m, 999, 12345);
  for (std::size_t i = 0; i < m.layout().n_steps(); ++i) CHECK(a.series(0, i) == b.series(0, i));

  // By hand, from docs/MODEL.md and scenarios/base.toml, origin 2023:
  // observed market 74,031, government 11,634; hired-in -830 (observed at
  // the origin); the true share the samples' extrapolation 0.337 + 3 drift.
  const auto& p = m.params();
  const auto& g = p.growth;
  const double drift = p.inleen.key_drift_per_year;
  const double k0 = 0.337 + 3 * drift;
  const double inleen0 = -830;
  const double gov_regular0 = 11634 - k0 * inleen0;
  const double market0 = 74031 - (1 - k0) * inleen0 - 2000;  // purchased-service jobs 2000
  // The register at the end of 2023: 263,435 (30 Sep 2023) plus a quarter year's growth.
  const double reg = 263435 + 0.25 * p.supply.register_growth_per_year;
  const double capacity = 1.16 * 0.8 * reg - 75179;
  const double f = 1 - std::pow(85665.0 / capacity, 2);
  // No quota response in 2024: the levy is suspended (not charged) under the old rules.
  const double market1 = market0 + f * g.market.trend_mean;
  const double inleen1 = std::max(-5000.0, inleen0 + g.inleen.trend_mean);  // own trend, not supply-scaled
  const double purchased1 = 2000 - 150;                                    // insourcing 150 a year
  const double gov1 = gov_regular0 + f * (g.government_security.trend_mean + g.government_other.trend_mean) + 150;
  const double k1 = k0 + drift;
  const double market_count = market1 + (1 - k1) * inleen1 + purchased1;
  const double gov_count = gov1 + k1 * inleen1;
  CHECK(series(m, a, "market", 2024) == doctest::Approx(market_count).epsilon(1e-12));
  CHECK(series(m, a, "government", 2024) == doctest::Approx(gov_count).epsilon(1e-12));
  CHECK(series(m, a, "total", 2024) == doctest::Approx(market_count + gov_count).epsilon(1e-12));

  // 2026: the new law's national target. From then the key is gone (the
  // true share counts) and the split's behaviour applies: friction gain on
  // the regular trends, accountability loss on the government's.
  const auto no_split_behaviour =
      make("status-quo", plus(kNoRandomness, {{"quota.activation_probability", "1"},
                                              {"policy.abolish_split.friction_gain", "0"},
                                              {"policy.abolish_split.government_accountability_loss", "0"}}));
  const auto c = simulate(no_split_behaviour, 1, 0);
  CHECK(series(m, a, "total", 2025) == series(no_split_behaviour, c, "total", 2025));
  const double d_market = series(m, a, "market", 2026) - series(no_split_behaviour, c, "market", 2026);
  const double d_gov = series(m, a, "government", 2026) - series(no_split_behaviour, c, "government", 2026);
  CHECK(d_market > 0);
  CHECK(d_gov < 0);
}

TEST_CASE("the origin's quota states follow from the history, the law and the decisions alone") {
  using models::QuotaId;
  const auto state = [](const BanenafspraakModel& m, QuotaId q) { return m.origin_quotas().state[static_cast<std::size_t>(q)]; };
  const auto undecided = [](const BanenafspraakModel& m, QuotaId q) {
    return m.origin_quotas().undecided_from[static_cast<std::size_t>(q)];
  };
  // End 2023: the government quota active since 2018 (missed 2016, decided
  // 2017); the market missed for the first time in 2023, not yet decided:
  // a path activates it with the activation probability, in force from 2025
  // (the old rules' lag of two years).
  const auto today = make("status-quo");
  CHECK(state(today, QuotaId::kGovernment).active);
  CHECK(state(today, QuotaId::kGovernment).last_shortfall == 25000 - 11634);
  CHECK_FALSE(state(today, QuotaId::kMarket).active);
  CHECK(state(today, QuotaId::kMarket).last_shortfall == 80000 - 74031);
  CHECK(undecided(today, QuotaId::kMarket) == 2025);
  CHECK(undecided(today, QuotaId::kGovernment) == 0);
  CHECK_FALSE(state(today, QuotaId::kNational).active);

  // A history file ending in another year moves the origin and the states,
  // with no edit anywhere else.
  const auto at2018 = make("status-quo", {{"history.file", history_until("h2018.csv", 4).string()}});
  CHECK(at2018.origin_year() == 2018);
  CHECK(state(at2018, QuotaId::kGovernment).active);
  CHECK_FALSE(state(at2018, QuotaId::kMarket).active);
  CHECK(undecided(at2018, QuotaId::kMarket) == 0);  // the market met its 2018 target
  const auto at2017 = make("status-quo", {{"history.file", history_until("h2017.csv", 3).string()}});
  CHECK_FALSE(state(at2017, QuotaId::kGovernment).active);  // decided in 2017, in force from 2018
  CHECK(state(at2017, QuotaId::kGovernment).pending_from == 2018);
  const auto at2016 = make("status-quo", {{"history.file", history_until("h2016.csv", 2).string()}});
  CHECK_FALSE(state(at2016, QuotaId::kGovernment).active);  // the miss of 2016 not yet decided at its end
  CHECK(state(at2016, QuotaId::kGovernment).pending_from == 0);
  CHECK(undecided(at2016, QuotaId::kGovernment) == 2018);

  // Without the decision, the government was never activated: every miss
  // whose decision year passed without a row was not.
  const fs::path none = history_until("h.csv", 0).parent_path() / "no-decisions.csv";
  std::ofstream(none) << "quota,missed_year,decided_year,effective_year,decision,source\n";
  const auto undecided_law = make("status-quo", {{"quota.decisions_file", none.string()}});
  CHECK_FALSE(state(undecided_law, QuotaId::kGovernment).active);
  CHECK(undecided(undecided_law, QuotaId::kGovernment) == 2025);  // its 2023 miss: still open

  // A path activates an undecided quota with the activation probability.
  for (const char* p : {"0", "1"}) {
    const auto m = make("status-quo", {{"quota.activation_probability", p}});
    const Begun b = begin(m, 3, 0);
    CHECK(b.state.pending_from[BanenafspraakModel::kQuotaMarket][0] == (p[0] == '1' ? 2025 : 0));
  }
}

TEST_CASE("under data/law.csv no levy or surcharge is owed for any year before 2026") {
  // From the 2018 origin, with the government quota active all along and
  // activation certain: nothing is owed for 2019-2025 ...
  const Overrides early = {{"history.origin_year", "2018"}, {"quota.activation_probability", "1"}};
  const auto to2025 = make("status-quo", plus(early, {{"target.year", "2025"}, {"target.horizon_year", "2025"}}));
  const auto r = run(to2025);
  const auto& t = r.tally.variant(0);
  const auto& c = t.scalar(to2025.layout().scalar_index("quota_charge_total_eur"));
  CHECK(c.moments.mean() == 0.0);
  CHECK(c.histogram.min() == 0.0);
  CHECK(c.histogram.max() == 0.0);
  CHECK(t.indicator(to2025.layout().indicator_index("charge_owed")).successes() == 0);
  // ... while from 2026 the new law's surcharge is owed once a national quota is active.
  const auto to2030 = make("status-quo", plus(early, {{"target.year", "2030"}, {"target.horizon_year", "2030"}}));
  CHECK(run(to2030).tally.variant(0).indicator(to2030.layout().indicator_index("charge_owed")).successes() > 0);
  // The law as seen in 2018 charged the government's levy from 2019.
  const auto seen2018 = make("2018/status-quo");
  CHECK(run(seen2018).tally.variant(0).scalar(seen2018.layout().scalar_index("quota_charge_total_eur")).moments.mean() > 0);
}

TEST_CASE("what a missing job costs an employer moves hiring, and a suspended levy moves nothing") {
  // Paired on the same draws, the mean total in the horizon year.
  const auto mean_total = [](const BanenafspraakModel& m, int year) {
    double sum = 0;
    const int n = 400;
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(n); ++i) sum += series(m, simulate(m, 9, i), "total", year);
    return sum / n;
  };
  // The new law's surcharge (net of the bonus): doubled, more hiring.
  const auto surcharge = make("status-quo");
  const auto doubled = make("status-quo", {{"quota.bonus_per_job_eur", "4000"}});
  const auto none = make("status-quo", {{"quota.bonus_per_job_eur", "0"}});
  CHECK(mean_total(doubled, 2035) > mean_total(surcharge, 2035) + 50);
  CHECK(mean_total(surcharge, 2035) > mean_total(none, 2035) + 50);
  // The old rules' levy, as the cabinet saw it in 2018 (charged from 2019): doubled, more hiring.
  const auto levy = make("2018/status-quo");
  const auto levy_doubled = make("2018/status-quo", {{"quota.levy_per_job_eur", "10000"}});
  CHECK(mean_total(levy_doubled, 2026) > mean_total(levy, 2026) + 50);
  // Under the law as enacted the levy was never charged: its amount moves nothing.
  CHECK(summary(make("status-quo", {{"quota.levy_per_job_eur", "10000"}})) == summary(surcharge));
}

TEST_CASE("the scale draws: trends and shock sds spread as a Student t with the calibrated degrees of freedom") {
  // Trend_i = m + sd g z, g = sqrt(nu/X), X ~ chi2(nu): variance sd^2 nu/(nu-2);
  // the path's shock sd sigma g: E[g^2] = nu/(nu-2).
  // (No hired-in trend error here: it would add its offset, tested below.)
  const int nu = 10;
  const auto m = make("status-quo", {{"uncertainty.dof.regular", std::to_string(nu)}, {"growth.inleen.trend_sd", "0"}});
  const auto& g = m.params().growth.market;
  engine::RunningStats trend, vol2;
  const int n = 20000;
  const Begun b = begin(m, 5, 0, n);  // paths 0 .. n-1 in one batch
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    trend.add(b.state.trend[models::kMarketRegular][i]);
    vol2.add(b.state.volatility[models::kMarketRegular][i] * b.state.volatility[models::kMarketRegular][i]);
  }
  const double factor = nu / (nu - 2.0);
  // Mean: within 4 s.e.; variance: t_10 has excess kurtosis 1, so the sample
  // variance's relative s.e. is sqrt(3/n).
  CHECK(std::abs(trend.mean() - g.trend_mean) < 4 * std::sqrt(trend.variance() / n));
  CHECK(trend.variance() == doctest::Approx(g.trend_sd * g.trend_sd * factor).epsilon(4 * std::sqrt(3.0 / n)));
  CHECK(std::abs(vol2.mean() - g.volatility * g.volatility * factor) < 4 * std::sqrt(vol2.variance() / n));
  // With no degrees of freedom there is no scale draw.
  const auto fixed = make("status-quo", {{"uncertainty.dof.regular", "0"}});
  const Begun one = begin(fixed, 5, 1);
  CHECK(one.state.volatility[models::kMarketRegular][0] == g.volatility);
}

TEST_CASE("the regular trends' errors offset the key's share of the hired-in trend's error") {
  // The regular trends are the counted sectors' trends less the key's share
  // of the hired-in trend (MODEL.md §7), so with no error in the sector fits
  // a path's counted trends are exact whatever its hired-in trend: the
  // hired-in trend's error moves jobs between regular and hired-in only.
  const auto m = make("status-quo", {{"growth.market.trend_sd", "0"},
                                     {"growth.government_security.trend_sd", "0"},
                                     {"growth.government_other.trend_sd", "0"},
                                     {"inleen.government_share_sd", "0"}});
  const auto& p = m.params();
  engine::RunningStats inleen_trend;
  const Begun b = begin(m, 11, 0, 200);
  for (std::size_t i = 0; i < 200; ++i) {
    const auto trend = [&](std::size_t c) { return b.state.trend[c][i]; };
    const double k = b.state.gov_share[i];  // the key at the origin: no draw around it here
    const double d = trend(models::kInleen) - p.growth.inleen.trend_mean;
    inleen_trend.add(trend(models::kInleen));
    CHECK(trend(models::kMarketRegular) + (1 - k) * trend(models::kInleen) ==
          doctest::Approx(p.growth.market.trend_mean + (1 - k) * p.growth.inleen.trend_mean));
    CHECK(trend(models::kGovSecurity) + trend(models::kGovOther) + k * trend(models::kInleen) ==
          doctest::Approx(p.growth.government_security.trend_mean + p.growth.government_other.trend_mean +
                          k * p.growth.inleen.trend_mean));
    CHECK(trend(models::kGovSecurity) - p.growth.government_security.trend_mean ==
          doctest::Approx(-p.composition.security_share * k * d));
  }
  CHECK(inleen_trend.variance() > 0.25 * p.growth.inleen.trend_sd * p.growth.inleen.trend_sd);
}

TEST_CASE("hired-in jobs follow their own trend down to the floor, not the supply limit") {
  // A register that can fill nothing: regular jobs stop growing, hired-in jobs do not.
  const auto m = make("status-quo", plus(kNoRandomness, {{"supply.max_working_share", "0.01"},
                                                         {"growth.inleen.trend_mean", "-2000"}}));
  Begun b = begin(m, 1, 0);
  const auto& jobs = b.state.jobs;
  const double regular0 = jobs[models::kMarketRegular][0];
  step(m, b, 0);
  CHECK(jobs[models::kMarketRegular][0] == regular0);
  CHECK(jobs[models::kInleen][0] == doctest::Approx(-830 - 2000));
  for (std::size_t t = 1; t < m.layout().n_steps(); ++t) step(m, b, t);
  CHECK(jobs[models::kInleen][0] == -5000.0);  // the floor
}

TEST_CASE("the allocation key has no effect on any output once the split is gone") {
  const Overrides lever = {{"policy.abolish_split.year", "2019"}};
  const auto low = make("2018/abolish-split", plus(lever, {{"inleen.key_sample_sd", "0"}}));
  const auto high = make("2018/abolish-split", plus(lever, {{"inleen.key_sample_sd", "0.08"}}));
  CHECK(summary(low) == summary(high));
  // ... while under sector targets the key matters (the check above could fail).
  CHECK(summary(make("2018/status-quo", {{"inleen.key_sample_sd", "0"}})) !=
        summary(make("2018/status-quo", {{"inleen.key_sample_sd", "0.08"}})));
}

TEST_CASE("counting purchases at the buyer with no behavioural change only shifts jobs between sectors") {
  // Zero: the lever's own behaviour (procurement) and the quota response,
  // which would react to the sectors' changed counts.
  const Overrides quiet = {{"policy.purchase_at_buyer.procurement_gain_per_year", "0"}, {"quota.response_max", "0"}};
  const auto ref = make("status-quo", quiet);
  for (const char* stop : {"true", "false"}) {
    CAPTURE(stop);
    const auto lever = make("purchase-at-buyer", plus(quiet, {{"policy.purchase_at_buyer.stop_insourcing", stop}}));
    bool shifted = false;
    for (std::uint64_t i = 0; i < 200; ++i) {
      const auto a = simulate(ref, 3, i);
      const auto b = simulate(lever, 3, i);
      for (int y = 2024; y <= 2035; ++y) {
        CHECK(series(lever, b, "total", y) == doctest::Approx(series(ref, a, "total", y)).epsilon(1e-12));
        const double d_market = series(lever, b, "market", y) - series(ref, a, "market", y);
        const double d_gov = series(lever, b, "government", y) - series(ref, a, "government", y);
        CHECK(d_market == doctest::Approx(-d_gov).epsilon(1e-9));
        if (y >= 2027 && d_gov > 1000) shifted = true;
        if (y < 2027) CHECK(d_gov == 0.0);
      }
    }
    CHECK(shifted);
  }
  // With procurement on, the lever adds jobs.
  const auto gain = make("purchase-at-buyer", {{"quota.response_max", "0"}});
  const auto a = simulate(ref, 3, 0);
  const auto b = simulate(gain, 3, 0);
  CHECK(series(gain, b, "total", 2035) > series(ref, a, "total", 2035) + 1000);
}

TEST_CASE("excluding security roles changes the quota measurement, not the jobs, when its behaviour is zero") {
  const Overrides quiet = {{"policy.exclude_security.security_growth_change", "0"}, {"quota.response_max", "0"}};
  const auto ref = make("keep-split", quiet);  // sector quotas: the government's is measured on its own
  const auto lever = make("keep-split", plus(quiet, {{"policy.exclude_security.enabled", "true"},
                                                     {"policy.exclude_security.year", "2027"}}));
  for (std::uint64_t i = 0; i < 200; ++i) {
    const auto a = simulate(ref, 5, i);
    const auto b = simulate(lever, 5, i);
    for (int y = 2024; y <= 2035; ++y) {
      CHECK(series(lever, b, "total", y) == series(ref, a, "total", y));
      CHECK(series(lever, b, "government", y) == series(ref, a, "government", y));
    }
  }
  // The government's quota target and count change, so the charge owed does.
  CHECK(summary(ref) != summary(lever));
  // With its behaviour on, security-role growth halves: fewer jobs on average.
  const auto behaviour = make("exclude-security", {{"quota.response_max", "0"}});
  const auto status_quo = make("status-quo", {{"quota.response_max", "0"}});
  double diff = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    diff += series(behaviour, simulate(behaviour, 5, i), "total", 2035) -
            series(status_quo, simulate(status_quo, 5, i), "total", 2035);
  }
  CHECK(diff < 0);
}

TEST_CASE("a lever acts from its effective year only") {
  for (const char* lever : {"keep-split", "purchase-at-buyer", "exclude-security", "all-three"}) {
    CAPTURE(lever);
    const auto ref = make("status-quo");
    Overrides late;
    for (const auto& l : models::banenafspraak_parameters().levers()) late.push_back({l.year_key, "2030"});
    const auto m = make(lever, late);
    bool later_differs = false;
    for (std::uint64_t i = 0; i < 50; ++i) {
      const auto a = simulate(ref, 11, i);
      const auto b = simulate(m, 11, i);
      for (int y = 2024; y <= 2029; ++y) {
        for (const char* s : {"total", "market", "government"}) CHECK(series(m, b, s, y) == series(ref, a, s, y));
      }
      for (const char* s : {"total", "market", "government"}) {
        if (series(m, b, s, 2035) != series(ref, a, s, 2035)) later_differs = true;
      }
    }
    CHECK(later_differs);
  }
}

TEST_CASE("both split levers at once is an input error naming both keys") {
  try {
    (void)make("keep-split", {{"policy.abolish_split.enabled", "true"}, {"policy.abolish_split.year", "2027"}});
    FAIL("accepted");
  } catch (const models::InputError& e) {
    const std::string text = e.what();
    CHECK(text.find("policy.abolish_split.enabled") != std::string::npos);
    CHECK(text.find("policy.keep_split.enabled") != std::string::npos);
  }
}

TEST_CASE("the split abolished: friction gain raises jobs, accountability loss lowers government jobs") {
  const Overrides base = {{"policy.abolish_split.friction_gain", "0"},
                          {"policy.abolish_split.government_accountability_loss", "0"},
                          {"quota.response_max", "0"}};
  const auto none = make("status-quo", base);
  const auto friction = make("status-quo", plus(base, {{"policy.abolish_split.friction_gain", "0.1"}}));
  const auto loss = make("status-quo", plus(base, {{"policy.abolish_split.government_accountability_loss", "0.3"}}));
  double d_friction = 0, d_loss_gov = 0, d_loss_market = 0;
  for (std::uint64_t i = 0; i < 300; ++i) {
    const auto a = simulate(none, 2, i);
    d_friction += series(friction, simulate(friction, 2, i), "total", 2030) - series(none, a, "total", 2030);
    const auto c = simulate(loss, 2, i);
    d_loss_gov += series(loss, c, "government", 2030) - series(none, a, "government", 2030);
    d_loss_market += series(loss, c, "market", 2030) - series(none, a, "market", 2030);
  }
  CHECK(d_friction > 0);
  CHECK(d_loss_gov < 0);
  // The market moves only through the shared register supply limit (fewer
  // government jobs leave more people available): a small, positive effect.
  CHECK(d_loss_market >= 0);
  CHECK(d_loss_market < 0.1 * -d_loss_gov);
}

TEST_CASE("quota: a certain activation takes effect after the law's lag, and the response starts then") {
  // 2018's law (a levy charged from 2019): the market quota misses a target
  // made unreachable, activation is certain, in force two years after the miss.
  const Overrides certain = plus(kNoRandomness, {{"quota.activation_probability", "1"},
                                                 {"growth.market.trend_mean", "0"}});
  const auto c = make("2018/status-quo", certain);
  const auto rec = simulate(c, 1, 0);
  const auto no_response = make("2018/status-quo", plus(certain, {{"quota.response_max", "0"}}));
  const auto nr = simulate(no_response, 1, 0);
  // With a zero trend the market stays near its 44,017 of 2018: it meets
  // 2019's 40,000 and misses 2020's 50,000; active from 2022, when its
  // response starts. (The market moves only by its own quota's response here.)
  for (int y = 2019; y <= 2021; ++y) CHECK(series(c, rec, "market", y) == series(no_response, nr, "market", y));
  CHECK(series(c, rec, "market", 2022) > series(no_response, nr, "market", 2022));
  // Never activated and nothing owed when activation is impossible and no
  // quota is active at the origin (the decision removed).
  const fs::path none = history_until("h.csv", 0).parent_path() / "no-decisions-2.csv";
  std::ofstream(none) << "quota,missed_year,decided_year,effective_year,decision,source\n";
  const auto never = make("2018/status-quo", {{"quota.activation_probability", "0"}, {"quota.decisions_file", none.string()}});
  const auto r = run(never);
  CHECK(r.tally.variant(0).indicator(never.layout().indicator_index("charge_owed")).successes() == 0);
  CHECK(r.tally.variant(0).indicator(never.layout().indicator_index("quota_in_force_target_year")).successes() == 0);
}

TEST_CASE("quota in force in the target year: the state of that year") {
  // The 2018 view: the government quota in force from 2018, never met, never
  // switched off: in force in 2026 on every path.
  const auto kept = make("2018/status-quo", {{"quota.deactivate_when_met", "false"}, {"quota.activation_probability", "0"}});
  const auto i_in_force = kept.layout().indicator_index("quota_in_force_target_year");
  for (std::uint64_t i = 0; i < 20; ++i) CHECK(simulate(kept, 3, i).indicator(i_in_force));
  // Today: the new law resets every quota in 2026; the national quota's
  // first activation (on the 2026 miss) takes effect in 2029 at the earliest.
  const auto today = make("status-quo", {{"quota.activation_probability", "1"}});
  for (std::uint64_t i = 0; i < 20; ++i) CHECK_FALSE(simulate(today, 3, i).indicator(i_in_force));
  const auto by2029 = make("status-quo", {{"quota.activation_probability", "1"}, {"target.year", "2029"}});
  bool some = false;
  for (std::uint64_t i = 0; i < 20; ++i) some = some || simulate(by2029, 3, i).indicator(i_in_force);
  CHECK(some);
}

TEST_CASE("levy: employers above quota do not offset those below") {
  const Overrides b = {{"quota.activation_probability", "1"}};
  const auto tight = make("2018/status-quo", plus(b, {{"quota.employer_dispersion", "0"}}));
  const auto spread = make("2018/status-quo", plus(b, {{"quota.employer_dispersion", "0.8"}}));
  double l0 = 0, l1 = 0;
  for (std::uint64_t i = 0; i < 100; ++i) {
    l0 += charge(tight, simulate(tight, 4, i));
    l1 += charge(spread, simulate(spread, 4, i));
  }
  CHECK(l1 > l0);
}

TEST_CASE("same seed, same numbers at 1 and 2 threads") {
  const auto m = make("all-three");
  CHECK(summary(m, 5000, 1) == summary(m, 5000, 2));
}

TEST_CASE("P(reached by year) counts every path, with the first year's histogram one bin per year") {
  const auto m = make("status-quo");
  const auto r = run(m, 3000);
  const auto& t = r.tally.variant(0);
  const auto& first = t.scalar(m.layout().scalar_index("first_year_reached"));
  const auto points = engine::cumulative_by_value(first.histogram, t.n_paths());
  REQUIRE(points.size() == 12);  // 2024-2035
  CHECK(points.front().value == 2024);
  CHECK(points.back().value == 2035);
  std::uint64_t cumulative = 0;
  for (const auto& p : points) {
    cumulative += p.at_value;
    CHECK(p.up_to_value.successes() == cumulative);
    CHECK(p.up_to_value.trials() == 3000);
  }
  CHECK(cumulative == t.scalar_present(m.layout().scalar_index("first_year_reached")).successes());
  // Reached by the target year <=> reached at it, when the total cannot fall
  // back below the target in between -- not guaranteed, so only >=.
  CHECK(points[2].up_to_value.successes() >= t.indicator(m.layout().indicator_index("reach_target")).successes());
}

TEST_CASE("the forecast origin is the last year of the history file, and a newer file needs no code change") {
  const auto m = make("status-quo");
  CHECK(m.origin_year() == 2023);
  CHECK(m.horizon_year() == 2035);
  CHECK(m.layout().step_labels.front() == "2024");
  CHECK(m.layout().step_labels.back() == "2035");

  // A history file with one more (made-up) year.
  const fs::path file = history_until("newer.csv", 9);
  std::ofstream(file, std::ios::app) << "2024,90000,25000,80000,13000,93000,made up for a test\n";
  const auto newer = make("status-quo", {{"history.file", file.string()}});
  CHECK(newer.origin_year() == 2024);
  CHECK(newer.layout().step_labels.front() == "2025");
  CHECK(newer.observed_market_at_origin() == 80000);
  CHECK(newer.observed_government_at_origin() == 13000);

  // An earlier origin is an override, e.g. for a backtest.
  const auto early = make("status-quo", {{"history.origin_year", "2016"}});
  CHECK(early.layout().step_labels.front() == "2017");
  CHECK(early.observed_market_at_origin() == 18957);
  // A horizon before the target year: the simulation ends at the target year.
  CHECK(make("status-quo", {{"target.horizon_year", "2020"}}).horizon_year() == 2026);
  fs::remove_all(file.parent_path());
}

TEST_CASE("in sample, the calibrated status quo covers the observed years one step ahead about 90% of the time") {
  // Each observed year forecast from the one before it (2015 from the
  // baseline, zero at end 2012, three years ahead), with the parameters
  // calibrated on all years: an in-sample check (the rolling backtest,
  // tests/apps/backtest_gate_test.cpp, is the out-of-sample one). Of 27
  // forecasts a calibrated 90% interval holds about 24.3 (binomial sd 1.6);
  // fewer than 21 would be a 2-sd shortfall.
  const auto history = models::read_history(kSource / "data" / "monitor-history.csv");
  int previous = 2012, inside = 0, n = 0;
  for (const auto& h : history.years) {
    const auto m = make("status-quo", {{"history.origin_year", std::to_string(previous)},
                                       {"target.year", std::to_string(h.year)}});
    engine::RunConfig cfg;
    cfg.seed = 2013;
    cfg.n_paths = 20000;
    const auto r = engine::run(m, cfg);
    const auto& t = r.tally.variant(0);
    const auto step = static_cast<std::size_t>(h.year - previous - 1);
    const std::pair<const char*, double> observed[] = {
        {"total", h.total_counted}, {"market", h.market_counted}, {"government", h.government_counted}};
    for (const auto& [name, value] : observed) {
      const auto& hist = t.series(m.layout().series_index(name), step).histogram;
      const bool in = value >= hist.quantile(0.05) && value <= hist.quantile(0.95);
      inside += in ? 1 : 0;
      ++n;
      if (!in) MESSAGE(h.year << " " << std::string(name) << " " << value << " outside [" << hist.quantile(0.05) << ", " << hist.quantile(0.95) << "]");
    }
    previous = h.year;
  }
  CHECK(n == 27);
  CHECK(inside >= 21);
}

}  // TEST_SUITE
