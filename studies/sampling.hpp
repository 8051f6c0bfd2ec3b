#pragma once
// How a study that samples the unit cube of its factors -- `discover`,
// `compare --assumptions` and `sweep --samples N` -- draws its points: a randomised Sobol' design
// (the default: its error shrinks fastest for smooth outputs), a Latin
// hypercube (McKay et al. 1979; EMA Workbench's default sampler, SALib's
// `latin`) or plain Monte Carlo (engine/sobol_design.hpp). `sensitivity`
// draws Saltelli's and Morris's designs instead, whatever is asked here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/design_matrix.hpp"

namespace banensim::studies {

enum class Sampling { kSobol, kLatinHypercube, kMonteCarlo };

// The spellings the option `--design` and the study file's `design` take.
inline constexpr const char* kSamplingChoices = "sobol, lhs or monte_carlo";
std::optional<Sampling> parse_sampling(std::string_view name);
std::string sampling_name(Sampling sampling);
// In a sentence: "a randomised Sobol' design", "a Latin hypercube sample", "a plain Monte Carlo sample".
std::string sampling_description(Sampling sampling);

// n points in d dimensions from `seed`, and the design as a result file's
// header names it: "randomized_sobol points N", "latin_hypercube points N",
// "monte_carlo points N".
struct SampledUnit {
  engine::DesignMatrix unit;
  std::string design;
};
SampledUnit sample_unit(Sampling sampling, std::size_t n, std::size_t d, std::uint64_t seed);

}  // namespace banensim::studies
