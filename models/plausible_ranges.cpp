#include "models/plausible_ranges.hpp"

namespace banensim::models {

const std::vector<PlausibleRange>& banenafspraak_plausible_ranges() {
  // Values and reasons: docs/MODEL.md, section 6 ("plausible ..." in the last column).
  static const std::vector<PlausibleRange> ranges = {
      {"composition.inleen_share_at_origin", 0.2, 0.5},
      {"composition.security_share", 0.03, 0.25},
      {"purchasing.jobs_at_origin", 500, 5000},
      {"purchasing.insourcing_per_year", 0, 500},
      {"cycle.persistence", 0.5, 0.8},
      {"cycle.sd", 0, 0.5},
      {"cycle.loading.government", 0, 0.6},
      {"cycle.loading.inleen", 1, 2.5},
      {"shocks.correlation.market_inleen", 0, 0.6},
      {"shocks.correlation.government_inleen", 0, 0.5},
      {"shocks.correlation.security_other", 0.2, 0.9},
      {"supply.capacity_jobs", 150000, 500000},
      {"supply.shape", 1, 4},
      {"inleen.government_share_sd", 0.01, 0.04},
      {"inleen.key_sample_sd", 0.005, 0.03},
      {"quota.activation_probability", 0.3, 1},
      {"quota.response_rate", 0, 0.4},
      {"quota.liable_share", 0.8, 1},
      {"quota.employer_dispersion", 0.2, 1},
      {"policy.abolish_split.friction_gain", 0, 0.1},
      {"policy.abolish_split.government_accountability_loss", 0, 0.3},
      {"policy.purchase_at_buyer.procurement_gain_per_year", 0, 1000},
      {"policy.exclude_security.base_share", 0.05, 0.25},
      {"policy.exclude_security.security_growth_change", -1, 0},
  };
  return ranges;
}

}  // namespace banensim::models
