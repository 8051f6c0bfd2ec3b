// Banenafspraak model throughput: paths per second of each shipped scenario
// at 1 and 2 threads, beside the raw random-number throughput (uniform and
// normal draws from the same Philox streams), so the distance to the
// random-number bound is visible. Fixed seed; run with repetitions and read
// the medians:
//
//   build/ci/bench/model_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "engine/parallel_runner.hpp"
#include "models/banenafspraak_streams.hpp"
#include "engine/random_stream.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"

namespace {

using namespace banensim;

models::BanenafspraakModel load_model(const std::string& name) {
  const std::string file = std::string(BANENSIM_SOURCE_DIR) + "/scenarios/" + name + ".toml";
  const auto resolved = models::load_scenario(file, models::banenafspraak_schema(), models::banenafspraak_check);
  return models::BanenafspraakModel(models::params_from_scenario(resolved));
}

void BM_RawUniform(benchmark::State& state) {
  engine::RandomStream s(1, engine::stream_id("bench"), 0);
  double sum = 0;
  for (auto _ : state) sum += s.uniform();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawUniform);

void BM_RawNormal(benchmark::State& state) {
  engine::RandomStream s(1, engine::stream_id("bench"), 0);
  double sum = 0;
  for (auto _ : state) sum += s.normal();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawNormal);

using namespace models::streams;  // the model's stream purposes, hence the same ids

// The random numbers of one banenafspraak path, drawn alone in the model's
// pattern (models/banenafspraak_model.cpp) for the shipped status quo: at
// the start the scale draws (uncertainty.dof.regular + .inleen normals: 10
// + 10 in scenarios/base.toml), 3 trend normals, 1 register, 1 government
// share and 1 initial-cycle normal, 1 activation uniform (the market's miss
// of 2023, undecided at the origin); then per simulated year (12 at the
// default 2024-2035) 7 normals and 3 uniforms from 8 streams, each stream
// keyed by the year. The bound.
void BM_ModelDrawsOnly(benchmark::State& state) {
  constexpr int kFirstYear = 2024;
  constexpr int kYears = 12;
  constexpr int kDofRegular = 10, kDofInleen = 10;
  std::uint64_t i_path = 0;
  double sum = 0;
  for (auto _ : state) {
    const engine::PathRandom rng(1, i_path++);
    auto regular = rng.stream(kScaleRegularStream);
    for (int i = 0; i < kDofRegular; ++i) sum += regular.normal();
    auto inleen = rng.stream(kScaleInleenStream);
    for (int i = 0; i < kDofInleen; ++i) sum += inleen.normal();
    auto trend = rng.stream(kTrendStream);
    sum += trend.normal() + trend.normal() + trend.normal();
    sum += rng.stream(kRegisterStream).normal();
    sum += rng.stream(kGovShareStream).normal();
    sum += rng.stream(kCycleInitialStream).normal();
    sum += rng.stream(kActivationMarket, kFirstYear - 1).uniform();
    for (int y = kFirstYear; y < kFirstYear + kYears; ++y) {
      const auto sub = static_cast<std::uint64_t>(y);
      sum += rng.stream(kCycleStream, sub).normal();
      auto shocks = rng.stream(kShockStream, sub);
      for (int c = 0; c < 4; ++c) sum += shocks.normal();
      sum += rng.stream(kKeyStream, sub).normal();
      sum += rng.stream(kKeyDriftStream, sub).normal();
      sum += rng.stream(kActivationMarket, sub).uniform();
      sum += rng.stream(kActivationGovernment, sub).uniform();
      sum += rng.stream(kActivationNational, sub).uniform();
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
// At 2 threads (each its own paths): what the machine gives for perfectly
// parallel work, the ceiling of the model's speed-up.
BENCHMARK(BM_ModelDrawsOnly)->Threads(1)->Threads(2)->UseRealTime();

// One whole run (engine::run, as `banensim run` does it) of a shipped
// scenario; arguments {threads, paths}. 200,000 paths is the scenarios' own
// simulation.paths -- a run as users make it; 50,000 shows how much the
// per-run start (threads waking, block tallies made) weighs in a short run.
void BM_Scenario(benchmark::State& state, const std::string& name) {
  const auto model = load_model(name);
  engine::RunConfig cfg;
  cfg.seed = 1;
  cfg.n_threads = static_cast<int>(state.range(0));
  cfg.n_paths = static_cast<std::uint64_t>(state.range(1));
  for (auto _ : state) {
    auto r = engine::run(model, cfg);
    benchmark::DoNotOptimize(r.n_paths);
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) *
                                                     static_cast<double>(cfg.n_paths),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Scenario, status_quo, std::string("status-quo"))->ArgsProduct({{1, 2}, {50'000, 200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, keep_split, std::string("keep-split"))->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, purchase_at_buyer, std::string("purchase-at-buyer"))->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, exclude_security, std::string("exclude-security"))->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, all_three, std::string("all-three"))->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
