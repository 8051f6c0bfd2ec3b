#pragma once
// A reference model with closed-form answers: the engine's known-answer
// check, used by the tests and the benchmarks. Generic: it knows nothing of
// jobs.

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "engine/batch_model.hpp"
#include "engine/block_random.hpp"
#include "engine/model.hpp"
#include "engine/random_stream.hpp"
#include "engine/simd.hpp"

namespace banensim::engine {

// A Gaussian random walk x_t = x_{t-1} + mu + sigma * Z_t, x_0 = 0, over
// n_steps steps. Outputs: series "x"; scalar "x_final"; optional scalar
// "first_cross" (first step index with x_t >= threshold, NaN if none);
// indicator "reach" (x_T >= threshold).
// Closed form: x_T ~ N(T mu, T sigma^2), P(reach) = 1 - Phi((c - T mu) / (sigma sqrt(T))).
class RandomWalkModel {
 public:
  struct State {
    double x = 0.0;
    double first = 0.0;
  };

  RandomWalkModel(std::size_t n_steps, double mu, double sigma, double threshold)
      : mu_(mu), sigma_(sigma), threshold_(threshold) {
    for (std::size_t t = 0; t < n_steps; ++t) layout_.step_labels.push_back(std::to_string(t + 1));
    const double spread = 8.0 * sigma * std::sqrt(static_cast<double>(n_steps)) + 1.0;
    const double centre = mu * static_cast<double>(n_steps);
    layout_.series.push_back({"x", "1", centre - spread, centre + spread, 2000});
    layout_.scalars.push_back({"x_final", "1", centre - spread, centre + spread, 2000, false});
    layout_.scalars.push_back({"first_cross", "step", 0.0, static_cast<double>(n_steps) + 1.0, n_steps + 1, true, false,
                               RangeRule::kFixed});
    layout_.indicators.push_back({"reach", "x_T >= threshold"});
  }

  const OutputLayout& layout() const { return layout_; }
  State make_state() const { return {}; }
  void begin_path(State& s, const PathRandom&, PathRecord&) const {
    s.x = 0.0;
    s.first = std::nan("");
  }
  void step(State& s, std::size_t i_step, const PathRandom& rng, PathRecord& rec) const {
    auto stream = rng.stream(stream_id("walk.increment"), i_step);
    s.x += mu_ + sigma_ * stream.normal();
    rec.series(0, i_step) = s.x;
    if (std::isnan(s.first) && s.x >= threshold_) s.first = static_cast<double>(i_step + 1);
  }
  void end_path(State& s, const PathRandom&, PathRecord& rec) const {
    rec.scalar(0) = s.x;
    rec.scalar(1) = s.first;
    rec.set_indicator(0, s.x >= threshold_);
  }

  double mu() const { return mu_; }
  double sigma() const { return sigma_; }
  double threshold() const { return threshold_; }

 private:
  double mu_, sigma_, threshold_;
  OutputLayout layout_;
};

// The same random walk through the batch interface (engine/batch_model.hpp)
// and the batched streams (engine/block_random.hpp): the same outputs and
// closed forms, different random numbers. The increments of all steps are
// drawn at the start of a batch, draw t of purpose "walk.increments" for
// step t, so each Philox evaluation serves four steps.
class BatchRandomWalkModel {
 public:
  static constexpr PurposeId kIncrements = purpose_id("walk.increments");

  struct BatchState {
    std::vector<double> x;      // [lane]
    std::vector<double> first;  // [lane]: first step with x >= threshold, NaN if none yet
    std::vector<double> z;      // [i_step * stride + lane]: the standard normal increments
  };

  BatchRandomWalkModel(std::size_t n_steps, double mu, double sigma, double threshold)
      : walk_(n_steps, mu, sigma, threshold), n_steps_(n_steps) {}

  const OutputLayout& layout() const { return walk_.layout(); }
  BatchState make_batch_state(std::size_t max_lanes) const {
    const std::size_t padded = padded_lanes(max_lanes);
    return {std::vector<double>(padded), std::vector<double>(padded), std::vector<double>(n_steps_ * padded)};
  }
  void begin_batch(BatchState& s, BlockRandom& rng, BatchRecord&) const {
    for (std::size_t lane = 0; lane < rng.stride(); ++lane) {
      s.x[lane] = 0.0;
      s.first[lane] = std::numeric_limits<double>::quiet_NaN();
    }
    rng.normals(kIncrements, 0, n_steps_, s.z.data());
  }
  BANENSIM_LANE_KERNEL void step_batch(BatchState& s, std::size_t i_step, BlockRandom& rng, BatchRecord& rec) const {
    using namespace simd;
    const double* z = s.z.data() + i_step * rng.stride();
    double* out = rec.series(0);
    const Doubles mu = splat(walk_.mu()), sigma = splat(walk_.sigma()), c = splat(walk_.threshold());
    const Doubles step_number = splat(static_cast<double>(i_step + 1));
    for (std::size_t i = 0; i < rng.stride(); i += kWidth) {
      const Doubles x = load(s.x.data() + i) + (mu + sigma * load(z + i));
      store(s.x.data() + i, x);
      store(out + i, x);
      const Doubles first = load(s.first.data() + i);
      store(s.first.data() + i, select(is_nan(first) & (x >= c), step_number, first));
    }
  }
  void end_batch(BatchState& s, BlockRandom& rng, BatchRecord& rec) const {
    for (std::size_t lane = 0; lane < rng.stride(); ++lane) {
      rec.scalar(0)[lane] = s.x[lane];
      rec.scalar(1)[lane] = s.first[lane];
      rec.indicator(0)[lane] = s.x[lane] >= walk_.threshold() ? 1 : 0;
    }
  }

  double mu() const { return walk_.mu(); }
  double sigma() const { return walk_.sigma(); }
  double threshold() const { return walk_.threshold(); }

 private:
  RandomWalkModel walk_;  // parameters and output layout
  std::size_t n_steps_;
};

}  // namespace banensim::engine
