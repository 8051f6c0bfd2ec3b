// engine/mpi_runner.hpp with a batch model (engine/batch_model.hpp), under
// mpirun (registered at 1 and 3 ranks): rank 0's result equals the
// one-process run bit for bit -- folded whole, and block by block under a
// stop rule -- for any number of ranks and threads per rank.
//
// Every rank runs every case (the run is collective); rank 0 compares.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <mpi.h>

#include <cstdint>
#include <span>
#include <vector>

#include "engine/mpi_runner.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/reference_model.hpp"
#include "engine/word_codec.hpp"

using banensim::engine::BatchRandomWalkModel;
using banensim::engine::PairedTally;
using banensim::engine::RunConfig;
using banensim::engine::RunResult;
using banensim::engine::WordWriter;

namespace {

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

// The exact state of a paired tally, as words (doubles as bit patterns).
std::vector<std::uint64_t> words_of(const PairedTally& t) {
  WordWriter w;
  t.encode(w);
  return w.words();
}

void check_same_as_one_process(std::span<const BatchRandomWalkModel> variants, RunConfig cfg) {
  for (int threads : {1, 2}) {
    cfg.n_threads = threads;
    const RunResult mpi = banensim::engine::run_paired_mpi(variants, cfg, MPI_COMM_WORLD);
    if (rank() != 0) continue;
    const RunResult one = banensim::engine::run_paired(variants, cfg);
    CHECK(mpi.n_paths == one.n_paths);
    CHECK(mpi.stopped_by_rule == one.stopped_by_rule);
    CHECK(words_of(mpi.tally) == words_of(one.tally));
  }
}

}  // namespace

TEST_CASE("batch model across ranks: the one-process result, bit for bit") {
  const std::vector<BatchRandomWalkModel> variants = {BatchRandomWalkModel(10, 0.1, 1.0, 1.5),
                                                      BatchRandomWalkModel(10, 0.15, 1.0, 1.5)};
  RunConfig cfg;
  cfg.seed = 31;
  cfg.n_paths = 50'000 + 123;  // a partial last block and chunk
  cfg.block_size = 1000;
  cfg.chunk_blocks = 4;
  check_same_as_one_process(variants, cfg);
}

TEST_CASE("batch model across ranks with a stop rule: stops at the same block, same numbers") {
  const std::vector<BatchRandomWalkModel> variants = {BatchRandomWalkModel(4, 0.0, 1.0, 0.0)};
  RunConfig cfg;
  cfg.seed = 5;
  cfg.n_paths = 1'000'000;
  cfg.block_size = 500;
  cfg.chunk_blocks = 4;
  cfg.stop_rule = [](const PairedTally& t) { return t.variant(0).indicator(0).wilson().half_width() <= 0.01; };
  check_same_as_one_process(variants, cfg);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  const int failed = context.run();
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any_failed != 0 ? 1 : 0;
}
