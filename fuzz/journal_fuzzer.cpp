// libFuzzer harness for the results journal's reader: ResultsJournal::open
// with --resume (engine/results_journal.hpp), the path every sweep,
// sensitivity and discover --resume takes through a file the user may have
// edited, truncated or damaged.
//
// The first input byte chooses the case, the rest is the file:
//   0: the file is FILE.partial (an interrupted journal);
//   1: the file is FILE, with no partial file (a finished journal);
//   2: as 0, but every line's check value is recomputed first, so that the
//      fuzzer reaches the verification of fields behind a valid check and
//      the success path with arbitrary cells.
// JournalMismatch and JournalDamaged are the acceptable refusals. A finding
// is any other exception, a sanitizer report, a timeout, or a broken
// invariant:
//  - a refusal changes nothing (the file's bytes are as they were, and no
//    partial file is left behind when there was none);
//  - an accepted journal's records have the columns' count of fields, are
//    numbered 0, 1, ... and hold numbers in the number columns;
//  - the partial file then holds exactly the header and those records (a torn
//    tail cut off), opening it again finds the same records, and a record
//    appended is found by the next open.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/results_journal.hpp"
#include "fuzz_support.hpp"

namespace fs = std::filesystem;
using banensim::engine::JournalColumn;
using banensim::engine::JournalDamaged;
using banensim::engine::JournalMismatch;
using banensim::engine::ResultsJournal;

namespace {

using Kind = JournalColumn::Kind;
const std::vector<JournalColumn> kColumns = {
    {"point", Kind::kIndex}, {"varied", Kind::kText}, {"growth.market.trend_mean", Kind::kText},
    {"p_reach", Kind::kNumber}, {"total_p50", Kind::kQuantile}};
const std::string kProvenance = "# banensim sweep; fuzz\n# key growth.market.trend_mean = 3000,7000\n";

struct Fixture {
  banensim::fuzz::ScratchDir scratch{"journal"};
  fs::path file = scratch.path() / "journal.csv";
  fs::path partial = ResultsJournal::partial_path(file);
  std::string header;
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every complete line after the header with its check value recomputed.
std::string with_valid_checks(std::string_view text, const std::string& header) {
  if (text.substr(0, header.size()) != header) return std::string(text);
  std::string out = header;
  std::size_t pos = header.size();
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    std::string_view line = text.substr(pos, nl - pos);
    const std::size_t comma = line.rfind(',');
    const std::string_view record = comma == std::string_view::npos ? line : line.substr(0, comma);
    out.append(record);
    out += ',' + ResultsJournal::check_value(header, record) + '\n';
    pos = nl + 1;
  }
  return out;
}

// An empty cell or a finite number, read as the program reads it back (std::from_chars).
bool is_number(const std::string& cell) {
  if (cell.empty()) return true;
  double v = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  return ec == std::errc() && end == cell.data() + cell.size() && std::isfinite(v);
}

void check_records(const std::vector<std::string>& records) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::vector<std::string> fields = banensim::engine::split_csv_record(records[i]);
    FUZZ_CHECK(fields.size() == kColumns.size(), "accepted record " + std::to_string(i) + " has " +
                                                     std::to_string(fields.size()) + " fields: " + records[i]);
    FUZZ_CHECK(fields[0] == std::to_string(i), "accepted record " + std::to_string(i) + " is numbered " + fields[0]);
    FUZZ_CHECK(is_number(fields[3]), "accepted p_reach not a number: " + fields[3]);
    FUZZ_CHECK(records[i].find('\n') == std::string::npos, "an accepted record holds a line break");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Fixture& f = fixture();
  // The header as the journal writes it: provenance, then the column row and "check".
  f.header = kProvenance;
  for (std::size_t k = 0; k < kColumns.size(); ++k) f.header += (k ? "," : "") + kColumns[k].name;
  f.header += ",check\n";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  std::error_code ec;
  fs::remove(f.file, ec);
  fs::remove(f.partial, ec);
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 2) text = with_valid_checks(text, f.header);
  const fs::path& written = mode == 1 ? f.file : f.partial;
  banensim::fuzz::write_file(written, text);

  std::vector<std::string> records;
  try {
    ResultsJournal j = ResultsJournal::open(f.file, kProvenance, kColumns, true);
    records = j.records();
    check_records(records);
    FUZZ_CHECK(j.header() == f.header, "the journal's header differs from the expected one");
  } catch (const JournalMismatch& e) {
    FUZZ_CHECK(std::string(e.what()).find(written.string()) != std::string::npos, "mismatch without the file name");
    FUZZ_CHECK(slurp(written) == text, "a refused journal was changed");
    FUZZ_CHECK(mode == 1 ? !fs::exists(f.partial) : true, "a refused resume left a partial file behind");
    return 0;
  } catch (const JournalDamaged& e) {
    FUZZ_CHECK(std::string(e.what()).find(written.string() + ": line ") != std::string::npos,
               std::string("a damaged record without file and line: ") + e.what());
    FUZZ_CHECK(slurp(written) == text, "a refused journal was changed");
    FUZZ_CHECK(mode == 1 ? !fs::exists(f.partial) : true, "a refused resume left a partial file behind");
    return 0;
  }
  // Accepted: the partial file is exactly the header and the verified records.
  std::string expected = f.header;
  for (const auto& r : records) expected += r + "," + ResultsJournal::check_value(f.header, r) + "\n";
  FUZZ_CHECK(slurp(f.partial) == expected, "the partial file is not the header and the verified records");
  {
    ResultsJournal again = ResultsJournal::open(f.file, kProvenance, kColumns, true);
    FUZZ_CHECK(again.records() == records, "a second open found other records");
    FUZZ_CHECK(!again.cut_torn_line(), "a second open found a torn line");
    again.append(std::to_string(records.size()) + ",base,3000,0.5,>=400000");
  }
  ResultsJournal third = ResultsJournal::open(f.file, kProvenance, kColumns, true);
  FUZZ_CHECK(third.records().size() == records.size() + 1, "an appended record was not found again");
  return 0;
}
