// Statistical tests against closed forms. Each uses a fixed seed and a
// tolerance of k standard errors with k >= 4 (so a correct engine fails with
// probability < 1e-4 per check, and the seed is fixed anyway), and checks the
// reported standard error itself against its closed form.

#include <doctest/doctest.h>

#include <cmath>

#include "engine/parallel_runner.hpp"
#include "engine/random_stream.hpp"
#include "engine/running_stats.hpp"
#include "engine/reference_model.hpp"

using banensim::engine::normal_cdf;
using banensim::engine::RandomStream;
using banensim::engine::run;
using banensim::engine::RunConfig;
using banensim::engine::RunningStats;
using banensim::engine::RandomWalkModel;

namespace {
constexpr double kSigmas = 4.5;
}

TEST_SUITE("statistical") {
TEST_CASE("P(sum of Gaussian increments >= threshold) matches 1 - Phi") {
  const std::size_t n_steps = 12;
  const double mu = 0.08, sigma = 1.3, threshold = 2.0;
  const RandomWalkModel model(n_steps, mu, sigma, threshold);
  RunConfig cfg;
  cfg.seed = 2024;
  cfg.n_paths = 200000;
  const auto r = run(model, cfg);
  const auto& reach = r.tally.variant(0).indicator(0);
  const double t = static_cast<double>(n_steps);
  const double p_exact = 1.0 - normal_cdf((threshold - t * mu) / (sigma * std::sqrt(t)));
  const double se = std::sqrt(p_exact * (1.0 - p_exact) / static_cast<double>(cfg.n_paths));
  CHECK(std::fabs(reach.estimate() - p_exact) < kSigmas * se);
  // The Wilson interval covers the exact value and has the expected width.
  const auto ci = reach.wilson();
  CHECK(ci.low < p_exact);
  CHECK(ci.high > p_exact);
  CHECK(ci.half_width() == doctest::Approx(1.96 * se).epsilon(0.02));
}

TEST_CASE("mean and variance of the final value match N(T mu, T sigma^2)") {
  const std::size_t n_steps = 9;
  const double mu = -0.3, sigma = 2.0;
  const RandomWalkModel model(n_steps, mu, sigma, 0.0);
  RunConfig cfg;
  cfg.seed = 77;
  cfg.n_paths = 100000;
  const auto r = run(model, cfg);
  const auto& x = r.tally.variant(0).scalar(0).moments;
  const double t = static_cast<double>(n_steps);
  const double n = static_cast<double>(cfg.n_paths);
  const double var = t * sigma * sigma;
  CHECK(std::fabs(x.mean() - t * mu) < kSigmas * std::sqrt(var / n));
  // Var of the sample variance for a normal: 2 sigma^4 / (n - 1).
  CHECK(std::fabs(x.variance() - var) < kSigmas * var * std::sqrt(2.0 / (n - 1.0)));
  // The reported standard error is the closed-form one to within its own noise.
  CHECK(x.std_error() == doctest::Approx(std::sqrt(var / n)).epsilon(0.02));
  // Median from the histogram: the mean of a normal, to within a few s.e. of
  // the median (sqrt(pi/2) * sd / sqrt(n)) plus the bin resolution.
  const auto& h = r.tally.variant(0).scalar(0).histogram;
  const double median_se = std::sqrt(M_PI / 2.0) * std::sqrt(var / n);
  CHECK(std::fabs(h.quantile(0.5) - t * mu) < kSigmas * median_se + h.bin_width());
  // 5% and 95% quantiles of N(m, v).
  const double q95 = t * mu + 1.6448536269514722 * std::sqrt(var);
  CHECK(h.quantile(0.95) == doctest::Approx(q95).epsilon(0.01));
}

TEST_CASE("reported standard error shrinks as 1/sqrt(N)") {
  const RandomWalkModel model(4, 0.0, 1.0, 0.0);
  RunConfig cfg;
  cfg.seed = 8;
  double previous = 0.0;
  for (std::uint64_t n : {2500ULL, 10000ULL, 40000ULL, 160000ULL}) {
    cfg.n_paths = n;
    const auto r = run(model, cfg);
    const double se = r.tally.variant(0).scalar(0).moments.std_error();
    // Closed form sd = 2 (sqrt(4) steps of variance 1): se = 2 / sqrt(N).
    CHECK(se * std::sqrt(static_cast<double>(n)) == doctest::Approx(2.0).epsilon(0.05));
    if (previous > 0.0) CHECK(previous / se == doctest::Approx(2.0).epsilon(0.06));
    previous = se;
  }
}

TEST_CASE("uniform and normal draws have the right moments and tails") {
  RandomStream s(123, 456, 0);
  RunningStats u, z, z4;
  std::uint64_t beyond3 = 0;
  const int n = 1'000'000;
  for (int i = 0; i < n; ++i) {
    u.add(s.uniform());
    const double x = s.normal();
    z.add(x);
    z4.add(x * x * x * x);
    beyond3 += std::fabs(x) > 3.0 ? 1 : 0;
  }
  const double nn = n;
  CHECK(std::fabs(u.mean() - 0.5) < kSigmas * std::sqrt(1.0 / 12.0 / nn));
  CHECK(std::fabs(u.variance() - 1.0 / 12.0) < kSigmas * std::sqrt(1.0 / 180.0 / nn));
  CHECK(std::fabs(z.mean()) < kSigmas / std::sqrt(nn));
  CHECK(std::fabs(z.variance() - 1.0) < kSigmas * std::sqrt(2.0 / nn));
  // Fourth moment 3, Var(Z^4) = 105 - 9 = 96.
  CHECK(std::fabs(z4.mean() - 3.0) < kSigmas * std::sqrt(96.0 / nn));
  // Tail mass beyond |z| > 3: 2 (1 - Phi(3)) = 0.0026998.
  const double p3 = 2.0 * (1.0 - normal_cdf(3.0));
  CHECK(std::fabs(static_cast<double>(beyond3) / nn - p3) < kSigmas * std::sqrt(p3 * (1 - p3) / nn));
}
}
