#include "engine/prim.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/random_stream.hpp"
#include "engine/sobol_design.hpp"

using banensim::engine::DesignMatrix;
using banensim::engine::measure_box;
using banensim::engine::monte_carlo_design;
using banensim::engine::prim;
using banensim::engine::PrimBox;
using banensim::engine::PrimObjective;
using banensim::engine::PrimOptions;
using banensim::engine::PrimResult;
using banensim::engine::RandomStream;
using banensim::engine::stream_id;

namespace {

// n = 2000 uniform points in [0,1]^4; of interest iff x0 in [0.2, 0.6] and
// x2 in [0.5, 1.0] (x1, x3 irrelevant), each label flipped with probability
// `noise`.
struct Experiment {
  DesignMatrix x;
  std::vector<bool> y;
};

Experiment make_experiment(double noise, std::uint64_t seed) {
  Experiment e{monte_carlo_design(2000, 4, seed), std::vector<bool>(2000)};
  RandomStream flips(seed, stream_id("test.prim.noise"), 0);
  for (std::size_t i = 0; i < 2000; ++i) {
    const bool in = 0.2 <= e.x(i, 0) && e.x(i, 0) <= 0.6 && 0.5 <= e.x(i, 2);
    e.y[i] = flips.bernoulli(noise) ? !in : in;
  }
  return e;
}

// Recounts a box's measures directly from the data.
void check_recount(const Experiment& e, const PrimBox& box) {
  std::size_t inside = 0, interest_inside = 0, interest = 0;
  for (std::size_t i = 0; i < e.x.rows(); ++i) {
    bool in = true;
    for (std::size_t j = 0; j < 4; ++j) in = in && box.low[j] <= e.x(i, j) && e.x(i, j) <= box.high[j];
    interest += e.y[i] ? 1u : 0u;
    inside += in ? 1u : 0u;
    interest_inside += (in && e.y[i]) ? 1u : 0u;
  }
  CHECK(box.n_inside == inside);
  CHECK(box.n_interest_inside == interest_inside);
  CHECK(box.coverage == static_cast<double>(interest_inside) / static_cast<double>(interest));
  CHECK(box.density == static_cast<double>(interest_inside) / static_cast<double>(inside));
  CHECK(box.mass == static_cast<double>(inside) / 2000.0);
}

void check_recovers_box(const Experiment& e, const PrimResult& r, const PrimBox& box) {
  MESSAGE("box x0 in [" << box.low[0] << ", " << box.high[0] << "], x2 in [" << box.low[2] << ", "
                        << box.high[2] << "], coverage " << box.coverage << ", density " << box.density
                        << ", mass " << box.mass << "; trajectory of " << r.trajectory.size() << " boxes");
  CHECK(box.restricted == std::vector<bool>{true, false, true, false});
  CHECK(box.n_restricted() == 2);
  CHECK(std::fabs(box.low[0] - 0.2) < 0.05);
  CHECK(std::fabs(box.high[0] - 0.6) < 0.05);
  CHECK(std::fabs(box.low[2] - 0.5) < 0.05);
  CHECK(box.high[2] == r.domain_high[2]);
  check_recount(e, box);
  const PrimBox recount = measure_box(e.x, e.y, r, box.low, box.high);
  CHECK(recount.coverage == box.coverage);
  CHECK(recount.density == box.density);
  CHECK(recount.restricted == box.restricted);
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("PRIM: recovers a two-input box from noise-free labels") {
  const Experiment e = make_experiment(0.0, 314);
  const PrimResult r = prim(e.x, e.y);
  REQUIRE(r.trajectory.size() > 2);
  CHECK(r.trajectory.front().coverage == 1.0);
  CHECK(r.trajectory.front().mass == 1.0);
  CHECK(r.trajectory.front().n_restricted() == 0);
  const auto& box = r.trajectory[r.last_with_density_at_least(1.0)];
  CHECK(box.density == 1.0);
  // Peels of 5% overshoot the true bounds by up to one slice, and a paste of
  // 5% would cross them again, so some coverage is lost.
  CHECK(box.coverage > 0.85);
  check_recovers_box(e, r, box);
  // Every box on the trajectory reports its own recount; peeled boxes shrink.
  for (std::size_t i = 0; i < r.trajectory.size(); ++i) {
    check_recount(e, r.trajectory[i]);
    if (i > 0 && !r.trajectory[i].pasted) CHECK(r.trajectory[i].n_inside < r.trajectory[i - 1].n_inside);
  }
}

TEST_CASE("PRIM: recovers the box with 5% label noise") {
  const Experiment e = make_experiment(0.05, 2718);
  const PrimResult r = prim(e.x, e.y);
  const auto& box = r.trajectory[r.max_coverage_with_density_at_least(0.9)];
  CHECK(box.density >= 0.9);
  CHECK(box.coverage > 0.75);
  check_recovers_box(e, r, box);
  // Peeling goes on to mass_min when density never reaches 1.
  CHECK(r.trajectory.back().mass >= 0.05);
  CHECK(r.trajectory.back().n_restricted() >= 2);
}

TEST_CASE("PRIM: the original Friedman-Fisher objective also finds the box") {
  const Experiment e = make_experiment(0.0, 314);
  PrimOptions opt;
  opt.objective = PrimObjective::kOriginal;
  const PrimResult r = prim(e.x, e.y, opt);
  check_recovers_box(e, r, r.trajectory[r.last_with_density_at_least(1.0)]);
}

TEST_CASE("PRIM: a discrete input is peeled a whole value at a time") {
  // x1 takes the values 0, 1, 2 (e.g. a policy lever); of interest iff
  // x1 == 2 and x0 <= 0.5. Every value of x1 holds a third of the rows, far
  // more than alpha, so a quantile peel could never move its bound.
  Experiment e = make_experiment(0.0, 99);
  for (std::size_t i = 0; i < 2000; ++i) {
    e.x(i, 1) = std::floor(3.0 * e.x(i, 1));
    e.y[i] = e.x(i, 1) == 2.0 && e.x(i, 0) <= 0.5;
  }
  const PrimResult r = prim(e.x, e.y);
  const auto& box = r.trajectory[r.last_with_density_at_least(1.0)];
  MESSAGE("discrete: x0 in [" << box.low[0] << ", " << box.high[0] << "], x1 in [" << box.low[1] << ", "
                              << box.high[1] << "], coverage " << box.coverage);
  CHECK(box.low[1] == 2.0);
  CHECK(box.high[1] == 2.0);
  CHECK(std::fabs(box.high[0] - 0.5) < 0.05);
  CHECK(box.restricted == std::vector<bool>{true, true, false, false});
  check_recount(e, box);
}

TEST_CASE("PRIM: covering finds a second box among the rows outside the first") {
  // Two planted boxes: x0, x1 <= 0.4 (box A, mass 0.16) or x2, x3 >= 0.7
  // (box B, mass 0.09). One search finds one of them; the covering step,
  // run on the rows outside it, finds the other.
  Experiment e = make_experiment(0.0, 4242);
  for (std::size_t i = 0; i < 2000; ++i) {
    const bool a = e.x(i, 0) <= 0.4 && e.x(i, 1) <= 0.4;
    const bool b = e.x(i, 2) >= 0.7 && e.x(i, 3) >= 0.7;
    e.y[i] = a || b;
  }
  const PrimResult first = prim(e.x, e.y);
  const PrimBox box1 = first.trajectory[first.last_with_density_at_least(1.0)];
  const PrimResult second = prim(e.x, e.y, {}, {box1});
  const PrimBox box2 = second.trajectory[second.last_with_density_at_least(1.0)];
  const auto describe = [](const PrimBox& b) {
    std::string out;
    for (std::size_t j = 0; j < b.low.size(); ++j)
      if (b.restricted[j]) out += " x" + std::to_string(j) + " in [" + std::to_string(b.low[j]) + ", " +
                                  std::to_string(b.high[j]) + "]";
    return out;
  };
  MESSAGE("first box:" << describe(box1) << ", coverage " << box1.coverage);
  MESSAGE("second box:" << describe(box2) << ", coverage " << box2.coverage);
  const PrimBox& a = box1.restricted[0] ? box1 : box2;
  const PrimBox& b = box1.restricted[0] ? box2 : box1;
  CHECK(a.restricted == std::vector<bool>{true, true, false, false});
  CHECK(b.restricted == std::vector<bool>{false, false, true, true});
  CHECK(std::fabs(a.high[0] - 0.4) < 0.05);
  CHECK(std::fabs(a.high[1] - 0.4) < 0.05);
  CHECK(std::fabs(b.low[2] - 0.7) < 0.05);
  CHECK(std::fabs(b.low[3] - 0.7) < 0.05);
  // The second search starts from the rows outside the first box; its
  // measures stay relative to the whole experiment.
  CHECK(second.trajectory.front().coverage == doctest::Approx(1.0 - box1.coverage));
  CHECK(box1.coverage + box2.coverage > 0.9);
  CHECK_THROWS_AS(prim(e.x, e.y, {}, {first.trajectory.front()}), std::invalid_argument);
}

TEST_CASE("PRIM: bad input is rejected with the constraint named") {
  const Experiment e = make_experiment(0.0, 1);
  CHECK_THROWS_AS(prim(e.x, std::vector<bool>(10)), std::invalid_argument);
  CHECK_THROWS_AS(prim(e.x, std::vector<bool>(2000, false)), std::invalid_argument);
  PrimOptions bad;
  bad.peel_alpha = 0.6;
  bad.mass_min = -1.0;
  CHECK_THROWS_WITH_AS(prim(e.x, e.y, bad), doctest::Contains("mass_min"), std::invalid_argument);
  DesignMatrix nan_x = e.x;
  nan_x(3, 1) = std::nan("");
  CHECK_THROWS_AS(prim(nan_x, e.y), std::invalid_argument);
  const PrimResult r = prim(e.x, e.y);
  CHECK_THROWS_AS(r.last_with_density_at_least(1.5), std::out_of_range);
}

TEST_CASE("binomial upper tail: exact small cases and the edges") {
  using banensim::engine::binomial_upper_tail;
  CHECK(binomial_upper_tail(8, 10, 0.5) == doctest::Approx(56.0 / 1024.0).epsilon(1e-12));  // (45+10+1)/1024
  CHECK(binomial_upper_tail(0, 10, 0.3) == 1.0);
  CHECK(binomial_upper_tail(11, 10, 0.3) == 0.0);
  CHECK(binomial_upper_tail(3, 10, 0.0) == 0.0);
  CHECK(binomial_upper_tail(3, 10, 1.0) == 1.0);
  CHECK(binomial_upper_tail(1, 3, 0.2) == doctest::Approx(1.0 - 0.8 * 0.8 * 0.8).epsilon(1e-12));
  // Far in the tail, no underflow to a wrong value: P(X >= 900 | 1000, 0.5) is about 1e-162.
  const double tiny = binomial_upper_tail(900, 1000, 0.5);
  CHECK(tiny > 0.0);
  CHECK(tiny < 1e-150);
}

TEST_CASE("quasi-p-values: a real restriction is significant, a side the box does not restrict has none") {
  // 2000 uniform points in [0,1]^3; of interest iff x0 <= 0.4 (a restriction
  // on x0 only, from above).
  const std::size_t n = 2000;
  DesignMatrix x(n, 3);
  std::vector<bool> y(n);
  banensim::engine::RandomStream rs(7, banensim::engine::stream_id("test.quasi_p"), 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = rs.uniform();
    y[i] = x(i, 0) <= 0.4;
  }
  const auto r = banensim::engine::prim(x, y);
  const auto& box = r.trajectory[r.last_with_density_at_least(1.0)];
  REQUIRE(box.restricted[0]);
  const auto q = banensim::engine::quasi_p_values(x, y, r, box);
  CHECK(q.high[0] < 1e-100);        // releasing x0 <= 0.4 drops the density from 1 to 0.4
  CHECK(std::isnan(q.low[0]));      // the box's x0 starts at the data's minimum
  for (std::size_t j = 1; j < 3; ++j) {
    // Any nibble at x1, x2 is noise: its quasi-p-value is not small.
    if (!std::isnan(q.low[j])) CHECK(q.low[j] > 0.05);
    if (!std::isnan(q.high[j])) CHECK(q.high[j] > 0.05);
  }
}
}
