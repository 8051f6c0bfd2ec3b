#pragma once
// Simulates paths of one or more model variants in fixed-size blocks on
// oneTBB and folds the block results in a fixed order.
//
// Determinism. Path i takes its random numbers only from PathRandom(seed, i).
// Block b holds paths [b*B, min((b+1)*B, N)); within a block paths are added
// in index order; block tallies are folded left to right into a chunk of
// `chunk_blocks` blocks, and chunks are folded left to right into the result.
// That reduction tree depends only on (N, B, chunk_blocks) -- never on the
// thread count or the schedule -- so results are bit-identical at any thread
// count. Counts, proportions and histograms do not depend on B at all; means
// and variances agree across block sizes only to rounding.
//
// All variants see the same PathRandom for a path (common random numbers).
//
// A model that provides the batch interface (engine/batch_model.hpp) is run
// through it instead: the same blocks, chunks and fold, each block simulated
// in batches of up to kLanesPerBatch paths, all variants on the same
// BlockRandom draws. Its results depend on (seed, N, B) only, as above.
//
// Early stopping (stop rule) and cancellation act only at block boundaries,
// in fold order, so a given seed stops at the same path count every time.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <span>
#include <stdexcept>
#include <vector>

#include <tbb/concurrent_queue.h>
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "engine/model.hpp"
#include "engine/tally.hpp"

namespace banensim::engine {

// A per-path value to keep: one output of the layout (a series at one step,
// a scalar, or an indicator as 0/1) on every path.
struct PathSampleRequest {
  enum class Kind { kSeries, kScalar, kIndicator };
  Kind kind = Kind::kSeries;
  std::size_t index = 0;  // in the layout's list of that kind
  std::size_t step = 0;   // series only
};

// The kept per-path values: value(k, r, i) is request r on path i of
// variant k, in path-index order whatever the thread count. An optional
// scalar that is absent on a path is NaN there.
struct PathSamples {
  std::size_t n_variants = 0;
  std::size_t n_requests = 0;
  std::uint64_t n_paths = 0;
  std::vector<double> values;  // [(k n_requests + r) n_paths + i]
  double value(std::size_t k, std::size_t r, std::uint64_t i) const {
    return values[(k * n_requests + r) * n_paths + i];
  }
};

// At most this many per-path values in one run (paths x variants x
// requests; 8 bytes each): keeping samples is for a researcher's analysis
// of a moderate run, not for 10^9 paths.
inline constexpr std::uint64_t kMaxPathSamples = 50'000'000;

struct RunConfig {
  std::uint64_t seed = 0;
  std::uint64_t n_paths = 10000;       // paths to run, or the cap when a stop rule is set
  std::uint64_t block_size = 1024;     // paths per block (part of the reproducibility key)
  std::uint64_t chunk_blocks = 8;      // blocks per chunk in the reduction tree (the unit of MPI work)
  int n_threads = 0;                   // 0: all cores
  // Evaluated after each folded block (in order); return true to stop there.
  std::function<bool(const PairedTally&)> stop_rule;
  // Called after each folded block with (paths done, paths planned); on the
  // folding thread, so keep it cheap.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  // Set from outside (e.g. a signal handler) to stop at the next block.
  const std::atomic<bool>* cancel = nullptr;
  // Per-path values to keep (RunResult::samples); empty: none. At most
  // kMaxPathSamples values in all; the one-process runner only.
  std::vector<PathSampleRequest> path_samples;
};

struct RunResult {
  PairedTally tally;
  std::uint64_t n_paths = 0;        // paths actually folded in
  std::uint64_t n_blocks = 0;
  bool stopped_by_rule = false;     // the stop rule fired
  bool cancelled = false;           // stopped by `cancel`
  int n_threads = 0;
  double wall_seconds = 0.0;
  PathSamples samples;              // RunConfig::path_samples, for the paths folded in
};

// Number of worker threads `requested` resolves to (0 = all cores).
int resolve_threads(int requested);

namespace detail {

template <PathModel M>
class BlockSimulator {
 public:
  // With `samples` (sized for every path of the run), the requested
  // per-path values are written there; blocks write disjoint paths.
  explicit BlockSimulator(std::span<const M> variants, const std::vector<PathSampleRequest>* requests = nullptr,
                          PathSamples* samples = nullptr)
      : variants_(variants), requests_(requests), samples_(samples) {}
  const OutputLayout& layout() const { return variants_[0].layout(); }
  std::size_t n_variants() const { return variants_.size(); }

