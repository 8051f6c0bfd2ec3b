#include "engine/proportion.hpp"

#include <doctest/doctest.h>

using banensim::engine::Proportion;
using banensim::engine::wilson_interval;

TEST_SUITE("unit") {
TEST_CASE("Wilson interval against published values") {
  // Brown, Cai & DasGupta (2001) / Newcombe (1998), case 81/263: Wilson 95%
  // interval (0.2553, 0.3662).
  const auto ci = wilson_interval(81, 263);
  CHECK(ci.low == doctest::Approx(0.2553).epsilon(5e-4));
  CHECK(ci.high == doctest::Approx(0.3662).epsilon(5e-4));
  // Newcombe (1998) example 15/148: (0.0624, 0.1605).
  const auto ci2 = wilson_interval(15, 148);
  CHECK(ci2.low == doctest::Approx(0.0624).epsilon(5e-4));
  CHECK(ci2.high == doctest::Approx(0.1605).epsilon(5e-4));
}

TEST_CASE("Wilson interval stays inside [0, 1] at the edges and is not degenerate") {
  const auto zero = wilson_interval(0, 100);
  CHECK(zero.low == 0.0);
  CHECK(zero.high > 0.03);  // 0/100 does not prove p = 0: upper bound ~0.037
  CHECK(zero.high == doctest::Approx(0.0370).epsilon(1e-2));
  const auto all = wilson_interval(100, 100);
  CHECK(all.high == 1.0);
  CHECK(all.low == doctest::Approx(1.0 - 0.0370).epsilon(1e-3));
  const auto none = wilson_interval(0, 0);
  CHECK(none.low == 0.0);
  CHECK(none.high == 1.0);
}

TEST_CASE("Proportion counts exactly and merges") {
  Proportion a, b;
  for (int i = 0; i < 10; ++i) a.add(i < 3);
  for (int i = 0; i < 30; ++i) b.add(i < 9);
  a.merge(b);
  CHECK(a.trials() == 40);
  CHECK(a.successes() == 12);
  CHECK(a.estimate() == doctest::Approx(0.3));
  const auto ci = a.wilson();
  CHECK(ci.low < 0.3);
  CHECK(ci.high > 0.3);
}
}
