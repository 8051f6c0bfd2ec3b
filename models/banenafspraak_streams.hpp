#pragma once
// Purposes of the banenafspraak model's random numbers (engine/block_random.hpp)
// and the place of each draw within its purpose. A name is a promise: the
// same purpose in the same year draws the same numbers in every scenario
// (common random numbers), whatever else the scenario changes. Shared with
// bench/model_benchmark.cpp, which draws the same numbers alone, and
// documented in docs/MODEL.md §9.

#include <array>
#include <cstddef>

#include "engine/block_random.hpp"

namespace banensim::models::streams {

using engine::Variate;

// Once per path (substream 0): uncertainty.dof.regular and .inleen normals.
inline constexpr engine::PurposeId kScaleRegular = engine::purpose_id("banenafspraak.scale.regular");
inline constexpr engine::PurposeId kScaleInleen = engine::purpose_id("banenafspraak.scale.inleen");

// Once per path (substream 0): the path's other draws, three Philox blocks.
inline constexpr engine::PurposeId kPath = engine::purpose_id("banenafspraak.path");
enum PathDraw : std::size_t {
  kTrendMarket = 0,
  kTrendOther = 1,
  kTrendInleen = 2,
  kRegister = 3,
  kGovShare = 4,
  kCycleInitial = 5,
  kInleenOrigin = 6,  // the bridge to the origin, used only when no hired-in observation stands there
  // 7 reserved
  kActivationOriginMarket = 8,  // a quota's miss undecided at the origin: activated on this path?
  kActivationOriginGovernment = 9,
  kActivationOriginNational = 10,
  // 11 reserved
  kPathDraws = 12,
};
inline constexpr std::array<Variate, kPathDraws> kPathKinds = {
    Variate::kNormal,  Variate::kNormal,  Variate::kNormal,  Variate::kNormal,
    Variate::kNormal,  Variate::kNormal,  Variate::kNormal,  Variate::kUnused,
    Variate::kUniform, Variate::kUniform, Variate::kUniform, Variate::kUnused};

// Per simulated year (substream = the calendar year), three Philox blocks.
inline constexpr engine::PurposeId kYear = engine::purpose_id("banenafspraak.year");
enum YearDraw : std::size_t {
  kCycle = 0,
  kShock0 = 1,  // 1 .. 4: the four components' shocks (before the correlation factor)
  kKey = 5,
  kKeyDrift = 6,
  // 7 reserved
  kActivationMarket = 8,
  kActivationGovernment = 9,
  kActivationNational = 10,
  // 11 reserved
  kYearDraws = 12,
};
inline constexpr std::array<Variate, kYearDraws> kYearKinds = {
    Variate::kNormal,  Variate::kNormal,  Variate::kNormal,  Variate::kNormal,
    Variate::kNormal,  Variate::kNormal,  Variate::kNormal,  Variate::kUnused,
    Variate::kUniform, Variate::kUniform, Variate::kUniform, Variate::kUnused};

}  // namespace banensim::models::streams
