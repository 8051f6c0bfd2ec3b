// Compare across assumptions (studies/assumption_compare.hpp): a planted
// sign rule is recovered, and with every plausible range collapsed to a
// point the comparison is today's compare bit for bit.

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/proportion.hpp"
#include "engine/run_summary.hpp"
#include "engine/running_stats.hpp"
#include "engine/tally.hpp"
#include "engine/sobol_design.hpp"
#include "studies/assumption_compare.hpp"

using namespace banensim;
using namespace banensim::studies;

namespace {

const std::string kSource = BANENSIM_SOURCE_DIR;
const std::string kStatusQuo = kSource + "/scenarios/status-quo.toml";
const std::string kAllThree = kSource + "/scenarios/all-three.toml";

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("sample_quantile interpolates between order statistics as numpy does") {
  CHECK(sample_quantile({3, 1, 2, 4}, 0.5) == doctest::Approx(2.5));
  CHECK(sample_quantile({3, 1, 2, 4}, 0.05) == doctest::Approx(1.15));
  CHECK(sample_quantile({7}, 0.95) == 7);
  CHECK(std::isnan(sample_quantile({}, 0.5)));
}

TEST_CASE("a planted sign rule is recovered: an option that fixes the market trend at 10,000 beats the status quo "
          "exactly where the assumed trend is below 10,000") {
  // The option is the status quo with growth.market.trend_mean fixed at
  // C = 10,000 jobs a year (its own setting wins over the set's); the sets
  // vary that trend uniformly on [6,000, 14,000]. P(reach) rises with the
  // trend, so the option beats the reference where the set's trend is below
  // C and loses where it is above: the sign changes at C, which the rule
  // must find within 5% of the range (400 jobs).
  constexpr double kC = 10000, kLow = 6000, kHigh = 14000;
  AssumptionRequest req;
  req.run.scenarios = {kStatusQuo};
  req.run.variants = {Variant{"fixed-trend", kStatusQuo, {{"growth.market.trend_mean", "10000"}}}};
  req.run.overrides = {{"target.year", "2028"}};
  req.run.paths = 2048;
  req.sets = 64;
  AssumptionStudy s = plan_assumption_compare(req);
  Factor trend;
  trend.key = "growth.market.trend_mean";
  trend.low = kLow;
  trend.high = kHigh;
  s.factors = {trend};
  s.unit = engine::sobol_design(s.sets, 1, s.run.seed);
  ExecutionContext ctx;
  ctx.threads = 2;
  const AssumptionResult r = run_assumption_compare(s, std::nullopt, false, ctx);
  REQUIRE(r.run.completed);
  REQUIRE(r.options.size() == 2);
  const Judgement& o = r.options[1].reach;
  CHECK(o.beats > 20);
  CHECK(o.loses > 20);
  const SignRule& rule = o.rule;
  REQUIRE(rule.found);
  CHECK(rule.helps);
  REQUIRE(rule.conditions.size() == 1);
  const auto& c = rule.conditions[0];
  CHECK(c.key == "growth.market.trend_mean");
  CHECK_FALSE(c.low.has_value());
  REQUIRE(c.high.has_value());
  INFO("rule: " << rule.text << "; coverage " << rule.coverage << ", density " << rule.density);
  CHECK(std::abs(*c.high - kC) < 0.05 * (kHigh - kLow));
  CHECK(rule.density >= 0.8);
  CHECK(rule.coverage >= 0.8);
  CHECK(rule.text.find("growth.market.trend_mean <=") != std::string::npos);
  // Every set on the beating side of C is one where the option beats or
  // ties, and on the other side loses or ties: the per-set signs are right.
  for (std::size_t i = 0; i < o.difference.size(); ++i) {
    const double x = r.values(i, 0);
    if (x < kC - 200) CHECK(o.difference[i] > 0);
    if (x > kC + 200) CHECK(o.difference[i] < 0);
  }
  // What sizes the difference: the trend, falling (the option's fixed
  // trend helps less the higher the sets' own), named in words.
  REQUIRE(o.drivers.size() == 1);
  CHECK(o.drivers[0].prcc < -0.9);
  CHECK(o.drivers[0].ci_high < 0);
  CHECK(named_drivers(o) == std::vector<std::size_t>{0});
  CHECK(rule_sentence(s, r.options[1], o, s.reach_label()).find("what sizes the difference (partial rank "
                                                                 "correlation over the 64 sets, 95% interval from "
                                                                 "their number): growth.market.trend_mean -") !=
        std::string::npos);
  // Regret: the option is best where the trend is low, the reference where
  // it is high; both have a positive worst case.
  CHECK(r.options[0].reach.worst_regret > 0);
  CHECK(r.options[1].reach.worst_regret > 0);
  // ... the largest shortfall behind the better of the two at some set, that set's.
  for (std::size_t k = 0; k < 2; ++k) {
    const Judgement& jk = r.options[k].reach;
    const Judgement& other = r.options[1 - k].reach;
    double worst = 0;
    for (std::size_t i = 0; i < jk.value.size(); ++i) worst = std::max(worst, other.value[i] - jk.value[i]);
    CHECK(jk.worst_regret == worst);
    CHECK(other.value[jk.worst_regret_set] - jk.value[jk.worst_regret_set] == worst);
  }
  CHECK(r.minimax_regret == (r.options[0].reach.worst_regret <= r.options[1].reach.worst_regret ? 0U : 1U));
  // Its Monte Carlo range holds the estimate; with two options (one the
  // reference) each set's interval is the paired difference's own, so the
  // lower end is that of the worst set's difference and the upper end the
  // largest of any set's.
  for (std::size_t k = 0; k < 2; ++k) {
    const Judgement& jk = r.options[k].reach;
    INFO("option " << k << ": " << jk.worst_regret << " [" << jk.worst_regret_low << ", " << jk.worst_regret_high
                   << "]");
    CHECK(jk.worst_regret_low <= jk.worst_regret + 1e-12);
    CHECK(jk.worst_regret <= jk.worst_regret_high + 1e-12);
    CHECK(jk.worst_regret_low > 0);  // the option beats and loses beyond the noise (checked above)
    CHECK(jk.worst_regret_high > jk.worst_regret);
  }
}

TEST_CASE("regret_interval by hand: paired intervals against the reference, the bound between two other options") {
  // Figures at one set: the reference 0.30, option 1 0.34 (+0.04 [0.03,
  // 0.05] paired), option 2 0.31 (+0.01 [0.005, 0.015]).
  const std::vector<SetFigure> at = {{0.30, 0.28, 0.32, 0, 0, 0},
                                     {0.34, 0.32, 0.36, 0.04, 0.03, 0.05},
                                     {0.31, 0.29, 0.335, 0.01, 0.005, 0.015}};
  // The reference: behind option 1 by its paired interval [0.03, 0.05]
  // (option 2's [0.005, 0.015] is lower at both ends).
  engine::Interval r0 = regret_interval(at, 0);
  CHECK(r0.low == doctest::Approx(0.03));
  CHECK(r0.high == doctest::Approx(0.05));
  // Option 1, the best: against the reference -[0.03, 0.05], against option 2
  // -0.03 +- min(0.005 + 0.01, 0.02 + 0.025) -- both below 0, so [0, 0].
  engine::Interval r1 = regret_interval(at, 1);
  CHECK(r1.low == 0);
  CHECK(r1.high == 0);
  // Option 2: behind option 1 by 0.03 +- 0.015 (the difference half-widths
  // summed, smaller than the Wilson ones), ahead of the reference.
  engine::Interval r2 = regret_interval(at, 2);
  CHECK(r2.low == doctest::Approx(0.015));
  CHECK(r2.high == doctest::Approx(0.045));
  // With wide paired intervals the Wilson half-widths bound it instead:
  // 0.03 +- (0.02 + 0.025).
  std::vector<SetFigure> wide = at;
  wide[1].diff_low = 0.0;
  wide[1].diff_high = 0.08;
  wide[2].diff_low = -0.02;
  wide[2].diff_high = 0.04;
  r2 = regret_interval(wide, 2);
  CHECK(r2.low == 0);  // 0.03 - 0.045 < 0
  CHECK(r2.high == doctest::Approx(0.075));
}

namespace {
// One set's row as the compare cells write it: every option's share of
// `paths` paths on common random numbers (option j: 1{U < p[j]}), with its
// Wilson interval, and its paired difference from option 0 with its normal
// interval.
std::vector<SetFigure> simulated_set(const std::vector<double>& p, int paths, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::vector<engine::Proportion> prop(p.size());
  std::vector<engine::RunningStats> diff(p.size());
  for (int i = 0; i < paths; ++i) {
    const double u = u01(rng);
    for (std::size_t j = 0; j < p.size(); ++j) {
      prop[j].add(u < p[j]);
      if (j > 0) diff[j].add(static_cast<double>(u < p[j]) - static_cast<double>(u < p[0]));
    }
  }
  std::vector<SetFigure> at(p.size());
  for (std::size_t j = 0; j < p.size(); ++j) {
    const engine::Interval w = prop[j].wilson();
    at[j] = {prop[j].estimate(), w.low, w.high, 0, 0, 0};
    if (j > 0) {
      const engine::Interval d = engine::mean_interval(diff[j]);
      at[j].diff = diff[j].mean();
      at[j].diff_low = d.low;
      at[j].diff_high = d.high;
    }
  }
  return at;
}
}  // namespace

TEST_CASE("worst_regret's range holds the true worst case at least 1 - K x 2.5% of the time, though the "
          "estimate, a maximum over 64 noisy sets, leans high") {
  // 64 sets, at each of which option 2 trails option 1 by 0.01 and the
  // reference by 0.005: its true worst-case regret is 0.01 at every set, so
  // the largest of 64 noisy estimates lies above it, and a lower end taken
  // where the estimate is largest would too. K = 3 options: the range must
  // hold 0.01 in at least 92.5% of replicates (less three standard errors).
  const std::vector<double> p = {0.305, 0.31, 0.30};
  constexpr int kReplicates = 400, kSets = 64, kPaths = 2000;
  std::mt19937_64 rng(7);
  int covered = 0, estimate_above = 0;
  for (int rep = 0; rep < kReplicates; ++rep) {
    std::vector<std::vector<SetFigure>> at;
    for (int i = 0; i < kSets; ++i) at.push_back(simulated_set(p, kPaths, rng));
    const WorstRegret w = worst_regret(at, 2, kPaths);
    CHECK(w.low <= w.regret);
    CHECK(w.regret <= w.high);
    covered += (w.low <= 0.01 + 1e-12 && 0.01 <= w.high + 1e-12) ? 1 : 0;
    estimate_above += w.regret > 0.01 ? 1 : 0;
  }
  const double floor = 1 - 3 * 0.025, se = std::sqrt(floor * (1 - floor) / kReplicates);
  INFO("covered " << covered << " of " << kReplicates << ", estimate above the truth in " << estimate_above);
  CHECK(static_cast<double>(covered) / kReplicates >= floor - 3 * se);
  CHECK(estimate_above > kReplicates * 9 / 10);  // the maximum over sets leans high
}

TEST_CASE("worst_regret counts whole paths: regrets equal in paths tie exactly whatever the rounding") {
  // 0.8085 - 0.79 and 0.149 - 0.1305 are both 37 of 2,000 paths but differ in
  // their last bits as doubles: the first set is the worst, not the second.
  const std::vector<std::vector<SetFigure>> at = {
      {{0.79, 0.77, 0.81, 0, 0, 0}, {0.8085, 0.79, 0.83, 0.0185, 0.01, 0.027}},
      {{0.1305, 0.12, 0.145, 0, 0, 0}, {0.149, 0.13, 0.165, 0.0185, 0.012, 0.025}}};
  const WorstRegret w = worst_regret(at, 0, 2000);
  CHECK(w.set == 0);
  CHECK(w.regret == 37.0 / 2000);
  CHECK(w.high == doctest::Approx(0.027));
}

TEST_CASE("regret_interval covers the true regret at a set at least 1 - K x 2.5% of the time (K = 3 options)") {
  // Three options on common random numbers: a path's outcome under option j
  // is 1{U < p_j}, U uniform, p = (0.30, 0.32, 0.31); true regrets 0.02, 0,
  // 0.01. Each replicate computes the row's figures as the compare cells do
  // (Wilson, normal on the paired per-path differences) from 2,000 paths.
  // With K options one pairwise end may miss per option, so coverage is at
  // least 1 - 3 x 2.5% (less three standard errors of the count).
  const std::vector<double> p = {0.30, 0.32, 0.31};
  const double best = 0.32;
  constexpr int kReplicates = 4000, kPaths = 2000;
  std::mt19937_64 rng(20261202);
  std::vector<int> covered(3, 0);
  for (int rep = 0; rep < kReplicates; ++rep) {
    const std::vector<SetFigure> at = simulated_set(p, kPaths, rng);
    for (std::size_t k = 0; k < 3; ++k) {
      const engine::Interval ci = regret_interval(at, k);
      const double truth = best - p[k];
      covered[k] += (ci.low <= truth + 1e-12 && truth <= ci.high + 1e-12) ? 1 : 0;
    }
  }
  const double floor = 1 - 3 * 0.025;
  const double se = std::sqrt(floor * (1 - floor) / kReplicates);
  for (std::size_t k = 0; k < 3; ++k) {
    const double share = static_cast<double>(covered[k]) / kReplicates;
    INFO("option " << k << " covered " << share);
    CHECK(share >= floor - 3 * se);
  }
}

TEST_CASE("a sign rule's stated figures are counted on the region its sentence states, not on PRIM's whole box") {
  // Two factors on [0, 1]: the option beats where x0 <= 0.3 and x1 <= 0.93.
  // PRIM's box cuts both; the cut of x1 keeps more than 90% of its range, so
  // the sentence states x0's alone and the region it states holds the sets
  // with x1 > 0.93 too, where the option does not beat: its density is
  // below the box's, and the figures printed are the stated region's.
  constexpr std::size_t kSets = 512;
  const engine::DesignMatrix x = engine::sobol_design(kSets, 2, 7);
  std::vector<bool> beats(kSets), loses(kSets);
  for (std::size_t i = 0; i < kSets; ++i) {
    beats[i] = x(i, 0) <= 0.3 && x(i, 1) <= 0.93;
    loses[i] = !beats[i];
  }
  std::vector<Factor> factors(2);
  factors[0].key = "a.x0";
  factors[1].key = "a.x1";
  for (Factor& f : factors) {
    f.low = 0;
    f.high = 1;
  }
  const SignRule rule = sign_rule(x, factors, beats, loses, 0.8);
  REQUIRE(rule.found);
  INFO("rule: " << rule.text);
  REQUIRE(rule.stated);
  std::size_t inside = 0, beating = 0, all_beating = 0;
  for (std::size_t i = 0; i < kSets; ++i) {
    bool in = true;
    for (const auto& c : rule.conditions) {
      if (!c.in_words) continue;
      if (c.low && x(i, c.factor) < *c.low) in = false;
      if (c.high && x(i, c.factor) > *c.high) in = false;
    }
    all_beating += beats[i] ? 1U : 0U;
    inside += in ? 1U : 0U;
    beating += in && beats[i] ? 1U : 0U;
  }
  CHECK(rule.n_stated_inside == inside);
  CHECK(rule.n_stated_interest_inside == beating);
  CHECK(rule.stated_density == doctest::Approx(static_cast<double>(beating) / static_cast<double>(inside)));
  CHECK(rule.stated_coverage == doctest::Approx(static_cast<double>(beating) / static_cast<double>(all_beating)));
  CHECK(rule.text.find("a.x0 <=") != std::string::npos);
  CHECK(rule.text.find("a.x1") == std::string::npos);
  CHECK(rule.n_restrictions == 2);
  CHECK(rule.n_stated_inside > rule.n_inside);
  CHECK(rule.stated_density < rule.density);
  CHECK(rule.stated_density >= 0.8);  // 0.93 of the x0 slice: still "when"
  CHECK(rule.text.find("it beats the reference when a.x0") != std::string::npos);
  // Asked for a density of 0.95, the box (density 1) still qualifies but the region the sentence
  // states (0.93) does not: it beats "mostly when".
  const SignRule strict = sign_rule(x, factors, beats, loses, 0.95);
  INFO("strict rule: " << strict.text << "; box density " << strict.density);
  REQUIRE(strict.found);
  CHECK(strict.density >= 0.95);
  CHECK(strict.stated_density < 0.95);
  CHECK(strict.text.find("it beats the reference mostly when a.x0") != std::string::npos);
}

TEST_CASE("with every plausible range collapsed to a point, compare across assumptions is today's compare bit for bit") {
  AssumptionRequest req;
  req.run.scenarios = {kStatusQuo, kAllThree};
  req.run.paths = 4096;
  req.sets = 4;
  AssumptionStudy s = plan_assumption_compare(req);
  REQUIRE(s.factors.size() > 5);
  // Each factor becomes a one-value discrete distribution at the
  // reference's own value (the options share every such value).
  for (Factor& f : s.factors) {
    const auto& v = s.options[0].resolved.values.at(f.key).value;
    CHECK(models::value_text(v) == models::value_text(s.options[1].resolved.values.at(f.key).value));
    f.distribution = Distribution::kDiscrete;
    f.values = {models::value_text(v)};
  }
  ExecutionContext ctx;
  ctx.threads = 2;
  const AssumptionResult r = run_assumption_compare(s, std::nullopt, false, ctx);
  REQUIRE(r.run.completed);

  // Today's compare, run on its own.
  RunRequest today;
  today.scenarios = {kStatusQuo, kAllThree};
  today.paths = 4096;
  ScenarioRun run = run_scenarios(load_run_scenarios(today), today, ctx);
  const auto& layout = run.scenarios[0].model.layout();
  const std::size_t i_reach = layout.indicator_index("reach_target");
  const auto& pair = run.result.tally.indicator_pair(1, i_reach);
  const auto ci = engine::mean_interval(pair.difference);
  const double p0 = run.result.tally.variant(0).indicator(i_reach).estimate();
  const double p1 = run.result.tally.variant(1).indicator(i_reach).estimate();
  const auto& t = r.run.table;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    CAPTURE(i);
    CHECK(same_bits(t.number(i, t.column("s1_diff")), pair.difference.mean()));
    CHECK(same_bits(t.number(i, t.column("s1_diff_ci_low")), ci.low));
    CHECK(same_bits(t.number(i, t.column("s1_diff_ci_high")), ci.high));
    CHECK(same_bits(t.number(i, t.column("s0_p_reach")), p0));
    CHECK(same_bits(t.number(i, t.column("s1_p_reach")), p1));
  }
  // The summary collapses to that point: no range over assumptions.
  const Judgement& o = r.options[1].reach;
  CHECK(same_bits(o.diff_median, pair.difference.mean()));
  CHECK(same_bits(o.diff_low, pair.difference.mean()));
  CHECK(same_bits(o.diff_high, pair.difference.mean()));
  CHECK(o.beats + o.ties + o.loses == 4);
  CHECK((o.beats == 4 || o.ties == 4 || o.loses == 4));
  CHECK_FALSE(o.rule.found);
  // The central compare inside the study is the same run.
  CHECK(same_bits(r.central.result.tally.indicator_pair(1, i_reach).difference.mean(), pair.difference.mean()));

