#pragma once
// Purposes of the banenafspraak model's random streams. A name is a promise:
// the same purpose in the same year draws the same numbers in every scenario
// (common random numbers), whatever else the scenario changes. Shared with
// bench/model_benchmark.cpp, which draws the same numbers alone.

#include "engine/random_stream.hpp"

namespace banensim::models::streams {

// Once per path (substream 0, or the origin year for the undecided activations).
inline constexpr engine::StreamId kScaleRegularStream = engine::stream_id("banenafspraak.scale.regular");
inline constexpr engine::StreamId kScaleInleenStream = engine::stream_id("banenafspraak.scale.inleen");
inline constexpr engine::StreamId kTrendStream = engine::stream_id("banenafspraak.trend");
inline constexpr engine::StreamId kRegisterStream = engine::stream_id("banenafspraak.register");
inline constexpr engine::StreamId kInleenOriginStream = engine::stream_id("banenafspraak.inleen.origin");
inline constexpr engine::StreamId kGovShareStream = engine::stream_id("banenafspraak.inleen.government_share");
inline constexpr engine::StreamId kCycleInitialStream = engine::stream_id("banenafspraak.cycle.initial");
// Per simulated year (substream = the calendar year).
inline constexpr engine::StreamId kCycleStream = engine::stream_id("banenafspraak.cycle");
inline constexpr engine::StreamId kShockStream = engine::stream_id("banenafspraak.shocks");
inline constexpr engine::StreamId kKeyStream = engine::stream_id("banenafspraak.inleen.key");
inline constexpr engine::StreamId kKeyDriftStream = engine::stream_id("banenafspraak.inleen.drift");
inline constexpr engine::StreamId kActivationMarket = engine::stream_id("banenafspraak.quota.activation.market");
inline constexpr engine::StreamId kActivationGovernment =
    engine::stream_id("banenafspraak.quota.activation.government");
inline constexpr engine::StreamId kActivationNational = engine::stream_id("banenafspraak.quota.activation.national");

}  // namespace banensim::models::streams
