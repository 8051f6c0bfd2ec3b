#include "engine/sobol_design.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/running_stats.hpp"

using banensim::engine::DesignKind;
using banensim::engine::DesignMatrix;
using banensim::engine::make_design;
using banensim::engine::monte_carlo_design;
using banensim::engine::RunningStats;
using banensim::engine::sobol_design;
using banensim::engine::sobol_max_dims;
using banensim::engine::sobol_points_unshifted;

namespace {
constexpr double kSigmas = 4.5;

// Integrand with a closed-form integral of 1 on [0,1]^d: prod_j (pi/2) sin(pi x_j).
double sine_product(std::span<const double> x) {
  double f = 1.0;
  for (double xj : x) f *= 0.5 * M_PI * std::sin(M_PI * xj);
  return f;
}

double mean_of(const DesignMatrix& points) {
  RunningStats s;
  for (std::size_t i = 0; i < points.rows(); ++i) s.add(sine_product(points.row(i)));
  return s.mean();
}
}  // namespace

TEST_SUITE("unit") {
TEST_CASE("Sobol' design: the unshifted sequence starts at the origin and then 1/2") {
  const auto p = sobol_points_unshifted(4, 3);
  const double half_cell = 0x1.0p-53;
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(p(0, j) == half_cell);
    CHECK(p(1, j) == 0.5 + half_cell);
  }
  // Second dimension of the Sobol' sequence: 0, 1/2, 1/4, 3/4 (Gray-code order
  // gives 0, 1/2, 3/4, 1/4 in the first coordinate).
  CHECK(p(2, 0) == 0.75 + half_cell);
  CHECK(p(3, 0) == 0.25 + half_cell);
}

TEST_CASE("Sobol' design: same seed same points, replicates and seeds differ, chunks agree") {
  const auto a = sobol_design(256, 4, 11, 0);
  CHECK(a == sobol_design(256, 4, 11, 0));
  CHECK_FALSE(a == sobol_design(256, 4, 11, 1));
  CHECK_FALSE(a == sobol_design(256, 4, 12, 0));
  // Rows [100, 256) generated on their own equal the tail of the full design.
  const auto tail = sobol_design(156, 4, 11, 0, 100);
  for (std::size_t i = 0; i < tail.rows(); ++i)
    for (std::size_t j = 0; j < 4; ++j) REQUIRE(tail(i, j) == a(100 + i, j));
  const auto mc = monte_carlo_design(50, 3, 5, 2);
  CHECK(mc == monte_carlo_design(50, 3, 5, 2));
  CHECK_FALSE(mc == monte_carlo_design(50, 3, 5, 3));
  const auto mc_tail = monte_carlo_design(20, 3, 5, 2, 30);
  for (std::size_t i = 0; i < 20; ++i)
    for (std::size_t j = 0; j < 3; ++j) REQUIRE(mc_tail(i, j) == mc(30 + i, j));
  CHECK(make_design(DesignKind::kMonteCarlo, 50, 3, 5, 2) == mc);
  CHECK(make_design(DesignKind::kRandomizedSobol, 256, 4, 11, 0) == a);
}

TEST_CASE("Sobol' design: the digital shift keeps the net (one point per 1/n interval per axis)") {
  const std::size_t n = 1024;
  const auto p = sobol_design(n, 6, 3, 7);
  for (std::size_t j = 0; j < 6; ++j) {
    std::vector<int> hits(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(p(i, j) > 0.0);
      REQUIRE(p(i, j) < 1.0);
      ++hits[static_cast<std::size_t>(p(i, j) * static_cast<double>(n))];
    }
    for (int h : hits) REQUIRE(h == 1);
  }
}

