// The runner with a batch model (engine/batch_model.hpp): closed-form
// answers, bit-identical results at any thread count and with either kernel
// set, common random numbers, the hand-computed path, failures.

#include "engine/parallel_runner.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "engine/block_random.hpp"
#include "engine/reference_model.hpp"
#include "engine/simd_kernels.hpp"

using banensim::engine::BatchRandomWalkModel;
using banensim::engine::BatchRecord;
using banensim::engine::BlockRandom;
using banensim::engine::normal_cdf;
using banensim::engine::normal_of_word;
using banensim::engine::PairedTally;
using banensim::engine::run;
using banensim::engine::run_paired;
using banensim::engine::RunConfig;
using banensim::engine::RunResult;
using banensim::engine::stream_word;
using banensim::engine::Tally;
namespace kernels = banensim::engine::kernels;

namespace {

constexpr double kSigmas = 4.5;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void require_identical(const Tally& a, const Tally& b, std::size_t n_steps) {
  REQUIRE(a.n_paths() == b.n_paths());
  for (std::size_t t = 0; t < n_steps; ++t) {
    const auto& sa = a.series(0, t);
    const auto& sb = b.series(0, t);
    REQUIRE(same_bits(sa.moments.mean(), sb.moments.mean()));
    REQUIRE(same_bits(sa.moments.m2(), sb.moments.m2()));
    REQUIRE(sa.histogram.counts() == sb.histogram.counts());
    REQUIRE(same_bits(sa.histogram.min(), sb.histogram.min()));
    REQUIRE(same_bits(sa.histogram.max(), sb.histogram.max()));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    REQUIRE(same_bits(a.scalar(i).moments.mean(), b.scalar(i).moments.mean()));
    REQUIRE(same_bits(a.scalar(i).moments.m2(), b.scalar(i).moments.m2()));
    REQUIRE(a.scalar(i).histogram.counts() == b.scalar(i).histogram.counts());
    REQUIRE(a.scalar_present(i).successes() == b.scalar_present(i).successes());
  }
  REQUIRE(a.indicator(0).successes() == b.indicator(0).successes());
}

struct ForcedKernels {
  explicit ForcedKernels(const kernels::KernelSet* set) { kernels::force_kernels(set); }
  ~ForcedKernels() { kernels::force_kernels(nullptr); }
  ForcedKernels(const ForcedKernels&) = delete;
  ForcedKernels& operator=(const ForcedKernels&) = delete;
};

}  // namespace

