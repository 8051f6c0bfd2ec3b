#include "engine/rank_correlation.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "engine/random_stream.hpp"

using banensim::engine::DesignMatrix;
using banensim::engine::midranks;
using banensim::engine::partial_rank_correlations;
using banensim::engine::RandomStream;
using banensim::engine::stream_id;

namespace {

// n points of d independent standard normal inputs.
DesignMatrix normal_inputs(std::size_t n, std::size_t d, RandomStream& rng) {
  DesignMatrix x(n, d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) x(i, j) = rng.normal();
  }
  return x;
}

}  // namespace

TEST_CASE("midranks: ranks from 1, ties share the mean of the ranks they span") {
  CHECK(midranks({3, 1, 3, 2}) == std::vector<double>{3.5, 1, 3.5, 2});
  CHECK(midranks({5, 5, 5}) == std::vector<double>{2, 2, 2});
  CHECK(midranks({0.1, -2, 7}) == std::vector<double>{2, 1, 3});
  CHECK(midranks({}).empty());
}

TEST_CASE("PRCC: exact cases -- a copy of one input, monotone transforms, constants and bad shapes") {
  RandomStream rng(1, stream_id("test.prcc.exact"), 0);
  const DesignMatrix x = normal_inputs(50, 3, rng);
  std::vector<double> y(50);
  for (std::size_t i = 0; i < 50; ++i) y[i] = x(i, 0);
  // y is x0: its partial correlation is 1 (the interval the point); for x1
  // and x2 the output is explained by x0, held fixed: undefined.
  auto p = partial_rank_correlations(x, y);
  CHECK(p[0].prcc == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(p[0].ci_low == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(std::isnan(p[1].prcc));
  CHECK(std::isnan(p[2].prcc));
  // Only ranks count: a monotone transform of the output or of an input
  // changes nothing, bit for bit.
  for (std::size_t i = 0; i < 50; ++i) y[i] = x(i, 0) + 0.8 * x(i, 1) - 0.5 * x(i, 2) + 0.3 * rng.normal();
  p = partial_rank_correlations(x, y);
  std::vector<double> y2(50);
  DesignMatrix x2 = x;
  for (std::size_t i = 0; i < 50; ++i) {
    y2[i] = std::exp(y[i]);
    x2(i, 1) = 3 * x(i, 1) * x(i, 1) * x(i, 1) - 7;
  }
  const auto q = partial_rank_correlations(x2, y2);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(q[j].prcc == p[j].prcc);
    CHECK(q[j].ci_high == p[j].ci_high);
  }
  CHECK(p[0].prcc > 0.8);
  CHECK(p[1].prcc > 0.6);
  CHECK(p[2].prcc < -0.4);
  for (const auto& c : p) CHECK((c.ci_low < c.prcc && c.prcc < c.ci_high));
  // A constant output: nothing to correlate.
  for (const auto& c : partial_rank_correlations(x, std::vector<double>(50, 2.0))) CHECK(std::isnan(c.prcc));
  CHECK_THROWS_AS((void)partial_rank_correlations(x, std::vector<double>(49, 0.0)), std::invalid_argument);
}

TEST_SUITE("statistical") {
TEST_CASE("PRCC: y = x0 + noise with independent inputs has Spearman's closed form, within 4 standard errors") {
  // With x0 independent of the other inputs, the partial rank correlation of
  // (x0, y) is their rank correlation; for y = x0 + e, e ~ N(0, 1), the pair
  // is bivariate normal with rho = 1/sqrt(2) and Spearman's rho is
  // (6 / pi) asin(rho / 2) (Pearson 1907) = 0.6901.
  constexpr std::size_t n = 4000, d = 3;
  RandomStream rng(2, stream_id("test.prcc.closed_form"), 0);
  const DesignMatrix x = normal_inputs(n, d, rng);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = x(i, 0) + rng.normal();
  const auto p = partial_rank_correlations(x, y);
  const double expected = 6 / std::numbers::pi * std::asin(1 / std::sqrt(2.0) / 2);
  const double se = (1 - expected * expected) / std::sqrt(static_cast<double>(n - 3 - (d - 1)));
  INFO("PRCC " << p[0].prcc << ", expected " << expected << ", se " << se);
  CHECK(std::abs(p[0].prcc - expected) < 4 * se);
  for (std::size_t j = 1; j < d; ++j) CHECK(std::abs(p[j].prcc) < 4 / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("PRCC: under independence the 95% Fisher interval covers 0 in 95% of samples, within 4 standard errors") {
  constexpr std::size_t n = 200, d = 3, samples = 400;
  RandomStream rng(3, stream_id("test.prcc.null"), 0);
  std::size_t covered = 0, total = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    const DesignMatrix x = normal_inputs(n, d, rng);
    std::vector<double> y(n);
    for (double& v : y) v = rng.uniform();
    for (const auto& c : partial_rank_correlations(x, y)) {
      covered += c.ci_low <= 0 && 0 <= c.ci_high ? 1U : 0U;
      CHECK((c.p_value > 0.05) == (c.ci_low <= 0 && 0 <= c.ci_high));  // the same approximation
      ++total;
    }
  }
  const double coverage = static_cast<double>(covered) / static_cast<double>(total);
  // The three inputs' intervals of one sample are nearly independent; 4 standard errors of 1,200 trials.
  const double se = std::sqrt(0.95 * 0.05 / static_cast<double>(total));
  INFO("coverage " << coverage << " of " << total);
  CHECK(std::abs(coverage - 0.95) < 4 * se);
}
}
