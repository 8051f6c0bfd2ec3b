// The backtest's benchmarks and Gaussian scores against their closed forms,
// computed by hand on small series (studies/backtest.hpp).

#include "studies/backtest.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/crps.hpp"
#include "engine/random_stream.hpp"

using namespace banensim;

TEST_SUITE("unit") {

TEST_CASE("random walk with drift: drift and plug-in variance from increments of unequal length") {
  // (2012, 0), (2015, 30), (2016, 36), (2017, 50): increments 30 over 3
  // years, 6 and 14 over 1; drift 50/5 = 10; residuals 30 - 30 = 0, 6 - 10,
  // 14 - 10; s^2 = (0/3 + 16 + 16) / (3 - 1) = 16.
  const std::vector<int> years = {2012, 2015, 2016, 2017};
  const std::vector<double> values = {0, 30, 36, 50};
  const auto f1 = studies::random_walk_forecast(years, values, 2018);
  CHECK(f1.mean == doctest::Approx(60));
  CHECK(f1.sd == doctest::Approx(4));
  const auto f3 = studies::random_walk_forecast(years, values, 2020);
  CHECK(f3.mean == doctest::Approx(80));
  CHECK(f3.sd == doctest::Approx(std::sqrt(3 * 16.0)));
  CHECK_THROWS_AS(studies::random_walk_forecast({2012, 2015}, {0, 30}, 2016), std::invalid_argument);
}

TEST_CASE("linear trend: OLS with its prediction interval") {
  // Points (0, 1), (1, 3), (2, 2), (3, 6) shifted to years 2012..2015:
  // mean year 2013.5, Sxx = 5, slope = (−1.5·−2 + −0.5·0 + 0.5·−1 + 1.5·3)/5 = 1.4,
  // intercept at the mean 3; residuals 1-0.9=0.1, 3-2.3=0.7, 2-3.7=-1.7, 6-5.1=0.9;
  // RSS = 0.01 + 0.49 + 2.89 + 0.81 = 4.2, s^2 = 2.1.
  const std::vector<int> years = {2012, 2013, 2014, 2015};
  const std::vector<double> values = {1, 3, 2, 6};
  const auto f = studies::linear_trend_forecast(years, values, 2017);
  CHECK(f.mean == doctest::Approx(3 + 1.4 * 3.5));
  CHECK(f.sd == doctest::Approx(std::sqrt(2.1 * (1 + 0.25 + 3.5 * 3.5 / 5))));
  CHECK_THROWS_AS(studies::linear_trend_forecast({2012, 2013}, {0, 1}, 2014), std::invalid_argument);
}

TEST_CASE("a Gaussian forecast's coverage and CRPS") {
  const studies::NormalForecast f{100, 10};
  const auto inside = studies::score_normal(f, 105);  // z = 0.5
  CHECK(inside.in_50);
  CHECK(inside.in_90);
  const auto edge = studies::score_normal(f, 100 + 10 * 0.7);  // z = 0.7: outside 50% (0.674), inside 90%
  CHECK_FALSE(edge.in_50);
  CHECK(edge.in_90);
  const auto out = studies::score_normal(f, 80);  // z = -2
  CHECK_FALSE(out.in_90);
  CHECK(out.crps == doctest::Approx(engine::crps_normal(100, 10, 80)));
  // CRPS at the mean: sigma (2 phi(0) - 1/sqrt(pi)) = sigma (sqrt(2/pi) - 1/sqrt(pi)).
  CHECK(studies::score_normal(f, 100).crps == doctest::Approx(10 * (std::sqrt(2 / M_PI) - 1 / std::sqrt(M_PI))));
}


TEST_CASE("CRPS difference: the mean and its interval clustered by origin, by hand") {
  // d = 1, 2 (origin 2016), 3, 10 (origin 2017): mean 4; per origin the
  // sums of d - mean are -5 and +5, so V = 2/1 * 50 / 4^2 = 6.25, se 2.5;
  // t(1) at 0.975 = 12.706204736174707.
  const studies::CrpsDifference c = studies::crps_difference({1, 2, 3, 10}, {2016, 2016, 2017, 2017});
  CHECK(c.mean == 4);
  CHECK(c.origins == 2);
  CHECK(c.ci_low == doctest::Approx(4 - 12.706204736174707 * 2.5).epsilon(1e-12));
  CHECK(c.ci_high == doctest::Approx(4 + 12.706204736174707 * 2.5).epsilon(1e-12));
  // Origins need not be adjacent; one origin gives no interval.
  const studies::CrpsDifference d = studies::crps_difference({1, 3, 2, 10}, {2016, 2017, 2016, 2017});
  CHECK(d.ci_low == doctest::Approx(c.ci_low).epsilon(1e-12));
  const studies::CrpsDifference one = studies::crps_difference({1, 2, 3}, {2016, 2016, 2016});
  CHECK(one.mean == 2);
  CHECK(std::isnan(one.ci_low));
  CHECK(std::isnan(one.ci_high));
  CHECK_THROWS_AS(studies::crps_difference({1, 2}, {2016}), std::invalid_argument);
}

}  // TEST_SUITE

TEST_SUITE("statistical") {

TEST_CASE("CRPS difference: equal clusters of normal cluster effects, the interval covers the mean 95% of the time") {
  // G = 7 origins of 4 forecasts each; a forecast's difference is the
  // origin's effect (sd 300) plus its own noise (sd 100), true mean -20.
  // With equal clusters the CR1 interval is the t interval of the G cluster
  // means, whose coverage is exactly 95% (the cluster means are i.i.d.
  // normal). 4,000 replicates: standard error 0.0034, tolerance 3.5 of them.
  constexpr int kReplicates = 4000;
  engine::RandomStream rng(2013, engine::stream_id("tests.crps_difference"), 0);
  int covered = 0;
  for (int r = 0; r < kReplicates; ++r) {
    std::vector<double> d;
    std::vector<int> origin;
    for (int o = 0; o < 7; ++o) {
      const double effect = rng.normal(0, 300);
      for (int k = 0; k < 4; ++k) {
        d.push_back(-20 + effect + rng.normal(0, 100));
        origin.push_back(2016 + o);
      }
    }
    const studies::CrpsDifference c = studies::crps_difference(d, origin);
    covered += c.ci_low <= -20 && -20 <= c.ci_high ? 1 : 0;
  }
  const double coverage = static_cast<double>(covered) / kReplicates;
  CHECK(std::abs(coverage - 0.95) < 3.5 * std::sqrt(0.95 * 0.05 / kReplicates));
}

}  // TEST_SUITE
