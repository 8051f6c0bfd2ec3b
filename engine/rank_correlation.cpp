#include "engine/rank_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>

#include "engine/random_stream.hpp"

namespace banensim::engine {

std::vector<double> midranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&x](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double mean_rank = 0.5 * static_cast<double>(i + j) + 1.0;  // ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = mean_rank;
    i = j + 1;
  }
  return r;
}

std::vector<PartialRankCorrelation> partial_rank_correlations(const DesignMatrix& x, const std::vector<double>& y) {
  const std::size_t n = x.rows(), d = x.cols();
  if (y.size() != n) throw std::invalid_argument("partial_rank_correlations: x has " + std::to_string(n) +
                                                 " rows but y " + std::to_string(y.size()) + " values");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<PartialRankCorrelation> out(d, PartialRankCorrelation{nan, nan, nan, nan});
  if (n < 3 || d == 0) return out;
  Eigen::MatrixXd ranks(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<double> column(n);
    for (std::size_t i = 0; i < n; ++i) column[i] = x(i, j);
    const std::vector<double> r = midranks(column);
    for (std::size_t i = 0; i < n; ++i) ranks(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = r[i];
  }
  const std::vector<double> ry = midranks(y);
  const Eigen::VectorXd rank_y = Eigen::Map<const Eigen::VectorXd>(ry.data(), static_cast<Eigen::Index>(n));
  const double dof = static_cast<double>(n) - 3.0 - static_cast<double>(d - 1);
  for (std::size_t j = 0; j < d; ++j) {
    // The intercept and the other inputs' ranks.
    Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
    z.col(0).setOnes();
    for (std::size_t c = 0, col = 1; c < d; ++c) {
      if (c != j) z.col(static_cast<Eigen::Index>(col++)) = ranks.col(static_cast<Eigen::Index>(c));
    }
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(z);
    const Eigen::VectorXd xj = ranks.col(static_cast<Eigen::Index>(j));
    const Eigen::VectorXd ex = xj - z * qr.solve(xj);
    const Eigen::VectorXd ey = rank_y - z * qr.solve(rank_y);
    const double sxx = ex.squaredNorm(), syy = ey.squaredNorm();
    // A residual of (numerically) 0: the input or the output is explained by the others; no partial correlation.
    const double tiny = 1e-18 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    if (!(sxx > tiny) || !(syy > tiny)) continue;
    const double r = std::clamp(ex.dot(ey) / std::sqrt(sxx * syy), -1.0, 1.0);
    out[j].prcc = r;
    if (dof >= 1) {
      const double half = 1.959963984540054 / std::sqrt(dof);
      const double zr = std::atanh(r);  // +-inf at |r| = 1: the interval is then the point
      out[j].ci_low = std::isfinite(zr) ? std::tanh(zr - half) : r;
      out[j].ci_high = std::isfinite(zr) ? std::tanh(zr + half) : r;
      out[j].p_value = std::isfinite(zr) ? 2 * (1 - normal_cdf(std::abs(zr) * std::sqrt(dof))) : 0.0;
    }
  }
  return out;
}

}  // namespace banensim::engine
