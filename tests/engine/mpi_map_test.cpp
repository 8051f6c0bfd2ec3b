// engine/mpi_ordered_map under mpirun (registered at 1 and 3 ranks): items
// reach rank 0's consume in item order whoever evaluated them; a failing,
// cancelled or refused item stops the map at that item on every rank, after
// every earlier item was consumed -- what a one-process loop would do.
//
// Every rank runs every test case (the map is collective); the checks of what
// was consumed hold on rank 0, the others check that they consumed nothing and
// ended the same way. A failed check on any rank makes that rank, and so
// mpirun, exit non-zero.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/mpi_map.hpp"

using banensim::engine::MapEnd;
using banensim::engine::mpi_ordered_map;

namespace {

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int n_ranks() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

struct Consumed {
  std::vector<std::uint64_t> items;
  std::vector<std::string> texts;
};

// The text of item i as computed on this rank.
std::optional<std::string> item_text(std::uint64_t i) {
  return "item " + std::to_string(i) + " by rank " + std::to_string(rank());
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = first; i < last; ++i) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("items reach rank 0 in item order, each evaluated once by its round-robin rank") {
  const auto k = static_cast<std::uint64_t>(n_ranks());
  for (const auto& [first, last] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 10}, {3, 4}, {5, 5}, {2, 9}}) {
    CAPTURE(first);
    CAPTURE(last);
    Consumed c;
    int evaluated_here = 0;
    const MapEnd end = mpi_ordered_map(
        first, last,
        [&](std::uint64_t i) {
          ++evaluated_here;
          return item_text(i);
        },
        [&](std::uint64_t i, std::string&& text) {
          c.items.push_back(i);
          c.texts.push_back(std::move(text));
          return true;
        },
        MPI_COMM_WORLD);
    CHECK(end == MapEnd::kCompleted);
    // Rank r evaluates items first + r, first + r + K, ...
    std::uint64_t expected_here = 0;
    for (std::uint64_t i = first; i < last; ++i) expected_here += (i - first) % k == static_cast<std::uint64_t>(rank());
    CHECK(static_cast<std::uint64_t>(evaluated_here) == expected_here);
    if (rank() == 0) {
      CHECK(c.items == range(first, last));
      for (std::size_t j = 0; j < c.items.size(); ++j) {
        CHECK(c.texts[j] == "item " + std::to_string(c.items[j]) + " by rank " + std::to_string((c.items[j] - first) % k));
      }
    } else {
      CHECK(c.items.empty());
    }
  }
}

TEST_CASE("a failing item stops the map there on every rank, after every earlier item was consumed") {
  Consumed c;
  bool threw = false;
  std::string message;
  try {
    (void)mpi_ordered_map(
        0, 10,
        [&](std::uint64_t i) -> std::optional<std::string> {
          if (i == 4 || i == 7) throw std::runtime_error("boom at " + std::to_string(i));
          return item_text(i);
        },
        [&](std::uint64_t i, std::string&&) {
          c.items.push_back(i);
          return true;
        },
        MPI_COMM_WORLD);
  } catch (const std::runtime_error& e) {
    threw = true;
    message = e.what();
  }
  CHECK(threw);
  if (rank() == 0) {
    CHECK(message == "boom at 4");  // the lowest failing item, as in a loop
    CHECK(c.items == range(0, 4));
  }
}

TEST_CASE("a cancelled item ends the map there: kCancelled on every rank, earlier items consumed") {
  Consumed c;
  const MapEnd end = mpi_ordered_map(
      0, 10, [&](std::uint64_t i) { return i == 5 ? std::nullopt : item_text(i); },
      [&](std::uint64_t i, std::string&&) {
        c.items.push_back(i);
        return true;
      },
      MPI_COMM_WORLD);
  CHECK(end == MapEnd::kCancelled);
  if (rank() == 0) CHECK(c.items == range(0, 5));
}

TEST_CASE("consume returning false stops the map after that item on every rank") {
  Consumed c;
  const MapEnd end = mpi_ordered_map(
      0, 10, item_text,
      [&](std::uint64_t i, std::string&&) {
        c.items.push_back(i);
        return i < 2;
      },
      MPI_COMM_WORLD);
  CHECK(end == MapEnd::kStopped);
  if (rank() == 0) CHECK(c.items == range(0, 3));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  const int failed = context.run();
  // Any rank's failure fails the run.
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any_failed != 0 ? 1 : 0;
}
