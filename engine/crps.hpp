#pragma once
// The continuous ranked probability score of a forecast distribution held in
// a Histogram against an observation y (Matheson & Winkler 1976; Gneiting &
// Raftery 2007, "Strictly proper scoring rules", eq. 20):
//
//   CRPS(F, y) = integral over x of (F(x) - 1{x >= y})^2 dx,
//
// in the unit of the forecast variable; 0 for a perfect point forecast;
// lower is better. For a point forecast it is the absolute error.
//
// F is the histogram's CDF, linear within each bin -- the same interpolation
// Histogram::quantile uses -- with the underflow mass spread evenly over
// [min, low) and the overflow mass over [high, max] (the exact extremes seen).
// The integral of the squared difference of two such piecewise-linear pieces
// is computed exactly, so the only approximation is the CDF itself: the
// result is within about one bin width of the CRPS of the true distribution
// the values were drawn from (the bin-width resolution reports state).

#include "engine/histogram.hpp"

namespace banensim::engine {

// CRPS of the histogram's distribution at observation y; NaN if the
// histogram is empty or y is not finite.
double crps(const Histogram& forecast, double y);

// Closed form for a normal forecast N(mu, sigma^2), sigma > 0 (Gneiting et
// al. 2005): sigma * (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)), z = (y-mu)/sigma.
double crps_normal(double mu, double sigma, double y);

}  // namespace banensim::engine
