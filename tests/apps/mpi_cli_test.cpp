// banensim-mpi under mpirun gives the numbers of a one-process banensim run,
// bit for bit, for 1, 2 and 3 ranks (oversubscribed on a 2-core machine) and
// any thread count per rank: for run and compare, with a fixed path count and
// with --precision (which must stop at the same block); for backtest (paths
// split across ranks); and for sweep, sensitivity and discover (points dealt
// across ranks), whose result files must be the same bytes -- also when a
// sweep started in one process is resumed on three ranks.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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

namespace fs = std::filesystem;

const test_support::ScratchDir g_scratch("banensim_mpi_");
fs::path temp_path(const std::string& name) { return g_scratch.path(name); }

// A result file that must exist.
std::string read_file(const fs::path& p) {
  REQUIRE_MESSAGE(fs::exists(p), p.string());
  return test_support::slurp(p);
}

// stdout with the output file's name taken out (it differs by design).
std::string without(std::string text, const std::string& name) {
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name)) text.erase(at, name.size());
  return text;
}

// Runs `args --out FILE` in one process and under mpirun at 1-3 ranks x 1-2
// threads; every result file (FILE and FILE`suffix` when given) must be the
// same bytes, and stdout the same text apart from the file name.
void check_files_same_as_one_process(const std::string& args, const std::string& suffix = "") {
  const fs::path single = temp_path("single.out");
  const auto one = run_program(std::string("'") + BANENSIM_BINARY + "' " + args + " --out '" + single.string() + "'");
  REQUIRE_MESSAGE(one.exit_code == 0, one.err);
  for (int n_ranks : {1, 2, 3}) {
    for (int threads : {1, 2}) {
      CAPTURE(n_ranks);
      CAPTURE(threads);
      const fs::path multi = temp_path("mpi-" + std::to_string(n_ranks) + "-" + std::to_string(threads) + ".out");
      const auto r = run_program(mpirun(n_ranks, args + " --threads " + std::to_string(threads) + " --out '" +
                                                     multi.string() + "'"));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(read_file(multi) == read_file(single));
      if (!suffix.empty()) CHECK(read_file(multi.string() + suffix) == read_file(single.string() + suffix));
      CHECK(without(r.out, multi.string()) == without(one.out, single.string()));
    }
  }
}

}  // namespace

TEST_SUITE("mpi") {
TEST_CASE("mpirun -np 1, 2, 3: run prints the one-process numbers bit for bit") {
  // 157 blocks of 256 paths (the last one short) in 20 chunks of 8 blocks:
  // every rank gets several rounds, the last round and chunk are partial.
  check_same_as_one_process("run scenarios/status-quo.toml --paths 40000 --block-size 256 --seed 11");
  // The table's header names the ranks beside the threads; one process names none.
  const auto table = run_program(mpirun(2, "run scenarios/status-quo.toml --paths 4000 --threads 1"));
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("4,000 paths, 2 MPI ranks x 1 threads, ") != std::string::npos);
  const auto single = run_program(std::string("'") + BANENSIM_BINARY + "' run scenarios/status-quo.toml --paths 4000");
  CHECK(single.out.find("MPI ranks") == std::string::npos);
}

TEST_CASE("mpirun -np 1, 2, 3: compare of the five scenarios prints the one-process numbers bit for bit") {
  check_same_as_one_process(
      "compare scenarios/status-quo.toml scenarios/keep-split.toml scenarios/purchase-at-buyer.toml "
      "scenarios/exclude-security.toml scenarios/all-three.toml --paths 30000 --block-size 256");
}

