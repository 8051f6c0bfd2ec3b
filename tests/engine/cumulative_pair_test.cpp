// The paired value-by-value comparison of a whole-number scalar
// (PairedTally::cumulative_pair, engine::cumulative_difference): e.g. how
// much an option changes P(the target is reached by year Y) on the same
// paths.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "engine/batch_model.hpp"
#include "engine/run_summary.hpp"
#include "engine/tally.hpp"
#include "engine/word_codec.hpp"
#include "support/tally_words.hpp"

using namespace banensim::engine;
using test_support::words_of;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

// One whole-number optional scalar with the values 2024..2028 and a plain one.
OutputLayout year_layout() {
  OutputLayout layout;
  layout.step_labels = {"2024"};
  layout.series = {{"x", "1", 0.0, 1.0, 10}};
  layout.scalars = {{"first_year", "year", 2024, 2029, 5, true, true}, {"charge", "EUR", -10, 10, 20, false}};
  return layout;
}

// Adds one path per (variant value, reference value) pair, path by path.
PairedTally add_paths(const OutputLayout& layout, const std::vector<std::pair<double, double>>& paths) {
  PairedTally t(layout, 2);
  std::vector<PathRecord> records(2, PathRecord(layout));
  std::uint64_t i = 0;
  for (const auto& [variant, reference] : paths) {
    for (auto& r : records) r.clear();
    records[0].scalar(0) = reference;
    records[1].scalar(0) = variant;
    t.add(records, i++, 1);
  }
  return t;
}

// The same paths through the batch interface, in batches of `lanes`.
PairedTally add_batches(const OutputLayout& layout, const std::vector<std::pair<double, double>>& paths,
                        std::size_t lanes) {
  PairedTally t(layout, 2);
  std::vector<BatchRecord> records(2, BatchRecord(layout, lanes));
  for (std::size_t first = 0; first < paths.size(); first += lanes) {
    const std::size_t n = std::min(lanes, paths.size() - first);
    for (auto& r : records) r.start(n);
    for (std::size_t lane = 0; lane < n; ++lane) {
      records[0].scalar(0)[lane] = paths[first + lane].second;
      records[1].scalar(0)[lane] = paths[first + lane].first;
    }
    for (std::size_t k = 0; k < 2; ++k) {
      std::vector<double> x(n, 0.5);
      t.add_series_batch(k, 0, 0, x.data(), n, first, 1);
    }
    t.add_outputs_batch(records, first, 1);
  }
  return t;
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("paired counts of a whole-number scalar value by value: hand-counted paths") {
  const OutputLayout layout = year_layout();
  // (variant, reference): earlier; never against 2024; above the range
  // against never; below the range against the first value; equal.
  const PairedTally t = add_paths(layout, {{2025, 2027}, {kNan, 2024}, {2031, kNan}, {2019, 2024}, {2026, 2026}});
  const CumulativePair& c = t.cumulative_pair(1, 0);
  // Values 2024 2025 2026 2027 2028.
  CHECK(c.variant_only == std::vector<std::uint64_t>{0, 1, 1, 0, 0});
  CHECK(c.reference_only == std::vector<std::uint64_t>{1, 1, 1, 1, 1});
  CHECK_THROWS_AS(t.cumulative_pair(1, 1), std::invalid_argument);  // not a whole-number scalar

  const auto d = cumulative_difference(t, 1, 0, layout);
  REQUIRE(d.size() == 5);
  CHECK(d[0].value == 2024);
  CHECK(d[1].value == 2025);
  CHECK(d[1].difference.mean() == doctest::Approx(0.0));
  CHECK(d[0].difference.mean() == doctest::Approx(-0.2));
  CHECK(d[3].difference.mean() == doctest::Approx(-0.2));
  CHECK(d[3].variant_only.successes() == 0);
  CHECK(d[3].reference_only.successes() == 1);
  // The per-path differences at 2025 are +1, -1, 0, 0, 0: m2 = 2, variance 2 / 4.
  CHECK(d[1].difference.m2() == doctest::Approx(2.0));
  CHECK(d[1].difference.variance() == doctest::Approx(0.5));
}

TEST_CASE("the paired difference equals the difference of the two variants' own cumulative proportions") {
  const OutputLayout layout = year_layout();
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int> year(2021, 2031);  // below, in and above the range; 2030+ as never
  std::vector<std::pair<double, double>> paths;
  for (int i = 0; i < 2000; ++i) {
    const int a = year(gen), b = year(gen);
    paths.emplace_back(a >= 2030 ? kNan : a, b >= 2030 ? kNan : b);
  }
  const PairedTally t = add_paths(layout, paths);
  const auto var = cumulative_by_value(t.variant(1).scalar(0).histogram, t.n_paths());
  const auto ref = cumulative_by_value(t.variant(0).scalar(0).histogram, t.n_paths());
  const auto d = cumulative_difference(t, 1, 0, layout);
  REQUIRE(d.size() == var.size());
  for (std::size_t j = 0; j < d.size(); ++j) {
    CAPTURE(d[j].value);
    CHECK(d[j].value == var[j].value);
    const auto diff = static_cast<std::int64_t>(var[j].up_to_value.successes()) -
                      static_cast<std::int64_t>(ref[j].up_to_value.successes());
    CHECK(static_cast<std::int64_t>(d[j].variant_only.successes()) -
              static_cast<std::int64_t>(d[j].reference_only.successes()) ==
          diff);
    CHECK(d[j].difference.mean() == doctest::Approx(static_cast<double>(diff) / 2000.0).epsilon(1e-12));
  }
}

TEST_CASE("batched adds, merges and the word codec keep the paired counts exactly") {
  const OutputLayout layout = year_layout();
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int> year(2022, 2030);
  std::vector<std::pair<double, double>> paths;
  for (int i = 0; i < 999; ++i) paths.emplace_back(year(gen), year(gen) == 2030 ? kNan : 2026.0);
  const PairedTally by_path = add_paths(layout, paths);
  const PairedTally by_batch = add_batches(layout, paths, 64);
  CHECK(by_batch.cumulative_pair(1, 0).variant_only == by_path.cumulative_pair(1, 0).variant_only);
  CHECK(by_batch.cumulative_pair(1, 0).reference_only == by_path.cumulative_pair(1, 0).reference_only);

  PairedTally halves = add_paths(layout, {paths.begin(), paths.begin() + 500});
  halves.merge(add_paths(layout, {paths.begin() + 500, paths.end()}));
  CHECK(halves.cumulative_pair(1, 0).variant_only == by_path.cumulative_pair(1, 0).variant_only);
  CHECK(halves.cumulative_pair(1, 0).reference_only == by_path.cumulative_pair(1, 0).reference_only);

  const auto words = words_of(by_path);
  PairedTally decoded(layout, 2);
  WordReader r(words);
  decoded.decode(r);
  CHECK(r.at_end());
  CHECK(decoded.cumulative_pair(1, 0).variant_only == by_path.cumulative_pair(1, 0).variant_only);
  CHECK(words_of(decoded) == words);

  PairedTally cleared = by_path;
  cleared.reset();
  CHECK(cleared.cumulative_pair(1, 0).variant_only == std::vector<std::uint64_t>(5, 0));
}
}  // TEST_SUITE

