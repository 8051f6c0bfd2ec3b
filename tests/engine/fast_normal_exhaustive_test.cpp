// All 2^32 words through the fast inverse normal, against AS 241: the error
// bound stated in engine/block_random.hpp holds for every one, and the map is
// strictly increasing. About a minute on one core (label slow).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "engine/block_random.hpp"
#include "engine/random_stream.hpp"

using banensim::engine::inverse_normal_cdf;
using banensim::engine::kFastNormalMaxAbsError;
using banensim::engine::kFastNormalMaxRelError;
using banensim::engine::normals_of_words;
using banensim::engine::uniform_of_word;

TEST_CASE("fast inverse normal: every one of the 2^32 words within the stated bound, strictly increasing") {
  constexpr std::uint64_t kChunk = 1U << 16;
  std::vector<std::uint32_t> w(kChunk);
  std::vector<double> z(kChunk);
  double max_abs = 0.0;
  double max_rel = 0.0;
  std::uint64_t not_increasing = 0;
  double prev = -INFINITY;
  for (std::uint64_t start = 0; start < (1ULL << 32); start += kChunk) {
    for (std::uint64_t i = 0; i < kChunk; ++i) w[i] = static_cast<std::uint32_t>(start + i);
    normals_of_words(w.data(), z.data(), kChunk);
    for (std::uint64_t i = 0; i < kChunk; ++i) {
      const double ref = inverse_normal_cdf(uniform_of_word(w[i]));
      const double err = std::fabs(z[i] - ref);
      max_abs = std::max(max_abs, err);
      max_rel = std::max(max_rel, err / std::fabs(ref));
      not_increasing += z[i] > prev ? 0U : 1U;
      prev = z[i];
    }
  }
  std::printf("fast inverse normal, all 2^32 words: max |error| %.4g, max relative error %.4g\n", max_abs, max_rel);
  CHECK(max_rel <= kFastNormalMaxRelError);
  CHECK(max_abs <= kFastNormalMaxAbsError);
  CHECK(not_increasing == 0);
}