TEST_SUITE("property") {
TEST_CASE("batch model: bit-identical statistics at 1, 2, 3 and 8 threads, for several block sizes") {
  const BatchRandomWalkModel model(10, 0.1, 1.0, 1.5);
  for (std::uint64_t block : {256ULL, 1000ULL, 37ULL}) {  // whole lane batches, a short last batch, tiny blocks
    CAPTURE(block);
    RunConfig cfg;
    cfg.seed = 42;
    cfg.n_paths = 20000 + 17;  // a partial last block too
    cfg.block_size = block;
    cfg.n_threads = 1;
    const RunResult ref = run(model, cfg);
    CHECK(ref.n_paths == cfg.n_paths);
    for (int threads : {2, 3, 8}) {
      cfg.n_threads = threads;
      require_identical(ref.tally.variant(0), run(model, cfg).tally.variant(0), 10);
    }
  }
}

TEST_CASE("batch model: block size changes only rounding -- counts exact, moments equal to ~1e-12") {
  const BatchRandomWalkModel model(5, 0.0, 1.0, 0.5);
  RunConfig cfg;
  cfg.seed = 7;
  cfg.n_paths = 5000;
  cfg.block_size = 128;
  const RunResult a = run(model, cfg);
  cfg.block_size = 1000;
  const RunResult b = run(model, cfg);
  const Tally& ta = a.tally.variant(0);
  const Tally& tb = b.tally.variant(0);
  CHECK(ta.indicator(0).successes() == tb.indicator(0).successes());
  for (std::size_t t = 0; t < 5; ++t) CHECK(ta.series(0, t).histogram.counts() == tb.series(0, t).histogram.counts());
  CHECK(ta.scalar(1).histogram.counts() == tb.scalar(1).histogram.counts());
  CHECK(ta.scalar(0).moments.mean() == doctest::Approx(tb.scalar(0).moments.mean()).epsilon(1e-12));
  CHECK(ta.scalar(0).moments.variance() == doctest::Approx(tb.scalar(0).moments.variance()).epsilon(1e-12));
}

TEST_CASE("batch model: the scalar and every wide kernel set give the same run, bit for bit") {
  const kernels::KernelSet* sets[3] = {};
  const int n_sets = kernels::available_kernel_sets(sets);
  if (n_sets == 1) {
    MESSAGE("this CPU has neither AVX2+FMA nor AVX-512: only the scalar kernels run here");
    return;
  }
  const BatchRandomWalkModel model(12, 0.05, 1.2, 1.0);
  RunConfig cfg;
  cfg.seed = 2026;
  cfg.n_paths = 30000;
  cfg.n_threads = 2;
  RunResult scalar_run;
  {
    const ForcedKernels forced(&kernels::scalar_kernels());
    scalar_run = run(model, cfg);
  }
  for (int k = 1; k < n_sets; ++k) {
    CAPTURE(sets[k]->name);
    const ForcedKernels forced(sets[k]);
    require_identical(scalar_run.tally.variant(0), run(model, cfg).tally.variant(0), 12);
  }
}

TEST_CASE("batch model: known answers -- a fixed run's statistics, bit for bit") {
  // Recorded once. The same bits must come from every build of this code
  // (any -march, either kernel set, either target clone of the lane loops):
  // a build that changes them breaks the reproducibility promise.
  const BatchRandomWalkModel model(12, 0.05, 1.2, 1.0);
  RunConfig cfg;
  cfg.seed = 2026;
  cfg.n_paths = 10000;
  cfg.n_threads = 2;
  const RunResult r = run(model, cfg);
  const Tally& t = r.tally.variant(0);
  CHECK(t.scalar(0).moments.mean() == 0x1.572a3698c5317p-1);
  CHECK(t.scalar(0).moments.m2() == 0x1.5095a3a058712p+17);
  CHECK(t.series(0, 5).moments.mean() == 0x1.63d3f399523cbp-2);
  CHECK(t.series(0, 5).histogram.quantile(0.9) == 0x1.07bddc995a6ap+2);
  CHECK(t.indicator(0).successes() == 4691);
  CHECK(t.scalar_present(1).successes() == 7301);
}

TEST_CASE("batch model: a path computed by hand from its stream words is the path the engine simulates") {
  // Path i's increments are z_t = normal_of_word(stream_word(seed, i, purpose, 0, t)).
  const std::size_t n_steps = 6;
  const double mu = 0.25, sigma = 1.5;
  const BatchRandomWalkModel model(n_steps, mu, sigma, 1.0);
  const std::uint64_t seed = 99;
  auto by_hand = [&](std::uint64_t i_path) {
    double x = 0.0;
    for (std::size_t t = 0; t < n_steps; ++t) {
      x = x + (mu + sigma * normal_of_word(stream_word(seed, i_path, BatchRandomWalkModel::kIncrements, 0, t)));
    }
    return x;
  };
  // Lanes 0..4 of a batch that starts at path 1000: each lane is its path.
  BlockRandom rng(seed, 1000, 5);
  auto state = model.make_batch_state(5);
  BatchRecord rec(model.layout(), 5);
  rec.start(5);
  model.begin_batch(state, rng, rec);
  for (std::size_t t = 0; t < n_steps; ++t) model.step_batch(state, t, rng, rec);
  model.end_batch(state, rng, rec);
  for (std::size_t lane = 0; lane < 5; ++lane) CHECK(same_bits(rec.scalar(0)[lane], by_hand(1000 + lane)));
  // Through the runner: a one-path run's mean is path 0's value.
  RunConfig cfg;
  cfg.seed = seed;
  cfg.n_paths = 1;
  const RunResult r = run(model, cfg);
  CHECK(same_bits(r.tally.variant(0).scalar(0).moments.mean(), by_hand(0)));
}

TEST_CASE("batch model: per-path samples -- each path's own values, in index order, the same at any thread count") {
  using banensim::engine::PathSampleRequest;
  const std::size_t n_steps = 6;
  const double mu = 0.25, sigma = 1.5, threshold = 1.0;
  const BatchRandomWalkModel model(n_steps, mu, sigma, threshold);
  const BatchRandomWalkModel shifted(n_steps, mu + 1.0, sigma, threshold);
  const std::vector<BatchRandomWalkModel> variants = {model, shifted};
  RunConfig cfg;
  cfg.seed = 99;
  cfg.n_paths = 1000 + 3;  // several batches per block, a short last block and batch
  cfg.block_size = 300;
  cfg.n_threads = 1;
  cfg.path_samples = {{PathSampleRequest::Kind::kSeries, 0, 2},
                      {PathSampleRequest::Kind::kIndicator, 0, 0},
                      {PathSampleRequest::Kind::kScalar, 0, 0},
                      {PathSampleRequest::Kind::kScalar, 1, 0}};
  const RunResult one = run_paired(std::span<const BatchRandomWalkModel>(variants), cfg);
  REQUIRE(one.samples.n_paths == cfg.n_paths);
  REQUIRE(one.samples.values.size() == 2 * 4 * cfg.n_paths);
  // Every path's values are those of its own random numbers, computed alone.
  for (std::uint64_t i = 0; i < cfg.n_paths; ++i) {
    for (std::size_t k = 0; k < 2; ++k) {
      const double m = k == 0 ? mu : mu + 1.0;
      double x = 0.0, x2 = 0.0, first = std::numeric_limits<double>::quiet_NaN();
      for (std::size_t t = 0; t < n_steps; ++t) {
        x = x + (m + sigma * normal_of_word(stream_word(cfg.seed, i, BatchRandomWalkModel::kIncrements, 0, t)));
        if (t == 2) x2 = x;
        if (std::isnan(first) && x >= threshold) first = static_cast<double>(t + 1);
      }
      REQUIRE(same_bits(one.samples.value(k, 0, i), x2));
      REQUIRE(one.samples.value(k, 1, i) == (x >= threshold ? 1.0 : 0.0));
      REQUIRE(same_bits(one.samples.value(k, 2, i), x));
      REQUIRE(same_bits(one.samples.value(k, 3, i), first));
    }
  }
  double reached = 0.0;
  for (std::uint64_t i = 0; i < cfg.n_paths; ++i) reached += one.samples.value(0, 1, i);
  CHECK(static_cast<std::uint64_t>(reached) == one.tally.variant(0).indicator(0).successes());
  for (int threads : {2, 3}) {
    cfg.n_threads = threads;
    const RunResult r = run_paired(std::span<const BatchRandomWalkModel>(variants), cfg);
    REQUIRE(r.samples.values.size() == one.samples.values.size());
    CHECK(std::memcmp(r.samples.values.data(), one.samples.values.data(), one.samples.values.size() * sizeof(double)) ==
          0);
  }
  // A stop rule keeps the samples of the paths folded in.
  cfg.stop_rule = [](const PairedTally& t) { return t.n_paths() >= 300; };
  const RunResult stopped = run(model, cfg);
  CHECK(stopped.samples.n_paths == stopped.n_paths);
  CHECK(stopped.n_paths == 300);
  CHECK(same_bits(stopped.samples.value(0, 2, 299), one.samples.value(0, 2, 299)));
}

TEST_CASE("batch model: common random numbers -- a shifted variant is paired path by path") {
  const std::vector<BatchRandomWalkModel> variants = {BatchRandomWalkModel(4, 0.0, 1.0, 1.0),
                                                      BatchRandomWalkModel(4, 0.1, 1.0, 1.0)};
  RunConfig cfg;
  cfg.seed = 3;
  cfg.n_paths = 4000;
  const RunResult r = run_paired(std::span<const BatchRandomWalkModel>(variants), cfg);
  const auto& d = r.tally.scalar_difference(1, 0);
  CHECK(d.count() == cfg.n_paths);
  CHECK(d.mean() == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(d.stddev() < 1e-12);
  CHECK(r.tally.indicator_pair(1, 0).reference_only.successes() == 0);
  CHECK(r.tally.indicator_pair(1, 0).variant_only.successes() > 0);
  CHECK(r.tally.indicator_pair(1, 0).difference.count() == cfg.n_paths);
}

TEST_CASE("batch model: each variant of a paired run gets exactly its single run's statistics") {
  // The variants take the steps in turn and share their draws; neither may
  // change a single variant's numbers. (A paired run tallies every variant
  // in the reference's histogram bins, which this walk sets from mu and
  // sigma: the variants differ in their threshold, or else only the moments
  // and counts are compared.)
  RunConfig cfg;
  cfg.seed = 17;
  cfg.n_paths = 10000 + 3;
  cfg.block_size = 700;
  cfg.n_threads = 2;
  const std::vector<BatchRandomWalkModel> same_bins = {BatchRandomWalkModel(8, 0.1, 1.0, 1.0),
                                                       BatchRandomWalkModel(8, 0.1, 1.0, 2.5),
                                                       BatchRandomWalkModel(8, 0.1, 1.0, -1.0)};
  const RunResult paired = run_paired(std::span<const BatchRandomWalkModel>(same_bins), cfg);
  for (std::size_t k = 0; k < same_bins.size(); ++k) {
    CAPTURE(k);
    require_identical(paired.tally.variant(k), run(same_bins[k], cfg).tally.variant(0), 8);
  }
  const std::vector<BatchRandomWalkModel> different = {BatchRandomWalkModel(8, 0.0, 1.0, 1.0),
                                                       BatchRandomWalkModel(8, 0.2, 0.5, 1.0)};
  const RunResult paired2 = run_paired(std::span<const BatchRandomWalkModel>(different), cfg);
  const RunResult single = run(different[1], cfg);
  const Tally& a = paired2.tally.variant(1);
  const Tally& b = single.tally.variant(0);
  CHECK(same_bits(a.scalar(0).moments.mean(), b.scalar(0).moments.mean()));
  CHECK(same_bits(a.scalar(0).moments.m2(), b.scalar(0).moments.m2()));
  CHECK(same_bits(a.series(0, 3).moments.m2(), b.series(0, 3).moments.m2()));
  CHECK(a.indicator(0).successes() == b.indicator(0).successes());
  CHECK(a.scalar_present(1).successes() == b.scalar_present(1).successes());
}

TEST_CASE("batch model: a variant compared with itself has paired differences of exactly zero") {
  const BatchRandomWalkModel model(6, 0.05, 1.0, 0.3);
  const std::vector<BatchRandomWalkModel> variants = {model, model};
  RunConfig cfg;
  cfg.seed = 11;
  cfg.n_paths = 3000;
  cfg.n_threads = 2;
  const RunResult r = run_paired(std::span<const BatchRandomWalkModel>(variants), cfg);
  require_identical(r.tally.variant(0), r.tally.variant(1), 6);
  const auto& pair = r.tally.indicator_pair(1, 0);
  CHECK(pair.difference.mean() == 0.0);
  CHECK(pair.difference.m2() == 0.0);
  CHECK(pair.variant_only.successes() == 0);
  CHECK(pair.reference_only.successes() == 0);
}

TEST_CASE("batch model: a stop rule fires at the same block at any thread count") {
  const BatchRandomWalkModel model(4, 0.0, 1.0, 0.0);
  RunConfig cfg;
  cfg.seed = 5;
  cfg.n_paths = 1'000'000;
  cfg.block_size = 500;
  cfg.chunk_blocks = 4;
  cfg.stop_rule = [](const PairedTally& t) { return t.variant(0).indicator(0).wilson().half_width() <= 0.01; };
  std::uint64_t first_count = 0;
  for (int threads : {1, 2, 3}) {
    cfg.n_threads = threads;
    const RunResult r = run(model, cfg);
    CHECK(r.stopped_by_rule);
    if (first_count == 0) first_count = r.n_paths;
    CHECK(r.n_paths == first_count);
  }
  CHECK(first_count >= 9000);
  CHECK(first_count <= 10500);
}

TEST_CASE("batch model: a non-finite output stops the run and names the path and seed") {
  struct BadModel : BatchRandomWalkModel {
    BadModel() : BatchRandomWalkModel(3, 0.0, 1.0, 0.0) {}
    void end_batch(BatchState& s, BlockRandom& rng, BatchRecord& rec) const {
      BatchRandomWalkModel::end_batch(s, rng, rec);
      for (std::size_t lane = 0; lane < rng.n_lanes(); ++lane) {
        if (rng.first_path() + lane == 1234) rec.scalar(0)[lane] = std::numeric_limits<double>::infinity();
      }
    }
  };
  RunConfig cfg;
  cfg.seed = 99;
  cfg.n_paths = 5000;
  cfg.n_threads = 2;
  try {
    (void)run(BadModel{}, cfg);
    FAIL("expected NonFiniteError");
  } catch (const banensim::engine::NonFiniteError& e) {
    CHECK(e.i_path == 1234);
    CHECK(e.seed == 99);
    CHECK(std::string(e.what()).find("x_final") != std::string::npos);
  }
}

TEST_CASE("batch model: a series value the model does not write is reported, not tallied") {
  struct ForgetfulModel : BatchRandomWalkModel {
    ForgetfulModel() : BatchRandomWalkModel(3, 0.0, 1.0, 0.0) {}
    void step_batch(BatchState& s, std::size_t i_step, BlockRandom& rng, BatchRecord& rec) const {
      BatchRandomWalkModel::step_batch(s, i_step, rng, rec);
      if (i_step == 2 && rng.first_path() == 0) rec.series(0)[7] = std::nan("");  // as if never written
    }
  };
  RunConfig cfg;
  cfg.n_paths = 1000;
  try {
    (void)run(ForgetfulModel{}, cfg);
    FAIL("expected NonFiniteError");
  } catch (const banensim::engine::NonFiniteError& e) {
    CHECK(e.i_path == 7);
    CHECK(std::string(e.what()).find("x [3]") != std::string::npos);
  }
}
}

TEST_SUITE("statistical") {
TEST_CASE("batch model: P(sum of Gaussian increments >= threshold) matches 1 - Phi, with a covering Wilson interval") {
  const std::size_t n_steps = 12;
  const double mu = 0.08, sigma = 1.3, threshold = 2.0;
  const BatchRandomWalkModel model(n_steps, mu, sigma, threshold);
  RunConfig cfg;
  cfg.seed = 2024;
  cfg.n_paths = 200000;
  const auto r = run(model, cfg);
  const auto& reach = r.tally.variant(0).indicator(0);
  const double t = static_cast<double>(n_steps);
  const double p_exact = 1.0 - normal_cdf((threshold - t * mu) / (sigma * std::sqrt(t)));
  const double se = std::sqrt(p_exact * (1.0 - p_exact) / static_cast<double>(cfg.n_paths));
  CHECK(std::fabs(reach.estimate() - p_exact) < kSigmas * se);
  const auto ci = reach.wilson();
  CHECK(ci.low < p_exact);
  CHECK(ci.high > p_exact);
  CHECK(ci.half_width() == doctest::Approx(1.96 * se).epsilon(0.02));
}

TEST_CASE("batch model: mean, variance and quantiles of the final value match N(T mu, T sigma^2)") {
  const std::size_t n_steps = 9;
  const double mu = -0.3, sigma = 2.0;
  const BatchRandomWalkModel model(n_steps, mu, sigma, 0.0);
  RunConfig cfg;
  cfg.seed = 77;
  cfg.n_paths = 100000;
  const auto r = run(model, cfg);
  const auto& x = r.tally.variant(0).scalar(0).moments;
  const double t = static_cast<double>(n_steps);
  const double n = static_cast<double>(cfg.n_paths);
  const double var = t * sigma * sigma;
  CHECK(x.count() == cfg.n_paths);
  CHECK(std::fabs(x.mean() - t * mu) < kSigmas * std::sqrt(var / n));
  CHECK(std::fabs(x.variance() - var) < kSigmas * var * std::sqrt(2.0 / (n - 1.0)));
  CHECK(x.std_error() == doctest::Approx(std::sqrt(var / n)).epsilon(0.02));
  const auto& h = r.tally.variant(0).scalar(0).histogram;
  const double median_se = std::sqrt(M_PI / 2.0) * std::sqrt(var / n);
  CHECK(std::fabs(h.quantile(0.5) - t * mu) < kSigmas * median_se + h.bin_width());
  CHECK(h.quantile(0.95) == doctest::Approx(t * mu + 1.6448536269514722 * std::sqrt(var)).epsilon(0.01));
  // Every step's series: mean (t+1) mu, variance (t+1) sigma^2.
  for (std::size_t s = 0; s < n_steps; ++s) {
    const auto& m = r.tally.variant(0).series(0, s).moments;
    const double ts = static_cast<double>(s + 1);
    CHECK(std::fabs(m.mean() - ts * mu) < kSigmas * std::sqrt(ts * sigma * sigma / n));
  }
}

TEST_CASE("batch model: the first crossing step has the distribution a direct simulation gives") {
  // P(first_cross absent) = P(max_t x_t < c); compare with the indicator's
  // complement bound: absent implies x_T < c, so P(absent) <= 1 - P(reach).
  const BatchRandomWalkModel model(8, 0.0, 1.0, 1.0);
  RunConfig cfg;
  cfg.seed = 12;
  cfg.n_paths = 50000;
  const auto r = run(model, cfg);
  const Tally& t = r.tally.variant(0);
  const double p_absent = 1.0 - t.scalar_present(1).estimate();
  const double p_not_reach = 1.0 - t.indicator(0).estimate();
  CHECK(p_absent <= p_not_reach);
  // Reflection principle for Brownian motion gives P(max_{s<=8} W_s < 1) =
  // 2 Phi(1/sqrt(8)) - 1 = 0.276; the discrete walk crosses less often, so
  // P(absent) lies above it.
  CHECK(p_absent > 2.0 * normal_cdf(1.0 / std::sqrt(8.0)) - 1.0);
}
}