  // Simulates paths [first, last) into `tally` (emptied first).
  void simulate(std::uint64_t first, std::uint64_t last, std::uint64_t seed, PairedTally& tally) const {
    tally.reset();
    std::vector<PathRecord> records;
    std::vector<typename M::State> states;
    records.reserve(variants_.size());
    states.reserve(variants_.size());
    for (const M& m : variants_) {
      records.emplace_back(m.layout());
      states.push_back(m.make_state());
    }
    for (std::uint64_t i_path = first; i_path < last; ++i_path) {
      const PathRandom rng(seed, i_path);
      for (std::size_t k = 0; k < variants_.size(); ++k) {
        const M& m = variants_[k];
        PathRecord& rec = records[k];
        auto& state = states[k];
        rec.clear();
        m.begin_path(state, rng, rec);
        const std::size_t n_steps = rec.n_steps();
        for (std::size_t i_step = 0; i_step < n_steps; ++i_step) m.step(state, i_step, rng, rec);
        m.end_path(state, rng, rec);
        if (samples_ != nullptr) keep(k, i_path, rec);
      }
      tally.add(records, i_path, seed);
    }
  }

 private:
  void keep(std::size_t k, std::uint64_t i_path, const PathRecord& rec) const {
    for (std::size_t r = 0; r < requests_->size(); ++r) {
      const PathSampleRequest& q = (*requests_)[r];
      double v = 0.0;
      switch (q.kind) {
        case PathSampleRequest::Kind::kSeries: v = rec.series(q.index, q.step); break;
        case PathSampleRequest::Kind::kScalar: v = rec.scalar(q.index); break;
        case PathSampleRequest::Kind::kIndicator: v = rec.indicator(q.index) ? 1.0 : 0.0; break;
      }
      samples_->values[(k * samples_->n_requests + r) * samples_->n_paths + i_path] = v;
    }
  }

  std::span<const M> variants_;
  const std::vector<PathSampleRequest>* requests_;
  PathSamples* samples_;
};

// Simulates the blocks of a batch model: each block in batches of
// kLanesPerBatch lanes (the last one shorter), every variant on the same
// BlockRandom; a step's series are tallied as soon as the step is done, so
// nothing but the current step's values is kept per lane.
//
// With `samples` (sized for every path of the run), the requested per-path
// values are copied there from the batch record: a series request after its
// step, scalars and indicators after end_batch -- the same values the
// tallies see. Blocks write disjoint paths.
template <BatchModel M>
class BatchBlockSimulator {
 public:
  explicit BatchBlockSimulator(std::span<const M> variants, const std::vector<PathSampleRequest>* requests = nullptr,
                               PathSamples* samples = nullptr)
      : variants_(variants), requests_(requests), samples_(samples) {}
  const OutputLayout& layout() const { return variants_[0].layout(); }
  std::size_t n_variants() const { return variants_.size(); }

  void simulate(std::uint64_t first, std::uint64_t last, std::uint64_t seed, PairedTally& tally) const {
    tally.reset();
    if (last <= first) return;
    const auto lanes = static_cast<std::size_t>(std::min<std::uint64_t>(last - first, kLanesPerBatch));
    std::vector<BatchRecord> records;
    std::vector<typename M::BatchState> states;
    records.reserve(variants_.size());
    states.reserve(variants_.size());
    for (const M& m : variants_) {
      records.emplace_back(m.layout(), lanes);
      states.push_back(m.make_batch_state(lanes));
    }
    BlockRandom rng(seed, first, lanes);
    // Several variants take each step in turn, so that the numbers drawn for
    // one are read (or copied) by the others rather than drawn again (BlockRandom's
    // sharing; the same numbers). Each variant's tallies see its values in
    // the same order either way.
    const std::size_t n_variants = variants_.size();
    rng.share_draws(n_variants > 1);
    const std::size_t n_steps = layout().n_steps();
    const std::size_t n_series = layout().series.size();
    for (std::uint64_t lo = first; lo < last; lo += lanes) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(lanes, last - lo));
      rng.reposition(lo, n);
      for (std::size_t k = 0; k < n_variants; ++k) {
        records[k].start(n);
        variants_[k].begin_batch(states[k], rng, records[k]);
      }
      for (std::size_t i_step = 0; i_step < n_steps; ++i_step) {
        rng.forget();
        for (std::size_t k = 0; k < n_variants; ++k) {
          BatchRecord& rec = records[k];
          rec.poison_series();
          variants_[k].step_batch(states[k], i_step, rng, rec);
          for (std::size_t i = 0; i < n_series; ++i) tally.add_series_batch(k, i, i_step, rec.series(i), n, lo, seed);
          if (samples_ != nullptr) keep(k, lo, n, rec, PathSampleRequest::Kind::kSeries, i_step);
        }
      }
      rng.forget();
      for (std::size_t k = 0; k < n_variants; ++k) {
        variants_[k].end_batch(states[k], rng, records[k]);
        if (samples_ != nullptr) {
          keep(k, lo, n, records[k], PathSampleRequest::Kind::kScalar, 0);
          keep(k, lo, n, records[k], PathSampleRequest::Kind::kIndicator, 0);
        }
      }
      tally.add_outputs_batch(records, lo, seed);
    }
  }

