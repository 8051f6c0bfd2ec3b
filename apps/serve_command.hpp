#pragma once
// banensim serve: the advisers' live page (apps/serve/). Returns the exit
// code; throws UsageError / InputError for bad input (exit code 2).

#include <string>
#include <vector>

namespace banensim::app {

int cmd_serve(const std::vector<std::string>& args);

}  // namespace banensim::app
