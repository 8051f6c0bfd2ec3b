#include "studies/provenance.hpp"

#include "banensim_git_commit.h"  // generated at build time (cmake/git_commit.cmake)

namespace banensim::studies {

std::string program_version() { return BANENSIM_VERSION; }
std::string program_commit() { return BANENSIM_GIT_COMMIT; }
std::string version_line() { return "banensim " + program_text(); }
std::string program_text() { return program_version() + " (commit " + program_commit() + ")"; }

}  // namespace banensim::studies
