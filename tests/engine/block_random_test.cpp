#include "engine/block_random.hpp"

#include <doctest/doctest.h>

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <vector>

#include "engine/running_stats.hpp"
#include "engine/simd_kernels.hpp"

using banensim::engine::BlockRandom;
using banensim::engine::kMaxDraws;
using banensim::engine::kMaxSubstream;
using banensim::engine::normal_of_word;
using banensim::engine::purpose_id;
using banensim::engine::stream_word;
using banensim::engine::uniform_of_word;
using banensim::engine::Variate;
namespace kernels = banensim::engine::kernels;

namespace {

using Philox = r123::Philox4x32_R<10>;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The kernel sets this machine can run: scalar always, avx2 and avx512 where
// the CPU has them.
std::vector<const kernels::KernelSet*> kernel_sets() {
  const kernels::KernelSet* sets[3] = {};
  const int n = kernels::available_kernel_sets(sets);
  return {sets, sets + n};
}

// A fixed pseudo-random sequence of words for the tests (xorshift64).
std::vector<std::uint32_t> test_words(std::size_t n, std::uint64_t state = 88172645463325252ULL) {
  std::vector<std::uint32_t> w(n);
  for (auto& x : w) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    x = static_cast<std::uint32_t>(state >> 16);
  }
  return w;
}

// Restores the automatic kernel choice when a test that forced one ends.
struct ForcedKernels {
  explicit ForcedKernels(const kernels::KernelSet* set) { kernels::force_kernels(set); }
  ~ForcedKernels() { kernels::force_kernels(nullptr); }
  ForcedKernels(const ForcedKernels&) = delete;
  ForcedKernels& operator=(const ForcedKernels&) = delete;
};

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors") {
  // Random123 kat_vectors, "philox4x32 10": counter, key -> output.
  struct Kat {
    Philox::ctr_type ctr;
    Philox::key_type key;
    std::array<std::uint32_t, 4> out;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, {{0xffffffff, 0xffffffff}},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat& k : kats) {
    const auto out = Philox{}(k.ctr, k.key);
    for (std::size_t w = 0; w < 4; ++w) CHECK(out[w] == k.out[w]);
    // Every kernel set gives the same words (path = the first two counter words).
    for (const kernels::KernelSet* set : kernel_sets()) {
      CAPTURE(set->name);
      std::uint32_t got[4];
      const std::uint64_t path = k.ctr[0] | (static_cast<std::uint64_t>(k.ctr[1]) << 32);
      set->philox(path, 1, k.ctr[2], k.ctr[3], k.key[0], k.key[1], got, 1);
      for (std::size_t w = 0; w < 4; ++w) CHECK(got[w] == k.out[w]);
    }
  }
}

TEST_CASE("the kernels compute Philox4x32-10 of consecutive paths, across a 2^32 boundary and any length") {
  for (const kernels::KernelSet* set : kernel_sets()) {
    CAPTURE(set->name);
    for (std::uint64_t first : {0ULL, 12345ULL, (1ULL << 32) - 5, ~0ULL - 40}) {
      for (std::size_t n : {1U, 3U, 8U, 13U, 16U, 31U, 32U, 33U, 37U, 50U}) {
        const std::size_t stride = n + 3;
        std::vector<std::uint32_t> out(4 * stride, 0xdeadbeef);
        set->philox(first, n, 0x01234567, 0x89abcdef, 0x13579bdf, 0x2468ace0, out.data(), stride);
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint64_t p = first + i;
          const auto ref = Philox{}({{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(p >> 32), 0x01234567,
                                      0x89abcdef}},
                                    {{0x13579bdf, 0x2468ace0}});
          for (std::size_t w = 0; w < 4; ++w) REQUIRE(out[w * stride + i] == ref[w]);
        }
        for (std::size_t w = 0; w < 4; ++w) {  // nothing written past n
          for (std::size_t i = n; i < stride; ++i) REQUIRE(out[w * stride + i] == 0xdeadbeef);
        }
      }
    }
  }
}

