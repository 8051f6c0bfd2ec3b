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
// lever on), at the default target year 2026 and at 2030 (the levers and the
// new law's quota act from 2026 on), from `banensim sensitivity --method
// sobol --samples 32 --paths 2000` on model v2. Largest first.

#include <string>
#include <vector>

namespace banensim::app::serve {

inline const std::vector<std::string>& default_slider_keys() {
  static const std::vector<std::string> keys = {
      "supply.shape",              // ST 0.47 (status quo, 2026), 0.38 (all three, 2026), 0.55, 0.69 (2030)
      "supply.max_working_share",  // ST 0.08, 0.44, 0.11, 0.27
      "cycle.sd",                  // ST 0.23, 0.27, 0.022, 0.027
      "inleen.floor_jobs",         // ST 0.017 (status quo, 2026), 0.068, 0.10 (2030)
  };
  return keys;
}

}  // namespace banensim::app::serve
