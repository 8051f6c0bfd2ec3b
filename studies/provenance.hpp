#pragma once
// What every output records of the program that made it: its version and
// the git commit it was built from (cmake/git_commit.cmake: 12 hex digits,
// "-dirty" when tracked files differed, "unknown" outside a checkout).

#include <string>

namespace banensim::studies {

std::string program_version();  // "0.1.0"
std::string program_commit();   // "1c19ca6ab2de" or "1c19ca6ab2de-dirty"
// "banensim 0.1.0 (commit C)", the first line of every table.
std::string version_line();
// "0.1.0 (commit C)", as result-file headers record it.
std::string program_text();

}  // namespace banensim::studies
