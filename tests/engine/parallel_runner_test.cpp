#include "engine/parallel_runner.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <limits>
#include <vector>

#include "engine/reference_model.hpp"

using banensim::engine::PairedTally;
using banensim::engine::run;
using banensim::engine::run_paired;
using banensim::engine::RunConfig;
using banensim::engine::RunResult;
using banensim::engine::Tally;
using banensim::engine::RandomWalkModel;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every number a Tally reports, compared bit for bit.
void require_identical(const Tally& a, const Tally& b, const RandomWalkModel& m) {
  REQUIRE(a.n_paths() == b.n_paths());
  for (std::size_t t = 0; t < m.layout().n_steps(); ++t) {
    const auto& sa = a.series(0, t);
    const auto& sb = b.series(0, t);
    REQUIRE(same_bits(sa.moments.mean(), sb.moments.mean()));
    REQUIRE(same_bits(sa.moments.m2(), sb.moments.m2()));
    REQUIRE(sa.histogram.counts() == sb.histogram.counts());
    REQUIRE(same_bits(sa.histogram.quantile(0.5), sb.histogram.quantile(0.5)));
  }
  for (std::size_t i = 0; i < m.layout().scalars.size(); ++i) {
    REQUIRE(same_bits(a.scalar(i).moments.mean(), b.scalar(i).moments.mean()));
    REQUIRE(same_bits(a.scalar(i).moments.m2(), b.scalar(i).moments.m2()));
    REQUIRE(a.scalar_present(i).successes() == b.scalar_present(i).successes());
  }
  REQUIRE(a.indicator(0).successes() == b.indicator(0).successes());
}

}  // namespace

