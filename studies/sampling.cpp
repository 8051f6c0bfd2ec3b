#include "studies/sampling.hpp"

#include "engine/sobol_design.hpp"

namespace banensim::studies {

std::optional<Sampling> parse_sampling(std::string_view name) {
  if (name == "sobol") return Sampling::kSobol;
  if (name == "lhs") return Sampling::kLatinHypercube;
  if (name == "monte_carlo") return Sampling::kMonteCarlo;
  return std::nullopt;
}

std::string sampling_name(Sampling sampling) {
  switch (sampling) {
    case Sampling::kSobol: return "sobol";
    case Sampling::kLatinHypercube: return "lhs";
    case Sampling::kMonteCarlo: return "monte_carlo";
  }
  return "sobol";
}

std::string sampling_description(Sampling sampling) {
  switch (sampling) {
    case Sampling::kLatinHypercube: return "a Latin hypercube sample";
    case Sampling::kMonteCarlo: return "a plain Monte Carlo sample";
    case Sampling::kSobol: break;
  }
  return "a randomised Sobol' design";
}

SampledUnit sample_unit(Sampling sampling, std::size_t n, std::size_t d, std::uint64_t seed) {
  const std::string points = " points " + std::to_string(n);
  switch (sampling) {
    case Sampling::kLatinHypercube:
      return {engine::latin_hypercube_design(n, d, seed), "latin_hypercube" + points};
    case Sampling::kMonteCarlo:
      return {engine::monte_carlo_design(n, d, seed), "monte_carlo" + points};
    case Sampling::kSobol:
      break;
  }
  return {engine::sobol_design(n, d, seed), "randomized_sobol" + points};
}

}  // namespace banensim::studies
