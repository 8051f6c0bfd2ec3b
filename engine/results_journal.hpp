#pragma once
// A CSV file of results, one record per line, that survives interruption and
// is verified when resumed: a long computation appends each record as it
// completes, and a later run continues where it stopped.
//
// Files. The journal of `path` is written to its partial file
// `path.partial` while the computation runs; commit() renames it over
// `path` when every record is in. So a complete file at `path` is never
// replaced by an incomplete one (a full disk, an interruption or a crash
// leave `path` as it was), and an interrupted run leaves its records in
// `path.partial` for --resume.
//
// Layout: the caller's provenance lines (complete lines, e.g. "# ..."), the
// column row (the columns' names, then `check`), then records. A record is
// the caller's fields, then its check value: 16 hex digits of FNV-1a 64 over
// the whole header and the record's text -- so a record edited by hand, or
// copied from another computation's file, is detected on resume.
//
// Durability. append() writes the whole line with one write(2) and then
// fsync(2)s the file, so once it returns the record is on disk. A crash
// (SIGKILL, power loss) can leave at most the last line torn (no final '\n',
// or NUL bytes from delayed allocation); resume cuts it off. What was written
// before is never rewritten.
//
// One writer. The partial file is locked (flock, exclusive) from opening to
// commit; a second process on the same journal is refused at once
// (JournalBusy). Not thread-safe within a process: append from the thread
// that folds results in order.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace banensim::engine {

// resume found a file whose header differs from the expected one: it holds
// results of a different computation. The message names the file and the
// first differing line.
class JournalMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// resume found a record that is not what this journal wrote: a check value
// that does not match, a missing or extra field, a record out of order, a
// cell that is not a number. The message names the file, line, record,
// column and value.
class JournalDamaged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process holds the journal's lock.
class JournalBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One column of a journal and what its cells must hold (checked on resume).
struct JournalColumn {
  enum class Kind {
    kIndex,     // the record's index: 0, 1, 2, ... in file order
    kText,      // anything (RFC 4180 quoting)
    kNumber,    // a finite number, or empty (undefined)
    kQuantile,  // a number, empty, or a bound: ">=X" or "<X" (engine/run_summary.hpp)
  };
  std::string name;
  Kind kind = Kind::kText;
};

class ResultsJournal {
 public:
  // Opens the journal of `path`, the final file. Fresh (resume false): the
  // partial file is created or emptied and the header written. Resume: the
  // partial file's verified records are kept (or, when there is none, those
  // of a file at `path`, copied into a new partial file), a torn last line
  // cut off. Throws JournalBusy, JournalMismatch (another header),
  // JournalDamaged (a record fails verification; nothing is changed), or
  // std::runtime_error naming the file (cannot create, read or write).
  static ResultsJournal open(const std::filesystem::path& path, std::string_view provenance,
                             const std::vector<JournalColumn>& columns, bool resume);

  // `path` + ".partial".
  static std::filesystem::path partial_path(const std::filesystem::path& path);

  ResultsJournal(ResultsJournal&& other) noexcept;
  ResultsJournal& operator=(ResultsJournal&&) = delete;
  ResultsJournal(const ResultsJournal&) = delete;
  ResultsJournal& operator=(const ResultsJournal&) = delete;
  ~ResultsJournal();

  // The whole header as written (provenance and column row).
  const std::string& header() const noexcept { return header_; }
  // Verified records found on resume (their fields without the check value),
  // in file order; empty when fresh.
  const std::vector<std::string>& records() const noexcept { return records_; }
  // Whether resume cut off a torn last line.
  bool cut_torn_line() const noexcept { return cut_torn_line_; }
  // Whether resume continued the file at `path` (there was no partial file).
  bool resumed_complete_file() const noexcept { return resumed_complete_file_; }
  // Whether a fresh journal emptied a partial file with records in it.
  bool discarded_partial() const noexcept { return discarded_partial_; }

  // Appends `record` (the fields as one CSV line, no '\n') and its check
  // value, and syncs it.
  void append(std::string_view record);

  // Renames the partial file over `path` (keeping the mode of a file already
  // there) and syncs its directory. The journal is then closed.
  void commit();

  // The check value of `record` under `header` (16 hex digits).
  static std::string check_value(std::string_view header, std::string_view record);

 private:
  ResultsJournal(std::filesystem::path path, std::filesystem::path partial, int fd)
      : path_(std::move(path)), partial_(std::move(partial)), fd_(fd) {}
  std::filesystem::path path_;
  std::filesystem::path partial_;
  int fd_ = -1;
  std::string header_;
  std::uint64_t header_hash_ = 0;  // FNV-1a state after the header
  std::vector<std::string> records_;
  bool cut_torn_line_ = false;
  bool resumed_complete_file_ = false;
  bool discarded_partial_ = false;
};

// Splits one CSV record (RFC 4180 quoting) into fields.
std::vector<std::string> split_csv_record(std::string_view line);

}  // namespace banensim::engine