 private:
  // Copies the requests of `kind` (series: those of step i_step) of lanes
  // 0 .. n-1, paths lo .., of variant k.
  void keep(std::size_t k, std::uint64_t lo, std::size_t n, const BatchRecord& rec, PathSampleRequest::Kind kind,
            std::size_t i_step) const {
    for (std::size_t r = 0; r < requests_->size(); ++r) {
      const PathSampleRequest& q = (*requests_)[r];
      if (q.kind != kind || (kind == PathSampleRequest::Kind::kSeries && q.step != i_step)) continue;
      double* out = samples_->values.data() + (k * samples_->n_requests + r) * samples_->n_paths + lo;
      switch (kind) {
        case PathSampleRequest::Kind::kSeries: std::copy_n(rec.series(q.index), n, out); break;
        case PathSampleRequest::Kind::kScalar: std::copy_n(rec.scalar(q.index), n, out); break;
        case PathSampleRequest::Kind::kIndicator: {
          const unsigned char* v = rec.indicator(q.index);
          for (std::size_t lane = 0; lane < n; ++lane) out[lane] = v[lane] != 0 ? 1.0 : 0.0;
          break;
        }
      }
    }
  }

  std::span<const M> variants_;
  const std::vector<PathSampleRequest>* requests_;
  PathSamples* samples_;
};

// A model the runner can run: through its batch interface when it has one.
template <class M>
concept RunnableModel = PathModel<M> || BatchModel<M>;

template <class M>
struct SimulatorFor {
  using type = BlockSimulator<M>;
};
template <BatchModel M>
struct SimulatorFor<M> {
  using type = BatchBlockSimulator<M>;
};

// Sizes `samples` for the requests of `config` (none: stays empty). Throws
// std::invalid_argument for a request outside the layout or more than
// kMaxPathSamples values.
inline void prepare_samples(const RunConfig& config, const OutputLayout& layout, std::size_t n_variants,
                            PathSamples& samples) {
  if (config.path_samples.empty()) return;
  for (const PathSampleRequest& q : config.path_samples) {
    const bool ok = q.kind == PathSampleRequest::Kind::kSeries
                        ? q.index < layout.series.size() && q.step < layout.n_steps()
                        : q.kind == PathSampleRequest::Kind::kScalar ? q.index < layout.scalars.size()
                                                                     : q.index < layout.indicators.size();
    if (!ok) throw std::invalid_argument("RunConfig::path_samples: a request outside the model's outputs");
  }
  const std::uint64_t n_values = config.n_paths * n_variants * config.path_samples.size();
  if (config.n_paths > kMaxPathSamples || n_values > kMaxPathSamples) {
    throw std::invalid_argument("RunConfig::path_samples: " + std::to_string(config.n_paths) + " paths x " +
                                std::to_string(n_variants) + " variants x " +
                                std::to_string(config.path_samples.size()) + " outputs is more than " +
                                std::to_string(kMaxPathSamples) + " per-path values");
  }
  samples.n_variants = n_variants;
  samples.n_requests = config.path_samples.size();
  samples.n_paths = config.n_paths;
  samples.values.assign(n_values, 0.0);
}

// Keeps the first n_paths paths of every (variant, request) row.
inline void truncate_samples(PathSamples& samples, std::uint64_t n_paths) {
  if (samples.values.empty() || n_paths == samples.n_paths) return;
  const std::size_t rows = samples.n_variants * samples.n_requests;
  for (std::size_t row = 0; row < rows; ++row) {
    std::copy_n(samples.values.begin() + static_cast<std::ptrdiff_t>(row * samples.n_paths),
                n_paths, samples.values.begin() + static_cast<std::ptrdiff_t>(row * n_paths));
  }
  samples.values.resize(rows * n_paths);
  samples.n_paths = n_paths;
}

}  // namespace detail