TEST_CASE("stream layout: draw j of (purpose, substream) on path i is word j mod 4 of one Philox block") {
  // key {seed lo, seed hi}, counter {path lo, path hi, purpose, substream * 2^8 + j / 4}.
  const std::uint64_t seed = 0x0123456789abcdefULL;
  const std::uint64_t path = (7ULL << 32) + 99;
  const auto purpose = purpose_id("test.layout");
  const std::uint32_t substream = 2031;
  for (std::size_t j : {0U, 1U, 3U, 4U, 7U, 255U, 1023U}) {
    const auto ref = Philox{}({{99, 7, purpose, (substream << 8) | static_cast<std::uint32_t>(j / 4)}},
                              {{0x89abcdef, 0x01234567}});
    CHECK(stream_word(seed, path, purpose, substream, j) == ref[j % 4]);
  }
}

TEST_CASE("known answers: fixed seed, path, purpose, substream and draw give fixed numbers") {
  // Recorded once from this layout; they change only if the layout or the
  // transforms change -- which must change kBlockRandomVersion too.
  CHECK(banensim::engine::kBlockRandomVersion == "block-random/1");
  CHECK(purpose_id("kat") == 0x0bf5ffc6U);
  const std::uint32_t w0 = stream_word(20260101, 7, purpose_id("kat"), 2026, 0);
  const std::uint32_t w5 = stream_word(20260101, 7, purpose_id("kat"), 2026, 5);
  CHECK(w0 == 0xea31a08dU);
  CHECK(w5 == 0x5f16fa06U);
  CHECK(uniform_of_word(w0) == 0.91481975035276264);
  CHECK(normal_of_word(w5) == -0.32803038020965936);
  // The same through a batch, at lane 3 of a batch starting at path 4.
  BlockRandom rng(20260101, 4, 5);
  std::vector<double> z(6 * rng.stride());
  rng.normals(purpose_id("kat"), 2026, 6, z.data());
  CHECK(z[5 * rng.stride() + 3] == -0.32803038020965936);
}

TEST_CASE("uniforms are (w + 1/2) / 2^32 exactly, inside (0, 1)") {
  CHECK(uniform_of_word(0) == 0x1p-33);
  CHECK(uniform_of_word(0xffffffffU) == 1.0 - 0x1p-33);
  CHECK(uniform_of_word(0x80000000U) == 0.5 + 0x1p-33);
  const auto words = test_words(1001);
  for (const kernels::KernelSet* set : kernel_sets()) {
    std::vector<double> u(words.size());
    set->uniforms(words.data(), u.data(), words.size());
    for (std::size_t i = 0; i < words.size(); ++i) REQUIRE(u[i] == uniform_of_word(words[i]));
  }
}

TEST_CASE("a block's draws are the per-path definition, whatever the batch's first path and size") {
  const std::uint64_t seed = 42;
  const auto purpose = purpose_id("test.batch");
  const std::size_t n_draws = 11;  // three blocks, the last one partly used
  for (std::uint64_t first : {0ULL, 5ULL, 1000ULL, (1ULL << 32) - 3}) {
    for (std::size_t n_lanes : {1U, 2U, 7U, 64U, 300U}) {
      BlockRandom rng(seed, first, n_lanes);
      const std::size_t stride = rng.stride();
      REQUIRE(stride == banensim::engine::padded_lanes(n_lanes));
      REQUIRE(stride % banensim::engine::kLaneAlign == 0);
      std::vector<std::uint32_t> words(n_draws * stride);
      rng.words(purpose, 2030, n_draws, words.data());
      std::vector<double> normals(n_draws * stride);
      rng.normals(purpose, 2030, n_draws, normals.data());
      std::vector<double> uniforms(n_draws * stride);
      rng.uniforms(purpose, 2030, n_draws, uniforms.data());
      for (std::size_t j = 0; j < n_draws; ++j) {
        for (std::size_t lane = 0; lane < stride; ++lane) {  // the padding lanes are the next paths
          const std::uint32_t w = stream_word(seed, first + lane, purpose, 2030, j);
          REQUIRE(words[j * stride + lane] == w);
          REQUIRE(same_bits(normals[j * stride + lane], normal_of_word(w)));
          REQUIRE(uniforms[j * stride + lane] == uniform_of_word(w));
        }
      }
    }
  }
}

