#pragma once
// A reference model with closed-form answers: the engine's known-answer
// check, used by the tests and the benchmarks. Generic: it knows nothing of
// jobs.

#include <cmath>
#include <string>

#include "engine/model.hpp"
#include "engine/random_stream.hpp"

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

}  // namespace banensim::engine
