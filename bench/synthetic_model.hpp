#pragma once
// A synthetic model with about the per-path work of the banenafspraak model
// (horizon to 2035; per path 152 Philox words and 104 normals here, 180 and
// 111 for the model's status quo: bench/README.md), for measuring the
// batched engine apart from the model (bench/batch_benchmark.cpp). It was
// written to measure the engine before the model was ported (issue 19,
// phase 1); the banenafspraak model now runs through the batch interface
// only (models/banenafspraak_model.hpp) and is measured by
// bench/model_benchmark.cpp. Not a model of anything: the numbers are
// plausible-looking, the work is what counts.
//
// Per path, at the start: 8 normals from one purpose (2 Philox blocks): three
// trend errors, a government share, the initial cycle, and three normals
// whose squares make a chi-square(3) scale for the trends (a t(3) trend
// uncertainty). Per simulated year (12: 2024..2035), from one purpose keyed
// by the year (3 Philox blocks): 8 normals (cycle, 4 component shocks, key
// sample error, key random walk, one spare) and 3 uniforms (quota activation:
// market, government, national), one word unused. State update ~100 flops a
// year: AR(1) cycle, correlated shocks through a Cholesky factor, supply
// limit, lever multipliers, quota response, allocation key, counting,
// measurement, activation and levy. Outputs: 3 series a year, 2 scalars
// (first year reached, optional; the levy), 6 indicators.
//
// The lane loops are written on engine/simd.hpp (vectors of lanes, conditions
// as masks and selects): vectorised by construction, no branches on random
// data, no libm call per lane -- the style of the banenafspraak model's vector
// part (grow_lanes in models/banenafspraak_model.cpp).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "engine/batch_model.hpp"
#include "engine/block_random.hpp"
#include "engine/model.hpp"
#include "engine/random_stream.hpp"
#include "engine/simd.hpp"

namespace banensim::bench {

// The synthetic model's constants, shared by its batch and per-path versions.
namespace synthetic {
inline constexpr std::size_t kComponents = 4;
inline constexpr int kFirstYear = 2024;
inline constexpr std::size_t kYears = 12;  // 2024..2035
inline constexpr double kTrendMean[kComponents] = {6000.0, 300.0, 1200.0, -200.0};
inline constexpr double kTrendSd[kComponents] = {1500.0, 100.0, 300.0, 400.0};
inline constexpr double kVolatility[kComponents] = {2500.0, 150.0, 600.0, 800.0};
inline constexpr double kLoading[kComponents] = {1.0, 0.2, 0.3, 1.5};
inline constexpr double kRho = 0.5;
inline constexpr double kRhoComplement = 0.8660254037844386;  // sqrt(1 - 0.5^2)
inline constexpr double kCycleSd = 0.5;
inline constexpr double kPhi = 0.6;
inline constexpr double kCycleInnovation = 0.4;  // sqrt(1 - 0.6^2) * 0.5
inline constexpr double kF[16] = {1.0, 0, 0, 0, 0.3, 0.9539392014169456, 0, 0,
                                  0.3, 0.2201398, 0.9282495, 0, 0.2, 0.1, 0.1, 0.9695360};
inline constexpr double kCapacity = 400000.0;
inline constexpr double kResponse = 0.2;
inline constexpr double kActivationProbability = 0.5;
inline constexpr double kLevyPerJob = 5000.0;
inline constexpr double kTarget = 125000.0;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline engine::OutputLayout layout() {
  engine::OutputLayout layout;
  for (std::size_t y = 0; y < kYears; ++y) layout.step_labels.push_back(std::to_string(kFirstYear + static_cast<int>(y)));
  layout.series = {{"total", "jobs", -100000, 400000, 2000},
                   {"market", "jobs", -100000, 400000, 2000},
                   {"government", "jobs", -50000, 100000, 1500}};
  layout.scalars = {{"first_year_reached", "year", 2013, 2036, 23, true, true},
                    {"levy_total_eur", "EUR", 0, 4e9, 4000, false, false}};
  for (const char* name : {"reach_target", "market_meets_target", "government_meets_target", "quota_activated",
                           "quota_activated_market", "quota_activated_government"}) {
    layout.indicators.push_back({name, name});
  }
  return layout;
}
}  // namespace synthetic

class SyntheticBatchModel {
 public:
  static constexpr engine::PurposeId kPathPurpose = engine::purpose_id("synthetic.path");
  static constexpr engine::PurposeId kYearPurpose = engine::purpose_id("synthetic.year");
  static constexpr std::size_t kPathDraws = 8;
  static constexpr std::size_t kYearDraws = 12;
  static constexpr int kFirstYear = synthetic::kFirstYear;
  static constexpr std::size_t kYears = synthetic::kYears;
  static constexpr std::size_t kComponents = synthetic::kComponents;

