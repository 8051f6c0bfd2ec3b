#pragma once
// What the benchmarks of whole runs share: the run's configuration (seed 1,
// as every benchmark here) and the timing loop reported as paths per second
// (paths of one variant per second of wall time, with UseRealTime).

#include <benchmark/benchmark.h>

#include <cstdint>

#include "engine/parallel_runner.hpp"

namespace banensim::bench {

inline engine::RunConfig run_config(std::int64_t n_threads, std::int64_t n_paths) {
  engine::RunConfig cfg;
  cfg.seed = 1;
  cfg.n_threads = static_cast<int>(n_threads);
  cfg.n_paths = static_cast<std::uint64_t>(n_paths);
  return cfg;
}

// Calls `run` (a whole engine::run or run_paired of cfg.n_paths paths) once
// per iteration.
template <class Run>
void time_runs(benchmark::State& state, const engine::RunConfig& cfg, Run run) {
  for (auto _ : state) {
    auto r = run();
    benchmark::DoNotOptimize(r.n_paths);
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) *
                                                     static_cast<double>(cfg.n_paths),
                                                 benchmark::Counter::kIsRate);
}

// engine::run of `model` with arguments {threads, paths}.
template <class Model>
void time_whole_runs(benchmark::State& state, const Model& model) {
  const engine::RunConfig cfg = run_config(state.range(0), state.range(1));
  time_runs(state, cfg, [&] { return engine::run(model, cfg); });
}

}  // namespace banensim::bench