TEST_CASE("mpirun -np 1, 2, 3: compare --assumptions deals the sets across ranks and prints the one-process numbers") {
  // 5 sets over 3 ranks: the last round is partial.
  check_same_as_one_process("compare scenarios/status-quo.toml scenarios/keep-split.toml --assumptions 5 --paths 2048 "
                            "--block-size 256");
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

TEST_CASE("mpirun -np 1, 2, 3: backtest prints the one-process numbers bit for bit") {
  check_same_as_one_process("backtest scenarios/status-quo.toml --fit-until 2016 --paths 20000 --block-size 256");
  // Rolling: every origin's run split across the ranks, rank 0 scoring them all.
  check_same_as_one_process("backtest scenarios/status-quo.toml --rolling 2019:2022 --paths 6000 --block-size 256");
}

TEST_CASE("mpirun -np 1, 2, 3: sweep points dealt across ranks give the one-process CSV byte for byte") {
  // 7 points: with 2 and 3 ranks the last round is partial.
  check_files_same_as_one_process(
      "sweep scenarios/status-quo.toml --range growth.market.trend_mean=3000:11000:7 --paths 3000 --seed 3");
}

TEST_CASE("mpirun -np 1, 2, 3: sensitivity (Morris) gives the one-process design rows and indices byte for byte") {
  check_files_same_as_one_process(
      "sensitivity scenarios/status-quo.toml --method morris --samples 2 --paths 1500 --seed 5", ".indices.csv");
}

TEST_CASE("mpirun -np 1, 2, 3: discover gives the one-process rows and box byte for byte") {
  check_files_same_as_one_process("discover scenarios/status-quo.toml --samples 16 --paths 1500 --seed 5");
}

TEST_CASE("mpirun -np 3: a sweep begun in one process and resumed on three ranks equals an uninterrupted run") {
  const std::string args = "sweep scenarios/status-quo.toml --range growth.market.trend_mean=3000:11000:8 --paths 2000";
  const fs::path whole = temp_path("whole.csv"), resumed = temp_path("resumed.csv");
  const auto one = run_program(std::string("'") + BANENSIM_BINARY + "' " + args + " --out '" + whole.string() + "'");
  REQUIRE_MESSAGE(one.exit_code == 0, one.err);
  // Keep the header (its comment lines and the column line) and points 0-2,
  // then a torn start of point 3's row, as an interrupted run leaves it.
  const std::string text = read_file(whole);
  const auto header_lines = std::count(text.begin(), text.end(), '#') + 1;
  std::size_t cut = 0;
  for (long line = 0; line < header_lines + 3; ++line) cut = text.find('\n', cut) + 1;
  {
    std::ofstream f(resumed, std::ios::binary);
    f << text.substr(0, cut) << text.substr(cut, 5);
  }
  const auto r = run_program(mpirun(3, args + " --threads 1 --resume --out '" + resumed.string() + "'"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("3 of 8 points done") != std::string::npos);
  CHECK(read_file(resumed) == text);
}

TEST_CASE("mpirun: a resume refused on rank 0 stops every rank with exit 2 and one message") {
  const fs::path other = temp_path("other.csv");
  {
    std::ofstream f(other, std::ios::binary);
    f << "# not a banensim sweep\n";
  }
  const auto r = run_program(mpirun(2, "sweep scenarios/status-quo.toml --set growth.market.trend_mean=5000 "
                                       "--paths 1000 --resume --out '" + other.string() + "'"));
  CHECK(r.exit_code == 2);
  const auto first = r.err.find("--resume");
  REQUIRE(first != std::string::npos);
  CHECK(r.err.find("--resume", first + 1) == std::string::npos);
  CHECK(read_file(other) == "# not a banensim sweep\n");
}

// Ranks whose inputs differ (here: given other command lines, as a data file
// one node cannot read would make them): the failing rank must not leave the
// others waiting in the run's collectives for ever. `timeout` turns a hang
// into a failure of this test instead of one of ctest's.
std::string mpirun_two(const std::string& args0, const std::string& args1, int exit_wait_seconds) {
  const std::string bin = std::string(" '") + BANENSIM_MPI_BINARY + "' ";
  return "BANENSIM_MPI_EXIT_WAIT=" + std::to_string(exit_wait_seconds) +
         " OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 '" + BANENSIM_MPIEXEC +
         "' --oversubscribe -np 1" + bin + args0 + " : -np 1" + bin + args1;
}

TEST_CASE("mpirun: a rank that fails alone stops every rank with its own message instead of leaving them waiting") {
  for (const bool root_fails : {false, true}) {
    CAPTURE(root_fails);
    const std::string good = "run scenarios/status-quo.toml --paths 200000", bad = "run scenarios/no-such.toml";
    const auto r = run_program(root_fails ? mpirun_two(bad, good, 2) : mpirun_two(good, bad, 2));
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);  // MPI_Abort's code, the failed rank's exit code; 124 would be timeout's
    CHECK(r.out.empty());
    CHECK(r.err.find("scenarios/no-such.toml: file not found") != std::string::npos);
    CHECK(r.err.find(std::string("rank ") + (root_fails ? "0" : "1") + " of 2 stopped (exit 2) while the other ranks "
                     "went on") != std::string::npos);
  }
}

TEST_CASE("mpirun: ranks that fail with different messages exit 2 and rank 0 shows each message once") {
  const auto r = run_program(mpirun_two("run scenarios/first-missing.toml", "run scenarios/second-missing.toml", 20));
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("stopped (exit 2) while the other ranks went on") == std::string::npos);  // both arrived
  const auto first = r.err.find("scenarios/first-missing.toml: file not found");
  REQUIRE(first != std::string::npos);
  CHECK(r.err.find("scenarios/first-missing.toml", first + 1) == std::string::npos);
  CHECK(r.err.find("banensim-mpi: rank 1: scenarios/second-missing.toml: file not found") != std::string::npos);
}

TEST_CASE("mpirun: a BANENSIM_MPI_EXIT_WAIT that is not 0-86400 seconds is refused before the run, once") {
  for (const char* value : {"abc", "-1", "1e9", "30s", "''"}) {
    CAPTURE(value);
    const auto r = run_program(std::string("BANENSIM_MPI_EXIT_WAIT=") + value + " " +
                               mpirun(2, "run scenarios/status-quo.toml --paths 1000"));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    const std::string needle = ": must be a number of seconds from 0 to 86400";
    const auto first = r.err.find(needle);
    REQUIRE(first != std::string::npos);
    CHECK(r.err.find(needle, first + 1) == std::string::npos);  // rank 1's same message is not repeated
  }
  const auto ok = run_program("BANENSIM_MPI_EXIT_WAIT=0.5 " + mpirun(2, "run scenarios/status-quo.toml --paths 1000"));
  CHECK(ok.exit_code == 0);
}
}
