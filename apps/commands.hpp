#pragma once
// The banensim commands, one file each (apps/COMMAND_command.cpp). Each
// parses its options, calls a study (studies/) and renders the result; all
// return the process exit code and throw for bad input (apps/main.cpp maps
// the exceptions to exit codes). docs/OUTPUT.md describes what they write.

#include <string>
#include <vector>

#include "studies/execution.hpp"

namespace banensim::app {

using Args = std::vector<std::string>;

int cmd_run(const Args& args, studies::ExecutionContext& ctx, bool many);  // run, compare
int cmd_validate(const Args& args);
int cmd_explain(const Args& args, studies::ExecutionContext& ctx);
int cmd_calibrate(const Args& args, studies::ExecutionContext& ctx);
int cmd_sweep(const Args& args, studies::ExecutionContext& ctx);
int cmd_backtest(const Args& args, studies::ExecutionContext& ctx);
int cmd_sensitivity(const Args& args, studies::ExecutionContext& ctx);
int cmd_discover(const Args& args, studies::ExecutionContext& ctx);
int cmd_serve(const Args& args, studies::ExecutionContext& ctx);  // the live page (apps/serve/)

}  // namespace banensim::app
