// banensim: the command-line program. The composition root -- it builds the
// execution context (threads, the interrupt flag, the cluster: one process,
// or MPI ranks in banensim-mpi), dispatches to a command, and maps what a
// command throws to an exit code:
//
//   0 success; 1 run-time failure (e.g. a non-finite value in a path, an
//   output file that cannot be written); 2 bad input (command line,
//   scenario, study or data files); 130 interrupted (SIGINT/SIGTERM).

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "engine/tally.hpp"
#include "engine/text_format.hpp"
#include "models/problem.hpp"
#include "studies/provenance.hpp"

#ifdef BANENSIM_MPI
#include <mpi.h>

#include "studies/mpi_cluster.hpp"
#endif

namespace {

using namespace banensim;
using namespace banensim::app;

const char* kMainHelp = R"(banensim - Monte Carlo scenarios for the Dutch banenafspraak

Usage:
  banensim run SCENARIO [options]          probability of reaching the target, per-year distributions
  banensim compare S1 S2 ... [options]     scenarios on common random numbers, paired against S1
             [--variant "NAME=FILE K=V ..."]  an option defined on the command line (repeatable)
             [--assumptions N [--rows FILE.csv [--resume]]]
                                           each option across N plausible assumption sets: ranges,
                                           beats/ties/loses, worst-case regret, the rule of its sign
  banensim validate FILE...                check scenario files; every problem at once
  banensim explain SCENARIO [--set K=V] [--out FILE]
                                           print the fully resolved scenario
  banensim calibrate [SCENARIO] [--history FILE] [--fit-until YEAR] [--out FILE]
                                           estimate trend, volatility and correlation from the history
  banensim sweep SCENARIO --set K=V1,V2 | --range K=LO:HI:N | --study FILE ... --out FILE.csv [--resume]
                                           a grid (or --one-at-a-time tornado) of parameter values on
                                           common random numbers; one CSV row per point, resumable
  banensim backtest SCENARIO (--fit-until YEAR | --rolling FROM:TO) [options]
                                           calibrate on the data up to each origin, forecast the
                                           years after, score against the observed ones (coverage,
                                           PIT, CRPS) beside a random walk and a linear trend
  banensim sensitivity SCENARIO --method sobol|morris --samples N [--study FILE] [--out FILE.csv] [--resume]
                                           Sobol' or Morris indices of the outputs for every uncertain
                                           parameter (or a study file's factors)
  banensim discover SCENARIO --samples N [--threshold P] [--study FILE] [--out FILE.csv] [--resume]
                                           PRIM: the box of parameter values where P(reach) >= P
  banensim serve [SCENARIO] [--port P]     the advisers' live page on http://127.0.0.1:P/
  banensim help COMMAND | --help | --version

Run 'banensim COMMAND --help' for the options of a command.
Exit codes: 0 ok, 1 run-time failure, 2 bad input, 130 interrupted.
)";

// Set by SIGINT/SIGTERM (the one thing a signal handler may touch); the
// context hands it to every run, which stops at its next block of paths.
std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted.store(true); }

int dispatch(std::vector<std::string> args, studies::ExecutionContext& ctx) {
  // A control character (line break, tab, NUL, ...) belongs in no file name
  // or value, and would break the messages and file headers it is copied
  // into: refused wherever it is.
  for (const auto& a : args) {
    if (std::any_of(a.begin(), a.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      throw UsageError("the argument \"" + engine::escaped(a) + "\" holds a control character (line break, tab, ...); "
                       "no option, value or file name may");
    }
  }
  if (!args.empty() && args[0] == "help" && args.size() == 2) args = {args[1], "--help"};  // help COMMAND
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() > 1) throw UsageError(args[0] + " takes no arguments (try 'banensim COMMAND --help')");
    std::cout << kMainHelp;
    return args.empty() ? kExitUsage : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    if (args.size() > 1) throw UsageError(args[0] + " takes no arguments");
    std::cout << studies::version_line() << "\n";
    return 0;
  }
  const std::string cmd = args[0];
  const Args rest(args.begin() + 1, args.end());
  if (cmd == "run") return cmd_run(rest, ctx, false);
  if (cmd == "compare") return cmd_run(rest, ctx, true);
  if (cmd == "validate") return cmd_validate(rest);
  if (cmd == "explain") return cmd_explain(rest, ctx);
  if (cmd == "calibrate") return cmd_calibrate(rest, ctx);
  if (cmd == "sweep") return cmd_sweep(rest, ctx);
  if (cmd == "backtest") return cmd_backtest(rest, ctx);
  if (cmd == "sensitivity") return cmd_sensitivity(rest, ctx);
  if (cmd == "discover") return cmd_discover(rest, ctx);
  if (cmd == "serve") return cmd_serve(rest, ctx);
  throw UsageError("unknown command '" + cmd + "' (try 'banensim --help')");
}

// A command's result goes to standard output; when that cannot be written
// (a full disk under `> results.json`, a closed stream) the result is lost,
// and a success exit would hide it. Ranks other than 0 write nowhere.
int checked_stdout(int rc) {
  if (std::cout.rdbuf() == nullptr) return rc;
  std::cout.flush();
  if (std::cout) return rc;
  std::cerr << "banensim: cannot write to standard output (disk full? stream closed?): the output is incomplete\n";
  return rc == 0 ? kExitRuntime : rc;
}

}  // namespace

#ifdef BANENSIM_MPI
// Every rank runs the whole command (loading and checking the same inputs, so
// a bad input fails on every rank alike); the cluster splits the paths of a
// run and deals the points of a study across the ranks; only rank 0 prints
// and writes (the others' streams are silenced).
namespace {
void finalize_mpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}
}  // namespace
#endif

int main(int argc, char** argv) {
  studies::ExecutionContext ctx;
  ctx.cancel = &interrupted;
#ifdef BANENSIM_MPI
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  std::atexit(finalize_mpi);
  ctx.cluster = std::make_shared<studies::MpiCluster>(MPI_COMM_WORLD);
  if (!ctx.is_root()) {
    std::cout.rdbuf(nullptr);
    std::cerr.rdbuf(nullptr);
  }
#endif
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    return checked_stdout(dispatch(std::vector<std::string>(argv + 1, argv + argc), ctx));
  } catch (const HelpRequested& h) {
    std::cout << h.text;
    return checked_stdout(0);
  } catch (const UsageError& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const studies::StudyError& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const boost::program_options::error& e) {
    std::cerr << "banensim: " << e.what() << " (try 'banensim --help')\n";
    return kExitUsage;
  } catch (const models::InputError& e) {
    for (const auto& p : e.problems()) std::cerr << p.message() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitRuntime;
  }
}
