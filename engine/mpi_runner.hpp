#pragma once
// run_paired across MPI ranks, bit-identical to the one-process run.
//
// How the work is split (docs/PARALLEL.md). The paths form blocks of
// `block_size`, the blocks form chunks of `chunk_blocks` -- the same reduction
// tree as the one-process runner (engine/parallel_runner.hpp). Chunks are dealt
// round-robin: in round j, rank r simulates chunk j*K + r (K ranks), on its own
// threads, folding its blocks left to right exactly as one process would.
// Rank 0 then folds the chunks of the round in chunk order: its own, then one
// received from each other rank. Doubles travel as bit patterns
// (engine/word_codec.hpp), so the result is the one-process result bit for bit,
// for any K and any thread count per rank.
//
// With a stop rule (--precision), which one process evaluates after every
// block, the ranks send their chunk as its list of block tallies instead, and
// rank 0 folds and tests block by block: the run stops at the same block.
// After each round rank 0 broadcasts whether to go on (stop rule, failure,
// cancellation), so every rank leaves the loop together. Cancellation
// (SIGINT/SIGTERM on rank 0) therefore acts at a round boundary.
//
// A failure in a block (e.g. a non-finite value) travels to rank 0 as the
// what() text of the exception and is rethrown there as a runtime_error in
// chunk order -- the failure of the lowest failing block, as in one process.
// Only rank 0's RunResult holds the result; the other ranks' is empty.

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/mpi_comm.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/word_codec.hpp"

namespace banensim::engine {

namespace detail {

// What a rank sends for one chunk: [folded, n_blocks, n_items, items...],
// each item [kind, payload]: kind 0 a tally (the folded chunk, or one block
// in order when a stop rule must see every block), kind 1 a failure (its
// message packed in words), which is always the last item.
enum class ItemKind : std::uint64_t { kTally = 0, kFailure = 1 };

inline std::string exception_text(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown failure in a block";
  }
}

inline void put_text(WordWriter& w, const std::string& text) {
  w.put(text.size());
  for (std::size_t i = 0; i < text.size(); i += 8) {
    std::uint64_t word = 0;
    for (std::size_t k = 0; k < 8 && i + k < text.size(); ++k) {
      word |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[i + k])) << (8 * k);
    }
    w.put(word);
  }
}

inline std::string get_text(WordReader& r) {
  const std::uint64_t n = r.get();
  std::string text;
  text.reserve(n);
  for (std::uint64_t i = 0; i < n; i += 8) {
    const std::uint64_t word = r.get();
    for (std::uint64_t k = 0; k < 8 && i + k < n; ++k) text.push_back(static_cast<char>((word >> (8 * k)) & 0xff));
  }
  return text;
}

}  // namespace detail