TEST_CASE("draw() converts each word as its kind and leaves unused rows alone") {
  BlockRandom rng(3, 100, 19);
  const std::size_t n = rng.stride();
  const std::array<Variate, 6> kinds = {Variate::kNormal, Variate::kUniform, Variate::kUnused,
                                        Variate::kNormal, Variate::kNormal,  Variate::kUniform};
  std::vector<double> out(kinds.size() * n, -7.0);
  rng.draw(purpose_id("mixed"), 9, kinds, out.data());
  std::vector<std::uint32_t> words(kinds.size() * n);
  rng.words(purpose_id("mixed"), 9, kinds.size(), words.data());
  for (std::size_t j = 0; j < kinds.size(); ++j) {
    for (std::size_t lane = 0; lane < n; ++lane) {
      const double got = out[j * n + lane];
      const std::uint32_t w = words[j * n + lane];
      switch (kinds[j]) {
        case Variate::kNormal: REQUIRE(same_bits(got, normal_of_word(w))); break;
        case Variate::kUniform: REQUIRE(got == uniform_of_word(w)); break;
        case Variate::kUnused: REQUIRE(got == -7.0); break;
      }
    }
  }
}

TEST_CASE("shared draws: a repeated request is copied, the same numbers as drawing it again") {
  const std::array<Variate, 6> kinds = {Variate::kNormal, Variate::kUniform, Variate::kUnused,
                                        Variate::kNormal, Variate::kNormal,  Variate::kUniform};
  BlockRandom plain(9, 500, 37);
  BlockRandom shared(9, 500, 37);
  shared.share_draws(true);
  const std::size_t n = plain.stride();
  std::vector<double> expected(kinds.size() * n, -1.0);
  plain.draw(purpose_id("p"), 2030, kinds, expected.data());
  for (int round = 0; round < 3; ++round) {  // first drawn, then copied twice
    std::vector<double> got(kinds.size() * n, -1.0);
    shared.draw(purpose_id("p"), 2030, kinds, got.data());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(same_bits(got[i], expected[i]));  // unused row left at -1
  }
  // Another substream, purpose or kind list is not a repeat.
  std::vector<double> other(kinds.size() * n);
  shared.draw(purpose_id("p"), 2031, kinds, other.data());
  CHECK_FALSE(same_bits(other[0], expected[0]));
  std::vector<double> as_normals(n);
  shared.normals(purpose_id("p"), 2030, 1, as_normals.data());
  for (std::size_t lane = 0; lane < n; ++lane) REQUIRE(same_bits(as_normals[lane], expected[lane]));
  std::vector<double> as_uniforms(2 * n);
  shared.uniforms(purpose_id("p"), 2030, 2, as_uniforms.data());
  for (std::size_t lane = 0; lane < n; ++lane) REQUIRE(as_uniforms[n + lane] == expected[n + lane]);
  // After forget() and after moving to other lanes, drawn afresh.
  shared.forget();
  std::vector<double> again(kinds.size() * n, -1.0);
  shared.draw(purpose_id("p"), 2030, kinds, again.data());
  for (std::size_t i = 0; i < again.size(); ++i) REQUIRE(same_bits(again[i], expected[i]));
  shared.reposition(600, 37);
  plain.reposition(600, 37);
  std::vector<double> moved(kinds.size() * n), moved_plain(kinds.size() * n);
  shared.draw(purpose_id("p"), 2030, kinds, moved.data());
  plain.draw(purpose_id("p"), 2030, kinds, moved_plain.data());
  for (std::size_t j : {0U, 1U, 3U}) {
    for (std::size_t lane = 0; lane < n; ++lane) REQUIRE(same_bits(moved[j * n + lane], moved_plain[j * n + lane]));
  }
}

