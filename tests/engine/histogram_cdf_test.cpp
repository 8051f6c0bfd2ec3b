// Histogram::cdf, which the backtest's PIT uses (in a file of its own so
// that it merges cleanly with main's reformatted histogram_test.cpp).

#include <doctest/doctest.h>

#include <cmath>

#include "engine/histogram.hpp"

using banensim::engine::Histogram;

TEST_SUITE("unit") {
TEST_CASE("cdf: the share of values at or below x, linear within bins, the inverse of quantile") {
  Histogram h(0.0, 100.0, 100);
  for (int i = 0; i < 10000; ++i) h.add((i + 0.5) / 100.0);  // uniform on (0, 100)
  CHECK(h.cdf(-1) == 0.0);
  CHECK(h.cdf(100) == 1.0);
  for (double x : {0.3, 12.5, 50.0, 77.77, 99.0}) CHECK(h.cdf(x) == doctest::Approx(x / 100).epsilon(1e-3));
  for (double p : {0.05, 0.5, 0.95}) CHECK(h.cdf(h.quantile(p)) == doctest::Approx(p).epsilon(1e-9));
  // Values beyond a fixed range are spread between the range's edge and the extreme.
  Histogram f(0.0, 10.0, 10);
  for (double x : {-10.0, 5.5, 30.0}) f.add(x);
  CHECK(f.cdf(-5) == doctest::Approx(0.5 / 3));
  CHECK(f.cdf(0) == doctest::Approx(1.0 / 3));
  CHECK(f.cdf(5.75) == doctest::Approx((1 + 0.75) / 3));  // 5.5 taken as spread over its bin [5, 6)
  CHECK(f.cdf(20) == doctest::Approx(2.0 / 3 + 0.5 / 3));
  CHECK(std::isnan(Histogram(0, 1, 2).cdf(0.5)));
}
}  // TEST_SUITE
