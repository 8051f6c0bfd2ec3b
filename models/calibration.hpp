#pragma once
// `banensim calibrate`: estimates the calibrated parameters of the
// banenafspraak model from the data dated up to the fit year
// (docs/MODEL.md §7): the drift of the SEO key from its samples, the
// register's growth from the trend reports, the hired-in trend and shock sd
// from the hired-in observations, and the regular trends, shock sds and
// their correlation from the yearly monitor's sector counts with the
// hired-in trend's expected share taken out.
//
// Each sd has a weakly informative conjugate prior worth
// calibration.prior_df increments (calibration.prior_sd.*), so that few
// increments do not give a degenerate forecast (with the default 2, two
// increments give a finite-variance one, one increment a t with 2 dof);
// its degrees of freedom go to uncertainty.dof.* and the model draws the
// sds' scale per path from them (scaled inverse chi-square). The components
// the model simulates (regular market, government security and other roles,
// hired-in jobs) are not all observed separately; the regular sector
// figures are mapped onto them under the composition shares and the
// correlations with hired-in jobs that the scenario assumes
// (identification by assumption; the page says which).

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
  bool integer = false;       // a whole number (written without a decimal point)
  std::string text;           // a text key's value (written quoted; `value` unused)
};

// Sector-level fit of the regular jobs (the hired-in trend's share taken out).
struct SectorFit {
  double trend = 0;             // jobs/year, mu-hat (WLS)
  double trend_se = 0;          // jobs/year
  double volatility = 0;        // jobs/year, sigma of the increments (cycle included), prior included
  double volatility_se = 0;
  double shock_volatility = 0;  // sigma with the cycle's share of the variance removed
};

struct InleenFit {
  int n_increments = 0;
  double trend = 0, trend_se = 0;
  double volatility = 0;        // sigma of the increments per sqrt(year), cycle included, prior included
  double shock_volatility = 0;  // the cycle's share removed
  int dof = 0;
};

struct RegisterFit {
  int n_observations = 0;  // observations from calibration.register_trend_from on, up to the fit year
  double growth = 0, growth_sd = 0;  // persons/year
  std::string method;      // "OLS", "two points", "prior"
};

struct CalibrationResult {
  std::string history_file;
  int first_year = 0;
  int last_year = 0;  // the fit year: no data dated after it is used
  int n_increments = 0;
  std::string method;
  SectorFit market, government;
  double correlation = 0;     // of the sectors' standardised residuals (prior-shrunk)
  double correlation_se = 0;
  int dof_regular = 0;
  InleenFit inleen;
  RegisterFit register_fit;
  int n_key_samples = 0;
  double key_drift = 0;       // per year
  double key_at_fit = 0;      // the key's extrapolation to the fit year
  std::string data_fingerprint;  // calibration_data_fingerprint(history, assumptions, last_year)
  std::vector<Estimate> estimates;  // sector figures first, then the scenario keys
};

// Fits on the observed years <= fit_until (0 = all) and the trend reports
// and key samples dated up to the last of them. `assumptions` supplies the
// data files read, the composition shares, the supply limit, the cycle, the
// correlations not identified from the data and the calibration settings.
// Throws InputError when fewer than two years are available.
CalibrationResult calibrate(const History& history, int fit_until, const BanenafspraakParams& assumptions);

// "fnv1a64 " and 16 hex digits: the FNV-1a 64 hash of the values calibrate()
// reads at `fit_year` (docs/MODEL.md §7): the history's sector counts of the
// years up to it, the trend reports' hired-in and register observations and
// the key samples dated up to it, each written exactly (%.17g). A value
// changed or added up to the fit year changes it; a later row, a note or the
// file's layout does not.
std::string calibration_data_fingerprint(const History& history, const BanenafspraakParams& data, int fit_year);

// Whether the calibrated keys still belong to the data the scenario reads
// (calibrated.fit_year and calibrated.data_fingerprint, written by
// `calibrate`): "" when they do or when no stamp is set (fit_year 0), else
// what differs and what to do, e.g. a history that now runs past the fit
// year, or data up to it revised since. A run goes on (the stamp is the
// scenario's record, not a rule of the model); the commands print it.
std::string calibration_mismatch(const BanenafspraakParams& p);

// The component shock sds implied by the sectors' regular shock sds (cycle
// removed), given the hired-in shock sd, its assumed correlations and the
// key (the mapping calibrate() applies): the exact inverse of
// sector_moments for the sds, except that no component's regular part falls
// below 10% of its sector's shock variance. The market-government
// correlation is the sectors' shock correlation, shrunk until the 4x4
// matrix is positive semi-definite. Returns `assumptions` with those keys
// replaced.
BanenafspraakParams component_shocks(const SectorFit& market, const SectorFit& government, double correlation,
                                     double inleen_volatility, double key, const BanenafspraakParams& assumptions);

// The forward map: sector shock sds and correlation implied by the
// component parameters with the key `key` (no cycle, no levers).
struct SectorMoments {
  double market_sd, government_sd, correlation;
};
SectorMoments sector_moments(const BanenafspraakParams& p, double key);

// A scenario key's value as calibrate writes it, a TOML value text: 6
// significant digits for a real (with ".0" when whole), an integer as it
// is, a text quoted.
std::string toml_value(const Estimate& e);

// The parameter file: TOML with the scenario keys and, as comments, the
// method, the data and every estimate with its standard error.
std::string calibration_toml(const CalibrationResult& result);

}  // namespace banensim::models
