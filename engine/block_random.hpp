#pragma once
// Batched counter-based random streams: the random numbers of a batch of
// consecutive paths ("lanes"), drawn for every lane at once, every generated
// word used. The streams of batch models (engine/batch_model.hpp); the
// per-path streams of engine/random_stream.hpp are unchanged beside them.
// docs/RANDOM_NUMBERS.md describes the design.
//
// Stream layout (kBlockRandomVersion). Draw j (0 <= j < kMaxDraws) of purpose
// P in substream s (e.g. the calendar year) on path i, for run seed S, is
//
//   word j mod 4 of Philox4x32-10(counter, key)
//   key     = {S mod 2^32, S div 2^32}
//   counter = {i mod 2^32, i div 2^32, P, s * 2^8 + j div 4}
//
// so it depends only on (S, P, i, s, j) -- never on the thread, rank, batch
// size or the order of calls -- and two model variants that ask for the same
// (P, s) on a path see the same numbers (common random numbers keyed by
// purpose and year, whatever else a lever changes). One Philox evaluation
// gives 4 words, all used: a purpose that needs 4 draws a year costs one
// evaluation per path and year.
//
//   uniform  u = (w + 1/2) / 2^32, exact, in [2^-33, 1 - 2^-33]
//   normal   z = fast_inverse_normal(w) ~= Phi^{-1}(u): Acklam's rational
//            approximation; |z - Phi^{-1}(u)| <= kFastNormalMaxRelError |Phi^{-1}(u)|
//            for every one of the 2^32 words (|z| <= 6.34)
//
// The same bits on every CPU: the AVX2 and scalar kernels agree bit for bit
// (engine/simd_kernels.hpp).
//
// Thread-safety: a BlockRandom is a small value with scratch storage, used
// by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/random_stream.hpp"

namespace banensim::engine {

// Names this layout and its transforms; printed in provenance. A change to
// any number these streams give must change it.
inline constexpr std::string_view kBlockRandomVersion = "block-random/1";
inline constexpr std::string_view kBlockRandomDescription =
    "block-random/1: Philox4x32-10 (Salmon et al. 2011, as Random123 1.14) keyed by the seed, counter "
    "(path, purpose, substream*2^8 + block), all 4 words used; uniforms (w+1/2)/2^32; normals by "
    "inversion (Acklam 2003, relative error <= 1.2e-9)";

// What a draw is for: 32 bits in the counter. Derived from a name
// ("banenafspraak.year") with purpose_id, the 64-bit FNV-1a of
// engine/random_stream.hpp folded to 32 bits.
using PurposeId = std::uint32_t;
constexpr PurposeId purpose_id(std::string_view name) noexcept {
  const StreamId h = stream_id(name);
  return static_cast<PurposeId>(h ^ (h >> 32));
}

inline constexpr std::uint32_t kMaxSubstream = (1U << 24) - 1;  // substream fits 24 bits of the counter
inline constexpr std::size_t kMaxDraws = 1024;                   // draws per (purpose, substream): 2^8 blocks of 4

// Bound on the fast inverse normal's error, relative to |Phi^{-1}(u)|, over
// all 2^32 words (measured exhaustively against AS 241; the tests check a
// dense subset and the extreme tails). In absolute terms at most
// kFastNormalMaxAbsError (reached in the far tails, |z| ~ 5).
inline constexpr double kFastNormalMaxRelError = 1.2e-9;
inline constexpr double kFastNormalMaxAbsError = 6.0e-9;

// The uniform of a word: (w + 1/2) / 2^32, exactly.
constexpr double uniform_of_word(std::uint32_t w) noexcept { return (static_cast<double>(w) + 0.5) * 0x1p-32; }
// The normal of a word: the fast inverse normal CDF of uniform_of_word(w).
// Exactly odd: normal_of_word(~w) == -normal_of_word(w).
double normal_of_word(std::uint32_t w) noexcept;
// The same for n words at once (the vectorised kernel where the CPU has it;
// the same bits either way).
void normals_of_words(const std::uint32_t* w, double* z, std::size_t n) noexcept;

// Draw j of (purpose, substream) on path i_path, computed alone: the
// definition the batched draws are tested against.
std::uint32_t stream_word(std::uint64_t seed, std::uint64_t i_path, PurposeId purpose, std::uint32_t substream,
                          std::size_t j);

// Lane arrays are padded to a multiple of kLaneAlign lanes, so that vector
// loops (engine/simd.hpp) over whole vectors never run past them.
inline constexpr std::size_t kLaneAlign = 8;
constexpr std::size_t padded_lanes(std::size_t n) noexcept { return (n + kLaneAlign - 1) / kLaneAlign * kLaneAlign; }

enum class Variate : unsigned char {
  kNormal,   // standard normal by inversion
  kUniform,  // uniform on (0, 1)
  kUnused,   // a word reserved (e.g. for a later model version): not converted, output row untouched
};

class BlockRandom {
 public:
  // Lanes are the paths first_path .. first_path + n_lanes - 1; the padding
  // lanes up to stride() = padded_lanes(n_lanes) are the paths after them
  // (drawn too, so vector loops see real numbers there; never tallied).
  BlockRandom(std::uint64_t seed, std::uint64_t first_path, std::size_t n_lanes);
  // The same streams for another batch of lanes (keeps the scratch storage;
  // forgets remembered draws).
  void reposition(std::uint64_t first_path, std::size_t n_lanes);

