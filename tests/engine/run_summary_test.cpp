// engine/run_summary.hpp: the cumulative distribution of a whole-number
// scalar (e.g. P(the target is reached by year Y)) counts every path exactly,
// absent values included, and its JSON says so.

#include "engine/run_summary.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace banensim::engine;

TEST_SUITE("unit") {

TEST_CASE("cumulative_by_value: exact counts up to each value, of all paths, with Wilson intervals") {
  Histogram years(2024, 2030, 6);  // unit bins 2024..2029
  for (double y : {2025.0, 2025.0, 2027.0, 2029.0}) years.add(y);
  const auto points = cumulative_by_value(years, 10);  // 6 more paths never reach it
  REQUIRE(points.size() == 6);
  const std::uint64_t at[] = {0, 2, 0, 1, 0, 1};
  const std::uint64_t up_to[] = {0, 2, 2, 3, 3, 4};
  for (std::size_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(points[i].value == 2024 + static_cast<double>(i));
    CHECK(points[i].at_value == at[i]);
    CHECK(points[i].up_to_value.successes() == up_to[i]);
    CHECK(points[i].up_to_value.trials() == 10);
    const Interval ci = points[i].up_to_value.wilson();
    const Interval expected = wilson_interval(up_to[i], 10);
    CHECK(ci.low == expected.low);
    CHECK(ci.high == expected.high);
  }
}

TEST_CASE("the JSON of a whole-number scalar lists its cumulative distribution value by value") {
  OutputLayout layout;
  layout.step_labels = {"2024"};
  layout.scalars = {{"first_year", "year", 2024, 2027, 3, true, true}};
  Tally tally(layout);
  PathRecord rec(layout);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t i = 0;
  for (double y : {2024.0, 2026.0, nan, 2026.0}) {
    rec.clear();
    rec.scalar(0) = y;
    tally.add(rec, i++, 1);
  }
  const auto j = tally_json(tally, layout);
  const auto& c = j["scalars"]["first_year"]["cumulative"];
  REQUIRE(c.size() == 3);
  CHECK(c[0]["value"] == 2024);
  CHECK(c[0]["successes"] == 1);
  CHECK(c[1]["successes"] == 1);
  CHECK(c[2]["value"] == 2026);
  CHECK(c[2]["paths_at_value"] == 2);
  CHECK(c[2]["successes"] == 3);
  CHECK(c[2]["paths"] == 4);
  CHECK(c[2]["probability"] == 0.75);
  // The share at the value, 2 of 4, with its Wilson interval written out: centre (p + z^2/2n) / (1 + z^2/n),
  // half-width z sqrt(p(1 - p)/n + z^2/4n^2) / (1 + z^2/n).
  const double z = kZ95, n = 4, p = 0.5;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  CHECK(c[2]["at_value_ci_low"].get<double>() == doctest::Approx(centre - half).epsilon(1e-12));
  CHECK(c[2]["at_value_ci_high"].get<double>() == doctest::Approx(centre + half).epsilon(1e-12));
  CHECK(c[1]["at_value_ci_low"] == 0.0);  // none at 2025
}

}  // TEST_SUITE
