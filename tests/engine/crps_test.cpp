// CRPS from a histogram against closed forms.

#include <doctest/doctest.h>

#include <cmath>

#include "engine/crps.hpp"
#include "engine/random_stream.hpp"

using namespace banensim::engine;

TEST_SUITE("unit") {
TEST_CASE("crps of a histogram matches the normal closed form within the bin resolution") {
  const double mu = 50000, sigma = 8000;
  // Exact quantiles at (i + 0.5)/n: the histogram of a normal with no sampling noise.
  Histogram h(-100000, 400000, 2000);  // 250 per bin, the model's total-jobs histogram
  const int n = 200000;
  for (int i = 0; i < n; ++i) h.add(mu + sigma * inverse_normal_cdf((i + 0.5) / n));
  for (double y : {mu - 3 * sigma, mu - sigma, mu, mu + 0.3 * sigma, mu + 2 * sigma, mu + 6 * sigma, -200000.0}) {
    CAPTURE(y);
    const double exact = crps_normal(mu, sigma, y);
    CHECK(std::abs(crps(h, y) - exact) <= h.bin_width());
  }
}

TEST_CASE("crps closed form: known values") {
  // CRPS(N(0,1), 0) = 2 phi(0) - 1/sqrt(pi) = 0.2336949...
  CHECK(crps_normal(0, 1, 0) == doctest::Approx(0.23369497725510913).epsilon(1e-12));
  // Far from the mass CRPS approaches |y - mu|.
  CHECK(crps_normal(0, 1, 40) == doctest::Approx(40 - 1 / std::sqrt(M_PI)).epsilon(1e-9));
}

TEST_CASE("crps of a point mass is the absolute error and of a uniform the closed form") {
  Histogram point(0, 100, 10);
  for (int i = 0; i < 100; ++i) point.add(42.0);
  CHECK(crps(point, 42.0) == doctest::Approx(0.0));
  CHECK(crps(point, 50.0) == doctest::Approx(8.0));
  CHECK(crps(point, 30.0) == doctest::Approx(12.0));
  // Uniform on [0, 10]: CRPS(y) = (y^3 + (10-y)^3) / (3*100) for y inside.
  Histogram u(0, 10, 10);
  for (int i = 0; i < 100000; ++i) u.add((i + 0.5) / 10000.0);
  for (double y : {0.0, 2.5, 5.0, 9.0}) {
    CAPTURE(y);
    CHECK(crps(u, y) == doctest::Approx((y * y * y + (10 - y) * (10 - y) * (10 - y)) / 300.0).epsilon(1e-3));
  }
  CHECK(std::isnan(crps(Histogram(0, 1, 10), 0.5)));
}

TEST_CASE("crps handles mass in the under- and overflow regions") {
  Histogram h(0, 10, 10);
  h.add(-5);
  h.add(15);
  // Two equal point-ish masses at -5 and 15, spread over [min, low) and [high, max]: finite, symmetric.
  const double a = crps(h, 5.0);
  CHECK(std::isfinite(a));
  CHECK(a > 0);
  CHECK(crps(h, 100.0) > crps(h, 20.0));
}
}
