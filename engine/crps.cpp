#include "engine/crps.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace banensim::engine {

namespace {

// Integral over a segment of width w of (F - h)^2 where F goes linearly from
// a + h to b + h: w (a^2 + a b + b^2) / 3.
double segment_integral(double w, double a, double b) { return w * (a * a + a * b + b * b) / 3.0; }

struct Knot {
  double x;
  double cdf;
};

}  // namespace

double crps(const Histogram& forecast, double y) {
  const std::uint64_t n = forecast.count();
  if (n == 0 || !std::isfinite(y)) return std::numeric_limits<double>::quiet_NaN();
  const double inv_n = 1.0 / static_cast<double>(n);

  // The CDF's knots: piecewise linear between them, 0 before the first, 1 after the last.
  std::vector<Knot> knots;
  double cum = 0;
  if (forecast.underflow() > 0) {
    knots.push_back({forecast.min(), 0.0});
    cum += static_cast<double>(forecast.underflow()) * inv_n;
  }
  const auto& counts = forecast.counts();
  const double w = forecast.bin_width();
  // Only the span of occupied bins matters; empty bins outside it would add knots at 0 or 1.
  std::size_t first = counts.size(), last = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) {
      if (first == counts.size()) first = i;
      last = i;
    }
  }
  if (first < counts.size()) {
    // Within the occupied span the CDF starts at the bin edge; clip the first and last knot to the exact
    // extremes when they fall inside the bins (so a point mass is not smeared over a whole bin).
    double x0 = forecast.low() + static_cast<double>(first) * w;
    if (forecast.underflow() == 0 && forecast.min() > x0) x0 = forecast.min();
    knots.push_back({x0, cum});
    for (std::size_t i = first; i <= last; ++i) {
      cum += static_cast<double>(counts[i]) * inv_n;
      double x1 = forecast.low() + static_cast<double>(i + 1) * w;
      if (i == last && forecast.overflow() == 0 && forecast.max() < x1) x1 = forecast.max();
      knots.push_back({x1, cum});
    }
  } else if (forecast.underflow() > 0) {
    knots.push_back({forecast.low(), cum});
  }
  if (forecast.overflow() > 0) {
    if (knots.empty()) knots.push_back({forecast.high(), 0.0});
    knots.push_back({forecast.max(), 1.0});
  }
  knots.back().cdf = 1.0;  // guard against rounding in the running sum

  double total = 0;
  // Left of the support F = 0: contributes where x >= y.
  if (y < knots.front().x) total += knots.front().x - y;
  // Right of the support F = 1: contributes where x < y.
  if (y > knots.back().x) total += y - knots.back().x;
  for (std::size_t k = 0; k + 1 < knots.size(); ++k) {
    const Knot& p = knots[k];
    const Knot& q = knots[k + 1];
    const double width = q.x - p.x;
    if (width <= 0) continue;  // a point mass: F jumps, no area
    if (y <= p.x) {
      total += segment_integral(width, p.cdf - 1.0, q.cdf - 1.0);
    } else if (y >= q.x) {
      total += segment_integral(width, p.cdf, q.cdf);
    } else {
      const double fy = p.cdf + (q.cdf - p.cdf) * (y - p.x) / width;
      total += segment_integral(y - p.x, p.cdf, fy);
      total += segment_integral(q.x - y, fy - 1.0, q.cdf - 1.0);
    }
  }
  return total;
}

double crps_normal(double mu, double sigma, double y) {
  const double z = (y - mu) / sigma;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  return sigma * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - 1.0 / std::sqrt(std::numbers::pi));
}

}  // namespace banensim::engine
