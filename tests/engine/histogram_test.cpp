#include "engine/histogram.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using banensim::engine::Histogram;

TEST_SUITE("unit") {
TEST_CASE("quantiles of a uniform grid are exact to the bin width") {
  Histogram h(0.0, 100.0, 100);
  for (int i = 0; i < 10000; ++i) h.add((i + 0.5) / 100.0);  // uniform on (0, 100)
  CHECK(h.count() == 10000);
  for (double p : {0.05, 0.25, 0.5, 0.75, 0.95}) CHECK(h.quantile(p) == doctest::Approx(100.0 * p).epsilon(0.01));
  CHECK(h.quantile(0.0) == doctest::Approx(0.005));
  CHECK(h.quantile(1.0) == doctest::Approx(99.995));
}

TEST_CASE("under- and overflow are counted and quantiles clamp to the exact extremes") {
  Histogram h(0.0, 10.0, 10);
  h.add(-5.0);
  h.add(5.5);
  h.add(50.0);
  CHECK(h.underflow() == 1);
  CHECK(h.overflow() == 1);
  CHECK(h.min() == -5.0);
  CHECK(h.max() == 50.0);
  CHECK(h.quantile(0.1) == -5.0);
  CHECK(h.quantile(0.99) == 50.0);
}

TEST_CASE("a point mass gives that point at every quantile") {
  Histogram h(0.0, 1000.0, 10);
  for (int i = 0; i < 50; ++i) h.add(123.0);
  CHECK(h.quantile(0.05) == 123.0);
  CHECK(h.quantile(0.5) == 123.0);
  CHECK(h.quantile(0.95) == 123.0);
}

TEST_CASE("merging adds counts exactly, independent of order") {
  Histogram a(0, 1, 4), b(0, 1, 4), c(0, 1, 4);
  a.add(0.1);
  b.add(0.6);
  b.add(0.9);
  Histogram ab = a;
  ab.merge(b);
  Histogram ba = b;
  ba.merge(a);
  CHECK(ab.counts() == ba.counts());
  CHECK(ab.count() == 3);
  Histogram other(0, 2, 4);
  other.add(1.0);
  CHECK_THROWS_AS(a.merge(other), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(1.0, 1.0, 3), std::invalid_argument);
}
}
