#include "engine/histogram.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

using banensim::engine::Histogram;
using banensim::engine::QuantileEstimate;

TEST_SUITE("unit") {
TEST_CASE("quantiles of a uniform grid are exact to the bin width") {
  Histogram h(0.0, 100.0, 100);
  for (int i = 0; i < 10000; ++i) h.add((i + 0.5) / 100.0);  // uniform on (0, 100)
  CHECK(h.count() == 10000);
  for (double p : {0.05, 0.25, 0.5, 0.75, 0.95}) CHECK(h.quantile(p) == doctest::Approx(100.0 * p).epsilon(0.01));
  CHECK(h.quantile(0.0) == doctest::Approx(0.005));
  CHECK(h.quantile(1.0) == doctest::Approx(99.995));
}

TEST_CASE("a fixed range counts under- and overflow, and quantiles among them are bounds, never the extremes") {
  Histogram h(0.0, 10.0, 10);
  h.add(-5.0);
  h.add(5.5);
  h.add(50.0);
  CHECK(h.underflow() == 1);
  CHECK(h.overflow() == 1);
  CHECK(h.min() == -5.0);
  CHECK(h.max() == 50.0);
  // The 10% and 99% quantiles lie among the values outside [0, 10): only a bound is known.
  CHECK(std::isnan(h.quantile(0.1)));
  CHECK(std::isnan(h.quantile(0.99)));
  const QuantileEstimate low = h.quantile_estimate(0.1);
  CHECK(low.kind == QuantileEstimate::Kind::kBelow);
  CHECK(low.value == 0.0);
  const QuantileEstimate high = h.quantile_estimate(0.99);
  CHECK(high.kind == QuantileEstimate::Kind::kAtLeast);
  CHECK(high.value == 10.0);
  CHECK(h.quantile_estimate(0.5).is_value());
  CHECK(h.quantile(0.5) == doctest::Approx(5.5));
  // p = 0 and 1 are the exact extremes, which are known.
  CHECK(h.quantile(0.0) == -5.0);
  CHECK(h.quantile(1.0) == 50.0);
}

// The issue that led to growing ranges: paths far beyond the first range
// made the median, 75% and 95% quantiles all equal the single largest path.
TEST_CASE("a growing range holds every value: quantiles of values far outside the first range are right") {
  Histogram h(0.0, 100.0, 100, Histogram::Range::kGrowing);
  // Uniform on (0, 1000): ten times the first range.
  for (int i = 0; i < 10000; ++i) h.add((i + 0.5) / 10.0);
  CHECK(h.underflow() == 0);
  CHECK(h.overflow() == 0);
  // The range [0, 100) doubled about its centre 50 until it held 1000:
  // level 4 is [-750, 850), level 5 [-1550, 1650), bins of 32.
  CHECK(h.level() == 5);
  CHECK(h.low() == -1550.0);
  CHECK(h.high() == 1650.0);
  CHECK(h.bin_width() == 32.0);
  for (double p : {0.05, 0.25, 0.5, 0.75, 0.95}) {
    CAPTURE(p);
    CHECK(h.quantile_estimate(p).is_value());
    CHECK(std::abs(h.quantile(p) - 1000.0 * p) <= h.bin_width());
  }
  CHECK(h.quantile(0.95) < h.max());
  // Below the first range too.
  Histogram g(0.0, 100.0, 100, Histogram::Range::kGrowing);
  for (int i = 0; i < 1000; ++i) g.add(-500.0 + i);  // uniform on [-500, 500)
  CHECK(g.underflow() == 0);
  CHECK(std::abs(g.quantile(0.1) - (-400.0)) <= g.bin_width());
  CHECK(std::abs(g.quantile(0.9) - 400.0) <= g.bin_width());
  // Growth needs an even bin count (nested bins).
  CHECK_THROWS_AS(Histogram(0.0, 1.0, 7, Histogram::Range::kGrowing), std::invalid_argument);
}

TEST_CASE("a growing range gives the same counts whatever the order of adds and the split into merged pieces") {
  std::vector<double> values;
  std::uint64_t state = 12345;
  for (int i = 0; i < 5000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) * 0x1p-53;
    // Mostly inside [0, 100), a tail out to about 1e6 and a few below.
    values.push_back(i % 50 == 0 ? -3000.0 * u : i % 7 == 0 ? 1e6 * u * u : 100.0 * u);
  }
  Histogram whole(0.0, 100.0, 100, Histogram::Range::kGrowing);
  for (double x : values) whole.add(x);
  for (std::size_t piece : {1U, 3U, 64U, 1000U}) {
    CAPTURE(piece);
    Histogram merged(0.0, 100.0, 100, Histogram::Range::kGrowing);
    Histogram part(0.0, 100.0, 100, Histogram::Range::kGrowing);
    // Pieces merged in reverse order, each reused after reset().
    for (std::size_t end = values.size(); end > 0;) {
      const std::size_t begin = end > piece ? end - piece : 0;
      part.reset();
      for (std::size_t i = begin; i < end; ++i) part.add(values[i]);
      merged.merge(part);
      end = begin;
    }
    CHECK(merged.level() == whole.level());
    CHECK(merged.counts() == whole.counts());
    CHECK(merged.min() == whole.min());
    CHECK(merged.max() == whole.max());
    for (double p : {0.01, 0.05, 0.5, 0.95, 0.99}) CHECK(merged.quantile(p) == whole.quantile(p));
    // Through the word encoding (MPI) too.
    banensim::engine::WordWriter w;
    merged.encode(w);
    Histogram back(0.0, 100.0, 100, Histogram::Range::kGrowing);
    banensim::engine::WordReader r(w.words());
    back.decode(r);
    CHECK(back.counts() == whole.counts());
    CHECK(back.level() == whole.level());
  }
  // Values beyond the largest range are counted, and their quantiles are bounds.
  Histogram far(0.0, 100.0, 100, Histogram::Range::kGrowing);
  far.add(50.0);
  far.add(1e300);
  far.add(1e300);
  CHECK(far.overflow() == 2);
  CHECK(far.level() == 0);
  CHECK(far.quantile_estimate(0.9).kind == QuantileEstimate::Kind::kAtLeast);
  CHECK(std::isnan(far.quantile(0.9)));
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

// merge, reset and encode visit only the bins between those of the exact
// minimum and maximum; these cases put values at the edges of that stretch
// (first and last bin, just below high, under- and overflow) and check the
// result against bin-by-bin expectations.
TEST_CASE("merge and reset over the occupied bins equal the full-range operations") {
  const std::vector<double> values = {0.0, 0.0999999, 0.1, 0.55, 0.9999999999, -0.5, 1.0, 3.0};
  Histogram full(0, 1, 10);
  for (double x : values) full.add(x);
  std::vector<std::uint64_t> expected(10, 0);
  expected[0] = 2;
  expected[1] = 1;
  expected[5] = 1;
  expected[9] = 1;
  CHECK(full.counts() == expected);
  CHECK(full.underflow() == 1);
  CHECK(full.overflow() == 2);

  // Merging piecewise (each piece with its own narrow stretch) gives the same.
  Histogram merged(0, 1, 10);
  for (double x : values) {
    Histogram one(0, 1, 10);
    one.add(x);
    merged.merge(one);
  }
  CHECK(merged.counts() == full.counts());
  CHECK(merged.underflow() == full.underflow());
  CHECK(merged.overflow() == full.overflow());
  CHECK(merged.min() == full.min());
  CHECK(merged.max() == full.max());

  // Reset clears every count, including the edge bins, and a reused
  // histogram equals a new one.
  full.reset();
  CHECK(full.count() == 0);
  CHECK(full.counts() == std::vector<std::uint64_t>(10, 0));
  full.add(0.35);
  Histogram fresh(0, 1, 10);
  fresh.add(0.35);
  CHECK(full.counts() == fresh.counts());
  CHECK(full.min() == fresh.min());

  // Only out-of-range values: nothing in the bins, nothing to clear.
  Histogram outside(0, 1, 10);
  outside.add(-1.0);
  outside.add(2.0);
  merged.merge(outside);
  CHECK(merged.underflow() == 2);
  CHECK(merged.overflow() == 3);
  outside.reset();
  CHECK(outside.counts() == std::vector<std::uint64_t>(10, 0));
}

TEST_CASE("decode refuses a count outside the bins of the encoded minimum and maximum") {
  Histogram h(0, 1, 10);
  h.add(0.25);
  h.add(0.45);
  banensim::engine::WordWriter w;
  h.encode(w);
  std::vector<std::uint64_t> words = w.words();
  Histogram back(0, 1, 10);
  {
    banensim::engine::WordReader r(words);
    back.decode(r);
  }
  CHECK(back.counts() == h.counts());
  // Layout: n, underflow, overflow, min, max, n_bins, level, nonzero, (index, count)...
  REQUIRE(words.size() == 8 + 2 * 2);
  words[8] = 9;  // first non-zero bin moved to bin 9, beyond the maximum's bin 4
  banensim::engine::WordReader r(words);
  CHECK_THROWS_AS(back.decode(r), std::runtime_error);
}

TEST_CASE("quantile_discrete is the inverse CDF of whole numbers: a value that occurs, never a fraction") {
  // Years 2020 (3 paths), 2021 (5), 2022 (2) in unit bins over [2014, 2028).
  Histogram h(2014, 2028, 14);
  for (int i = 0; i < 3; ++i) h.add(2020);
  for (int i = 0; i < 5; ++i) h.add(2021);
  for (int i = 0; i < 2; ++i) h.add(2022);
  // F(2020) = 0.3, F(2021) = 0.8, F(2022) = 1.
  CHECK(h.quantile_discrete(0.05) == 2020);
  CHECK(h.quantile_discrete(0.3) == 2020);  // F(y) >= p holds with equality
  CHECK(h.quantile_discrete(0.31) == 2021);
  CHECK(h.quantile_discrete(0.5) == 2021);
  CHECK(h.quantile_discrete(0.8) == 2021);
  CHECK(h.quantile_discrete(0.81) == 2022);
  CHECK(h.quantile_discrete(0.95) == 2022);
  CHECK(h.quantile_discrete(0.0) == 2020);
  CHECK(h.quantile_discrete(1.0) == 2022);
  // The interpolating quantile puts the median inside 2021's bin, at
  // 2021.4, which the discrete one must not do.
  CHECK(h.quantile(0.5) == doctest::Approx(2021.4));
  // Out-of-range mass: only bounds, never the extremes.
  Histogram o(2014, 2028, 14);
  o.add(2010);
  o.add(2016);
  o.add(2040);
  CHECK(o.quantile_discrete_estimate(0.2).kind == QuantileEstimate::Kind::kBelow);
  CHECK(o.quantile_discrete_estimate(0.2).value == 2014);
  CHECK(std::isnan(o.quantile_discrete(0.2)));
  CHECK(o.quantile_discrete(0.5) == 2016);
  CHECK(o.quantile_discrete_estimate(0.9).kind == QuantileEstimate::Kind::kAtLeast);
  CHECK(o.quantile_discrete_estimate(0.9).value == 2028);
  CHECK(o.quantile_discrete(1.0) == 2040);
  CHECK(std::isnan(Histogram(0, 10, 10).quantile_discrete(0.5)));
}

TEST_CASE("add_batch: chunks wholly inside the range, one value outside a later chunk, and a grown histogram count as add() does") {
  // add_batch counts a chunk of values with no per-value test when the
  // histogram is at level 0 and every value of the chunk is inside: these
  // cases take that path, leave it for one chunk, and must not take it once
  // the range has grown (the level-0 bins are no longer the bins).
  std::vector<double> v;
  std::uint64_t state = 987654321;
  for (int i = 0; i < 1500; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v.push_back(10.0 * static_cast<double>(state >> 11) * 0x1p-53);  // [0, 10)
  }
  std::vector<double> one_outside = v;
  one_outside[700] = 10.5;  // in the third chunk of 256
  for (const auto range : {Histogram::Range::kFixed, Histogram::Range::kGrowing}) {
    for (const std::vector<double>* values : {&v, &one_outside}) {
      for (const bool grown_first : {false, true}) {
        Histogram one(0.0, 10.0, 100, range);
        Histogram batch(0.0, 10.0, 100, range);
        if (grown_first) {
          one.add(-30.0);
          batch.add(-30.0);
        }
        for (const double x : *values) one.add(x);
        batch.add_batch(values->data(), values->size());
        CHECK(batch.count() == one.count());
        CHECK(batch.counts() == one.counts());
        CHECK(batch.level() == one.level());
        CHECK(batch.underflow() == one.underflow());
        CHECK(batch.overflow() == one.overflow());
        CHECK(batch.min() == one.min());
        CHECK(batch.max() == one.max());
      }
    }
  }
}

TEST_CASE("add_batch gives the counts, extremes, level and under/overflow of adding one value at a time, fixed or growing") {
  // Values on bin edges, just below high, far outside, and a random spread;
  // batch lengths that leave every remainder, and more than one chunk.
  std::vector<double> v = {0.0, 0.1, 0.2, 9.999999999999998, 10.0, -1e300, 1e300, -0.0, 5.5, 3.0, 7.25};
  std::uint64_t state = 12345;
  for (int i = 0; i < 1000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v.push_back(-2.0 + 14.0 * static_cast<double>(state >> 11) * 0x1p-53);
  }
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{11}, std::size_t{257}, v.size()}) {
    for (const auto range : {Histogram::Range::kFixed, Histogram::Range::kGrowing}) {
      Histogram one(0.0, 10.0, 100, range);
      Histogram batch(0.0, 10.0, 100, range);
      for (std::size_t i = 0; i < n; ++i) one.add(v[i]);
      batch.add_batch(v.data(), n);
      CHECK(batch.count() == one.count());
      CHECK(batch.counts() == one.counts());
      CHECK(batch.underflow() == one.underflow());
      CHECK(batch.overflow() == one.overflow());
      if (n > 0) {
        CHECK(batch.min() == one.min());
        CHECK(batch.max() == one.max());
      }
      // Added on top of earlier values: the same too.
      one.add(4.0);
      batch.add_batch(v.data(), 0);
      batch.add(4.0);
      CHECK(batch.counts() == one.counts());
      CHECK(batch.level() == one.level());
    }
  }
}
}

