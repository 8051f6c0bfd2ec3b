#pragma once
// Partial rank correlation coefficients (PRCC; Iman & Conover 1980, Marino
// et al. 2008): how strongly an output rises or falls with each input over a
// sample of input points, the other inputs held fixed in the linear sense --
// a measure of monotone influence that needs no special design (any sample,
// e.g. the randomised Sobol' points of compare --assumptions).
//
// For input j: rank every input column and the output (midranks for ties);
// regress rank(x_j) and rank(y) each on an intercept and the ranks of the
// other inputs (least squares); PRCC_j is the Pearson correlation of the two
// residuals. Its 95% interval is Fisher's: z = atanh(PRCC_j) +- 1.959964 /
// sqrt(n - 3 - (d - 1)), mapped back by tanh (n points, d inputs; exact for
// normal data, the usual approximation otherwise).

#include <cstddef>
#include <vector>

#include "engine/design_matrix.hpp"

namespace banensim::engine {

struct PartialRankCorrelation {
  double prcc = 0;     // in [-1, 1]; NaN when undefined (a constant output or input, or a residual of 0)
  double ci_low = 0;   // Fisher's 95% interval; NaN when n - 3 - (d - 1) < 1
  double ci_high = 0;
  double p_value = 0;  // two-sided, of PRCC = 0 on the same approximation: 2 (1 - Phi(|atanh(PRCC)| sqrt(n - 3 - (d - 1))))
};

// The ranks of `x` (1..n), ties given the mean of the ranks they span.
std::vector<double> midranks(const std::vector<double>& x);

// PRCC of `y` against every column of `x` (x.rows() == y.size()).
std::vector<PartialRankCorrelation> partial_rank_correlations(const DesignMatrix& x, const std::vector<double>& y);

}  // namespace banensim::engine