  // SoA: every member an array over the lanes.
  struct BatchState {
    explicit BatchState(std::size_t max_lanes) {
      const std::size_t n = engine::padded_lanes(max_lanes);
      draws.assign(kYearDraws * n, 0.0);
      start.assign(kPathDraws * n, 0.0);
      for (auto* v : {&purchased, &gov_share, &key_walk, &cycle, &levy, &first_reached, &market, &government, &total})
        v->assign(n, 0.0);
      for (auto* group : {&jobs, &trend}) {
        for (auto& v : *group) v.assign(n, 0.0);
      }
      for (auto* group : {&active, &pending, &shortfall, &ever}) {
        for (auto& v : *group) v.assign(n, 0.0);
      }
    }
    std::vector<double> draws;  // [j * stride + lane], this year's draws
    std::vector<double> start;  // [j * stride + lane], the start draws
    std::array<std::vector<double>, kComponents> jobs, trend;
    std::array<std::vector<double>, 3> active, pending, shortfall, ever;  // quotas: market, government, national
    std::vector<double> purchased, gov_share, key_walk, cycle, levy, first_reached, market, government, total;
  };

  SyntheticBatchModel() : layout_(synthetic::layout()) {}

  const engine::OutputLayout& layout() const { return layout_; }
  BatchState make_batch_state(std::size_t max_lanes) const { return BatchState(max_lanes); }

  BANENSIM_LANE_KERNEL void begin_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord&) const {
    using namespace engine::simd;
    using namespace synthetic;
    const std::size_t n = rng.stride();
    rng.normals(kPathPurpose, 0, kPathDraws, s.start.data());
    const double* z = s.start.data();
    for (std::size_t i = 0; i < n; i += kWidth) {
      // chi-square(3) / 3 from three squared normals; a t(3)-like scale for the trend errors.
      const Doubles c1 = load(z + 5 * n + i), c2 = load(z + 6 * n + i), c3 = load(z + 7 * n + i);
      const Doubles chi = (c1 * c1 + c2 * c2 + c3 * c3) * splat(1.0 / 3.0);
      const Doubles scale = splat(1.0) / (splat(0.5) + splat(0.5) * chi);  // finite without a libm sqrt
      const Doubles zm = load(z + i) * scale, zo = load(z + n + i) * scale, zi = load(z + 2 * n + i) * scale;
      const Doubles zg = splat(kRho) * zm + splat(kRhoComplement) * zo;
      store(s.trend[0].data() + i, splat(kTrendMean[0]) + splat(kTrendSd[0]) * zm);
      store(s.trend[1].data() + i, splat(kTrendMean[1]) + splat(kTrendSd[1]) * zg);
      store(s.trend[2].data() + i, splat(kTrendMean[2]) + splat(kTrendSd[2]) * zg);
      store(s.trend[3].data() + i, splat(kTrendMean[3]) + splat(kTrendSd[3]) * zi);
      store(s.gov_share.data() + i, clamp(splat(0.24) + splat(0.03) * load(z + 3 * n + i), splat(0.0), splat(1.0)));
      store(s.cycle.data() + i, splat(kCycleSd) * load(z + 4 * n + i));
    }
    for (std::size_t i = 0; i < n; ++i) {
      s.jobs[0][i] = 60000.0;
      s.jobs[1][i] = 4000.0;
      s.jobs[2][i] = 16000.0;
      s.jobs[3][i] = 5000.0;
      s.purchased[i] = 2000.0;
      s.key_walk[i] = 0.0;
      s.levy[i] = 0.0;
      s.first_reached[i] = kNaN;
      for (std::size_t q = 0; q < 3; ++q) {
        s.active[q][i] = 0.0;
        s.pending[q][i] = 0.0;
        s.shortfall[q][i] = 0.0;
        s.ever[q][i] = 0.0;
      }
    }
  }

