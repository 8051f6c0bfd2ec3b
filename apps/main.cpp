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
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
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

// The ranks agree on how the command ended, on a communicator of its own (so
// it cannot match a collective of the command). A rank that failed waits at
// most `wait_seconds` for the others: when its inputs differ from theirs (a
// data file one node cannot read, a file changed between the ranks' checks)
// they go on into the run's collectives and would wait for it forever, so it
// prints its own message, which its silenced stderr would have hidden, and
// aborts every rank. When all arrive, the exit code is the largest, and rank 0
// prints what another rank failed with that it did not say itself.
class ExitAgreement {
 public:
  ExitAgreement() : error_stream_(std::cerr.rdbuf()) { MPI_Comm_dup(MPI_COMM_WORLD, &comm_); }

  int agree(int rc, const std::string& message, double wait_seconds) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm_, &rank);
    MPI_Comm_size(comm_, &size);
    int worst = 0;
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Iallreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm_, &request);
    const double deadline = MPI_Wtime() + wait_seconds;
    for (int done = 0; !done;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) break;
      if (rc != 0 && MPI_Wtime() > deadline) {
        std::ostream err(error_stream_);
        err << "banensim-mpi: rank " << rank << " of " << size << " stopped (exit " << rc
            << ") while the other ranks went on: their inputs differ from its own (a file one node cannot read, "
               "or one changed between the ranks' checks?). Stopping every rank."
            << (rank == 0 ? std::string(" Its message is above.\n") : " Its message:\n" + message) << std::flush;
        MPI_Abort(MPI_COMM_WORLD, rc);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(rc != 0 ? 10 : 1));
    }
    if (worst == 0) return 0;
    // Everyone is here: collect the messages on rank 0 and show those it lacks.
    const int length = static_cast<int>(message.size());
    std::vector<int> lengths(static_cast<std::size_t>(size));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, comm_);
    std::vector<int> offsets(static_cast<std::size_t>(size), 0);
    for (std::size_t r = 1; r < offsets.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
    std::string all(rank == 0 ? static_cast<std::size_t>(offsets.back() + lengths.back()) : 0, '\0');
    MPI_Gatherv(message.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, comm_);
    if (rank == 0) {
      std::vector<std::string> shown = {message};
      for (std::size_t r = 1; r < offsets.size(); ++r) {
        const std::string text = all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r]));
        if (text.empty() || text.find(studies::kStoppedOnRoot) != std::string::npos ||
            std::find(shown.begin(), shown.end(), text) != shown.end()) {
          continue;
        }
        std::cerr << "banensim-mpi: rank " << r << ": " << text;
        shown.push_back(text);
      }
    }
    return worst;
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::streambuf* error_stream_;  // this rank's stderr before it was silenced
};

// How long a failed rank waits for the others before it stops them all:
// BANENSIM_MPI_EXIT_WAIT seconds (docs/PARALLEL.md), 30 by default; a value
// that is not a number of seconds from 0 to 86400 is refused (UsageError).
double exit_wait_seconds() {
  const char* text = std::getenv("BANENSIM_MPI_EXIT_WAIT");
  if (text == nullptr) return 30.0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !(value >= 0 && value <= 86400)) {
    throw UsageError("BANENSIM_MPI_EXIT_WAIT=" + std::string(text) +
                     ": must be a number of seconds from 0 to 86400 (how long a failed rank waits for the others)");
  }
  return value;
}
}  // namespace
#endif

namespace {

// The command, its exit code, and its error message (written to stderr by the
// caller, which in banensim-mpi first agrees with the other ranks).
int run_command(int argc, char** argv, studies::ExecutionContext& ctx, std::ostream& err) {
  try {
    return checked_stdout(dispatch(std::vector<std::string>(argv + 1, argv + argc), ctx));
  } catch (const HelpRequested& h) {
    std::cout << h.text;
    return checked_stdout(0);
  } catch (const UsageError& e) {
    err << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const studies::StudyError& e) {
    err << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const boost::program_options::error& e) {
    err << "banensim: " << e.what() << " (try 'banensim --help')\n";
    return kExitUsage;
  } catch (const models::InputError& e) {
    for (const auto& p : e.problems()) err << p.message() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    err << "banensim: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace

int main(int argc, char** argv) {
  studies::ExecutionContext ctx;
  ctx.cancel = &interrupted;
#ifdef BANENSIM_MPI
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  std::atexit(finalize_mpi);
  ExitAgreement exit_agreement;
  ctx.cluster = std::make_shared<studies::MpiCluster>(MPI_COMM_WORLD);
  if (!ctx.is_root()) {
    std::cout.rdbuf(nullptr);
    std::cerr.rdbuf(nullptr);
  }
#endif
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::ostringstream message;
#ifdef BANENSIM_MPI
  double exit_wait = 30.0;
  int rc = 0;
  try {
    exit_wait = exit_wait_seconds();
  } catch (const UsageError& e) {
    message << "banensim-mpi: " << e.what() << "\n";
    rc = kExitUsage;
  }
  if (rc == 0) rc = run_command(argc, argv, ctx, message);
  std::cerr << message.str();
  rc = exit_agreement.agree(rc, message.str(), exit_wait);
#else
  const int rc = run_command(argc, argv, ctx, message);
  std::cerr << message.str();
#endif
  return rc;
}