TEST_CASE("draw_rows: draw()'s numbers where the generator keeps them, one storage for a shared repeat, valid until forget()") {
  const std::array<Variate, 6> kinds = {Variate::kNormal, Variate::kUniform, Variate::kUnused,
                                        Variate::kNormal, Variate::kNormal,  Variate::kUniform};
  const std::array<std::size_t, 5> used = {0, 1, 3, 4, 5};
  BlockRandom plain(9, 500, 37);
  const std::size_t n = plain.stride();
  std::vector<double> expected(kinds.size() * n), expected_next(kinds.size() * n), expected_normals(3 * n);
  plain.draw(purpose_id("p"), 2030, kinds, expected.data());
  plain.draw(purpose_id("p"), 2031, kinds, expected_next.data());
  plain.normals(purpose_id("q"), 0, 3, expected_normals.data());
  const auto same_rows = [&](const double* rows, const std::vector<double>& want) {
    for (const std::size_t j : used) {
      for (std::size_t lane = 0; lane < n; ++lane) REQUIRE(same_bits(rows[j * n + lane], want[j * n + lane]));
    }
  };
  // Without sharing: the numbers of draw(), a request at a time.
  for (int round = 0; round < 2; ++round) {
    same_rows(plain.draw_rows(purpose_id("p"), 2030, kinds), expected);
    same_rows(plain.draw_rows(purpose_id("p"), 2031, kinds), expected_next);
  }
  const double* z = plain.normal_rows(purpose_id("q"), 0, 3);
  for (std::size_t i = 0; i < 3 * n; ++i) REQUIRE(same_bits(z[i], expected_normals[i]));

  BlockRandom shared(9, 500, 37);
  shared.share_draws(true);
  const double* first = shared.draw_rows(purpose_id("p"), 2030, kinds);
  // Other requests (more buffers) leave the first one's rows where they are.
  const double* next = shared.draw_rows(purpose_id("p"), 2031, kinds);
  const double* normals = shared.normal_rows(purpose_id("q"), 0, 3);
  for (int k = 0; k < 20; ++k) shared.normal_rows(purpose_id("r"), static_cast<std::uint32_t>(k), 9);
  CHECK(shared.draw_rows(purpose_id("p"), 2030, kinds) == first);  // a repeat: the same storage
  CHECK(shared.draw_rows(purpose_id("p"), 2031, kinds) == next);
  same_rows(first, expected);
  same_rows(next, expected_next);
  for (std::size_t i = 0; i < 3 * n; ++i) REQUIRE(same_bits(normals[i], expected_normals[i]));
  // draw() of a request draw_rows made: a copy of its used rows.
  std::vector<double> copied(kinds.size() * n, -1.0);
  shared.draw(purpose_id("p"), 2030, kinds, copied.data());
  for (std::size_t lane = 0; lane < n; ++lane) REQUIRE(copied[2 * n + lane] == -1.0);  // the unused row left alone
  same_rows(copied.data(), expected);
  // After forget(), and on other lanes, drawn afresh: the right numbers.
  shared.forget();
  same_rows(shared.draw_rows(purpose_id("p"), 2031, kinds), expected_next);
  shared.reposition(600, 37);
  plain.reposition(600, 37);
  std::vector<double> moved(kinds.size() * n);
  plain.draw(purpose_id("p"), 2030, kinds, moved.data());
  same_rows(shared.draw_rows(purpose_id("p"), 2030, kinds), moved);
}

TEST_CASE("seeds, purposes, paths, substreams and draw indices all give different words") {
  std::set<std::uint32_t> seen;
  int n = 0;
  for (std::uint64_t seed : {1ULL, 2ULL, 1ULL << 32}) {
    for (auto purpose : {purpose_id("a"), purpose_id("b")}) {
      for (std::uint64_t path : {0ULL, 1ULL, 1ULL << 32, 1ULL << 63}) {
        for (std::uint32_t sub : {0U, 1U, kMaxSubstream}) {
          for (std::size_t j : {0U, 1U, 4U, 1023U}) {
            seen.insert(stream_word(seed, path, purpose, sub, j));
            ++n;
          }
        }
      }
    }
  }
  // 576 words of 32 bits: a repeat by chance has probability ~4e-5.
  CHECK(seen.size() == static_cast<std::size_t>(n));
}