  BANENSIM_LANE_KERNEL void step_batch(BatchState& s, std::size_t i_step, engine::BlockRandom& rng, engine::BatchRecord& rec) const {
    using engine::Variate;
    using namespace engine::simd;
    using namespace synthetic;
    static constexpr std::array<Variate, kYearDraws> kKinds = {
        Variate::kNormal,  Variate::kNormal,  Variate::kNormal,  Variate::kNormal, Variate::kNormal, Variate::kNormal,
        Variate::kNormal,  Variate::kNormal,  Variate::kUniform, Variate::kUniform, Variate::kUniform,
        Variate::kUnused};
    const std::size_t n = rng.stride();
    const int year = kFirstYear + static_cast<int>(i_step);
    rng.draw(kYearPurpose, static_cast<std::uint32_t>(year), kKinds, s.draws.data());
    const double* d = s.draws.data();
    const Doubles t_market = splat(100000.0 * static_cast<double>(year - 2012) / 14.0);
    const Doubles t_government = splat(25000.0 * static_cast<double>(year - 2012) / 14.0);
    const Doubles year_d = splat(static_cast<double>(year));
    const bool one_target = year >= 2026;  // a lever from 2026: one national target
    const Doubles lever = splat(one_target ? 1.05 : 1.0);
    const Doubles zero = splat(0.0), one = splat(1.0);
    for (std::size_t i = 0; i < n; i += kWidth) {
      // Quotas whose delay has passed become active.
      Doubles active[3], pending[3];
      for (std::size_t q = 0; q < 3; ++q) {
        const Doubles p = load(s.pending[q].data() + i);
        const Mask due = (p != zero) & (year_d >= p);
        active[q] = select(due, one, load(s.active[q].data() + i));
        pending[q] = select(due, zero, p);
        store(s.ever[q].data() + i, select(active[q] != zero, one, load(s.ever[q].data() + i)));
      }
      const Doubles cyc = splat(kPhi) * load(s.cycle.data() + i) + splat(kCycleInnovation) * load(d + i);
      store(s.cycle.data() + i, cyc);
      const Doubles z0 = load(d + n + i), z1 = load(d + 2 * n + i), z2 = load(d + 3 * n + i), z3 = load(d + 4 * n + i);
      // Correlated shocks e = F z, F lower-triangular (Cholesky of the correlations).
      const Doubles e[kComponents] = {
          splat(kF[0]) * z0, splat(kF[4]) * z0 + splat(kF[5]) * z1,
          splat(kF[8]) * z0 + splat(kF[9]) * z1 + splat(kF[10]) * z2,
          splat(kF[12]) * z0 + splat(kF[13]) * z1 + splat(kF[14]) * z2 + splat(kF[15]) * z3};
      Doubles jobs[kComponents];
      for (std::size_t c = 0; c < kComponents; ++c) jobs[c] = load(s.jobs[c].data() + i);
      Doubles purchased = load(s.purchased.data() + i);
      const Doubles extra = jobs[0] + jobs[1] + jobs[2] + jobs[3] + purchased;
      const Doubles used = max(extra, zero) * splat(1.0 / kCapacity);
      const Doubles supply = max(one - used * used, zero);
      Doubles r[3];
      for (std::size_t q = 0; q < 3; ++q) r[q] = active[q] * splat(kResponse) * supply * load(s.shortfall[q].data() + i);
      const Doubles response[kComponents] = {r[0] + splat(0.8) * r[2], splat(0.2) * (r[1] + splat(0.2) * r[2]),
                                             splat(0.8) * (r[1] + splat(0.2) * r[2]), zero};
      for (std::size_t c = 0; c < kComponents; ++c) {
        const Doubles growth = load(s.trend[c].data() + i) * supply * (one + splat(kLoading[c]) * cyc) * lever;
        jobs[c] = jobs[c] + (growth + splat(kVolatility[c]) * e[c] + response[c]);
      }
      const Doubles insourcing = clamp(purchased, zero, splat(300.0));
      jobs[2] = jobs[2] + insourcing;
      purchased = purchased - insourcing + splat(50.0) * load(d + 7 * n + i);  // the spare normal: procurement noise
      for (std::size_t c = 0; c < kComponents; ++c) store(s.jobs[c].data() + i, jobs[c]);
      store(s.purchased.data() + i, purchased);
      // The allocation key: the true share, a random walk, a sample error.
      const Doubles walk = load(s.key_walk.data() + i) + splat(0.01) * load(d + 6 * n + i);
      store(s.key_walk.data() + i, walk);
      const Doubles gov_share = load(s.gov_share.data() + i);
      const Doubles key = clamp(gov_share + walk + splat(0.02) * load(d + 5 * n + i), zero, one);
      const Doubles share = one_target ? gov_share : key;
      const Doubles market = jobs[0] + (one - share) * jobs[3] + purchased;
      const Doubles government = jobs[1] + jobs[2] + share * jobs[3];
      const Doubles total = market + government;
      // Measurement, activation after a year's delay, and the levy.
      const Doubles miss_m = max(t_market - market, zero);
      const Doubles miss_g = max(t_government - government, zero);
      const Doubles misses[3] = {one_target ? zero : miss_m, one_target ? zero : miss_g,
                                 one_target ? miss_m + miss_g : zero};
      Doubles levy = load(s.levy.data() + i);
      for (std::size_t q = 0; q < 3; ++q) {
        const Mask start = (misses[q] > zero) & (active[q] == zero) & (pending[q] == zero) &
                           (load(d + (8 + q) * n + i) < splat(kActivationProbability));
        store(s.pending[q].data() + i, select(start, year_d + one, pending[q]));
        store(s.shortfall[q].data() + i, misses[q]);
        store(s.active[q].data() + i, active[q]);
        levy = levy + active[q] * splat(kLevyPerJob) * misses[q];
      }
      store(s.levy.data() + i, levy);
      store(s.market.data() + i, market);
      store(s.government.data() + i, government);
      store(s.total.data() + i, total);
      store(rec.series(0) + i, total);
      store(rec.series(1) + i, market);
      store(rec.series(2) + i, government);
      const Doubles first = load(s.first_reached.data() + i);
      store(s.first_reached.data() + i, select(is_nan(first) & (total >= splat(kTarget)), year_d, first));
    }
  }