  // The second figure, P(reached by the target year + 4), likewise: each
  // set's columns are today's cumulative counts of the first year reached.
  const int by = s.options[0].model.target_year() + 4;
  REQUIRE(s.by_year == by);
  const std::size_t i_first = layout.scalar_index("first_year_reached");
  const auto at = [by](const auto& points) {
    for (const auto& p : points) {
      if (p.value == by) return p;
    }
    FAIL("no count at " << by);
    return points.front();
  };
  const auto& tally = run.result.tally;
  const auto by0 = at(engine::cumulative_by_value(tally.variant(0).scalar(i_first).histogram, 4096)).up_to_value;
  const auto by1 = at(engine::cumulative_by_value(tally.variant(1).scalar(i_first).histogram, 4096)).up_to_value;
  const auto by_diff = at(engine::cumulative_difference(tally, 1, i_first, layout)).difference;
  const auto by_ci = engine::mean_interval(by_diff);
  CHECK(by_diff.mean() != 0.0);  // all three's levers act from 2027: they change P(reached by 2030)
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    CAPTURE(i);
    CHECK(same_bits(t.number(i, t.column("s0_p_by")), by0.estimate()));
    CHECK(same_bits(t.number(i, t.column("s1_p_by")), by1.estimate()));
    CHECK(same_bits(t.number(i, t.column("s1_p_by_ci_low")), by1.wilson().low));
    CHECK(same_bits(t.number(i, t.column("s1_diff_by")), by_diff.mean()));
    CHECK(same_bits(t.number(i, t.column("s1_diff_by_ci_low")), by_ci.low));
    CHECK(same_bits(t.number(i, t.column("s1_diff_by_ci_high")), by_ci.high));
  }
  const Judgement& b = r.options[1].by_year;
  CHECK(same_bits(b.diff_median, by_diff.mean()));
  CHECK(same_bits(b.diff_low, by_diff.mean()));
  CHECK(same_bits(b.median, by1.estimate()));
  CHECK((b.beats == 4 || b.ties == 4 || b.loses == 4));
  CHECK(b.beats == (by_ci.low > 0 ? 4U : 0U));
}

