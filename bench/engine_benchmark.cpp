// Engine throughput: paths per second of a small closed-form model at 1 and
// 2 threads, beside the raw throughput of the random numbers that model
// consumes (uniforms and normals from the same Philox streams), so the
// distance to the random-number bound is visible.
//
//   build/release/bench/engine_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)

#include <benchmark/benchmark.h>

#include "bench/whole_run.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/random_stream.hpp"
#include "engine/reference_model.hpp"

namespace {

using banensim::engine::PathRandom;
using banensim::engine::RandomStream;
using banensim::engine::stream_id;

constexpr std::size_t kSteps = 14;  // 2013..2026, as the real model's horizon at most

void BM_RawUniform(benchmark::State& state) {
  RandomStream s(1, stream_id("bench"), 0);
  double sum = 0;
  for (auto _ : state) sum += s.uniform();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawUniform);

void BM_RawNormal(benchmark::State& state) {
  RandomStream s(1, stream_id("bench"), 0);
  double sum = 0;
  for (auto _ : state) sum += s.normal();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawNormal);

// The random numbers of one random-walk path, drawn alone exactly as the
// model draws them (one stream per step, one normal each): the bound.
void BM_RandomWalkDrawsOnly(benchmark::State& state) {
  std::uint64_t i_path = 0;
  double sum = 0;
  for (auto _ : state) {
    const PathRandom rng(1, i_path++);
    for (std::size_t t = 0; t < kSteps; ++t) sum += rng.stream(stream_id("walk.increment"), t).normal();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RandomWalkDrawsOnly);

void BM_RandomWalkRun(benchmark::State& state) {
  const banensim::engine::RandomWalkModel model(kSteps, 0.1, 1.0, 1.0);
  const banensim::engine::RunConfig cfg = banensim::bench::run_config(state.range(0), 200'000);
  banensim::bench::time_runs(state, cfg, [&] { return banensim::engine::run(model, cfg); });
}
BENCHMARK(BM_RandomWalkRun)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
