// The fast inverse normal CDF of the batched streams (engine/block_random.hpp)
// against AS 241 (engine::inverse_normal_cdf, relative accuracy ~1e-16): the
// stated error bound over its whole range, tails included, and its shape
// (odd, increasing). The exhaustive check of all 2^32 words is in
// fast_normal_exhaustive_test.cpp (label slow).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/block_random.hpp"
#include "engine/random_stream.hpp"

using banensim::engine::inverse_normal_cdf;
using banensim::engine::kFastNormalMaxAbsError;
using banensim::engine::kFastNormalMaxRelError;
using banensim::engine::normal_of_word;
using banensim::engine::normals_of_words;
using banensim::engine::uniform_of_word;

namespace {

struct ErrorStats {
  double max_abs = 0.0;
  double max_rel = 0.0;
  std::uint64_t n = 0;
  void add(std::uint32_t w, double z) {
    const double ref = inverse_normal_cdf(uniform_of_word(w));
    const double err = std::fabs(z - ref);
    max_abs = std::max(max_abs, err);
    max_rel = std::max(max_rel, err / std::fabs(ref));  // ref != 0: u = 1/2 is not a grid point
    ++n;
  }
};

// Every word in [lo, hi], through the batch entry point.
void add_range(ErrorStats& s, std::uint64_t lo, std::uint64_t hi, std::uint64_t step = 1) {
  std::vector<std::uint32_t> w;
  for (std::uint64_t x = lo; x <= hi; x += step) w.push_back(static_cast<std::uint32_t>(x));
  std::vector<double> z(w.size());
  normals_of_words(w.data(), z.data(), w.size());
  for (std::size_t i = 0; i < w.size(); ++i) s.add(w[i], z[i]);
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("fast inverse normal: within its stated bound over the whole range, the extreme tails included") {
  ErrorStats s;
  add_range(s, 0, 0xffffffffULL, 4099);                      // ~1.05 M words spread over the range
  add_range(s, 0, (1U << 20) - 1);                            // the 2^20 lowest words: u < 2.5e-4 (z < -3.5)
  add_range(s, 0xffffffffULL - ((1U << 20) - 1), 0xffffffffULL);  // and the highest
  const auto boundary = static_cast<std::uint64_t>(0.02425 * 0x1p32);  // where centre and tail formulas meet
  add_range(s, boundary - 50000, boundary + 50000);
  add_range(s, 0xffffffffULL - boundary - 50000, 0xffffffffULL - boundary + 50000);
  MESSAGE("fast inverse normal on " << s.n << " words: max |error| " << s.max_abs << ", max relative " << s.max_rel);
  CHECK(s.max_rel <= kFastNormalMaxRelError);
  CHECK(s.max_abs <= kFastNormalMaxAbsError);
  // The bound is not loose by orders of magnitude: Acklam's approximation
  // reaches ~1.1e-9 (relative) near the boundary.
  CHECK(s.max_rel > 0.5 * kFastNormalMaxRelError);
}

TEST_CASE("fast inverse normal: the extreme words map to the extreme quantiles of the 2^32 grid") {
  // u = 2^-33 and 1 - 2^-33: Phi^{-1} = -/+ 6.338; nothing beyond.
  CHECK(normal_of_word(0) == doctest::Approx(inverse_normal_cdf(0x1p-33)).epsilon(kFastNormalMaxRelError));
  CHECK(normal_of_word(0) < -6.33);  // Phi^{-1}(2^-33) = -6.338
  CHECK(banensim::engine::normal_cdf(normal_of_word(0)) == doctest::Approx(0x1p-33).epsilon(1e-7));
  CHECK(normal_of_word(0xffffffffU) == -normal_of_word(0));
  // The middle words: u = 1/2 -/+ 2^-33, z = -/+ 2^-33 sqrt(2 pi) to first order.
  CHECK(normal_of_word(0x7fffffffU) == doctest::Approx(-0x1p-33 * std::sqrt(2.0 * M_PI)).epsilon(1e-8));
}

TEST_CASE("fast inverse normal: exactly odd and strictly increasing") {
  for (std::uint64_t x = 0; x <= 0xffffffffULL; x += 65537) {
    const auto w = static_cast<std::uint32_t>(x);
    REQUIRE(normal_of_word(~w) == -normal_of_word(w));
  }
  // Increasing: dense windows where a jump could hide (the formula boundary,
  // the extremes, the middle), and a sparse sweep.
  const auto boundary = static_cast<std::uint64_t>(0.02425 * 0x1p32);
  for (std::uint64_t start : {std::uint64_t{0}, boundary - 100000, std::uint64_t{0x7fffffff} - 100000,
                              std::uint64_t{0xffffffff} - boundary - 100000, std::uint64_t{0xffffffff} - 200000}) {
    double prev = normal_of_word(static_cast<std::uint32_t>(start));
    for (std::uint64_t x = start + 1; x <= start + 200000; ++x) {
      const double z = normal_of_word(static_cast<std::uint32_t>(x));
      REQUIRE(z > prev);
      prev = z;
    }
  }
  double prev = normal_of_word(0);
  for (std::uint64_t x = 1021; x <= 0xffffffffULL; x += 1021) {
    const double z = normal_of_word(static_cast<std::uint32_t>(x));
    REQUIRE(z > prev);
    prev = z;
  }
}
}