namespace detail {

// The outcome of one block: its tally, or the failure that stopped it.
struct BlockResult {
  std::uint64_t index = 0;
  std::unique_ptr<PairedTally> tally;
  std::exception_ptr error;
};

// Simulates blocks [b_first, b_last) on `n_threads` threads (oneTBB pipeline)
// and hands each BlockResult to `consume` in block order, on one thread at a
// time (it may swap the block's tally for another one or none). `consume`
// returns false to stop taking further blocks; `keep_going`
// is asked before each new block is started (cancellation).
template <class Simulator, class Consume, class KeepGoing>
void for_each_block(const Simulator& simulator, const RunConfig& config, std::uint64_t b_first,
                    std::uint64_t b_last, int n_threads, Consume&& consume, KeepGoing&& keep_going) {
  std::atomic<bool> stop{false};  // written by the consume stage, read by the input stage
  std::uint64_t next_block = b_first;
  // Block tallies are recycled, not allocated per block: the pipeline has at
  // most `max_tokens` blocks in flight, so at most that many tallies (plus the
  // consumer's, see Folder) are ever made, whatever the path count. They are
  // made on demand by the simulating threads -- in parallel, and no more than
  // the run uses -- rather than up front on this thread.
  const auto max_tokens = static_cast<std::size_t>(2 * n_threads + 2);
  const OutputLayout& layout = simulator.layout();
  tbb::concurrent_queue<std::unique_ptr<PairedTally>> free_tallies;
  // global_control lifts TBB's default cap (the core count) so that a
  // requested count above it is honoured too; the arena pins the run to it.
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                  static_cast<std::size_t>(n_threads));
  tbb::task_arena arena(n_threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        max_tokens,
        tbb::make_filter<void, std::uint64_t>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::uint64_t {
              if (stop || next_block >= b_last || !keep_going()) {
                fc.stop();
                return 0;
              }
              return next_block++;
            }) &
            tbb::make_filter<std::uint64_t, BlockResult>(
                tbb::filter_mode::parallel,
                [&](std::uint64_t b) -> BlockResult {
                  const std::uint64_t first = b * config.block_size;
                  const std::uint64_t last = std::min(first + config.block_size, config.n_paths);
                  // A failure travels as data to the in-order stage instead of
                  // unwinding through the pipeline: TBB does not destroy items in
                  // flight when a filter throws (they would leak), and the
                  // in-order stage sees the failure of the lowest block -- the
                  // same one at any thread count.
                  std::unique_ptr<PairedTally> tally;
                  if (!free_tallies.try_pop(tally)) {
                    tally = std::make_unique<PairedTally>(layout, simulator.n_variants());
                  }
                  try {
                    simulator.simulate(first, last, config.seed, *tally);
                    return BlockResult{b, std::move(tally), nullptr};
                  } catch (...) {
                    return BlockResult{b, std::move(tally), std::current_exception()};
                  }
                }) &
            tbb::make_filter<BlockResult, void>(
                tbb::filter_mode::serial_in_order, [&](BlockResult block) {
                  // In flight when consume said stop: not part of the result.
                  if (!stop && !consume(block)) stop = true;
                  if (block.tally) free_tallies.push(std::move(block.tally));
                }));
  });
}

// The fixed reduction tree: block tallies are folded left to right into a
// chunk of `chunk_blocks` blocks, chunks left to right into the result. Shared
// by the one-process runner and the MPI runner, so both fold identically.
//
// Nothing is merged into an empty tally: the first block of a chunk becomes
// the chunk and the first chunk becomes the result (a merge into an empty
// tally is an exact copy, so this is the same tree, bit for bit). That saves
// the fold stage -- the one serial part of a run -- a merge per chunk and the
// making of two tallies before the first block is in.
class Folder {
 public:
  Folder(const OutputLayout& layout, std::size_t n_variants, const RunConfig& config)
      : layout_(&layout), n_variants_(n_variants), config_(&config) {}

  // Folds one block; returns false when the run must stop here (stop rule
  // fired, or the block failed: then `error` is set). May take the block's
  // tally and leave another one (or none) in its place for reuse.
  bool fold_block(BlockResult& block) {
    if (block.error) {
      error = block.error;
      return false;
    }
    if (blocks_in_chunk_ == 0) {
      std::swap(chunk_, block.tally);
    } else {
      chunk_->merge(*block.tally);
    }
    ++result.n_blocks;
    if (++blocks_in_chunk_ == config_->chunk_blocks) close_chunk();
    report_progress();
    if (config_->stop_rule && config_->stop_rule(current_total())) {
      result.stopped_by_rule = true;
      return false;
    }
    return true;
  }