template <detail::RunnableModel M>
RunResult run_paired_mpi(std::span<const M> variants, const RunConfig& config, MPI_Comm comm) {
  if (variants.empty()) throw std::invalid_argument("run_paired_mpi: no model variants given");
  detail::check_config(config);
  if (!config.path_samples.empty()) {
    throw std::invalid_argument("run_paired_mpi: per-path samples are kept by the one-process runner only");
  }
  const auto t0 = std::chrono::steady_clock::now();
  int rank = 0;
  int n_ranks = 1;
  detail::check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  detail::check_mpi(MPI_Comm_size(comm, &n_ranks), "MPI_Comm_size");
  const std::uint64_t n_blocks_max = (config.n_paths + config.block_size - 1) / config.block_size;
  const std::uint64_t n_chunks = (n_blocks_max + config.chunk_blocks - 1) / config.chunk_blocks;
  const int n_threads = resolve_threads(config.n_threads);
  const bool per_block = static_cast<bool>(config.stop_rule);
  const OutputLayout& layout = variants[0].layout();
  typename detail::SimulatorFor<M>::type simulator(variants);
  detail::Folder folder(layout, variants.size(), config);  // folds (and reports progress) on rank 0 only
  constexpr int kTag = 7;

  // Simulates chunk c on this rank's threads and encodes it.
  auto simulate_chunk = [&](std::uint64_t c) {
    const std::uint64_t b_first = c * config.chunk_blocks;
    const std::uint64_t b_last = std::min(b_first + config.chunk_blocks, n_blocks_max);
    WordWriter w;
    w.put(per_block ? 0 : 1);
    w.put(b_last - b_first);
    w.put(0);  // n_items, set below
    std::uint64_t n_items = 0;
    PairedTally chunk(layout, variants.size());
    std::string failure;
    detail::for_each_block(
        simulator, config, b_first, b_last, n_threads,
        [&](const detail::BlockResult& block) {
          if (block.error) {
            failure = detail::exception_text(block.error);
            return false;
          }
          if (per_block) {
            w.put(static_cast<std::uint64_t>(detail::ItemKind::kTally));
            block.tally->encode(w);
            ++n_items;
          } else {
            chunk.merge(*block.tally);
          }
          return true;
        },
        [] { return true; });
    if (!per_block && failure.empty()) {
      w.put(static_cast<std::uint64_t>(detail::ItemKind::kTally));
      chunk.encode(w);
      ++n_items;
    }
    if (!failure.empty()) {
      w.put(static_cast<std::uint64_t>(detail::ItemKind::kFailure));
      detail::put_text(w, failure);
      ++n_items;
    }
    w.words()[2] = n_items;
    return std::move(w.words());
  };

  std::string failure;  // rank 0: the first failure in chunk order
  bool go_on = n_chunks > 0;
  for (std::uint64_t round = 0; go_on; ++round) {
    const std::uint64_t first_chunk = round * static_cast<std::uint64_t>(n_ranks);
    const std::uint64_t my_chunk = first_chunk + static_cast<std::uint64_t>(rank);
    std::vector<std::uint64_t> mine;
    if (my_chunk < n_chunks) mine = simulate_chunk(my_chunk);
    if (rank != 0) {
      if (my_chunk < n_chunks) {
        detail::check_mpi(MPI_Send(mine.data(), static_cast<int>(mine.size()), MPI_UINT64_T, 0, kTag, comm), "MPI_Send");
      }
    } else {
      bool stopped = false;
      for (int from = 0; from < n_ranks && first_chunk + static_cast<std::uint64_t>(from) < n_chunks; ++from) {
        std::vector<std::uint64_t> words;
        if (from == 0) {
          words = std::move(mine);
        } else {
          words = detail::receive_sized<std::vector<std::uint64_t>>(from, kTag, MPI_UINT64_T, comm);
        }
        if (stopped) continue;  // received so the sender is not left waiting; not part of the result
        WordReader r(words);
        const bool folded = r.get() != 0;
        const std::uint64_t n_blocks = r.get();
        const std::uint64_t n_items = r.get();
        for (std::uint64_t item = 0; item < n_items && !stopped; ++item) {
          if (static_cast<detail::ItemKind>(r.get()) == detail::ItemKind::kFailure) {
            failure = detail::get_text(r);
            stopped = true;
            break;
          }
          auto t = std::make_unique<PairedTally>(layout, variants.size());
          t->decode(r);
          if (folded) {
            folder.fold_chunk(std::move(*t), n_blocks);
          } else if (detail::BlockResult block{0, std::move(t), nullptr}; !folder.fold_block(block)) {
            stopped = true;
          }
        }
      }
      go_on = !stopped && first_chunk + static_cast<std::uint64_t>(n_ranks) < n_chunks && detail::not_cancelled(config);
    }
    int flag = go_on ? 1 : 0;
    detail::check_mpi(MPI_Bcast(&flag, 1, MPI_INT, 0, comm), "MPI_Bcast");
    go_on = flag != 0;
  }
  RunResult result;
  if (rank == 0) {
    if (!failure.empty()) throw std::runtime_error(failure);
    result = folder.finish(n_blocks_max);
  }
  result.n_threads = n_threads;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace banensim::engine