  BANENSIM_LANE_KERNEL void end_batch(BatchState& s, engine::BlockRandom& rng, engine::BatchRecord& rec) const {
    using namespace synthetic;
    const std::size_t n = rng.stride();
    const double t_market = 100000.0 * (2035.0 - 2012.0) / 14.0;
    const double t_government = 25000.0 * (2035.0 - 2012.0) / 14.0;
    for (std::size_t i = 0; i < n; ++i) {
      rec.scalar(0)[i] = s.first_reached[i];
      rec.scalar(1)[i] = s.levy[i];
      rec.indicator(0)[i] = s.total[i] >= kTarget ? 1 : 0;
      rec.indicator(1)[i] = s.market[i] >= t_market ? 1 : 0;
      rec.indicator(2)[i] = s.government[i] >= t_government ? 1 : 0;
      rec.indicator(3)[i] = (s.ever[0][i] + s.ever[1][i] + s.ever[2][i]) > 0.0 ? 1 : 0;
      rec.indicator(4)[i] = s.ever[0][i] > 0.0 ? 1 : 0;
      rec.indicator(5)[i] = s.ever[1][i] > 0.0 ? 1 : 0;
    }
  }

 private:
  engine::OutputLayout layout_;
};

// The same model through the per-path interface (engine/model.hpp) and the
// per-path streams (engine/random_stream.hpp: Philox4x64-10, one 64-bit word
// per draw): the same work per path, for measuring what the batched engine
// gains (BM_SyntheticPathRun and BM_SyntheticFiveVariants in
// bench/batch_benchmark.cpp). Since the banenafspraak model has no per-path
// interface, this is the only per-path model of its size left to compare
// with. Same purposes and draw counts (one stream per purpose and year);
// different numbers.
class SyntheticPathModel {
 public:
  struct State {
    double jobs[synthetic::kComponents];
    double trend[synthetic::kComponents];
    double active[3], pending[3], shortfall[3], ever[3];
    double purchased, gov_share, key_walk, cycle, levy, first_reached, market, government, total;
  };