TEST_CASE("substreams above 2^24 - 1 and more than 1024 draws are refused, not wrapped") {
  BlockRandom rng(1, 0, 4);
  std::vector<double> out(rng.stride() * (kMaxDraws + 1));
  CHECK_NOTHROW(rng.normals(purpose_id("x"), kMaxSubstream, 1, out.data()));
  CHECK_THROWS_AS(rng.normals(purpose_id("x"), kMaxSubstream + 1, 1, out.data()), std::out_of_range);
  CHECK_THROWS_AS(rng.uniforms(purpose_id("x"), 0, kMaxDraws + 1, out.data()), std::out_of_range);
  CHECK_THROWS_AS((void)stream_word(1, 0, purpose_id("x"), 0, kMaxDraws), std::out_of_range);
}

TEST_CASE("every wide kernel set gives the scalar kernels' bits (normals: centre, tails, the boundary, remainders)") {
  const std::vector<const kernels::KernelSet*> sets = kernel_sets();
  if (sets.size() == 1) {
    MESSAGE("this CPU has neither AVX2+FMA nor AVX-512: only the scalar kernels run here");
    return;
  }
  const kernels::KernelSet& scalar = kernels::scalar_kernels();
  std::vector<std::uint32_t> words = test_words(1 << 20);
  // The 2^16 most extreme words at each end, and the words around the centre/tail boundary.
  for (std::uint32_t i = 0; i < (1U << 16); ++i) {
    words.push_back(i);
    words.push_back(~i);
  }
  const auto boundary = static_cast<std::uint32_t>(0.02425 * 0x1p32);
  for (std::uint32_t d = 0; d < 4096; ++d) {
    for (std::uint32_t b : {boundary, ~boundary}) {
      words.push_back(b + d);
      words.push_back(b - d);
    }
  }
  std::vector<double> a(words.size());
  scalar.normals(words.data(), a.data(), words.size());
  std::vector<double> ua(words.size());
  scalar.uniforms(words.data(), ua.data(), words.size());
  for (std::size_t k = 1; k < sets.size(); ++k) {
    const kernels::KernelSet& wide = *sets[k];
    CAPTURE(wide.name);
    std::vector<double> b(words.size());
    wide.normals(words.data(), b.data(), words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
      CAPTURE(words[i]);
      REQUIRE(same_bits(a[i], b[i]));
    }
    wide.uniforms(words.data(), b.data(), words.size());
    for (std::size_t i = 0; i < words.size(); ++i) REQUIRE(same_bits(ua[i], b[i]));
    // Lengths that leave a remainder of every size (and runs of only tail
    // words, which fill the tail list), at every offset; nothing written
    // past the end.
    const std::size_t extreme = (std::size_t{1} << 20);
    for (std::size_t n = 0; n <= 40; ++n) {
      for (std::size_t offset : {std::size_t{0}, std::size_t{1}, std::size_t{2}, extreme, extreme + 3}) {
        std::vector<double> x(n + 1, -1.0);
        std::vector<double> y(n + 1, -1.0);
        scalar.normals(words.data() + offset, x.data(), n);
        wide.normals(words.data() + offset, y.data(), n);
        for (std::size_t i = 0; i <= n; ++i) REQUIRE(same_bits(x[i], y[i]));
        scalar.uniforms(words.data() + offset, x.data(), n);
        wide.uniforms(words.data() + offset, y.data(), n);
        for (std::size_t i = 0; i <= n; ++i) REQUIRE(same_bits(x[i], y[i]));
      }
    }
  }
}
}

// Statistical checks of the batched streams against closed forms: a fixed
// seed, tolerances of kSigmas standard errors.
TEST_SUITE("statistical") {
namespace {
constexpr double kSigmas = 4.5;

// 2^20 draws of one kind: 1024 lanes x 1024 draws of one purpose.
std::vector<double> many_draws(bool normal, std::uint32_t substream = 7) {
  constexpr std::size_t kLanes = 1024;
  BlockRandom rng(2024, 1000, kLanes);
  std::vector<double> out(kMaxDraws * kLanes);
  if (normal) {
    rng.normals(purpose_id("stat"), substream, kMaxDraws, out.data());
  } else {
    rng.uniforms(purpose_id("stat"), substream, kMaxDraws, out.data());
  }
  return out;
}

// Sample correlation of x[i] and y[i].
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}
}  // namespace

