// The batched engine (issue 19): the raw generator and the conversions per
// kernel set, the random numbers a path of the synthetic model of about the
// banenafspraak model's size needs (bench/synthetic_model.hpp; the physical
// bound), and whole runs of that synthetic model and of the reference walk
// at 1 and 2 threads (the model itself: bench/model_benchmark.cpp). Fixed seed;
// run with repetitions and read the medians:
//
//   build/ci/bench/batch_benchmark --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <span>
#include <vector>

#include "bench/synthetic_model.hpp"
#include "bench/whole_run.hpp"
#include "engine/block_random.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/reference_model.hpp"
#include "engine/simd_kernels.hpp"

namespace {

using namespace banensim;
namespace kernels = engine::kernels;
using bench::SyntheticBatchModel;

constexpr std::size_t kLanes = engine::kLanesPerBatch;

// range 0: scalar, 1: avx2+fma, 2: avx512 (null where the CPU lacks it).
const kernels::KernelSet* kernel_set(std::int64_t which) {
  if (which == 0) return &kernels::scalar_kernels();
  return which == 1 ? kernels::avx2_kernels() : kernels::avx512_kernels();
}

void label_kernels(benchmark::State& state, const kernels::KernelSet* set) { state.SetLabel(set->name); }

// Philox4x32-10 alone: 32-bit words per second (items).
void BM_PhiloxWords(benchmark::State& state) {
  const kernels::KernelSet* set = kernel_set(state.range(0));
  if (set == nullptr) return state.SkipWithError("this CPU lacks the instructions of this kernel set");
  label_kernels(state, set);
  std::vector<std::uint32_t> out(4 * kLanes);
  std::uint32_t block = 0;
  for (auto _ : state) {
    set->philox(1000, kLanes, 77, block++, 1, 0, out.data(), kLanes);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(4 * kLanes));
}
BENCHMARK(BM_PhiloxWords)->Arg(0)->Arg(1)->Arg(2);

// The conversions alone, on words already made: normals and uniforms per
// second. `convert` is the kernel set's member (normals or uniforms).
using Conversion = void (*)(const std::uint32_t*, double*, std::size_t);
void time_conversion(benchmark::State& state, Conversion kernels::KernelSet::*convert) {
  const kernels::KernelSet* set = kernel_set(state.range(0));
  if (set == nullptr) return state.SkipWithError("this CPU lacks the instructions of this kernel set");
  label_kernels(state, set);
  std::vector<std::uint32_t> words(4 * kLanes);
  kernels::scalar_kernels().philox(0, kLanes, 1, 2, 3, 4, words.data(), kLanes);
  std::vector<double> out(words.size());
  for (auto _ : state) {
    (set->*convert)(words.data(), out.data(), words.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(words.size()));
}
void BM_NormalsFromWords(benchmark::State& state) { time_conversion(state, &kernels::KernelSet::normals); }
BENCHMARK(BM_NormalsFromWords)->Arg(0)->Arg(1)->Arg(2);
void BM_UniformsFromWords(benchmark::State& state) { time_conversion(state, &kernels::KernelSet::uniforms); }
BENCHMARK(BM_UniformsFromWords)->Arg(0)->Arg(1)->Arg(2);

// The random numbers of synthetic paths, drawn alone in the model's pattern
// (2 Philox blocks at the start, 3 per year for 12 years: 152 words per path,
// 140 used): range(0) = 0 raw words only -- the physical bound -- or 1 the
// words converted to the model's normals and uniforms. Active kernels; per
// thread its own paths.
void BM_SyntheticDraws(benchmark::State& state) {
  const bool convert = state.range(0) != 0;
  state.SetLabel(convert ? "words + conversions" : "raw words");
  using M = SyntheticBatchModel;
  static constexpr std::array<engine::Variate, M::kYearDraws> kKinds = {
      engine::Variate::kNormal,  engine::Variate::kNormal,  engine::Variate::kNormal, engine::Variate::kNormal,
      engine::Variate::kNormal,  engine::Variate::kNormal,  engine::Variate::kNormal, engine::Variate::kNormal,
      engine::Variate::kUniform, engine::Variate::kUniform, engine::Variate::kUniform, engine::Variate::kUnused};
  std::vector<std::uint32_t> words(M::kYearDraws * kLanes);
  std::vector<double> draws(M::kYearDraws * kLanes);
  std::uint64_t first = static_cast<std::uint64_t>(state.thread_index()) << 40;
  engine::BlockRandom rng(1, first, kLanes);
  for (auto _ : state) {
    rng.reposition(first, kLanes);
    first += kLanes;
    if (convert) {
      rng.normals(M::kPathPurpose, 0, M::kPathDraws, draws.data());
    } else {
      rng.words(M::kPathPurpose, 0, M::kPathDraws, words.data());
    }
    for (std::size_t y = 0; y < M::kYears; ++y) {
      const auto year = static_cast<std::uint32_t>(M::kFirstYear) + static_cast<std::uint32_t>(y);
      if (convert) {
        rng.draw(M::kYearPurpose, year, kKinds, draws.data());
      } else {
        rng.words(M::kYearPurpose, year, M::kYearDraws, words.data());
      }
    }
    benchmark::DoNotOptimize(draws.data());
    benchmark::DoNotOptimize(words.data());
    benchmark::ClobberMemory();
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(kLanes),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SyntheticDraws)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// Whole runs (engine::run as `banensim run` does it) of the synthetic batch
// model; arguments {threads, paths}.
void BM_SyntheticRun(benchmark::State& state) { bench::time_whole_runs(state, SyntheticBatchModel()); }
BENCHMARK(BM_SyntheticRun)->ArgsProduct({{1, 2}, {200'000, 1'000'000}})->Unit(benchmark::kMillisecond)->UseRealTime();

// Five variants on common random numbers (as `banensim compare` of the five
// scenarios runs them), one thread, 200,000 paths; range(0) = 0 batch, 1
// per-path. The counter counts paths of one variant: 5 variants at x paths/s
// cost 5/x per path.
void BM_SyntheticFiveVariants(benchmark::State& state) {
  const bool per_path = state.range(0) != 0;
  state.SetLabel(per_path ? "per-path interface" : "batch interface (draws shared)");
  const engine::RunConfig cfg = bench::run_config(1, 200'000);
  const std::vector<SyntheticBatchModel> batch(5);
  const std::vector<bench::SyntheticPathModel> path(5);
  bench::time_runs(state, cfg, [&] {
    return per_path ? engine::run_paired(std::span<const bench::SyntheticPathModel>(path), cfg)
                    : engine::run_paired(std::span<const SyntheticBatchModel>(batch), cfg);
  });
}
BENCHMARK(BM_SyntheticFiveVariants)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same work through the per-path interface and streams (what the engine
// did before the batch interface); arguments {threads, paths}.
void BM_SyntheticPathRun(benchmark::State& state) { bench::time_whole_runs(state, bench::SyntheticPathModel()); }
BENCHMARK(BM_SyntheticPathRun)->ArgsProduct({{1, 2}, {200'000}})->Unit(benchmark::kMillisecond)->UseRealTime();

// The random numbers of the reference walk's paths alone (14 normals per
// path: 4 Philox blocks, 16 words): range(0) = 0 raw words -- the bound --
// or 1 converted to normals.
void BM_BatchRandomWalkDraws(benchmark::State& state) {
  const bool convert = state.range(0) != 0;
  state.SetLabel(convert ? "words + conversions" : "raw words");
  constexpr std::size_t kSteps = 14;
  std::vector<std::uint32_t> words(kSteps * kLanes);
  std::vector<double> z(kSteps * kLanes);
  std::uint64_t first = static_cast<std::uint64_t>(state.thread_index()) << 40;
  engine::BlockRandom rng(1, first, kLanes);
  for (auto _ : state) {
    rng.reposition(first, kLanes);
    first += kLanes;
    if (convert) {
      rng.normals(engine::BatchRandomWalkModel::kIncrements, 0, kSteps, z.data());
    } else {
      rng.words(engine::BatchRandomWalkModel::kIncrements, 0, kSteps, words.data());
    }
    benchmark::DoNotOptimize(z.data());
    benchmark::DoNotOptimize(words.data());
    benchmark::ClobberMemory();
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(kLanes),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchRandomWalkDraws)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// The reference random walk (14 steps) through the batch interface, beside
// engine_benchmark's per-path run of the same model.
void BM_BatchRandomWalkRun(benchmark::State& state) {
  const engine::BatchRandomWalkModel model(14, 0.1, 1.0, 1.0);
  const engine::RunConfig cfg = bench::run_config(state.range(0), 200'000);
  bench::time_runs(state, cfg, [&] { return engine::run(model, cfg); });
}
BENCHMARK(BM_BatchRandomWalkRun)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