  SyntheticPathModel() : layout_(synthetic::layout()) {}
  const engine::OutputLayout& layout() const { return layout_; }
  State make_state() const { return {}; }

  void begin_path(State& s, const engine::PathRandom& rng, engine::PathRecord&) const {
    using namespace synthetic;
    auto stream = rng.stream(engine::stream_id("synthetic.path"));
    double z[8];
    for (double& v : z) v = stream.normal();
    const double chi = (z[5] * z[5] + z[6] * z[6] + z[7] * z[7]) * (1.0 / 3.0);
    const double scale = 1.0 / (0.5 + 0.5 * chi);
    const double zm = z[0] * scale, zo = z[1] * scale, zi = z[2] * scale;
    const double zg = kRho * zm + kRhoComplement * zo;
    s.trend[0] = kTrendMean[0] + kTrendSd[0] * zm;
    s.trend[1] = kTrendMean[1] + kTrendSd[1] * zg;
    s.trend[2] = kTrendMean[2] + kTrendSd[2] * zg;
    s.trend[3] = kTrendMean[3] + kTrendSd[3] * zi;
    s.gov_share = std::min(1.0, std::max(0.0, 0.24 + 0.03 * z[3]));
    s.cycle = kCycleSd * z[4];
    s.jobs[0] = 60000.0;
    s.jobs[1] = 4000.0;
    s.jobs[2] = 16000.0;
    s.jobs[3] = 5000.0;
    s.purchased = 2000.0;
    s.key_walk = 0.0;
    s.levy = 0.0;
    s.first_reached = kNaN;
    for (std::size_t q = 0; q < 3; ++q) s.active[q] = s.pending[q] = s.shortfall[q] = s.ever[q] = 0.0;
  }

