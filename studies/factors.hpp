#pragma once
// The uncertain factors a study varies: a scenario key, each with the
// distribution it is drawn from. A design supplies points in the unit cube;
// a factor maps its coordinate u to a value by the inverse of its
// distribution's CDF, so the same design serves every distribution.
//
// Without a study file the factors are the declared plausible ranges
// (models/banenafspraak_params.hpp, docs/MODEL.md section 6), uniform,
// restricted to those the scenario uses: a parameter of a policy lever that
// the scenario switches off cannot change any output and is left out (which
// the notes say).

#include <string>
#include <vector>

#include "studies/scenario.hpp"

namespace banensim::studies {

enum class Distribution {
  kUniform,     // on [low, high]
  kNormal,      // mean, sd, truncated to [low, high]
  kTriangular,  // on [low, high] with its peak at mode
  kLogUniform,  // log x uniform on [log low, log high]; 0 < low
  kDiscrete,    // one of `values`, each equally likely
};

// "uniform", "normal", "triangular", "log-uniform", "discrete".
const char* distribution_name(Distribution d);

struct Factor {
  std::string key;  // a scenario key (dotted)
  Distribution distribution = Distribution::kUniform;
  double low = 0, high = 0;  // the support (truncation bounds of the normal)
  double mean = 0, sd = 0;   // normal
  double mode = 0;           // triangular
  std::vector<std::string> values;  // discrete, as a scenario reads them (numbers, true/false, text)
  bool integral = false;     // an integer key: a continuous draw is rounded to the nearest whole number

  // The value at unit-cube coordinate u in [0, 1], as scenario text: the
  // inverse CDF at u (u = 0 and u = 1 give the ends of the support). For a
  // discrete factor with n values, value floor(u n) (the last at u = 1).
  std::string value_at(double u) const;
  // Whether the factor's values are numbers (its result-file column is numeric).
  bool numeric() const;
  // A value as the analysis sees it: its number; a discrete factor's
  // non-numeric value (true, false, text) by its position in `values`.
  double number(const std::string& text) const;
  // The lowest and highest value it can take, as numbers.
  double support_low() const;
  double support_high() const;
  // The factor as a result file's "# factor" line records it (without the
  // prefix): "KEY uniform 0.2:0.5", "KEY normal mean 250000 sd 75000 on
  // 150000:500000", "KEY triangular 0:0.3:1", "KEY log-uniform 0.005:0.03",
  // "KEY discrete 1,2,3"; " rounded" for a rounded integer key.
  std::string describe() const;
};

struct FactorSet {
  std::vector<Factor> factors;
  std::vector<std::string> notes;  // factors left out, or that cannot matter, and why
};

// The declared uncertain parameters on `base`, uniform on their plausible
// ranges, in declaration order -- without those of a switched-off lever, and
// without any that fails the scenario checks at an end of its range on its
// own (a check tying it to another key). `notes` says which and why.
FactorSet default_factors(const Scenario& base);

// Notes on given factors that cannot change an output on `base`: parameters
// of a lever that is off there while its switch is not a factor too.
std::vector<std::string> unused_factor_notes(const std::vector<Factor>& factors, const Scenario& base);

}  // namespace banensim::studies
