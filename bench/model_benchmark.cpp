// Banenafspraak model throughput: paths per second of each shipped scenario
// at 1 and 2 threads, beside the raw random-number throughput (uniform and
// normal draws from the same Philox streams), so the distance to the
// random-number bound is visible. Fixed seed; run with repetitions and read
// the medians:
//
//   build/release/bench/model_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <string>

#include "engine/parallel_runner.hpp"
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

void BM_RawNormal(benchmark::State& state) {
  engine::RandomStream s(1, engine::stream_id("bench"), 0);
  double sum = 0;
  for (auto _ : state) sum += s.normal();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawNormal);

void BM_Scenario(benchmark::State& state, const std::string& name) {
  const auto model = load_model(name);
  engine::RunConfig cfg;
  cfg.seed = 1;
  cfg.n_paths = 50'000;
  cfg.n_threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto r = engine::run(model, cfg);
    benchmark::DoNotOptimize(r.n_paths);
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) *
                                                     static_cast<double>(cfg.n_paths),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Scenario, status_quo, std::string("status-quo"))->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, abolish_split, std::string("abolish-split"))->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, purchase_at_buyer, std::string("purchase-at-buyer"))->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, exclude_security, std::string("exclude-security"))->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Scenario, all_three, std::string("all-three"))->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
