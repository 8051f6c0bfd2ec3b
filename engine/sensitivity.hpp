#pragma once
// Global sensitivity analysis on a caller-supplied model: variance-based
// Sobol' indices (Saltelli sampling) and Morris elementary effects.
//
// Shape of the API: "design points out, values in". The caller
//   1. asks for a design (points in the unit cube, one row per evaluation),
//   2. maps each row to its own parameter ranges or distributions and
//      evaluates its model there -- in any order, in parallel, one whole Monte
//      Carlo run per point, written to disk incrementally and resumed,
//   3. passes the vector of outputs (row order of the design) back for the
//      analysis.
// Nothing here calls the model, so the engine stays independent of it. All
// functions are deterministic given their seeds and reentrant; the bootstrap
// runs its resamples with tbb::parallel_for in the caller's task_arena, and
// its results do not depend on the number of threads (resample r draws only
// from its own stream). Methods and references: docs/ANALYSIS.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/design_matrix.hpp"
#include "engine/random_stream.hpp"
#include "engine/sobol_design.hpp"

namespace banensim::engine {

// Percentile bootstrap settings (Efron & Tibshirani 1993, ch. 13).
struct BootstrapOptions {
  std::size_t n_resamples = 1000;
  double confidence = 0.95;  // two-sided level of the percentile interval, in (0, 1)
  std::uint64_t seed = 20100101;  // resample r uses RandomStream(seed, kBootstrapStream, r)
};
inline constexpr StreamId kBootstrapStream = stream_id("engine.sensitivity.bootstrap");

// A point estimate with its percentile bootstrap interval.
struct IndexEstimate {
  double estimate = 0.0;
  double low = 0.0;   // lower end of the bootstrap interval
  double high = 0.0;  // upper end
  // low <= 0 <= high: the data cannot tell this index from zero.
  bool interval_contains_zero = false;
  // The standard deviation of the bootstrap replicates (divisor R - 1), or
  // for replicate_interval the standard error of the mean: z times it is the
  // half-width SALib reports as S1_conf, ST_conf, mu_star_conf.
  double std_error = 0.0;
};

// ---------------------------------------------------------------- Saltelli

// Saltelli (2002, 2010) sampling for first- and total-order indices: base
// matrices A and B (n_base x n_dims) and, for each factor i, AB_i = A with
// column i taken from B. The points are interleaved per base row j, as in
// SALib (calc_second_order = False):
//   row j (d+2) + 0       A_j
//   row j (d+2) + 1 + i   AB_i,j   (i = 0 .. d-1)
//   row j (d+2) + d + 1   B_j
// so any prefix of whole blocks is itself a valid (smaller) design: an
// interrupted run can be analysed on the base rows it completed.
// With second order (Saltelli 2002; SALib calc_second_order = True) each
// block also holds BA_i = B with column i taken from A, 2d + 2 rows:
//   row j (2d+2) + 0           A_j
//   row j (2d+2) + 1 + i       AB_i,j
//   row j (2d+2) + 1 + d + i   BA_i,j
//   row j (2d+2) + 2d + 1      B_j
struct SaltelliDesign {
  std::size_t n_base = 0;
  std::size_t n_dims = 0;
  bool second_order = false;
  DesignMatrix points;  // n_base rows_per_base() rows, n_dims columns

  std::size_t rows_per_base() const noexcept { return second_order ? 2 * n_dims + 2 : n_dims + 2; }
  std::size_t row_a(std::size_t j) const noexcept { return j * rows_per_base(); }
  std::size_t row_ab(std::size_t i_dim, std::size_t j) const noexcept {
    return j * rows_per_base() + 1 + i_dim;
  }
  std::size_t row_ba(std::size_t i_dim, std::size_t j) const noexcept {
    return j * rows_per_base() + 1 + n_dims + i_dim;
  }
  std::size_t row_b(std::size_t j) const noexcept { return j * rows_per_base() + rows_per_base() - 1; }
};

// A and B from one 2 n_dims-dimensional design (columns 0..d-1 form A,
// columns d..2d-1 form B), randomised Sobol' by default; use n_base = 2^m for
// the net property. Throws std::invalid_argument if n_base < 2 or n_dims < 1.
SaltelliDesign saltelli_design(std::size_t n_base, std::size_t n_dims, std::uint64_t seed,
                               DesignKind kind = DesignKind::kRandomizedSobol,
                               std::uint64_t i_replicate = 0, bool second_order = false);
// From caller-supplied base matrices of equal shape.
SaltelliDesign saltelli_design(const DesignMatrix& a, const DesignMatrix& b, bool second_order = false);

struct SobolIndices {
  std::size_t n_base = 0;
  double mean = 0.0;      // of f over the A and B rows
  double variance = 0.0;  // of f over the A and B rows (divisor 2 n_base)
  std::vector<IndexEstimate> first_order;  // S_i, Saltelli et al. (2010), Table 2 (b), centred
  std::vector<IndexEstimate> total_order;  // ST_i, Jansen (1999)
  // S_ij for i < j in the order (0,1), (0,2), ..., (0,d-1), (1,2), ...
  // (second_pair gives the position); empty without second order.
  std::vector<IndexEstimate> second_order;
  double confidence = 0.0;
  std::size_t n_resamples = 0;

