// The results journal: append, commit, resume, torn lines, verification of
// every record, mismatched headers, the lock, and the earlier file kept.

#include <doctest/doctest.h>

#include <sys/stat.h>
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
  const fs::path p = fs::temp_directory_path() / (stem + "_" + std::to_string(::getpid()) + ".csv");
  fs::remove(p);
  fs::remove(ResultsJournal::partial_path(p));
  return p;
}
void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

using Kind = JournalColumn::Kind;
const std::vector<JournalColumn> kColumns = {{"i", Kind::kIndex}, {"name", Kind::kText}, {"p", Kind::kNumber},
                                             {"q50", Kind::kQuantile}};
const std::string kProvenance = "# provenance\n";
const std::string kHeader = kProvenance + "i,name,p,q50,check\n";

std::string line(const std::string& record) {
  return record + "," + ResultsJournal::check_value(kHeader, record) + "\n";
}

// The whole file of an uninterrupted journal of these records.
std::string uninterrupted(const std::vector<std::string>& records) {
  std::string text = kHeader;
  for (const auto& r : records) text += line(r);
  return text;
}

const std::vector<std::string> kRecords = {"0,a,0.5,100", "1,\"b,c\",,>=400000", "2,d,1e-07,<-5"};
}  // namespace

TEST_SUITE("unit") {
TEST_CASE("journal: rows go to FILE.partial and the whole file takes FILE's place at commit") {
  const fs::path p = temp_file("journal_commit");
  {
    auto j = ResultsJournal::open(p, kProvenance, kColumns, false);
    CHECK(j.header() == kHeader);
    for (const auto& r : kRecords) j.append(r);
    CHECK_FALSE(fs::exists(p));
    CHECK(slurp(ResultsJournal::partial_path(p)) == uninterrupted(kRecords));
    j.commit();
  }
  CHECK(slurp(p) == uninterrupted(kRecords));
  CHECK_FALSE(fs::exists(ResultsJournal::partial_path(p)));
  // Resuming a finished file finds every record and changes nothing.
  {
    auto j = ResultsJournal::open(p, kProvenance, kColumns, true);
    CHECK(j.records() == kRecords);
    CHECK(j.resumed_complete_file());
    j.commit();
  }
  CHECK(slurp(p) == uninterrupted(kRecords));
  fs::remove(p);
}

TEST_CASE("journal: an interrupted journal resumes from FILE.partial, cutting a torn or NUL last line") {
  const fs::path p = temp_file("journal_resume");
  const fs::path partial = ResultsJournal::partial_path(p);
  for (const std::string& tail : {std::string(""), std::string("2,d,"), std::string(12, '\0') + "\n"}) {
    CAPTURE(tail.size());
    write(partial, uninterrupted({kRecords[0], kRecords[1]}) + tail);
    {
      auto j = ResultsJournal::open(p, kProvenance, kColumns, true);
      CHECK(j.records() == std::vector<std::string>{kRecords[0], kRecords[1]});
      CHECK(j.cut_torn_line() == !tail.empty());
      CHECK_FALSE(j.resumed_complete_file());
      j.append(kRecords[2]);
      j.commit();
    }
    CHECK(slurp(p) == uninterrupted(kRecords));
    fs::remove(p);
  }
}

TEST_CASE("journal: a record edited by hand, out of order, short of a field or not a number is refused by line and column") {
  const fs::path p = temp_file("journal_damaged");
  const fs::path partial = ResultsJournal::partial_path(p);
  struct Case {
    std::string text;
    std::string expected;  // in the message
  };
  const Case cases[] = {
      // 0.5 -> 0.9 with the old check value: the last line too (not a torn write).
      {kHeader + "0,a,0.9,100," + ResultsJournal::check_value(kHeader, "0,a,0.5,100") + "\n", "line 3 (record 0)"},
      {uninterrupted({kRecords[0]}) + line("1,b,abc,5"), "column 'p' = 'abc': not a number"},
      {uninterrupted({kRecords[0]}) + line("1,b,0.1,~5"), "column 'q50' = '~5'"},
      {uninterrupted({kRecords[0]}) + line("2,b,0.1,5"), "should be 1"},
      {uninterrupted({kRecords[0]}) + line("1,b,0.1"), "has 4 fields"},
      {uninterrupted({kRecords[0]}) + "1,b,0.1,5\n", "no check value"},
      {uninterrupted({kRecords[0]}) + std::string(4, '\0') + "\n" + line(kRecords[1]), "NUL"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expected);
    write(partial, c.text);
    try {
      (void)ResultsJournal::open(p, kProvenance, kColumns, true);
      FAIL("not refused");
    } catch (const JournalDamaged& e) {
      CHECK(std::string(e.what()).find(partial.string()) != std::string::npos);
      CHECK(std::string(e.what()).find(c.expected) != std::string::npos);
    }
    CHECK(slurp(partial) == c.text);  // nothing changed
  }
  // The same checks on a finished file at FILE when there is no partial file.
  fs::remove(partial);
  write(p, uninterrupted({kRecords[0]}) + line("1,b,abc,5"));
  CHECK_THROWS_AS(ResultsJournal::open(p, kProvenance, kColumns, true), JournalDamaged);
  CHECK_FALSE(fs::exists(partial));  // made by open, removed again
  fs::remove(p);
}

TEST_CASE("journal: a different header is refused, a torn header starts afresh, a record is one line") {
  const fs::path p = temp_file("journal_mismatch");
  const fs::path partial = ResultsJournal::partial_path(p);
  write(p, "# seed 1\ni,name,p,q50,check\n");
  try {
    (void)ResultsJournal::open(p, kProvenance, kColumns, true);
    FAIL("not refused");
  } catch (const JournalMismatch& e) {
    CHECK(std::string(e.what()).find("# seed 1") != std::string::npos);
    CHECK(std::string(e.what()).find("line 1") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(partial));
  // A file converted to CRLF line ends differs only in a character one cannot see: the message shows it.
  write(p, "# provenance\r\ni,name,p,q50,check\r\n");
  try {
    (void)ResultsJournal::open(p, kProvenance, kColumns, true);
    FAIL("not refused");
  } catch (const JournalMismatch& e) {
    CHECK(std::string(e.what()).find("line 1 is\n  # provenance\\r\nbut this command would write\n  # provenance") !=
          std::string::npos);
  }
  // Torn inside the header: nothing was computed, started afresh.
  fs::remove(p);
  write(partial, kHeader.substr(0, 8));
  {
    auto j = ResultsJournal::open(p, kProvenance, kColumns, true);
    CHECK(j.records().empty());
    CHECK_THROWS_AS(j.append("0,two\nlines,1,1"), std::invalid_argument);
  }
  CHECK(slurp(partial) == kHeader);
  fs::remove(p);
  fs::remove(partial);
}

TEST_CASE("journal: a second writer is refused while the first holds the lock") {
  const fs::path p = temp_file("journal_lock");
  auto first = ResultsJournal::open(p, kProvenance, kColumns, false);
  first.append(kRecords[0]);
  CHECK_THROWS_AS(ResultsJournal::open(p, kProvenance, kColumns, false), JournalBusy);
  CHECK_THROWS_AS(ResultsJournal::open(p, kProvenance, kColumns, true), JournalBusy);
  CHECK(slurp(ResultsJournal::partial_path(p)) == uninterrupted({kRecords[0]}));  // untouched by the refused ones
  first.append(kRecords[1]);
  first.append(kRecords[2]);
  first.commit();
  // Committed: the lock is released, the next run may start.
  auto next = ResultsJournal::open(p, kProvenance, kColumns, true);
  CHECK(next.records().size() == 3);
  fs::remove(p);
  fs::remove(ResultsJournal::partial_path(p));
}

TEST_CASE("journal: a journal whose file another process replaced is never committed") {
  const fs::path p = temp_file("journal_replaced");
  const fs::path partial = ResultsJournal::partial_path(p);
  auto j = ResultsJournal::open(p, kProvenance, kColumns, false);
  j.append(kRecords[0]);
  // Another command writes FILE.partial as its own output (it does not take the lock): the journal does not
  // commit what it finds there.
  const fs::path other = temp_file("journal_replaced_other");
  write(other, "other content\n");
  fs::rename(other, partial);
  j.append(kRecords[1]);
  CHECK_THROWS_WITH_AS(j.commit(), doctest::Contains("was replaced or removed by another process"), std::runtime_error);
  CHECK_FALSE(fs::exists(p));
  CHECK(slurp(partial) == "other content\n");
  fs::remove(partial);
}

TEST_CASE("journal: a fresh run leaves the earlier complete file in place until it commits, then keeps its mode") {
  const fs::path p = temp_file("journal_keep");
  write(p, "an earlier result\n");
  ::chmod(p.c_str(), 0640);
  {
    auto j = ResultsJournal::open(p, kProvenance, kColumns, false);
    j.append(kRecords[0]);
    // Interrupted here (or the disk fills up): the earlier file is intact.
    CHECK(slurp(p) == "an earlier result\n");
    j.append(kRecords[1]);
    j.append(kRecords[2]);
    j.commit();
  }
  CHECK(slurp(p) == uninterrupted(kRecords));
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  fs::remove(p);
}
}
