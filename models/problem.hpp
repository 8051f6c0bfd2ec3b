#pragma once
// Input problems (scenario files, history files, command-line overrides),
// reported all at once. Each names where (file, line, column), what (key or
// cell), the offending value and the constraint it breaks, in the style
//
//   scenarios/x.toml:12:3: key 'growth.market.volatility' = -0.1: must be >= 0
//
// Library code throws InputError; the program's main catches it, prints
// every problem and exits with code 2.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace banensim::models {

struct SourceLocation {
  std::string file;  // as given by the user (not made absolute)
  int line = 0;      // 1-based; 0 when unknown (e.g. a command-line override)
  int column = 0;    // 1-based; 0 when unknown
};

struct Problem {
  SourceLocation where;
  std::string key;         // dotted TOML key, or the CSV column name
  std::string value;       // the offending value as text ("" when missing)
  std::string constraint;  // what it broke, e.g. "must be >= 0", "unknown key (did you mean 'x'?)"

  // "file:line:col: key 'k' = v: constraint"
  std::string message() const;
};

class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const noexcept { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// Reads a whole input file (scenario or data) as text. When the file cannot
// be read, is empty, binary (contains a NUL byte) or not valid UTF-8, appends
// a problem naming `display_name` (with the line and column of the first bad
// byte for UTF-8) and returns nullopt. Shared so every reader rejects the same
// inputs with the same words.
std::optional<std::string> read_text_file(const std::filesystem::path& file,
                                          const std::string& display_name,
                                          std::vector<Problem>& problems);

// A data file a scenario names (the value of a Path-typed key), as read --
// once: the bytes every reader parses and the digest the scenario's hash
// includes are the same bytes, so a file edited during a study cannot mix
// into its numbers unseen.
struct DataFile {
  std::string path;                          // the key's value, as resolved
  std::shared_ptr<const std::string> bytes;  // null when the file could not be read
  std::vector<Problem> problems;             // why not (read_text_file's words), named by `path`
  std::string digest;                        // FNV-1a 64 of the bytes, 16 hex digits; "unreadable" when null
};

// The data files read for a scenario and every scenario derived from it by
// overrides (sweep points, design rows): each file is read once, on first
// use, and kept by its identity (the normalised absolute path with symbolic
// links resolved), so two spellings of one file share one entry.
// Thread-safe; entries are never removed or changed.
// `path` read now (not kept): the bytes, their digest, or the problems.
DataFile read_data_file(const std::string& path);

class DataFiles {
 public:
  DataFile get(const std::string& path);

 private:
  std::mutex mutex_;
  std::map<std::string, DataFile> by_identity_;
};

}  // namespace banensim::models
