#pragma once
// The assumptions the live page offers as sliders (`banensim serve`), each
// over its plausible range from the parameter declarations. The one list of
// them; `serve --slider KEY` replaces it for a session. Checked at start-up
// against the declarations (a declared number with a plausible range, not a
// lever): a key renamed in the model fails there with a message naming it.
//
// How they were chosen (README.md, "The live page"): Sobol' total-order
// indices of P(reach) on scenarios/status-quo.toml over every uncertain
// parameter's plausible range (`banensim sensitivity --method sobol`), the
// largest first, plus the behavioural parameter of each lever that matters
// most once that lever is switched on (the status quo has no lever on, so
// its sensitivity cannot rank them).

#include <string>
#include <vector>

namespace banensim::app::serve {

inline const std::vector<std::string>& default_slider_keys() {
  static const std::vector<std::string> keys = {
      "supply.capacity_jobs",
      "quota.response_rate",
      "composition.inleen_share_at_origin",
      "cycle.sd",
      "policy.abolish_split.government_accountability_loss",
      "policy.purchase_at_buyer.procurement_gain_per_year",
  };
  return keys;
}

}  // namespace banensim::app::serve
