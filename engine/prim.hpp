#pragma once
// PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump
// hunting in high-dimensional data", Statistics and Computing 9:123-143), for
// scenario discovery as in the EMA Workbench (Kwakkel 2017; Bryant &
// Lempert 2010): find a box -- a per-input [low, high] restriction -- in
// which the cases of interest are concentrated.
//
// Input: an experiment of n rows (one per scenario run), d input columns, and
// a yes/no "of interest" flag per row. The engine knows nothing of what the
// columns mean; the caller names them.
//
// Peeling: starting from the box spanned by the data, repeatedly remove a
// slice holding a share alpha of the rows inside, at the low or high end of
// one input -- the candidate with the best objective -- until the box holds
// less than mass_min of the rows (the peel that would go below is not made)
// or only cases of interest. Every box is recorded: the peeling trajectory.
// Pasting: from the last peeled box, repeatedly widen one side of one input
// by about paste_alpha of the rows inside while the density does not drop;
// each pasted box is appended to the trajectory.
//
// Measures of a box (Bryant & Lempert 2010), rows on the boundary count as inside:
//   coverage = (cases of interest inside) / (all cases of interest)
//   density  = (cases of interest inside) / (rows inside)
//   mass     = (rows inside) / (all rows)
// Deterministic; single-threaded; cost O(trajectory length * d * n log n).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/design_matrix.hpp"

namespace banensim::engine {

enum class PrimObjective {
  kOriginal,  // Friedman & Fisher: the density of the box after the peel
  kLenient1,  // EMA Workbench default: density gain per row removed (or added)
};

struct PrimOptions {
  double peel_alpha = 0.05;   // share of the rows inside removed per peel, in (0, 0.5)
  double paste_alpha = 0.05;  // share of the rows inside added per paste, in (0, 1)
  double mass_min = 0.05;     // smallest mass of a peeled box, in [0, 1)
  PrimObjective objective = PrimObjective::kLenient1;
  bool paste = true;
};

struct PrimBox {
  std::vector<double> low;        // per input; inside means low <= x <= high
  std::vector<double> high;
  std::vector<bool> restricted;   // bound differs from the data's min/max
  std::size_t n_inside = 0;
  std::size_t n_interest_inside = 0;
  double coverage = 0.0;
  double density = 0.0;
  double mass = 0.0;
  bool pasted = false;            // produced by the pasting phase

  std::size_t n_restricted() const noexcept;
  bool contains(std::span<const double> x) const noexcept;
};

struct PrimResult {
  std::size_t n_rows = 0;
  std::size_t n_interest = 0;
  std::vector<double> domain_low;   // column minima: the initial box
  std::vector<double> domain_high;  // column maxima
  // trajectory[0] is the initial box (coverage 1, mass 1), then one box per
  // peel, then one per paste.
  std::vector<PrimBox> trajectory;

  // Index of the last box on the trajectory with density >= threshold
  // (the EMA Workbench's usual pick: the most concentrated box that still
  // qualifies). Throws std::out_of_range if there is none.
  std::size_t last_with_density_at_least(double threshold) const;
  // Index of the box with the largest coverage among those with density >=
  // threshold (ties: the earlier, larger box). Throws std::out_of_range if none.
  std::size_t max_coverage_with_density_at_least(double threshold) const;
};

// Runs peeling and pasting. `of_interest` has one flag per row of x.
// Covering (Friedman & Fisher 1999, section 5): rows inside any of
// `earlier_boxes` (boxes chosen from previous calls) are left out of the
// search, so the next box explains the remaining cases of interest; the
// measures stay relative to the whole experiment (coverage: share of all
// cases of interest; mass: share of all rows), as in the EMA Workbench.
// Throws std::invalid_argument on a size mismatch, no rows, non-finite
// inputs, no case of interest (left), or options out of range.
PrimResult prim(const DesignMatrix& x, const std::vector<bool>& of_interest,
                const PrimOptions& options = {}, const std::vector<PrimBox>& earlier_boxes = {});

// Quasi-p-values of a box's restrictions (Bryant & Lempert 2010, as the EMA
// Workbench computes them): for each side of each input that the box
// restricts, the one-sided binomial test P(X >= H), X ~ Binomial(T, p), with
// T and H the rows and cases of interest inside the box and p the density of
// the box with that one side released to the domain's end -- counted among
// the rows the search saw (those outside `earlier_boxes`). A small value
// says the restriction concentrates the cases of interest beyond chance.
// NaN for a side the box does not restrict.
struct QuasiP {
  std::vector<double> low;   // per input: the lower bound's
  std::vector<double> high;  // per input: the upper bound's
};
QuasiP quasi_p_values(const DesignMatrix& x, const std::vector<bool>& of_interest, const PrimResult& result,
                      const PrimBox& box, const std::vector<PrimBox>& earlier_boxes = {});

// P(X >= k) for X ~ Binomial(n, p), summed exactly in log space.
double binomial_upper_tail(std::size_t k, std::size_t n, double p);

// The measures of a box with the given bounds on this data (a recount; the
// `restricted` flags are set against `result`'s domain).
PrimBox measure_box(const DesignMatrix& x, const std::vector<bool>& of_interest,
                    const PrimResult& result, std::vector<double> low, std::vector<double> high);

}  // namespace banensim::engine
