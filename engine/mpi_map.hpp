#pragma once
// Evaluates independent items (the points of a sweep, the rows of a design)
// across the ranks of an MPI communicator and hands their results to rank 0
// in item order -- the same sequence of `consume` calls as a one-process loop
// over the items, whatever the number of ranks.
//
// Items [first, last) are dealt round-robin in rounds: in round j, rank r
// evaluates item first + j*K + r (K ranks). An evaluation is a whole run on
// the rank's own threads, and a run's numbers depend on neither the thread
// count nor the rank that ran it, so an item's result text is the same as in
// a one-process loop. Rank 0 evaluates its own item, receives the others of
// the round in rank order (= item order) and consumes them; then it
// broadcasts whether to go on. The results are short texts (a CSV row), so
// the cost per round is a few small messages.
//
// Failures and cancellation travel as data, in item order: an item whose
// evaluation threw stops the map at that item on every rank (rank 0 throws
// std::runtime_error with the original message after consuming every earlier
// item; the other ranks throw too, with their output muted by the caller), and
// an item whose evaluation was cancelled (eval returned no value) ends the map
// there with MapEnd::kCancelled.

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/mpi_comm.hpp"

namespace banensim::engine {

enum class MapEnd {
  kCompleted,  // every item was consumed
  kCancelled,  // an evaluation was cancelled; items before it were consumed
  kStopped,    // consume returned false
};

namespace detail {

// One item's outcome as sent to rank 0: a kind byte, then the text.
inline constexpr char kItemDone = 'D', kItemCancelled = 'C', kItemFailed = 'F';

template <class Eval>
std::string evaluate_item(Eval& eval, std::uint64_t i) {
  try {
    std::optional<std::string> text = eval(i);
    return text ? kItemDone + std::move(*text) : std::string(1, kItemCancelled);
  } catch (const std::exception& e) {
    return kItemFailed + std::string(e.what());
  } catch (...) {
    return std::string(1, kItemFailed) + "unknown failure";
  }
}

}  // namespace detail

// eval(i) -> std::optional<std::string>: the result text of item i, or no
// value when cancelled; may throw. consume(i, std::string&&) -> bool: called
// on rank 0 only, in item order; false stops the map.
template <class Eval, class Consume>
MapEnd mpi_ordered_map(std::uint64_t first, std::uint64_t last, Eval&& eval, Consume&& consume, MPI_Comm comm) {
  int rank = 0;
  int n_ranks = 1;
  detail::check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  detail::check_mpi(MPI_Comm_size(comm, &n_ranks), "MPI_Comm_size");
  constexpr int kTag = 8;
  enum : int { kGoOn = 0, kEndCompleted, kEndCancelled, kEndStopped, kEndFailed };
  const auto k = static_cast<std::uint64_t>(n_ranks);
  std::string failure;  // rank 0: the message of the first failed item
  for (std::uint64_t round_first = first; round_first < last; round_first += k) {
    const std::uint64_t mine = round_first + static_cast<std::uint64_t>(rank);
    std::string outcome;
    if (mine < last) outcome = detail::evaluate_item(eval, mine);
    int state = kGoOn;
    if (rank != 0) {
      if (mine < last) {
        detail::check_mpi(
            MPI_Send(outcome.data(), static_cast<int>(outcome.size()), MPI_CHAR, 0, kTag, comm), "MPI_Send");
      }
    } else {
      for (int from = 0; from < n_ranks && round_first + static_cast<std::uint64_t>(from) < last; ++from) {
        std::string text;
        if (from == 0) {
          text = std::move(outcome);
        } else {
          text = detail::receive_sized<std::string>(from, kTag, MPI_CHAR, comm);
        }
        if (state != kGoOn) continue;  // received so the sender is not left waiting; not consumed
        const std::uint64_t item = round_first + static_cast<std::uint64_t>(from);
        if (text.empty() || text[0] == detail::kItemFailed) {
          failure = text.empty() ? std::string("empty result message") : text.substr(1);
          state = kEndFailed;
        } else if (text[0] == detail::kItemCancelled) {
          state = kEndCancelled;
        } else if (!consume(item, text.substr(1))) {
          state = kEndStopped;
        }
      }
    }
    detail::check_mpi(MPI_Bcast(&state, 1, MPI_INT, 0, comm), "MPI_Bcast");
    if (state == kEndFailed) {
      throw std::runtime_error(rank == 0 ? failure : std::string("an item failed on another rank (see rank 0)"));
    }
    if (state == kEndCancelled) return MapEnd::kCancelled;
    if (state == kEndStopped) return MapEnd::kStopped;
  }
  return MapEnd::kCompleted;
}

}  // namespace banensim::engine
