// The results journal: append, resume, torn lines, mismatched headers.

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/results_journal.hpp"

namespace fs = std::filesystem;
using namespace banensim::engine;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
fs::path temp_file(const std::string& stem) {
  return fs::temp_directory_path() / (stem + "_" + std::to_string(::getpid()) + ".csv");
}
}  // namespace

TEST_SUITE("unit") {
TEST_CASE("journal: create, append, resume, continue gives the uninterrupted bytes") {
  const fs::path p = temp_file("journal_basic");
  const std::string header = "# provenance\na,b\n";
  {
    auto j = ResultsJournal::create(p, header);
    j.append("0,1");
    j.append("1,2");
  }
  CHECK(slurp(p) == header + "0,1\n1,2\n");
  {
    auto j = ResultsJournal::resume(p, header);
    REQUIRE(j.records().size() == 2);
    CHECK(j.records()[1] == "1,2");
    CHECK_FALSE(j.cut_torn_line());
    j.append("2,3");
  }
  CHECK(slurp(p) == header + "0,1\n1,2\n2,3\n");
  fs::remove(p);
}

TEST_CASE("journal: a torn last line is cut off and keep_records truncates") {
  const fs::path p = temp_file("journal_torn");
  const std::string header = "h\n";
  {
    std::ofstream out(p, std::ios::binary);
    out << header << "0,1\n1,2\n2,";
  }
  {
    auto j = ResultsJournal::resume(p, header);
    CHECK(j.records().size() == 2);
    CHECK(j.cut_torn_line());
    j.keep_records(1);
    j.append("1,9");
  }
  CHECK(slurp(p) == "h\n0,1\n1,9\n");
  fs::remove(p);
}

TEST_CASE("journal: a different header is refused and a missing file is created") {
  const fs::path p = temp_file("journal_mismatch");
  fs::remove(p);
  { auto j = ResultsJournal::resume(p, "# seed 1\nx\n"); }
  CHECK(slurp(p) == "# seed 1\nx\n");
  CHECK_THROWS_AS(ResultsJournal::resume(p, "# seed 2\nx\n"), JournalMismatch);
  try {
    (void)ResultsJournal::resume(p, "# seed 2\nx\n");
  } catch (const JournalMismatch& e) {
    CHECK(std::string(e.what()).find("# seed 1") != std::string::npos);
    CHECK(std::string(e.what()).find("line 1") != std::string::npos);
  }
  // Torn inside the header: started afresh.
  { std::ofstream(p, std::ios::binary) << "# seed 2\nx"; }
  {
    auto j = ResultsJournal::resume(p, "# seed 2\nx\n");
    CHECK(j.records().empty());
  }
  CHECK(slurp(p) == "# seed 2\nx\n");
  auto j = ResultsJournal::create(p, "h\n");
  CHECK_THROWS_AS(j.append("two\nlines"), std::invalid_argument);
  fs::remove(p);
}
}
