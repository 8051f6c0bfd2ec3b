#include "engine/running_stats.hpp"

#include <doctest/doctest.h>

#include <array>
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

TEST_CASE("of_values: the two-pass summary of a batch equals Welford's to rounding, exact on small cases") {
  const double x[] = {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
  const RunningStats b = RunningStats::of_values(x, 8);
  CHECK(b.count() == 8);
  CHECK(b.mean() == 5.0);
  CHECK(b.m2() == 32.0);
  CHECK(RunningStats::of_values(x, 0).count() == 0);
  CHECK(RunningStats::of_values(x, 3).mean() == doctest::Approx(10.0 / 3.0));
  // Large offset: no cancellation (E[x^2] - mean^2 would lose every digit).
  std::vector<double> v;
  RunningStats w;
  for (int i = 0; i < 10001; ++i) {
    v.push_back(1e9 + (i % 2 == 0 ? 1.0 : -1.0) + 1e-3 * (i % 7));
    w.add(v.back());
  }
  const RunningStats t = RunningStats::of_values(v.data(), v.size());
  CHECK(t.count() == w.count());
  CHECK(t.mean() == doctest::Approx(w.mean()).epsilon(1e-13));
  CHECK(t.variance() == doctest::Approx(w.variance()).epsilon(1e-9));
  // Merged in batches (Chan) it agrees with the whole.
  RunningStats merged = RunningStats::of_values(v.data(), 5000);
  merged.merge(RunningStats::of_values(v.data() + 5000, v.size() - 5000));
  CHECK(merged.mean() == doctest::Approx(w.mean()).epsilon(1e-13));
  CHECK(merged.variance() == doctest::Approx(w.variance()).epsilon(1e-9));
}
TEST_CASE("of_signs: the summary of +1, -1 and 0 values from their counts equals the values' own") {
  for (const auto& [plus, minus, n] : {std::array<std::uint64_t, 3>{3, 1, 10}, {0, 0, 7}, {5, 5, 10}, {0, 9, 9},
                                        {1, 0, 1}, {1234, 17, 100000}}) {
    CAPTURE(plus);
    CAPTURE(minus);
    std::vector<double> v(n, 0.0);
    for (std::uint64_t i = 0; i < plus; ++i) v[i] = 1.0;
    for (std::uint64_t i = 0; i < minus; ++i) v[plus + i] = -1.0;
    RunningStats w;
    for (double x : v) w.add(x);
    const RunningStats s = RunningStats::of_signs(plus, minus, n);
    CHECK(s.count() == n);
    CHECK(s.mean() == doctest::Approx(w.mean()).epsilon(1e-14));
    CHECK(s.m2() == doctest::Approx(w.m2()).epsilon(1e-12).scale(1.0));
  }
  CHECK(RunningStats::of_signs(0, 0, 0).count() == 0);
}
}
