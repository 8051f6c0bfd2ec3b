#pragma once
// Counter-based random streams (Philox4x64-10, Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC'11; Random123).
//
// A draw depends only on (seed, stream id, path index, substream, draw index):
//
//   key     = {seed, stream_id}
//   counter = {path_index, substream, block, 0}   one block = 4 x 64-bit words
//
// so path i sees the same numbers whichever thread or MPI rank simulates it,
// and two model variants that ask for the same (stream id, substream) on the
// same path see the same numbers (common random numbers keyed by purpose,
// not by call order).
//
// Thread-safety: a RandomStream is a small value owned by one thread.

#include <array>
#include <cstdint>
#include <string_view>

#include <Random123/philox.h>

#include "engine/fnv1a.hpp"

namespace banensim::engine {

// Identifies what a stream is for. Models derive ids from names with
// stream_id("trend.market") so that ids are stable across code changes.
using StreamId = std::uint64_t;

// The id of a purpose name: its FNV-1a hash (engine/fnv1a.hpp); constexpr so
// ids are compile-time.
constexpr StreamId stream_id(std::string_view name) noexcept { return fnv1a64(name); }

// Maps 64 random bits to a double in the open interval (0, 1): the top 52
// bits, offset by half a step, i.e. the midpoints of 2^52 equal cells, from
// 2^-53 to 1 - 2^-53 (both exact doubles). 0 and 1 never occur, which the
// inverse normal CDF below needs.
constexpr double to_open_unit(std::uint64_t bits) noexcept {
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

// Inverse of the standard normal CDF, Wichura's algorithm AS 241 (PPND16,
// Applied Statistics 37(3), 1988), relative accuracy about 1e-16 over the
// whole open interval. Ours, not std::normal_distribution, so results are the
// same with every standard library. Consumes no randomness; p must be in (0,1).
double inverse_normal_cdf(double p) noexcept;

// Standard normal CDF Phi(x) via std::erfc (for tests and interval maths).
double normal_cdf(double x) noexcept;

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, StreamId stream, std::uint64_t i_path,
               std::uint64_t substream = 0) noexcept
      : key_{{seed, stream}}, ctr_{{i_path, substream, 0, 0}} {}

  // 64 random bits. Every 4 calls cost one Philox4x64-10 evaluation.
  std::uint64_t next_bits() noexcept {
    if (pos_ == 4) refill();
    return buf_[pos_++];
  }
  // Uniform on (0, 1); one draw of 64 bits.
  double uniform() noexcept { return to_open_unit(next_bits()); }
  // Standard normal by inversion; exactly one uniform per normal, which keeps
  // variates aligned across model variants.
  double normal() noexcept { return inverse_normal_cdf(uniform()); }
  // Normal with mean mu and standard deviation sigma >= 0.
  double normal(double mu, double sigma) noexcept { return mu + sigma * normal(); }
  // Bernoulli(p): true with probability p (one uniform).
  bool bernoulli(double p) noexcept { return uniform() < p; }

  // Number of 64-bit words consumed so far (for tests and benchmarks).
  std::uint64_t words_used() const noexcept { return ctr_[2] * 4 - (4 - pos_); }

 private:
  void refill() noexcept {
    const auto out = philox_(ctr_, key_);
    for (unsigned i = 0; i < 4; ++i) buf_[i] = out[i];
    ++ctr_[2];
    pos_ = 0;
  }
  using Philox = r123::Philox4x64_R<10>;
  Philox philox_{};
  Philox::key_type key_;
  Philox::ctr_type ctr_;
  std::array<std::uint64_t, 4> buf_{};
  unsigned pos_ = 4;
};

// The random numbers of one path: a factory of purpose-keyed streams.
// Cheap to copy; the engine makes one per path and hands it to the model.
class PathRandom {
 public:
  PathRandom(std::uint64_t seed, std::uint64_t i_path) noexcept : seed_(seed), i_path_(i_path) {}
  RandomStream stream(StreamId id, std::uint64_t substream = 0) const noexcept {
    return RandomStream(seed_, id, i_path_, substream);
  }
  std::uint64_t seed() const noexcept { return seed_; }
  std::uint64_t path_index() const noexcept { return i_path_; }

 private:
  std::uint64_t seed_;
  std::uint64_t i_path_;
};

}  // namespace banensim::engine
