// banensim-mpi under mpirun gives the numbers of a one-process banensim run,
// bit for bit, for 1, 2 and 3 ranks (oversubscribed on a 2-core machine) and
// any thread count per rank: for run and compare, with a fixed path count and
// with --precision (which must stop at the same block).

#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "program_runner.hpp"

namespace {

using test_support::run_program;

// The JSON result without its provenance (wall time, threads and ranks differ
// by design); everything else must match exactly.
nlohmann::json numbers(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text);
  j.erase("provenance");
  return j;
}

std::string mpirun(int n_ranks, const std::string& args) {
  // Root may run mpirun here (CI runs as root); --oversubscribe allows more
  // ranks than cores.
  return std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 '") + BANENSIM_MPIEXEC +
         "' --oversubscribe -np " + std::to_string(n_ranks) + " '" + BANENSIM_MPI_BINARY + "' " + args;
}

void check_same_as_one_process(const std::string& args) {
  const auto single = run_program(std::string("'") + BANENSIM_BINARY + "' " + args + " --format json");
  REQUIRE_MESSAGE(single.exit_code == 0, single.err);
  const nlohmann::json expected = numbers(single.out);
  for (int n_ranks : {1, 2, 3}) {
    for (int threads : {1, 2}) {
      CAPTURE(n_ranks);
      CAPTURE(threads);
      const auto r = run_program(mpirun(n_ranks, args + " --format json --threads " + std::to_string(threads)));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      const nlohmann::json j = nlohmann::json::parse(r.out);
      CHECK(j["provenance"]["ranks"] == n_ranks);
      CHECK(j["provenance"]["threads"] == threads);
      CHECK(numbers(r.out) == expected);
    }
  }
}

}  // namespace

TEST_SUITE("mpi") {
TEST_CASE("mpirun -np 1, 2, 3: run prints the one-process numbers bit for bit") {
  // 157 blocks of 256 paths (the last one short) in 20 chunks of 8 blocks:
  // every rank gets several rounds, the last round and chunk are partial.
  check_same_as_one_process("run scenarios/status-quo.toml --paths 40000 --block-size 256 --seed 11");
}

TEST_CASE("mpirun -np 1, 2, 3: compare of the five scenarios prints the one-process numbers bit for bit") {
  check_same_as_one_process(
      "compare scenarios/status-quo.toml scenarios/abolish-split.toml scenarios/purchase-at-buyer.toml "
      "scenarios/exclude-security.toml scenarios/all-three.toml --paths 30000 --block-size 256");
}

TEST_CASE("mpirun -np 1, 2, 3: --precision stops at the same path count with the same numbers") {
  check_same_as_one_process(
      "compare scenarios/status-quo.toml scenarios/all-three.toml --precision 0.006 --block-size 256");
}

TEST_CASE("mpirun: bad input fails with exit 2 and one message, from rank 0 only") {
  const auto r = run_program(mpirun(2, "run scenarios/status-quo.toml --paths 0"));
  CHECK(r.exit_code == 2);
  // One rank prints; the other is silent.
  const std::string needle = "--paths 0";
  const auto first = r.err.find(needle);
  REQUIRE(first != std::string::npos);
  CHECK(r.err.find(needle, first + 1) == std::string::npos);
}
}
