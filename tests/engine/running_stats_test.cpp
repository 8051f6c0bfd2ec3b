#include "engine/running_stats.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using banensim::engine::RunningStats;

TEST_SUITE("unit") {
TEST_CASE("Welford mean and variance match the two-pass formulas") {
  const std::vector<double> xs = {2, 4, 4, 4, 5, 5, 7, 9};
  RunningStats s;
  for (double x : xs) s.add(x);
  CHECK(s.count() == 8);
  CHECK(s.mean() == doctest::Approx(5.0));
  CHECK(s.variance() == doctest::Approx(32.0 / 7.0));
  CHECK(s.std_error() == doctest::Approx(std::sqrt(32.0 / 7.0 / 8.0)));
}

TEST_CASE("Chan's merge equals adding all values to one accumulator") {
  RunningStats all, a, b, c;
  for (int i = 0; i < 1000; ++i) {
    const double x = std::sin(i * 0.37) * 100.0 + i * 0.01;
    all.add(x);
    (i < 300 ? a : i < 301 ? b : c).add(x);
  }
  RunningStats merged = a;
  merged.merge(b);
  merged.merge(c);
  merged.merge(RunningStats{});  // merging an empty accumulator is a no-op
  CHECK(merged.count() == all.count());
  CHECK(merged.mean() == doctest::Approx(all.mean()).epsilon(1e-13));
  CHECK(merged.variance() == doctest::Approx(all.variance()).epsilon(1e-12));
  RunningStats empty;
  empty.merge(a);
  CHECK(empty.mean() == a.mean());
}

TEST_CASE("no catastrophic cancellation with a large offset") {
  // E[x^2] - mean^2 would lose every digit here.
  RunningStats s;
  for (int i = 0; i < 10000; ++i) s.add(1e9 + (i % 2 == 0 ? 1.0 : -1.0));
  CHECK(s.mean() == doctest::Approx(1e9));
  CHECK(s.variance() == doctest::Approx(10000.0 / 9999.0).epsilon(1e-9));
}

TEST_CASE("empty and single-value accumulators report NaN where undefined") {
  RunningStats s;
  CHECK(std::isnan(s.mean()));
  s.add(3.0);
  CHECK(s.mean() == 3.0);
  CHECK(std::isnan(s.variance()));
}
}