  void step(State& s, std::size_t i_step, const engine::PathRandom& rng, engine::PathRecord& rec) const {
    using namespace synthetic;
    const int year = kFirstYear + static_cast<int>(i_step);
    auto stream = rng.stream(engine::stream_id("synthetic.year"), static_cast<std::uint64_t>(year));
    double d[11];
    for (std::size_t j = 0; j < 8; ++j) d[j] = stream.normal();
    for (std::size_t j = 8; j < 11; ++j) d[j] = stream.uniform();
    const double t_market = 100000.0 * static_cast<double>(year - 2012) / 14.0;
    const double t_government = 25000.0 * static_cast<double>(year - 2012) / 14.0;
    const double year_d = static_cast<double>(year);
    const bool one_target = year >= 2026;
    const double lever = one_target ? 1.05 : 1.0;
    for (std::size_t q = 0; q < 3; ++q) {
      if (s.pending[q] != 0.0 && year_d >= s.pending[q]) {
        s.active[q] = 1.0;
        s.pending[q] = 0.0;
      }
      if (s.active[q] != 0.0) s.ever[q] = 1.0;
    }
    const double cyc = kPhi * s.cycle + kCycleInnovation * d[0];
    s.cycle = cyc;
    const double e[kComponents] = {kF[0] * d[1], kF[4] * d[1] + kF[5] * d[2],
                                   kF[8] * d[1] + kF[9] * d[2] + kF[10] * d[3],
                                   kF[12] * d[1] + kF[13] * d[2] + kF[14] * d[3] + kF[15] * d[4]};
    const double extra = s.jobs[0] + s.jobs[1] + s.jobs[2] + s.jobs[3] + s.purchased;
    const double used = std::max(extra, 0.0) * (1.0 / kCapacity);
    const double supply = std::max(1.0 - used * used, 0.0);
    double r[3];
    for (std::size_t q = 0; q < 3; ++q) r[q] = s.active[q] * kResponse * supply * s.shortfall[q];
    const double response[kComponents] = {r[0] + 0.8 * r[2], 0.2 * (r[1] + 0.2 * r[2]), 0.8 * (r[1] + 0.2 * r[2]),
                                          0.0};
    for (std::size_t c = 0; c < kComponents; ++c) {
      const double growth = s.trend[c] * supply * (1.0 + kLoading[c] * cyc) * lever;
      s.jobs[c] = s.jobs[c] + (growth + kVolatility[c] * e[c] + response[c]);
    }
    const double insourcing = std::min(std::max(s.purchased, 0.0), 300.0);
    s.jobs[2] += insourcing;
    s.purchased = s.purchased - insourcing + 50.0 * d[7];
    s.key_walk += 0.01 * d[6];
    const double key = std::min(1.0, std::max(0.0, s.gov_share + s.key_walk + 0.02 * d[5]));
    const double share = one_target ? s.gov_share : key;
    const double market = s.jobs[0] + (1.0 - share) * s.jobs[3] + s.purchased;
    const double government = s.jobs[1] + s.jobs[2] + share * s.jobs[3];
    const double total = market + government;
    const double miss_m = std::max(t_market - market, 0.0);
    const double miss_g = std::max(t_government - government, 0.0);
    const double misses[3] = {one_target ? 0.0 : miss_m, one_target ? 0.0 : miss_g, one_target ? miss_m + miss_g : 0.0};
    for (std::size_t q = 0; q < 3; ++q) {
      if (misses[q] > 0.0 && s.active[q] == 0.0 && s.pending[q] == 0.0 && d[8 + q] < kActivationProbability) {
        s.pending[q] = year_d + 1.0;
      }
      s.shortfall[q] = misses[q];
      s.levy += s.active[q] * kLevyPerJob * misses[q];
    }
    s.market = market;
    s.government = government;
    s.total = total;
    rec.series(0, i_step) = total;
    rec.series(1, i_step) = market;
    rec.series(2, i_step) = government;
    if (std::isnan(s.first_reached) && total >= kTarget) s.first_reached = year_d;
  }

  void end_path(State& s, const engine::PathRandom&, engine::PathRecord& rec) const {
    using namespace synthetic;
    const double t_market = 100000.0 * (2035.0 - 2012.0) / 14.0;
    const double t_government = 25000.0 * (2035.0 - 2012.0) / 14.0;
    rec.scalar(0) = s.first_reached;
    rec.scalar(1) = s.levy;
    rec.set_indicator(0, s.total >= kTarget);
    rec.set_indicator(1, s.market >= t_market);
    rec.set_indicator(2, s.government >= t_government);
    rec.set_indicator(3, s.ever[0] + s.ever[1] + s.ever[2] > 0.0);
    rec.set_indicator(4, s.ever[0] > 0.0);
    rec.set_indicator(5, s.ever[1] > 0.0);
  }

 private:
  engine::OutputLayout layout_;
};

}  // namespace banensim::bench
