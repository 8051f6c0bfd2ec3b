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
// Early stopping (stop rule) and cancellation act only at block boundaries,
// in fold order, so a given seed stops at the same path count every time.

#include <atomic>
#include <chrono>
#include <exception>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "engine/model.hpp"
#include "engine/tally.hpp"

namespace banensim::engine {

struct RunConfig {
  std::uint64_t seed = 0;
  std::uint64_t n_paths = 10000;       // paths to run, or the cap when a stop rule is set
  std::uint64_t block_size = 1024;     // paths per block (part of the reproducibility key)
  std::uint64_t chunk_blocks = 64;     // blocks per chunk in the reduction tree
  int n_threads = 0;                   // 0: all cores
  // Evaluated after each folded block (in order); return true to stop there.
  std::function<bool(const PairedTally&)> stop_rule;
  // Called after each folded block with (paths done, paths planned); on the
  // folding thread, so keep it cheap.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  // Set from outside (e.g. a signal handler) to stop at the next block.
  const std::atomic<bool>* cancel = nullptr;
};

struct RunResult {
  PairedTally tally;
  std::uint64_t n_paths = 0;        // paths actually folded in
  std::uint64_t n_blocks = 0;
  bool stopped_by_rule = false;     // the stop rule fired
  bool cancelled = false;           // stopped by `cancel`
  int n_threads = 0;
  double wall_seconds = 0.0;
};

// Number of worker threads `requested` resolves to (0 = all cores).
int resolve_threads(int requested);

namespace detail {

template <PathModel M>
class BlockSimulator {
 public:
  explicit BlockSimulator(std::span<const M> variants) : variants_(variants) {}

  PairedTally simulate(std::uint64_t first, std::uint64_t last, std::uint64_t seed) const {
    const OutputLayout& layout = variants_[0].layout();
    PairedTally tally(layout, variants_.size());
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
      }
      tally.add(records, i_path, seed);
    }
    return tally;
  }

 private:
  std::span<const M> variants_;
};

}  // namespace detail

// Runs every variant on the same paths. All variants must share one
// OutputLayout shape (same outputs and steps); variant 0 is the reference
// for the paired statistics.
template <PathModel M>
RunResult run_paired(std::span<const M> variants, const RunConfig& config) {
  if (variants.empty()) throw std::invalid_argument("run_paired: no model variants given");
  if (config.block_size == 0) throw std::invalid_argument("run_paired: block_size must be > 0");
  if (config.chunk_blocks == 0) throw std::invalid_argument("run_paired: chunk_blocks must be > 0");
  const auto t0 = std::chrono::steady_clock::now();
  const OutputLayout& layout = variants[0].layout();
  const std::uint64_t n_blocks_max = (config.n_paths + config.block_size - 1) / config.block_size;
  const int n_threads = resolve_threads(config.n_threads);
  detail::BlockSimulator<M> simulator(variants);

  RunResult result;
  result.n_threads = n_threads;
  result.tally = PairedTally(layout, variants.size());
  PairedTally chunk(layout, variants.size());
  std::uint64_t blocks_in_chunk = 0;
  std::atomic<bool> stop{false};  // written by the fold stage, read by the input stage
  std::uint64_t next_block = 0;

  // A failure inside a block travels as data to the in-order fold stage
  // instead of unwinding through the pipeline: TBB does not destroy items
  // in flight when a filter throws (they would leak), and the fold stage
  // reports the failure of the lowest block -- the same one at any thread count.
  struct Block {
    std::uint64_t index;
    PairedTally tally;
    std::exception_ptr error;
  };
  std::exception_ptr first_error;

  auto current_total = [&]() {
    PairedTally total = result.tally;
    total.merge(chunk);
    return total;
  };

  // global_control lifts TBB's default cap (the core count) so that a
  // requested count above it is honoured too; the arena pins the run to it.
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                  static_cast<std::size_t>(n_threads));
  tbb::task_arena arena(n_threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(2 * n_threads + 2),
        tbb::make_filter<void, std::uint64_t>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::uint64_t {
              if (stop || next_block >= n_blocks_max ||
                  (config.cancel != nullptr && config.cancel->load(std::memory_order_relaxed))) {
                fc.stop();
                return 0;
              }
              return next_block++;
            }) &
            tbb::make_filter<std::uint64_t, Block>(
                tbb::filter_mode::parallel,
                [&](std::uint64_t b) -> Block {
                  const std::uint64_t first = b * config.block_size;
                  const std::uint64_t last = std::min(first + config.block_size, config.n_paths);
                  try {
                    return Block{b, simulator.simulate(first, last, config.seed), nullptr};
                  } catch (...) {
                    return Block{b, PairedTally{}, std::current_exception()};
                  }
                }) &
            tbb::make_filter<Block, void>(
                tbb::filter_mode::serial_in_order, [&](Block block) {
                  if (stop) return;  // in flight when the rule fired: not part of the result
                  if (block.error) {
                    first_error = block.error;
                    stop = true;
                    return;
                  }
                  chunk.merge(block.tally);
                  ++result.n_blocks;
                  if (++blocks_in_chunk == config.chunk_blocks) {
                    result.tally.merge(chunk);
                    chunk = PairedTally(layout, variants.size());
                    blocks_in_chunk = 0;
                  }
                  const std::uint64_t done = std::min(result.n_blocks * config.block_size, config.n_paths);
                  if (config.progress) config.progress(done, config.n_paths);
                  if (config.stop_rule && config.stop_rule(blocks_in_chunk == 0 ? result.tally : current_total())) {
                    stop = true;
                    result.stopped_by_rule = true;
                  }
                }));
  });
  if (first_error) std::rethrow_exception(first_error);
  if (blocks_in_chunk > 0) result.tally.merge(chunk);
  result.n_paths = result.tally.n_paths();
  result.cancelled = !result.stopped_by_rule && result.n_blocks < n_blocks_max;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

// One model: the same as run_paired with a single variant.
template <PathModel M>
RunResult run(const M& model, const RunConfig& config) {
  return run_paired(std::span<const M>(&model, 1), config);
}

}  // namespace banensim::engine
