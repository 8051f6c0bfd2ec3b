#include "declared_parameters.hpp"

#include "models/banenafspraak_params.hpp"

std::vector<std::string> declared_uncertain_keys() {
  std::vector<std::string> keys;
  for (const auto* spec : banensim::models::uncertain_parameters(banensim::models::banenafspraak_schema())) {
    keys.push_back(spec->key);
  }
  return keys;
}
