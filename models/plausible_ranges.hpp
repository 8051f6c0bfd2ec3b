#pragma once
// The uncertain parameters of the banenafspraak model with their plausible
// ranges: what `banensim sweep --one-at-a-time --range-from-schema` varies
// (a tornado of every documented uncertainty).
//
// The list is exactly the parameters whose row in docs/MODEL.md (section 6)
// states "plausible LOW–HIGH"; a test keeps the two in step. Calibrated
// parameters are not in it: their uncertainty is already simulated on every
// path (growth.*.trend_sd draws each path's trend), and stated figures are
// not uncertain. Policy-lever parameters are in it; under a scenario with the
// lever off their bars are zero, which the tornado shows as such.

#include <string>
#include <vector>

namespace banensim::models {

struct PlausibleRange {
  std::string key;  // dotted scenario key
  double low;       // plausible low value, in the key's unit
  double high;      // plausible high value (> low)
};

// In the order of the parameter table of docs/MODEL.md.
const std::vector<PlausibleRange>& banenafspraak_plausible_ranges();

}  // namespace banensim::models