  std::uint64_t seed() const noexcept { return seed_; }
  std::uint64_t first_path() const noexcept { return first_path_; }
  std::size_t n_lanes() const noexcept { return n_lanes_; }
  // Distance between the rows of the draws' output: padded_lanes(n_lanes()).
  std::size_t stride() const noexcept { return stride_; }

  // The draws j = 0 .. kinds.size() - 1 of (purpose, substream) for every
  // lane, draw j converted as kinds[j]: out[j * stride() + lane], for the
  // stride() lanes (padding included). Costs ceil(kinds.size() / 4) Philox
  // evaluations per lane. Throws std::out_of_range when substream >
  // kMaxSubstream or kinds.size() > kMaxDraws.
  void draw(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds, double* out);
  // n_draws standard normals (or uniforms) per lane: draw() with every kind the same.
  void normals(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, double* out);
  void uniforms(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, double* out);
  // The same numbers as draw() and normals(), in storage the generator keeps
  // (row j at rows + j * stride(); the rows of kUnused draws hold unspecified
  // values): with sharing, a repeated request is the first one's storage,
  // not a copy. Valid until the next forget() or reposition() -- and,
  // without sharing, until the next request.
  const double* draw_rows(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds);
  const double* normal_rows(PurposeId purpose, std::uint32_t substream, std::size_t n_draws);
  // The raw words: out[j * stride() + lane] = stream_word(seed, first_path + lane, purpose, substream, j).
  void words(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, std::uint32_t* out);

  // Sharing between the variants of a paired run (the runner turns it on
  // when there are several, and calls forget() before each step): a request
  // repeated since the last forget() -- same purpose, substream and kinds --
  // is served from the first one's numbers (draw_rows: the same storage;
  // draw: a copy) instead of drawn again. The numbers are the same either
  // way; only the time differs.
  void share_draws(bool on) noexcept { sharing_ = on; }
  void forget() noexcept {
    remembered_.clear();
    rows_used_ = 0;
  }

 private:
  struct Remembered {
    PurposeId purpose;
    std::uint32_t substream;
    std::vector<Variate> kinds;
    std::size_t buffer;  // its rows: rows_[buffer]
  };
  // Storage for n_rows rows: the next buffer of rows_ (the first one again
  // without sharing). Buffers handed out since forget() are not touched.
  double* next_rows(std::size_t n_rows);
  void convert(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds, double* out);
  void generate(PurposeId purpose, std::uint32_t substream, std::size_t block, std::uint32_t* out) const;

  std::uint64_t seed_;
  std::uint64_t first_path_;
  std::size_t n_lanes_;
  std::size_t stride_;
  std::vector<std::uint32_t> words_;  // one Philox block for every lane: 4 rows of stride_
  bool sharing_ = false;
  std::vector<Remembered> remembered_;  // the requests since forget(), when sharing
  // Buffers of converted rows, kept (with their capacity) across forget():
  // rows_[0 .. rows_used_) hold the requests since then. An inner vector's
  // storage does not move when rows_ grows, so rows handed out stay valid.
  std::vector<std::vector<double>> rows_;
  std::size_t rows_used_ = 0;
};

}  // namespace banensim::engine
