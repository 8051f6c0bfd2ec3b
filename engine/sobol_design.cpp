#include "engine/sobol_design.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/random/sobol.hpp>

namespace banensim::engine {
namespace {

constexpr unsigned kBits = 52;
constexpr std::uint64_t kMaxPoints = std::uint64_t{1} << kBits;
using SobolEngine = boost::random::sobol_engine<std::uint64_t, kBits>;

constexpr double to_midpoint(std::uint64_t k) noexcept {
  return (static_cast<double>(k) + 0.5) * 0x1.0p-52;
}

void check_request(std::size_t n_points, std::size_t n_dims, std::uint64_t first_point) {
  if (n_dims == 0 || n_dims > sobol_max_dims()) {
    throw std::invalid_argument("sobol_design: n_dims = " + std::to_string(n_dims) +
                                ". Violated constraint: 1 <= n_dims <= " +
                                std::to_string(sobol_max_dims()));
  }
  if (first_point > kMaxPoints || n_points > kMaxPoints - first_point) {
    throw std::out_of_range("sobol_design: point indices beyond 2^52 requested");
  }
}

// The raw 52-bit integers of rows first_point.., in Gray-code order with the
// origin as point 0. Boost's engine starts at point 1; seed(k) positions it so
// that the next vector is point k + 1.
template <class Visit>
void for_each_sobol_integer(std::size_t n_points, std::size_t n_dims, std::uint64_t first_point,
                            Visit&& visit) {
  SobolEngine engine(n_dims);
  std::size_t i_point = 0;
  if (first_point == 0 && n_points > 0) {
    for (std::size_t j = 0; j < n_dims; ++j) visit(0, j, std::uint64_t{0});
    i_point = 1;
  } else if (first_point > 0) {
    engine.seed(first_point - 1);
  }
  for (; i_point < n_points; ++i_point) {
    for (std::size_t j = 0; j < n_dims; ++j) visit(i_point, j, engine());
  }
}

}  // namespace

std::size_t sobol_max_dims() noexcept {
  return boost::random::default_sobol_table::max_dimension;
}

DesignMatrix sobol_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                          std::uint64_t i_replicate, std::uint64_t first_point) {
  check_request(n_points, n_dims, first_point);
  std::vector<std::uint64_t> shift(n_dims);
  RandomStream stream(seed, kSobolShiftStream, i_replicate);
  for (auto& word : shift) word = stream.next_bits() >> (64 - kBits);
  DesignMatrix out(n_points, n_dims);
  for_each_sobol_integer(n_points, n_dims, first_point,
                         [&](std::size_t i, std::size_t j, std::uint64_t k) {
                           out(i, j) = to_midpoint(k ^ shift[j]);
                         });
  return out;
}

DesignMatrix sobol_points_unshifted(std::size_t n_points, std::size_t n_dims,
                                    std::uint64_t first_point) {
  check_request(n_points, n_dims, first_point);
  DesignMatrix out(n_points, n_dims);
  for_each_sobol_integer(n_points, n_dims, first_point,
                         [&](std::size_t i, std::size_t j, std::uint64_t k) {
                           out(i, j) = to_midpoint(k);
                         });
  return out;
}

DesignMatrix monte_carlo_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                                std::uint64_t i_replicate, std::uint64_t first_point) {
  if (n_dims == 0) throw std::invalid_argument("monte_carlo_design: n_dims = 0. Violated constraint: n_dims >= 1");
  DesignMatrix out(n_points, n_dims);
  for (std::size_t i = 0; i < n_points; ++i) {
    RandomStream stream(seed, kMonteCarloDesignStream, i_replicate, first_point + i);
    for (std::size_t j = 0; j < n_dims; ++j) out(i, j) = stream.uniform();
  }
  return out;
}

DesignMatrix latin_hypercube_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                                    std::uint64_t i_replicate) {
  if (n_points == 0) {
    throw std::invalid_argument("latin_hypercube_design: n_points = 0. Violated constraint: n_points >= 1");
  }
  if (n_dims == 0) {
    throw std::invalid_argument("latin_hypercube_design: n_dims = 0. Violated constraint: n_dims >= 1");
  }
  DesignMatrix out(n_points, n_dims);
  std::vector<std::uint64_t> order(n_points);
  const double n = static_cast<double>(n_points);
  for (std::size_t j = 0; j < n_dims; ++j) {
    // Fisher-Yates with an unbiased bounded draw (rejection of the short
    // last interval of the 64-bit range), so every permutation is equally likely.
    RandomStream shuffle(seed, kLatinHypercubeStream, i_replicate, 2 * static_cast<std::uint64_t>(j));
    for (std::size_t i = 0; i < n_points; ++i) order[i] = i;
    for (std::size_t i = n_points; i-- > 1;) {
      const std::uint64_t range = static_cast<std::uint64_t>(i) + 1;
      const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                  std::numeric_limits<std::uint64_t>::max() % range;
      std::uint64_t bits = shuffle.next_bits();
      while (bits >= limit) bits = shuffle.next_bits();
      std::swap(order[i], order[bits % range]);
    }
    RandomStream jitter(seed, kLatinHypercubeStream, i_replicate, 2 * static_cast<std::uint64_t>(j) + 1);
    for (std::size_t i = 0; i < n_points; ++i) {
      // k + u and the division round (u is as large as 1 - 2^-53 and as small as
      // 2^-53): step into the stratum, so that floor(n x) = k holds as computed in double.
      const auto k = static_cast<double>(order[i]);
      double x = (k + jitter.uniform()) / n;
      while (std::floor(x * n) > k) x = std::nextafter(x, 0.0);
      while (std::floor(x * n) < k || x <= 0) x = std::nextafter(x, 1.0);
      out(i, j) = x;
    }
  }
  return out;
}

DesignMatrix make_design(DesignKind kind, std::size_t n_points, std::size_t n_dims,
                         std::uint64_t seed, std::uint64_t i_replicate, std::uint64_t first_point) {
  switch (kind) {
    case DesignKind::kRandomizedSobol:
      return sobol_design(n_points, n_dims, seed, i_replicate, first_point);
    case DesignKind::kMonteCarlo:
      return monte_carlo_design(n_points, n_dims, seed, i_replicate, first_point);
    case DesignKind::kLatinHypercube:
      if (first_point != 0) {
        throw std::invalid_argument("make_design: a Latin hypercube is stratified as a whole; first_point = " +
                                    std::to_string(first_point) + ". Violated constraint: first_point = 0");
      }
      return latin_hypercube_design(n_points, n_dims, seed, i_replicate);
  }
  throw std::invalid_argument("make_design: unknown DesignKind");
}

}  // namespace banensim::engine