TEST_CASE("batched normals: mean 0, variance 1, skewness 0, fourth moment 3, tail masses of N(0,1)") {
  const std::vector<double> z = many_draws(true);
  const double n = static_cast<double>(z.size());
  banensim::engine::RunningStats m1, m3, m4;
  std::uint64_t beyond3 = 0, beyond4 = 0, below_minus2 = 0;
  for (double x : z) {
    m1.add(x);
    m3.add(x * x * x);
    m4.add(x * x * x * x);
    beyond3 += std::fabs(x) > 3.0 ? 1U : 0U;
    beyond4 += std::fabs(x) > 4.0 ? 1U : 0U;
    below_minus2 += x < -2.0 ? 1U : 0U;
  }
  CHECK(std::fabs(m1.mean()) < kSigmas / std::sqrt(n));
  CHECK(std::fabs(m1.variance() - 1.0) < kSigmas * std::sqrt(2.0 / n));
  CHECK(std::fabs(m3.mean()) < kSigmas * std::sqrt(15.0 / n));        // Var(Z^3) = E Z^6 = 15
  CHECK(std::fabs(m4.mean() - 3.0) < kSigmas * std::sqrt(96.0 / n));  // Var(Z^4) = 105 - 9
  auto check_mass = [&](std::uint64_t count, double p) {
    CHECK(std::fabs(static_cast<double>(count) / n - p) < kSigmas * std::sqrt(p * (1 - p) / n));
  };
  check_mass(beyond3, 2.0 * banensim::engine::normal_cdf(-3.0));
  check_mass(beyond4, 2.0 * banensim::engine::normal_cdf(-4.0));
  check_mass(below_minus2, banensim::engine::normal_cdf(-2.0));
}

TEST_CASE("batched uniforms: mean 1/2, variance 1/12, mass below 0.01") {
  const std::vector<double> u = many_draws(false);
  const double n = static_cast<double>(u.size());
  banensim::engine::RunningStats m;
  std::uint64_t low = 0;
  for (double x : u) {
    m.add(x);
    low += x < 0.01 ? 1U : 0U;
  }
  CHECK(std::fabs(m.mean() - 0.5) < kSigmas * std::sqrt(1.0 / 12.0 / n));
  CHECK(std::fabs(m.variance() - 1.0 / 12.0) < kSigmas * std::sqrt(1.0 / 180.0 / n));
  CHECK(std::fabs(static_cast<double>(low) / n - 0.01) < kSigmas * std::sqrt(0.01 * 0.99 / n));
}

TEST_CASE("batched normals: no correlation between draws, lanes (paths) or substreams") {
  // Under independence a sample correlation of n pairs has sd ~ 1/sqrt(n).
  constexpr std::size_t kLanes = 1024;
  const std::vector<double> z = many_draws(true);
  const std::vector<double> z_next_year = many_draws(true, 8);
  std::vector<double> a, b, c, d;
  for (std::size_t j = 0; j + 1 < kMaxDraws; ++j) {
    for (std::size_t lane = 0; lane + 1 < kLanes; ++lane) {
      a.push_back(z[j * kLanes + lane]);
      b.push_back(z[(j + 1) * kLanes + lane]);  // the next draw of the same path
      c.push_back(z[j * kLanes + lane + 1]);    // the same draw of the next path
      d.push_back(z_next_year[j * kLanes + lane]);  // the same draw in the next substream
    }
  }
  const double limit = kSigmas / std::sqrt(static_cast<double>(a.size()));
  CHECK(std::fabs(correlation(a, b)) < limit);
  CHECK(std::fabs(correlation(a, c)) < limit);
  CHECK(std::fabs(correlation(a, d)) < limit);
}
}
