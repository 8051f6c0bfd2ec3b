#pragma once
// An append-only text file of results, one record per line, that survives
// interruption: a long computation appends each record as it completes, and a
// later run resumes where it stopped.
//
// File layout: a fixed header (one or more complete lines, chosen by the
// caller, e.g. provenance comments and a CSV column row), then records, each a
// single line ending in '\n'.
//
// Durability. append() writes the whole line with one write(2) and then
// fsync(2)s the file, so once it returns the record is on disk. A crash
// (SIGKILL, power loss) can leave at most the last line torn (no final '\n',
// or a line of NUL bytes from delayed allocation); resume() cuts it off. What
// was written before is never rewritten, so it cannot be corrupted.
//
// Not thread-safe: one writer per file (append from the thread that folds
// results in order).

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace banensim::engine {

// resume() found a file whose header differs from the expected one: it holds
// results of a different computation. The message names the file and the
// first differing line.
class JournalMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ResultsJournal {
 public:
  // Creates (or truncates) `path` and writes `header` (complete lines, each
  // ending in '\n'), synced to disk. Throws std::runtime_error naming the path.
  static ResultsJournal create(const std::filesystem::path& path, std::string_view header);

  // Opens an existing journal to continue it: its header must equal `header`
  // byte for byte (else JournalMismatch); a torn last line is cut off; the
  // complete records are available from records(). A missing or empty file,
  // or one holding only a torn start of `header`, is created as by create().
  static ResultsJournal resume(const std::filesystem::path& path, std::string_view header);

  ResultsJournal(ResultsJournal&& other) noexcept;
  ResultsJournal& operator=(ResultsJournal&&) = delete;
  ResultsJournal(const ResultsJournal&) = delete;
  ResultsJournal& operator=(const ResultsJournal&) = delete;
  ~ResultsJournal();

  // Complete records found by resume() (without their '\n'), in file order;
  // empty after create().
  const std::vector<std::string>& records() const noexcept { return records_; }
  // Whether resume() cut off a torn last line.
  bool cut_torn_line() const noexcept { return cut_torn_line_; }

  // Keeps only the first n records found by resume() and truncates the file
  // after them (for a caller that finds record n invalid, e.g. a torn line
  // that happens to end in '\n').
  void keep_records(std::size_t n);

  // Appends `line` (which must not contain '\n') plus '\n' and syncs it.
  void append(std::string_view line);

 private:
  ResultsJournal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t header_bytes_ = 0;
  std::vector<std::string> records_;
  std::vector<std::size_t> record_ends_;  // file offset just past each record's '\n'
  bool cut_torn_line_ = false;
};

}  // namespace banensim::engine
