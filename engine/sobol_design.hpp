#pragma once
// Space-filling designs on the unit cube [0,1)^d for global sensitivity
// analysis and scenario discovery: randomised quasi-Monte Carlo (Sobol'
// points with a random digital shift), Latin hypercube samples and plain
// Monte Carlo.
//
// Sobol' points: Boost.Random's sobol_engine, whose direction numbers are
// Joe & Kuo's new-joe-kuo-6.21201 ("Constructing Sobol sequences with better
// two-dimensional projections", SIAM J. Sci. Comput. 30, 2008) cut at 3667
// dimensions; 52 bits per coordinate, in Gray-code order. Unlike Boost's engine we keep the first
// point of the sequence (the origin): the first 2^m points are then a
// (t,m,d)-net, which is what makes QMC error shrink faster than n^-1/2 (Owen,
// "On dropping the first Sobol' point", 2022).
//
// Random digital shift (Owen 1995; L'Ecuyer & Lemieux 2002): each coordinate's
// 52-bit integer is XOR-ed with a random 52-bit word, one word per dimension
// per replicate. Each shifted point is uniform on the grid of 2^52 cell
// midpoints (so E[f] is estimated without bias), the net structure is kept,
// and independent replicates (different i_replicate) give independent
// estimates whose spread is a valid error estimate.
//
// Determinism: a point depends only on (seed, i_replicate, point index,
// dimension) -- not on how the design is split into calls, so a CLI can
// generate rows [first_point, first_point + n_points) in chunks and resume.
// Coordinates are cell midpoints (k + 1/2) 2^-52, hence in the open interval
// (0, 1): safe for inverse CDFs when mapping to parameter distributions.

#include <cstddef>
#include <cstdint>

#include "engine/design_matrix.hpp"
#include "engine/random_stream.hpp"

namespace banensim::engine {

enum class DesignKind {
  kRandomizedSobol,  // Sobol' points with a random digital shift
  kMonteCarlo,       // independent uniforms from a RandomStream
  kLatinHypercube,   // one point in each of n equal strata of every coordinate
};

// The random words of the digital shift: RandomStream(seed, kSobolShiftStream,
// i_replicate), one 64-bit word per dimension, top 52 bits used.
inline constexpr StreamId kSobolShiftStream = stream_id("engine.sobol_design.shift");
// Plain MC point i: RandomStream(seed, kMonteCarloDesignStream, i_replicate,
// substream = i), one uniform per dimension in column order.
inline constexpr StreamId kMonteCarloDesignStream = stream_id("engine.sobol_design.monte_carlo");

// Latin hypercube column j: a permutation from RandomStream(seed,
// kLatinHypercubeStream, i_replicate, substream = 2j) and the jitter within
// the strata from substream 2j + 1.
inline constexpr StreamId kLatinHypercubeStream = stream_id("engine.sobol_design.latin_hypercube");

// Largest dimension supported by the Sobol' tables (Boost: 3667).
std::size_t sobol_max_dims() noexcept;

// Rows first_point .. first_point + n_points - 1 of a randomised Sobol' design
// in n_dims dimensions (1 <= n_dims <= sobol_max_dims()). Throws
// std::invalid_argument for n_dims out of range, std::out_of_range if the
// point index would exceed 2^52.
DesignMatrix sobol_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                          std::uint64_t i_replicate = 0, std::uint64_t first_point = 0);

// The same rows without the digital shift (the raw Sobol' sequence on the
// grid of cell midpoints; the first row is 2^-53 in every coordinate). For
// tests and diagnostics; not a valid randomisation.
DesignMatrix sobol_points_unshifted(std::size_t n_points, std::size_t n_dims,
                                    std::uint64_t first_point = 0);

// Rows of a plain Monte Carlo design: independent uniforms on (0, 1).
DesignMatrix monte_carlo_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                                std::uint64_t i_replicate = 0, std::uint64_t first_point = 0);

// A Latin hypercube sample of n_points rows (McKay, Beckman & Conover 1979):
// in every column the n_points values fall one in each stratum
// [k/n, (k+1)/n), k = 0..n-1, at a uniform place inside it,
//   x(i, j) = (pi_j(i) + U_ij) / n,
// pi_j a uniform random permutation of 0..n-1 (Fisher-Yates), U_ij uniform on
// (0, 1) -- so each coordinate is U(0,1) and each one-dimensional projection is
// stratified exactly: floor(n x(i, j)) = pi_j(i), as computed in double (a
// value that rounds up to the next stratum is stepped back into its own). The columns' permutations are independent (no
// correlation or distance optimisation). Coordinates lie in the open interval
// (0, 1). The design is stratified as a whole: a row depends on n_points, so
// it is generated in one call (no first_point). Throws std::invalid_argument
// for n_points = 0 or n_dims = 0.
DesignMatrix latin_hypercube_design(std::size_t n_points, std::size_t n_dims, std::uint64_t seed,
                                    std::uint64_t i_replicate = 0);

// Dispatch on kind (a Latin hypercube only with first_point = 0:
// std::invalid_argument otherwise).
DesignMatrix make_design(DesignKind kind, std::size_t n_points, std::size_t n_dims,
                         std::uint64_t seed, std::uint64_t i_replicate = 0,
                         std::uint64_t first_point = 0);

}  // namespace banensim::engine