TEST_CASE("an option's own settings are applied to it alone, after --set, and a clash of names is refused") {
  RunRequest req;
  req.scenarios = {kStatusQuo};
  req.overrides = {{"quota.bonus_per_job_eur", "3000"}};
  req.variants = {Variant{"late", kAllThree, {{"policy.purchase_at_buyer.year", "2029"}, {"quota.bonus_per_job_eur", "4000"}}}};
  const std::vector<Scenario> sc = load_run_scenarios(req);
  REQUIRE(sc.size() == 2);
  CHECK(sc[1].name == "late");
  CHECK(sc[0].resolved.real("quota.bonus_per_job_eur") == 3000);
  CHECK(sc[1].resolved.real("quota.bonus_per_job_eur") == 4000);
  CHECK(sc[1].resolved.integer("policy.purchase_at_buyer.year") == 2029);
  CHECK(sc[0].resolved.integer("policy.purchase_at_buyer.year") != 2029);
  req.variants.push_back(Variant{"late", kStatusQuo, {}});
  CHECK_THROWS_AS((void)load_run_scenarios(req), StudyError);
}

TEST_CASE("the sign rule: a real threshold is stated, a box around a few sets is not called a rule") {
  // 128 sets over three factors uniform on [0, 1] (a Kronecker sequence:
  // evenly spread, no random numbers needed).
  const std::size_t n = 128;
  std::vector<Factor> factors(3);
  for (std::size_t j = 0; j < 3; ++j) {
    factors[j].key = "f" + std::to_string(j);
    factors[j].low = 0;
    factors[j].high = 1;
  }
  const double alpha[3] = {0.7548776662466927, 0.5698402909980532, 0.3247179572447460};
  engine::DesignMatrix x(n, 3);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = std::fmod(0.5 + alpha[j] * static_cast<double>(i + 1), 1.0);
  }
  std::vector<bool> beats(n), loses(n);
  // Planted: the option beats where f1 <= 0.3, loses elsewhere.
  for (std::size_t i = 0; i < n; ++i) {
    beats[i] = x(i, 1) <= 0.3;
    loses[i] = !beats[i];
  }
  const SignRule planted = sign_rule(x, factors, beats, loses, 0.8);
  INFO("planted: " << planted.text);
  CHECK(planted.text.rfind("it beats the reference when f1 <= ", 0) == 0);
  CHECK(planted.text.find("beyond chance") == std::string::npos);
  // Two sets that beat, anywhere: PRIM can always box two points, but no
  // cut is unlikely by chance, so no rule is stated.
  for (std::size_t i = 0; i < n; ++i) beats[i] = (i == 17 || i == 90);
  const SignRule few = sign_rule(x, factors, beats, loses, 0.8);
  INFO("few: " << few.text);
  CHECK(few.found);
  CHECK(few.text.rfind("no assumption marks off where it beats beyond chance (2 such sets", 0) == 0);
  CHECK(few.text.find("for inspection only") != std::string::npos);
}
