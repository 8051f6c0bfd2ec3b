#pragma once
// The assumptions the live page offers as sliders (`banensim serve`), each
// over its plausible range from the parameter declarations. The one list of
// them; `serve --slider KEY` replaces it for a session. Checked at start-up
// against the declarations (a declared number with a plausible range, not a
// lever): a key renamed in the model fails there with a message naming it.
//
// How they were chosen (docs/SERVE.md, "The sliders"): every uncertain
// parameter whose Sobol' total-order index of P(reach) is at least 0.01 --
// its 95% interval clear of zero -- on scenarios/status-quo.toml or on
// scenarios/all-three.toml (the levers' own parameters act only with their
// lever on), from `banensim sensitivity --method sobol --paths 2000` with
// 128 and 64 base rows. Largest first, the status quo's before the levers'.

#include <string>
#include <vector>

namespace banensim::app::serve {

inline const std::vector<std::string>& default_slider_keys() {
  static const std::vector<std::string> keys = {
      "quota.response_rate",                                // ST 0.36 (status quo), 0.13 (all three)
      "supply.capacity_jobs",                               // ST 0.33, 0.44
      "supply.shape",                                       // ST 0.29, 0.40
      "policy.purchase_at_buyer.procurement_gain_per_year", // ST 0.037 (all three)
      "policy.abolish_split.friction_gain",                 // ST 0.024 (all three)
      "policy.exclude_security.base_share",                 // ST 0.012 (all three)
  };
  return keys;
}

}  // namespace banensim::app::serve