TEST_CASE("a zero extreme is +0 whatever the order of -0 and +0: per value, batched and merged") {
  // The extremes are written out (JSON, the MPI words): their bits must not
  // depend on which zero came first, i.e. on the thread count or lane width.
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  const std::uint64_t plus_zero = bits(0.0);
  const std::vector<std::vector<double>> orders = {
      {-0.0, 0.0}, {0.0, -0.0}, {-0.0}, {-0.0, -0.0, -0.0, -0.0, -0.0}, {-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, -0.0, -0.0}};
  for (const auto& v : orders) {
    Histogram one(-1.0, 1.0, 10), batch(-1.0, 1.0, 10), merged(-1.0, 1.0, 10);
    for (double x : v) one.add(x);
    batch.add_batch(v.data(), v.size());
    for (double x : v) {
      Histogram part(-1.0, 1.0, 10);
      part.add(x);
      merged.merge(part);
    }
    for (const Histogram* h : {&one, &batch, &merged}) {
      CHECK(bits(h->min()) == plus_zero);
      CHECK(bits(h->max()) == plus_zero);
    }
  }
  // Beside other values: a negative minimum and a zero maximum (all zeros at the end).
  std::vector<double> v(13, -0.0);
  v[0] = -0.5;
  Histogram batch(-1.0, 1.0, 10);
  batch.add_batch(v.data(), v.size());
  CHECK(batch.min() == -0.5);
  CHECK(bits(batch.max()) == plus_zero);
}
