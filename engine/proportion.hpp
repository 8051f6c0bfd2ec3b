#pragma once
// A binomial proportion counted exactly (64-bit integers) with its Wilson
// score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over
// the Wald interval, which undercovers near 0 and 1 -- where the
// probabilities this tool reports often lie).

#include <cstdint>

#include "engine/word_codec.hpp"

namespace banensim::engine {

struct Interval {
  double low;
  double high;
  double half_width() const noexcept { return 0.5 * (high - low); }
};

// Two-sided 95% normal quantile, Phi^{-1}(0.975).
inline constexpr double kZ95 = 1.959963984540054;

class Proportion {
 public:
  Proportion() = default;
  // `successes` of `trials` counted elsewhere (e.g. a histogram's cumulative
  // count); successes <= trials.
  Proportion(std::uint64_t successes, std::uint64_t trials) noexcept : n_(trials), successes_(successes) {}

  void add(bool success) noexcept {
    ++n_;
    successes_ += success ? 1u : 0u;
  }
  // Adds `trials` outcomes of which `successes` are yes (batched tallies).
  void add_counts(std::uint64_t successes, std::uint64_t trials) noexcept {
    n_ += trials;
    successes_ += successes;
  }
  void merge(const Proportion& other) noexcept {
    n_ += other.n_;
    successes_ += other.successes_;
  }
  std::uint64_t trials() const noexcept { return n_; }
  std::uint64_t successes() const noexcept { return successes_; }
  // Exact state, for transport between processes (engine/word_codec.hpp).
  void encode(WordWriter& w) const {
    w.put(n_);
    w.put(successes_);
  }
  void decode(WordReader& r) {
    n_ = r.get();
    successes_ = r.get();
  }
  // Point estimate k/n; NaN when n = 0.
  double estimate() const noexcept;
  // Wilson score interval at normal quantile z (default: 95%).
  Interval wilson(double z = kZ95) const noexcept;
  // Plug-in standard error sqrt(p(1-p)/n), for reporting only.
  double std_error() const noexcept;

 private:
  std::uint64_t n_ = 0;
  std::uint64_t successes_ = 0;
};

// Wilson interval for k successes in n trials (free function for reuse).
Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z = kZ95) noexcept;

}  // namespace banensim::engine