TEST_SUITE("property") {
TEST_CASE("same seed gives bit-identical statistics at 1, 2, 3 and 8 threads") {
  const RandomWalkModel model(10, 0.1, 1.0, 1.5);
  RunConfig cfg;
  cfg.seed = 42;
  cfg.n_paths = 20000 + 17;  // a partial last block too
  cfg.block_size = 256;
  cfg.chunk_blocks = 8;
  cfg.n_threads = 1;
  const RunResult ref = run(model, cfg);
  CHECK(ref.n_paths == cfg.n_paths);
  for (int threads : {2, 3, 8}) {
    cfg.n_threads = threads;
    const RunResult r = run(model, cfg);
    CHECK(r.n_threads == threads);
    require_identical(ref.tally.variant(0), r.tally.variant(0), model);
  }
}

TEST_CASE("block size changes only rounding: counts exact, moments equal to ~1e-12") {
  // The promise: bit-identical for a fixed block size (the default is fixed,
  // never derived from the thread count); across block sizes counts,
  // histograms and proportions are identical and means agree to rounding.
  const RandomWalkModel model(5, 0.0, 1.0, 0.5);
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
  CHECK(ta.series(0, 4).histogram.counts() == tb.series(0, 4).histogram.counts());
  CHECK(ta.scalar(0).moments.mean() == doctest::Approx(tb.scalar(0).moments.mean()).epsilon(1e-12));
  CHECK(ta.scalar(0).moments.variance() == doctest::Approx(tb.scalar(0).moments.variance()).epsilon(1e-12));
}

TEST_CASE("per-path samples: every path in index order, the same at any thread count, agreeing with the tally") {
  using banensim::engine::PathSampleRequest;
  const RandomWalkModel model(10, 0.1, 1.0, 1.5);
  RunConfig cfg;
  cfg.seed = 42;
  cfg.n_paths = 5000 + 3;
  cfg.block_size = 256;
  cfg.n_threads = 1;
  cfg.path_samples = {{PathSampleRequest::Kind::kSeries, 0, 9},
                      {PathSampleRequest::Kind::kIndicator, 0, 0},
                      {PathSampleRequest::Kind::kScalar, 1, 0}};
  const RunResult one = run(model, cfg);
  REQUIRE(one.samples.n_paths == cfg.n_paths);
  REQUIRE(one.samples.values.size() == 3 * cfg.n_paths);
  // Path 17 alone (a run of its own cannot hold it: it takes the same draws by its index).
  double sum = 0.0, reached = 0.0;
  std::size_t present = 0;
  for (std::uint64_t i = 0; i < cfg.n_paths; ++i) {
    sum += one.samples.value(0, 0, i);
    reached += one.samples.value(0, 1, i);
    present += std::isnan(one.samples.value(0, 2, i)) ? 0U : 1U;
    CHECK((one.samples.value(0, 1, i) == 1.0) == (one.samples.value(0, 0, i) >= 1.5));
  }
  // The samples are the paths the tally summarised.
  CHECK(sum / static_cast<double>(cfg.n_paths) ==
        doctest::Approx(one.tally.variant(0).series(0, 9).moments.mean()).epsilon(1e-12));
  CHECK(static_cast<std::uint64_t>(reached) == one.tally.variant(0).indicator(0).successes());
  CHECK(present == one.tally.variant(0).scalar_present(1).successes());
  for (int threads : {2, 3}) {
    cfg.n_threads = threads;
    const RunResult r = run(model, cfg);
    // Bit for bit, in path order (NaN marks an absent first_cross, so memcmp).
    REQUIRE(r.samples.values.size() == one.samples.values.size());
    CHECK(std::memcmp(r.samples.values.data(), one.samples.values.data(), one.samples.values.size() * sizeof(double)) ==
          0);
  }
  // A stop rule keeps the samples of the paths folded in.
  cfg.stop_rule = [](const PairedTally& t) { return t.n_paths() >= 1024; };
  const RunResult stopped = run(model, cfg);
  CHECK(stopped.samples.n_paths == stopped.n_paths);
  CHECK(std::equal(stopped.samples.values.begin(), stopped.samples.values.begin() + 1024, one.samples.values.begin()));
  // Bounded, and a request outside the layout is refused.
  cfg.stop_rule = nullptr;
  cfg.n_paths = banensim::engine::kMaxPathSamples;
  CHECK_THROWS_AS(run(model, cfg), std::invalid_argument);
  cfg.n_paths = 100;
  cfg.path_samples = {{PathSampleRequest::Kind::kSeries, 0, 10}};
  CHECK_THROWS_AS(run(model, cfg), std::invalid_argument);
}

TEST_CASE("different seeds give different results") {
  const RandomWalkModel model(5, 0.0, 1.0, 0.5);
  RunConfig cfg;
  cfg.n_paths = 2000;
  cfg.seed = 1;
  const RunResult a = run(model, cfg);
  cfg.seed = 2;
  const RunResult b = run(model, cfg);
  CHECK(a.tally.variant(0).scalar(0).moments.mean() != b.tally.variant(0).scalar(0).moments.mean());
}

TEST_CASE("a variant compared with itself has paired differences of exactly zero") {
  const RandomWalkModel model(6, 0.05, 1.0, 0.3);
  const std::vector<RandomWalkModel> variants = {model, model};
  RunConfig cfg;
  cfg.seed = 11;
  cfg.n_paths = 3000;
  cfg.n_threads = 2;
  const RunResult r = run_paired(std::span<const RandomWalkModel>(variants), cfg);
  require_identical(r.tally.variant(0), r.tally.variant(1), model);
  const auto& pair = r.tally.indicator_pair(1, 0);
  CHECK(pair.difference.mean() == 0.0);
  CHECK(pair.variant_only.successes() == 0);
  CHECK(pair.reference_only.successes() == 0);
  const auto ci = banensim::engine::mean_interval(pair.difference);
  CHECK(ci.low == 0.0);
  CHECK(ci.high == 0.0);
}

TEST_CASE("common random numbers: a shifted variant is paired path by path") {
  // Variant b has a higher drift; on every path its final value is exactly
  // a's plus n_steps * (mu_b - mu_a), so it never reaches less often.
  const std::vector<RandomWalkModel> variants = {RandomWalkModel(4, 0.0, 1.0, 1.0),
                                                 RandomWalkModel(4, 0.1, 1.0, 1.0)};
  RunConfig cfg;
  cfg.seed = 3;
  cfg.n_paths = 4000;
  const RunResult r = run_paired(std::span<const RandomWalkModel>(variants), cfg);
  const auto& d = r.tally.scalar_difference(1, 0);
  CHECK(d.mean() == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(d.stddev() < 1e-12);
  CHECK(r.tally.indicator_pair(1, 0).reference_only.successes() == 0);
  CHECK(r.tally.indicator_pair(1, 0).variant_only.successes() > 0);
}

TEST_CASE("a stop rule fires at a block boundary, at the same path count at any thread count") {
  const RandomWalkModel model(4, 0.0, 1.0, 0.0);
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
    CHECK_FALSE(r.cancelled);
    CHECK(r.n_paths % cfg.block_size == 0);
    CHECK(r.tally.variant(0).indicator(0).wilson().half_width() <= 0.01);
    if (first_count == 0) first_count = r.n_paths;
    CHECK(r.n_paths == first_count);
  }
  // 0.01 half-width at p = 0.5 needs about 9600 paths.
  CHECK(first_count >= 9000);
  CHECK(first_count <= 10500);
}

TEST_CASE("cancellation stops at a block boundary and reports the paths done") {
  const RandomWalkModel model(4, 0.0, 1.0, 0.0);
  std::atomic<bool> cancel{false};
  RunConfig cfg;
  cfg.n_paths = 1'000'000;
  cfg.block_size = 100;
  cfg.cancel = &cancel;
  cfg.progress = [&](std::uint64_t done, std::uint64_t) {
    if (done >= 2000) cancel = true;
  };
  const RunResult r = run(model, cfg);
  CHECK(r.cancelled);
  CHECK(r.n_paths >= 2000);
  CHECK(r.n_paths < cfg.n_paths);
  CHECK(r.n_paths % cfg.block_size == 0);
}

TEST_CASE("a non-finite output stops the run and names the path and seed") {
  struct BadModel : RandomWalkModel {
    BadModel() : RandomWalkModel(3, 0.0, 1.0, 0.0) {}
    void end_path(State& s, const banensim::engine::PathRandom& rng, banensim::engine::PathRecord& rec) const {
      RandomWalkModel::end_path(s, rng, rec);
      if (rng.path_index() == 1234) rec.scalar(0) = std::numeric_limits<double>::infinity();
    }
  };
  const BadModel model;
  RunConfig cfg;
  cfg.seed = 99;
  cfg.n_paths = 5000;
  try {
    (void)run(model, cfg);
    FAIL("expected NonFiniteError");
  } catch (const banensim::engine::NonFiniteError& e) {
    CHECK(e.i_path == 1234);
    CHECK(e.seed == 99);
    CHECK(std::string(e.what()).find("x_final") != std::string::npos);
  }
}
}
