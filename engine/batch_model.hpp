#pragma once
// The batch interface a model may provide besides (or instead of) the
// per-path one of engine/model.hpp: it simulates a batch of paths ("lanes")
// per call, the lanes' values in arrays (structure of arrays) that the
// compiler can vectorise, and takes its random numbers for all lanes at once
// from engine/block_random.hpp. The runner uses it whenever a model provides
// it (engine/parallel_runner.hpp). For every batch of lanes and every
// variant of the run it calls
//
//   record.start(n_lanes);                        // scalars and indicators 0
//   model.begin_batch(state, rng, record);        // draw per-path parameters
//   for (i_step = 0; i_step < n_steps; ++i_step) {
//     model.step_batch(state, i_step, rng, record);  // writes record.series(i)[lane], every i and lane
//     ... the engine tallies the step's series ...
//   }
//   model.end_batch(state, rng, record);          // record.scalar(i)[lane], record.indicator(i)[lane]
//
// with the variants of a paired run taking each of these calls in turn (all
// begin, then step 0 of each, ...), so that a year's numbers are drawn once
// and read by the other variants where the first left them (BlockRandom::share_draws,
// draw_rows), or copied by draw().
//
// A batch holds the consecutive paths rng.first_path() .. + rng.n_lanes() - 1,
// at most kLanesPerBatch of them; the batches of a block of paths are
// [first, first + L), [first + L, first + 2L), ... with L = min(block size,
// kLanesPerBatch), so a path's batch depends only on the block size -- never
// on the thread or rank -- and a lane's results must depend only on that
// lane's random numbers (no lane may read another's).
//
// Lane arrays are padded: the records' and the draws' rows hold
// padded_lanes(n_lanes) values (a multiple of kLaneAlign), so loops over whole
// vectors (engine/simd.hpp) may run to the padded end; the padding lanes are
// never tallied. Size BatchState arrays with padded_lanes(max_lanes).
//
// As with the per-path interface: the model is immutable during a run (all
// calls const, possibly concurrent on different states), per-lane values live
// in BatchState (made by make_batch_state(max_lanes), owned by the engine,
// sized for max_lanes lanes), and every random number comes from `rng` keyed
// by purpose and substream (e.g. the calendar year), so that variants compared
// on common random numbers see the same draws.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/block_random.hpp"
#include "engine/model.hpp"

namespace banensim::engine {

// Lanes per batch: the runner splits a block into batches of this many paths
// (fewer when the block is smaller). Big enough for the vector loops, small
// enough that a batch's state stays in the core's caches. Part of the
// reproducibility key with the block size (the moments of a batch are
// computed together), so it is a constant, never tuned per machine.
inline constexpr std::size_t kLanesPerBatch = 256;

// The outputs of a batch of lanes: each output an array over the lanes.
// Series hold the values of the step being simulated only (the engine
// tallies them after each step; before each step it sets them to NaN, so a
// value the model fails to write is reported, not tallied).
class BatchRecord {
 public:
  BatchRecord(const OutputLayout& layout, std::size_t max_lanes);

  // Begins a batch of n_lanes <= max_lanes(): scalars and indicators 0.
  void start(std::size_t n_lanes);
  // Sets every series value to NaN (the engine, before each step).
  void poison_series() noexcept;

  std::size_t n_lanes() const noexcept { return n_lanes_; }
  std::size_t max_lanes() const noexcept { return max_lanes_; }
  // Values per row: padded_lanes(max_lanes()).
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t n_series() const noexcept { return n_series_; }
  std::size_t n_scalars() const noexcept { return n_scalars_; }
  std::size_t n_indicators() const noexcept { return n_indicators_; }

  double* series(std::size_t i_series) noexcept { return series_.data() + i_series * capacity_; }
  const double* series(std::size_t i_series) const noexcept { return series_.data() + i_series * capacity_; }
  double* scalar(std::size_t i) noexcept { return scalars_.data() + i * capacity_; }
  const double* scalar(std::size_t i) const noexcept { return scalars_.data() + i * capacity_; }
  // 1 (yes) or 0 (no) per lane; other values are an error of the model.
  unsigned char* indicator(std::size_t i) noexcept { return indicators_.data() + i * capacity_; }
  const unsigned char* indicator(std::size_t i) const noexcept { return indicators_.data() + i * capacity_; }

 private:
  std::size_t max_lanes_;
  std::size_t capacity_;
  std::size_t n_lanes_ = 0;
  std::size_t n_series_;
  std::size_t n_scalars_;
  std::size_t n_indicators_;
  std::vector<double> series_;             // [i_series * capacity + lane], the current step
  std::vector<double> scalars_;            // [i_scalar * capacity + lane]
  std::vector<unsigned char> indicators_;  // [i_indicator * capacity + lane]
};

template <class M>
concept BatchModel = requires(const M& m, typename M::BatchState& state, BlockRandom& rng, BatchRecord& record,
                              std::size_t i_step, std::size_t max_lanes) {
  typename M::BatchState;
  { m.layout() } -> std::convertible_to<const OutputLayout&>;
  { m.make_batch_state(max_lanes) } -> std::same_as<typename M::BatchState>;
  m.begin_batch(state, rng, record);
  m.step_batch(state, i_step, rng, record);
  m.end_batch(state, rng, record);
};

}  // namespace banensim::engine
