// Banenafspraak model throughput: paths per second of each shipped scenario
// at 1 and 2 threads and 200,000 and 10^6 paths, beside the throughput of
// the model's random numbers alone (raw Philox4x32-10 words: the physical
// bound; and converted), so the distance to the bound is visible. Fixed
// seed; run with repetitions and read the medians (bench/README.md):
//
//   build/ci/bench/model_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include <vector>

#include "bench/whole_run.hpp"
#include "engine/block_random.hpp"
#include "engine/parallel_runner.hpp"
#include "models/banenafspraak_streams.hpp"
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

constexpr std::size_t kLanes = engine::kLanesPerBatch;

// The random numbers of banenafspraak paths (engine/block_random.hpp), drawn
// alone in the model's pattern (models/banenafspraak_model.cpp) for the
// shipped status quo, a batch of kLanesPerBatch paths per iteration: at the
// start the scale draws (uncertainty.dof.regular + .inleen normals: 10 + 10
// in scenarios/base.toml, 3 Philox blocks each) and the path's 12 words
// (7 normals, 3 uniforms); then per simulated year (12 at the default
// 2024-2035) the year's 12 words (7 normals, 3 uniforms). 180 words, 45
// Philox evaluations per path. range(0) = 0: the raw words only -- the
// physical bound of this model's random numbers; 1: the words converted as
// the model converts them. At 2 threads each draws its own paths.
void BM_ModelDraws(benchmark::State& state) {
  using namespace models::streams;
  constexpr int kFirstYear = 2024;
  constexpr int kYears = 12;
  constexpr std::size_t kDof = 10;
  const bool convert = state.range(0) != 0;
  state.SetLabel(convert ? "words + conversions" : "raw words");
  constexpr std::size_t kRows = std::max<std::size_t>({kDof, kPathDraws, kYearDraws});
  std::vector<std::uint32_t> words(kRows * kLanes);
  std::vector<double> draws(kRows * kLanes);
  std::uint64_t first = static_cast<std::uint64_t>(state.thread_index()) << 40;
  engine::BlockRandom rng(1, first, kLanes);
  for (auto _ : state) {
    rng.reposition(first, kLanes);
    first += kLanes;
    if (convert) {
      rng.normals(kScaleRegular, 0, kDof, draws.data());
      rng.normals(kScaleInleen, 0, kDof, draws.data());
      rng.draw(kPath, 0, kPathKinds, draws.data());
    } else {
      rng.words(kScaleRegular, 0, kDof, words.data());
      rng.words(kScaleInleen, 0, kDof, words.data());
      rng.words(kPath, 0, kPathDraws, words.data());
    }
    for (int y = kFirstYear; y < kFirstYear + kYears; ++y) {
      const auto sub = static_cast<std::uint32_t>(y);
      if (convert) {
        rng.draw(kYear, sub, kYearKinds, draws.data());
      } else {
        rng.words(kYear, sub, kYearDraws, words.data());
      }
    }
    benchmark::DoNotOptimize(draws.data());
    benchmark::DoNotOptimize(words.data());
    benchmark::ClobberMemory();
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(kLanes),
                                                 benchmark::Counter::kIsRate);
}
// At 2 threads (each its own paths): what the machine gives for perfectly
// parallel work, the ceiling of the model's speed-up.
BENCHMARK(BM_ModelDraws)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// One whole run (engine::run, as `banensim run` does it) of a shipped
// scenario; arguments {threads, paths}. 200,000 paths is the scenarios' own
// simulation.paths -- a run as users make it; 10^6 a long one.
void BM_Scenario(benchmark::State& state, const std::string& name) {
  bench::time_whole_runs(state, load_model(name));
}
// The five shipped scenarios on common random numbers, as `banensim
// compare` of the five runs them (engine::run_paired: each year's draws made
// once, read by every variant); arguments {threads, paths}. The counter
// counts paths of one variant.
void BM_CompareFive(benchmark::State& state) {
  std::vector<models::BanenafspraakModel> models;
  for (const char* name : {"status-quo", "keep-split", "purchase-at-buyer", "exclude-security", "all-three"}) {
    models.push_back(load_model(name));
  }
  const engine::RunConfig cfg = bench::run_config(state.range(0), state.range(1));
  bench::time_runs(state, cfg, [&] {
    return engine::run_paired(std::span<const models::BanenafspraakModel>(models), cfg);
  });
}
BENCHMARK(BM_CompareFive)->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_CAPTURE(BM_Scenario, status_quo, std::string("status-quo"))->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, keep_split, std::string("keep-split"))->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, purchase_at_buyer, std::string("purchase-at-buyer"))->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, exclude_security, std::string("exclude-security"))->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, all_three, std::string("all-three"))->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