TEST_CASE("Sobol' design: bad dimensions are rejected") {
  CHECK_THROWS_AS(sobol_design(8, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(sobol_design(8, sobol_max_dims() + 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(sobol_design(8, 2, 1, 0, std::uint64_t{1} << 52), std::out_of_range);
  CHECK_THROWS_AS(monte_carlo_design(8, 0, 1), std::invalid_argument);
}
}

TEST_SUITE("statistical") {
TEST_CASE("Sobol' design: randomised points are uniform (mean 1/2, variance 1/12)") {
  // Pool 8 replicates of 1000 points (not a power of two, so the net does
  // not force the moments) and compare with U(0,1) at 4.5 standard errors.
  for (DesignKind kind : {DesignKind::kRandomizedSobol, DesignKind::kMonteCarlo, DesignKind::kLatinHypercube}) {
    for (std::size_t j = 0; j < 5; ++j) {
      RunningStats s;
      for (std::uint64_t r = 0; r < 8; ++r) {
        const auto p = make_design(kind, 1000, 5, 42, r);
        for (std::size_t i = 0; i < p.rows(); ++i) s.add(p(i, j));
      }
      const double n = static_cast<double>(s.count());
      CHECK(std::fabs(s.mean() - 0.5) < kSigmas * std::sqrt(1.0 / 12.0 / n));
      // Var of the sample variance of U(0,1): (mu4 - sigma^4)/n = (1/80 - 1/144)/n.
      CHECK(std::fabs(s.variance() - 1.0 / 12.0) < kSigmas * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
    }
  }
}

TEST_CASE("Sobol' design: QMC integrates a smooth function more accurately than MC") {
  // Root-mean-square error over 16 independent replicates at n = 1024, d = 5.
  // Randomised QMC converges like n^-1 (up to logs) against n^-1/2 for MC, so
  // at n = 1024 the RMSE ratio is large; we ask for a factor of 5 only.
  const std::size_t n = 1024, d = 5, n_rep = 16;
  double sse_qmc = 0.0, sse_mc = 0.0;
  for (std::uint64_t r = 0; r < n_rep; ++r) {
    const double e_qmc = mean_of(sobol_design(n, d, 2026, r)) - 1.0;
    const double e_mc = mean_of(monte_carlo_design(n, d, 2026, r)) - 1.0;
    sse_qmc += e_qmc * e_qmc;
    sse_mc += e_mc * e_mc;
  }
  const double rmse_qmc = std::sqrt(sse_qmc / n_rep);
  const double rmse_mc = std::sqrt(sse_mc / n_rep);
  MESSAGE("RMSE at n = 1024: randomised Sobol' " << rmse_qmc << ", Monte Carlo " << rmse_mc);
  CHECK(rmse_qmc * 5.0 < rmse_mc);
  // The MC error is the closed-form one: Var f = ((pi^2/8)^d - 1), se = sqrt(Var/n).
  const double se_mc = std::sqrt((std::pow(M_PI * M_PI / 8.0, 5.0) - 1.0) / static_cast<double>(n));
  CHECK(rmse_mc == doctest::Approx(se_mc).epsilon(0.5));
}
}

TEST_SUITE("unit") {
TEST_CASE("Latin hypercube: every column puts exactly one point in each of the n strata, reproducibly") {
  using banensim::engine::latin_hypercube_design;
  for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{256}, std::size_t{1000}}) {
    CAPTURE(n);
    const auto p = latin_hypercube_design(n, 4, 2013);
    REQUIRE(p.rows() == n);
    REQUIRE(p.cols() == 4);
    for (std::size_t j = 0; j < 4; ++j) {
      std::vector<int> hits(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(p(i, j) > 0.0);
        CHECK(p(i, j) < 1.0);
        ++hits[static_cast<std::size_t>(std::floor(p(i, j) * static_cast<double>(n)))];
      }
      for (int h : hits) CHECK(h == 1);
    }
    CHECK(latin_hypercube_design(n, 4, 2013) == p);                           // same seed, same design
    CHECK(make_design(DesignKind::kLatinHypercube, n, 4, 2013, 0) == p);
    if (n > 1) CHECK_FALSE(latin_hypercube_design(n, 4, 2014) == p);          // another seed, another
    if (n > 1) CHECK_FALSE(latin_hypercube_design(n, 4, 2013, 1) == p);       // another replicate
  }
  // A column does not depend on how many columns follow it.
  const auto wide = latin_hypercube_design(50, 6, 9);
  const auto narrow = latin_hypercube_design(50, 2, 9);
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(wide(i, 0) == narrow(i, 0));
    CHECK(wide(i, 1) == narrow(i, 1));
  }
  CHECK_THROWS_AS(latin_hypercube_design(0, 2, 1), std::invalid_argument);
  CHECK_THROWS_AS(latin_hypercube_design(8, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_design(DesignKind::kLatinHypercube, 8, 2, 1, 0, 8), std::invalid_argument);
}
}

TEST_SUITE("statistical") {
TEST_CASE("Latin hypercube: the mean of an additive function has the stratified variance d / (12 n^3)") {
  // Column j's mean is (n - 1)/(2n) + (1/n^2) sum_k U_k, so for f(x) = x_1 + ... + x_d
  // the design's mean of f has mean d/2 and variance d / (12 n^3), against
  // d / (12 n) for plain Monte Carlo. 400 replicates: the sample variance's
  // relative sd is sqrt(2/399) = 7%, so the ratio lies within [0.75, 1.33] at
  // more than 3.5 of them.
  using banensim::engine::latin_hypercube_design;
  constexpr std::size_t n = 64, d = 3, replicates = 400;
  RunningStats lhs, mc;
  for (std::uint64_t r = 0; r < replicates; ++r) {
    const auto a = latin_hypercube_design(n, d, 77, r);
    const auto b = monte_carlo_design(n, d, 77, r);
    double fa = 0, fb = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        fa += a(i, j);
        fb += b(i, j);
      }
    }
    lhs.add(fa / n);
    mc.add(fb / n);
  }
  const double nd = static_cast<double>(n);
  const double lhs_var = static_cast<double>(d) / (12 * nd * nd * nd), mc_var = static_cast<double>(d) / (12 * nd);
  CHECK(std::fabs(lhs.mean() - 1.5) < kSigmas * std::sqrt(lhs_var / replicates));
  CHECK(lhs.variance() / lhs_var > 0.75);
  CHECK(lhs.variance() / lhs_var < 1.33);
  CHECK(mc.variance() / mc_var > 0.75);  // the baseline it beats by n^2
  CHECK(mc.variance() / mc_var < 1.33);
}
}