  // Folds a whole chunk of `n_blocks` blocks, already folded left to right
  // (only without a stop rule, which must see every block).
  void fold_chunk(PairedTally&& chunk, std::uint64_t n_blocks) {
    if (result_started()) {
      result.tally.merge(chunk);
    } else {
      result.tally = std::move(chunk);
    }
    result.n_blocks += n_blocks;
    report_progress();
  }

  RunResult finish(std::uint64_t n_blocks_max) {
    if (blocks_in_chunk_ > 0) close_chunk();
    if (!result_started()) result.tally = PairedTally(*layout_, n_variants_);
    result.n_paths = result.tally.n_paths();
    result.cancelled = !result.stopped_by_rule && result.n_blocks < n_blocks_max;
    return std::move(result);
  }

  RunResult result;
  std::exception_ptr error;

 private:
  // The result holds a tally (and so has variants) once a chunk was folded.
  bool result_started() const noexcept { return result.tally.n_variants() > 0; }
  void close_chunk() {
    if (result_started()) {
      result.tally.merge(*chunk_);
    } else {
      result.tally = std::move(*chunk_);
      chunk_.reset();  // moved from: not reusable
    }
    blocks_in_chunk_ = 0;
  }
  // Everything folded so far, for the stop rule.
  const PairedTally& current_total() {
    if (blocks_in_chunk_ == 0) return result.tally;  // a chunk was just closed
    if (!result_started()) return *chunk_;
    total_ = result.tally;
    total_.merge(*chunk_);
    return total_;
  }
  void report_progress() const {
    if (config_->progress) {
      config_->progress(std::min(result.n_blocks * config_->block_size, config_->n_paths), config_->n_paths);
    }
  }

  const OutputLayout* layout_;
  std::size_t n_variants_;
  const RunConfig* config_;
  std::unique_ptr<PairedTally> chunk_;  // the open chunk (a former block tally)
  std::uint64_t blocks_in_chunk_ = 0;
  PairedTally total_;  // scratch for current_total
};

inline void check_config(const RunConfig& config) {
  if (config.block_size == 0) throw std::invalid_argument("run_paired: block_size must be > 0");
  if (config.chunk_blocks == 0) throw std::invalid_argument("run_paired: chunk_blocks must be > 0");
}

inline bool not_cancelled(const RunConfig& config) {
  return config.cancel == nullptr || !config.cancel->load(std::memory_order_relaxed);
}

}  // namespace detail

// Runs every variant on the same paths. All variants must share one
// OutputLayout shape (same outputs and steps); variant 0 is the reference
// for the paired statistics.
template <detail::RunnableModel M>
RunResult run_paired(std::span<const M> variants, const RunConfig& config) {
  if (variants.empty()) throw std::invalid_argument("run_paired: no model variants given");
  detail::check_config(config);
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t n_blocks_max = (config.n_paths + config.block_size - 1) / config.block_size;
  const int n_threads = resolve_threads(config.n_threads);
  PathSamples samples;
  detail::prepare_samples(config, variants[0].layout(), variants.size(), samples);
  PathSamples* const sampled = samples.values.empty() ? nullptr : &samples;
  auto simulator = [&] {
    if constexpr (BatchModel<M>) {
      return detail::BatchBlockSimulator<M>(variants, &config.path_samples, sampled);
    } else {
      return detail::BlockSimulator<M>(variants, &config.path_samples, sampled);
    }
  }();
  detail::Folder folder(variants[0].layout(), variants.size(), config);
  detail::for_each_block(
      simulator, config, 0, n_blocks_max, n_threads,
      [&](detail::BlockResult& block) { return folder.fold_block(block); },
      [&] { return detail::not_cancelled(config); });
  if (folder.error) std::rethrow_exception(folder.error);
  RunResult result = folder.finish(n_blocks_max);
  detail::truncate_samples(samples, result.n_paths);
  result.samples = std::move(samples);
  result.n_threads = n_threads;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

// One model: the same as run_paired with a single variant.
template <detail::RunnableModel M>
RunResult run(const M& model, const RunConfig& config) {
  return run_paired(std::span<const M>(&model, 1), config);
}

}  // namespace banensim::engine
