#include "declared_parameters.hpp"

#include "models/banenafspraak_params.hpp"

std::vector<std::string> declared_uncertain_keys() {
  std::vector<std::string> keys;
  for (const auto* spec : banensim::models::uncertain_parameters(banensim::models::banenafspraak_schema())) {
    keys.push_back(spec->key);
  }
  return keys;
}

std::vector<std::string> declared_uncertain_keys_in_use(const std::string& scenario) {
  namespace m = banensim::models;
  const m::ResolvedScenario r = m::load_scenario(scenario, m::banenafspraak_schema());
  std::vector<std::string> keys;
  for (const std::string& key : declared_uncertain_keys()) {
    bool off = false;
    for (const auto& lever : m::banenafspraak_parameters().levers()) {
      off = off || (key.rfind(lever.key + ".", 0) == 0 && !r.boolean(lever.enabled_key) &&
                    !lever.parameters_act_when_off);
    }
    if (!off) keys.push_back(key);
  }
  return keys;
}
