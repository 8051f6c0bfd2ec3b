#pragma once
// `banensim calibrate`: estimates the growth parameters of the banenafspraak
// model from the monitor history (docs/MODEL.md, "Calibration").
//
// The monitor observes two series, the counted extra jobs of the market and
// of the government sector, once a year. From their increments (the first
// one from the baseline of end 2012, zero, to the first observed year) the
// method estimates, per sector, the trend, the shock sd and the correlation
// between the sectors' shocks by Gaussian maximum likelihood with
// heteroscedastic increments (an increment over h years has mean
// h S mu and variance h sigma^2; S the register supply factor at its
// start), i.e. weighted least squares for the trends and the weighted
// residual covariance (divisor n - 1) for sigma and rho.
//
// The components the model simulates (regular market, government security
// and other roles, hired-in jobs) are not observed separately; the sector
// estimates are mapped onto them under the composition shares the scenario
// states (identification by assumption; the page says which).

#include <string>
#include <vector>

#include "models/banenafspraak_params.hpp"
#include "models/history.hpp"

namespace banensim::models {

struct Estimate {
  std::string key;        // scenario key it is written to, or a label for a sector-level figure
  double value = 0;
  double std_error = 0;   // NaN when not defined
  std::string unit;
  std::string note;
  bool scenario_key = false;  // written to the parameter file
};

// Sector-level fit: the estimator proper.
struct SectorFit {
  double trend = 0;             // jobs/year, mu-hat
  double trend_se = 0;          // jobs/year
  double volatility = 0;        // jobs/year, sigma-hat of the increments (cycle included)
  double volatility_se = 0;
  double shock_volatility = 0;  // sigma-hat with the cycle's share of the variance removed
};

struct CalibrationResult {
  std::string history_file;
  int first_year = 0;
  int last_year = 0;
  int n_increments = 0;
  std::string method;
  SectorFit market, government;
  double correlation = 0;     // of the sectors' standardised residuals
  double correlation_se = 0;
  std::vector<Estimate> estimates;  // sector figures first, then the scenario keys
};

// Fits on the observed years <= fit_until (0 = all). `assumptions` supplies
// the composition shares, the supply limit, the cycle and the correlations
// not identified from the two sector series. Throws InputError when fewer
// than two years are available.
CalibrationResult calibrate(const History& history, int fit_until, const BanenafspraakParams& assumptions);

// The component parameters implied by sector-level moments under the
// composition shares of `assumptions` (the mapping calibrate() applies);
// returns the parameters with growth and the market-government correlation
// replaced.
BanenafspraakParams component_parameters(const SectorFit& market, const SectorFit& government, double correlation,
                                         const BanenafspraakParams& assumptions);

// The forward map: sector trend, shock sd and shock correlation implied by
// component parameters (with the key at its mean, no cycle, no levers).
struct SectorMoments {
  double market_trend, government_trend, market_sd, government_sd, correlation;
};
SectorMoments sector_moments(const BanenafspraakParams& p);

// The parameter file: TOML with the scenario keys and, as comments, the
// method, the data and every estimate with its standard error.
std::string calibration_toml(const CalibrationResult& result);

}  // namespace banensim::models
