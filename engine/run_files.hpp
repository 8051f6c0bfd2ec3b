#pragma once
// The files one run of a command reads and writes, checked together before
// the run starts, so that a long run never ends in an output it cannot or
// must not write (docs/OUTPUT.md, "Output files"). Every output must pass
// check_writable() (engine/atomic_file.hpp: a regular file or a new name,
// writable, in an existing writable directory), must not be one of the
// run's inputs, and must not be another output of the same run. Files are
// compared by identity (device and inode; for a name not yet taken, its
// directory's identity and the name), not by spelling: "./a.csv", "a.csv",
// a hard link and a path through a symbolic link to the directory are all
// the same file.

#include <filesystem>
#include <string>
#include <vector>

namespace banensim::engine {

class RunFiles {
 public:
  // A file the run reads (a scenario, each file of its extends chain, a data
  // file). A name that does not exist is ignored (its reader reports it).
  void add_input(const std::filesystem::path& file);
  // A file the run writes; `role` names it in messages, e.g. "--out".
  void add_output(const std::filesystem::path& file, std::string role);

  // Throws OutputRefused (engine/atomic_file.hpp) naming the first output
  // that breaks a rule and the rule.
  void check() const;

 private:
  std::vector<std::filesystem::path> inputs_;
  std::vector<std::pair<std::filesystem::path, std::string>> outputs_;
};

// The name of a file written beside the result file `out`: FILE.csv ->
// FILE<suffix> (other names: FILE -> FILE<suffix>), e.g. ".indices.csv".
std::string beside(const std::string& out, const std::string& suffix);

}  // namespace banensim::engine
