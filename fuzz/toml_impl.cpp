// The toml++ implementation, compiled once with the fuzzers' instrumentation
// (see BANENSIM_FUZZ_TOML_INSTRUMENTED in CMakeLists.txt). models/ includes
// <toml++/toml.h> with TOML_HEADER_ONLY=0 and links against this.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