  // Position of the pair (i, j), i < j < d, in second_order.
  static std::size_t second_pair(std::size_t i, std::size_t j, std::size_t d) noexcept {
    return i * d - i * (i + 1) / 2 + (j - i - 1);
  }
};

// First- and total-order indices from the model values at the rows of a
// SaltelliDesign with n_dims factors (values.size() must be a multiple of
// the rows per base row; n_base >= 2):
//   V    = variance of f(A) and f(B) pooled
//   S_i  = (1/n) sum_j (f(B)_j - mean) (f(AB_i)_j - f(A)_j) / V
//          (Saltelli et al. 2010 with f(B) centred on the pooled mean)
//   ST_i = (1/2n) sum_j (f(A)_j - f(AB_i)_j)^2 / V
// and with second order (a design made with second_order) also
//   S_ij = (1/n) sum_j (g(BA_i)_j g(AB_k)_j - g(A)_j g(B)_j) / V - S_i - S_k
//          (Saltelli 2002, as SALib; g = f - mean, which makes it invariant
//          to adding a constant to f).
// Bootstrap: resample base rows j with replacement (all indices of one
// resample share the rows), recompute, take percentiles. Throws
// std::invalid_argument on a bad size, non-finite values or zero variance.
SobolIndices sobol_indices(std::size_t n_dims, std::span<const double> values,
                           const BootstrapOptions& bootstrap = {}, bool second_order = false);

// Error estimate from independent replicates, e.g. S_i from R analyses on
// randomised Sobol' designs with i_replicate = 0 .. R-1 (the bootstrap
// assumes i.i.d. rows and overstates the error of randomised QMC; see
// docs/ANALYSIS.md). Returns the mean with the Student-t interval
// mean +- t_{R-1} s / sqrt(R). Requires R >= 5 finite estimates and
// 0 < confidence < 1; throws std::invalid_argument otherwise.
IndexEstimate replicate_interval(std::span<const double> estimates, double confidence = 0.95);

// Quantile of Student's t with dof >= 4 degrees of freedom, by the
// Cornish-Fisher expansion around the normal quantile (Abramowitz & Stegun
// 26.7.5; absolute error below 2e-3 for p in [0.005, 0.995] and dof >= 4).
double student_t_quantile(double p, double dof);

// ------------------------------------------------------------------ Morris

struct MorrisOptions {
  std::size_t n_levels = 4;         // p: grid {0, 1/(p-1), ..., 1}; even, >= 2
  std::size_t n_trajectories = 20;  // r
  std::uint64_t seed = 19910501;    // candidate t uses RandomStream(seed, kMorrisStream, t)
  // Campolongo et al. (2007) spread: if > n_trajectories, draw this many
  // candidate trajectories and keep the r most spread out (greedy selection,
  // docs/ANALYSIS.md section 4); 0 keeps candidates 0 .. r-1 as drawn.
  std::size_t n_candidates = 0;
};
inline constexpr StreamId kMorrisStream = stream_id("engine.sensitivity.morris");

// Morris (1991) one-at-a-time trajectories: each starts at a random grid
// point and moves every factor once, in random order, by +-delta with
// delta = p / (2 (p - 1)). Trajectory t occupies rows t (d+1) .. t (d+1) + d;
// step k goes from row t (d+1) + k to the next row and moves factor
// moved_factor[t d + k]. Points lie on the grid in the closed cube [0,1]^d.
struct MorrisDesign {
  std::size_t n_dims = 0;
  std::size_t n_trajectories = 0;
  std::size_t n_levels = 0;
  double delta = 0.0;
  DesignMatrix points;                    // n_trajectories (n_dims + 1) rows
  std::vector<std::size_t> moved_factor;  // n_trajectories n_dims entries
  std::vector<std::size_t> candidate;     // per trajectory: its candidate index t

  friend bool operator==(const MorrisDesign&, const MorrisDesign&) = default;
};

// Throws std::invalid_argument unless n_dims >= 1, n_levels even and >= 2,
// n_trajectories >= 2, n_candidates == 0 or >= n_trajectories.
MorrisDesign morris_design(std::size_t n_dims, const MorrisOptions& options = {});

// Campolongo et al. (2007) spread of a design: sqrt of the sum over pairs of
// trajectories (m, l) of d_ml^2, d_ml = sum of the Euclidean distances between
// every point of m and every point of l.
double morris_spread(const MorrisDesign& design);

struct MorrisFactor {
  double mu = 0.0;       // mean elementary effect
  IndexEstimate mu_star; // mean |elementary effect| (Campolongo et al. 2007), bootstrap interval
  double sigma = 0.0;    // standard deviation of the effects (divisor r - 1)
};

struct MorrisResult {
  std::vector<MorrisFactor> factors;
  // Factor indices sorted by decreasing mu* (ties: lower index first).
  std::vector<std::size_t> ranking() const;
};

// Elementary effects EE = (f(x + step e_i) - f(x)) / step with step = +-delta
// in unit-cube coordinates: if the caller maps x_i linearly to [lo_i, hi_i],
// EE is the change of f per whole range of factor i. Bootstrap resamples
// whole trajectories. Throws std::invalid_argument on a size mismatch or
// non-finite values.
MorrisResult morris_effects(const MorrisDesign& design, std::span<const double> values,
                            const BootstrapOptions& bootstrap = {});

}  // namespace banensim::engine