TEST_SUITE("statistical") {
TEST_CASE("a variant one value earlier on every path: P(X <= v) rises by P(X = v + 1), within 4 standard errors") {
  // Reference X uniform on 0..9, variant X - 1 on the same path: the
  // variant is <= v and the reference not exactly when X = v + 1, so the
  // difference is 0.1 at v = 0..8 with per-path variance 0.1 * 0.9, and 0 at
  // v = 9 (both <= 9 on every path).
  OutputLayout layout;
  layout.step_labels = {"1"};
  layout.scalars = {{"x", "1", 0, 10, 10, false, true}};
  std::mt19937_64 gen(2013);
  std::uniform_int_distribution<int> x(0, 9);
  std::vector<std::pair<double, double>> paths;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double v = x(gen);
    paths.emplace_back(v - 1.0, v);
  }
  PairedTally t(layout, 2);
  std::vector<PathRecord> records(2, PathRecord(layout));
  std::uint64_t i = 0;
  for (const auto& [variant, reference] : paths) {
    records[0].scalar(0) = reference;
    records[1].scalar(0) = variant;
    t.add(records, i++, 1);
  }
  const auto d = cumulative_difference(t, 1, 0, layout);
  REQUIRE(d.size() == 10);
  const double se = std::sqrt(0.1 * 0.9 / n);
  for (std::size_t v = 0; v < 9; ++v) {
    CAPTURE(v);
    CHECK(std::abs(d[v].difference.mean() - 0.1) < 4.0 * se);
    CHECK(d[v].difference.std_error() == doctest::Approx(se).epsilon(0.05));
    CHECK(d[v].reference_only.successes() == 0);
    const Interval ci = mean_interval(d[v].difference);
    CHECK(ci.low < d[v].difference.mean());
    CHECK(ci.high > d[v].difference.mean());
  }
  CHECK(d[9].difference.mean() == 0.0);
  const Interval ci9 = mean_interval(d[9].difference);
  CHECK(ci9.low == 0.0);
  CHECK(ci9.high == 0.0);
}
}  // TEST_SUITE
