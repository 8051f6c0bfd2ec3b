#pragma once
// Pieces the banensim commands share (apps/scenario_commands.cpp,
// apps/research_commands.cpp): exit codes, the interrupt flag, strict option
// parsing, scenario loading with overrides, CSV quoting. Part of the
// composition root: it sees both the engine and the model.

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <exception>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>

#ifdef BANENSIM_MPI
#include <mpi.h>

#include "engine/mpi_map.hpp"
#include "engine/mpi_runner.hpp"
#endif

#include "banensim_git_commit.h"  // generated at build time (cmake/git_commit.cmake)
#include "engine/atomic_file.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/results_journal.hpp"
#include "engine/run_files.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "models/banenafspraak_model.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"

namespace banensim::app {

inline constexpr std::uint64_t kDefaultSeed = 2013;  // the year of the agreement; never the clock
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// Set by SIGINT/SIGTERM; runs stop at the next block of paths.
inline std::atomic<bool> g_interrupted{false};
// This process's MPI rank and the number of ranks (0 and 1 without MPI).
// Only rank 0 prints, shows progress and writes files.
inline int g_rank = 0;
inline int g_n_ranks = 1;
extern "C" inline void on_signal(int) { g_interrupted.store(true); }

// A command-line problem: one line, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min,
                                 std::uint64_t max) {
  // Digits only: rejects "-5", "1e99", "abc", "12x", " 5" and anything beyond 2^64 - 1.
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("--" + option + " " + text + ": must be a whole number " + range);
  }
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    throw UsageError("--" + option + " " + text + ": must be " + range);
  }
  return v;
}

// A bound of a range as a user would type it: 0.5, 1e-06, 10000000.
inline std::string bound_text(double x) {
  char buf[64];
  if (x == std::floor(x) && std::abs(x) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
    return buf;
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // the shortest text that reads back as x
  return std::string(buf, r.ptr);
}

// A real number, finite, in [min, max] (infinite bounds: no bound). The
// message quotes `text` as typed and the range as it is.
inline double parse_real(const std::string& option, const std::string& text, double min, double max) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const bool parsed = !text.empty() && end == text.data() + text.size() && ec == std::errc();
  std::string range = "a finite number";
  if (std::isfinite(min) && std::isfinite(max)) range = "a number from " + bound_text(min) + " to " + bound_text(max);
  if (std::isfinite(min) && !std::isfinite(max)) range = "a number >= " + bound_text(min);
  if (!std::isfinite(min) && std::isfinite(max)) range = "a number <= " + bound_text(max);
  if (!parsed || !std::isfinite(v) || v < min || v > max) throw UsageError("--" + option + " " + text + ": must be " + range);
  return v;
}

inline std::string version_string() {
  return std::string("banensim ") + BANENSIM_VERSION + " (commit " + BANENSIM_GIT_COMMIT + ")";
}

// The files of one run (engine/run_files.hpp): every output is checked --
// writable, not special, not an input, not another output -- before any
// work is done; a refusal is a command-line problem (exit 2).
class CommandFiles {
 public:
  // The scenario's extends chain and every file its Path parameters name.
  void add_scenario(const models::ResolvedScenario& r) {
    for (const auto& f : r.files) files_.add_input(f);
    add_data_files(r);
  }
  // The data files a (changed) scenario names, e.g. at a sweep point.
  void add_data_files(const models::ResolvedScenario& r) {
    for (const auto& spec : models::banenafspraak_schema()) {
      if (spec.type == models::ParamType::kPath) files_.add_input(r.string(spec.key));
    }
  }
  void add_input(const std::string& file) { files_.add_input(file); }
  void add_output(const std::optional<std::string>& file, const std::string& role) {
    if (file) files_.add_output(*file, role);
  }
  // A journal's final file and the partial file it writes first.
  void add_journal(const std::optional<std::string>& file, const std::string& role) {
    if (!file) return;
    files_.add_output(*file, role);
    files_.add_output(engine::ResultsJournal::partial_path(*file), "the journal of " + role);
  }
  void check() const {
    try {
      files_.check();
    } catch (const engine::OutputRefused& e) {
      throw UsageError(e.what());
    }
  }

 private:
  engine::RunFiles files_;
};

struct LoadedScenario {
  std::string file;
  std::string name;
  models::ResolvedScenario resolved;
  models::BanenafspraakModel model;
};

inline LoadedScenario load(const std::string& file,
                           const std::vector<std::pair<std::string, std::string>>& overrides) {
  const auto& schema = models::banenafspraak_schema();
  models::ResolvedScenario r = models::load_scenario(file, schema, models::banenafspraak_check);
  if (!overrides.empty()) models::apply_overrides(r, schema, overrides, "command line", models::banenafspraak_check);
  models::BanenafspraakModel model(models::params_from_scenario(r));
  std::string name = model.params().scenario.name;
  if (name.empty()) name = std::filesystem::path(file).stem().string();
  return LoadedScenario{file, name, std::move(r), std::move(model)};
}

// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Parses a command's arguments against `options`, collecting every
// positional argument under "scenario". `ordered`, when given, receives the
// options in command-line order (for options whose order matters).
inline boost::program_options::variables_map parse_command(
    const std::vector<std::string>& args, const boost::program_options::options_description& options,
    std::vector<boost::program_options::option>* ordered = nullptr) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description pos;
  pos.add("scenario", -1);
  const po::parsed_options parsed = po::command_line_parser(args).options(all).positional(pos).run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  if (ordered != nullptr) *ordered = parsed.options;
  return vm;
}

// Opens the journal (CSV of results) of `out` for a command, fresh or with
// --resume; its records are verified (engine/results_journal.hpp). Every
// refusal is a UsageError naming the file: another computation's file, a
// damaged or edited record, a journal another process is writing, more
// records than the command has `items` ("points", "design rows").
inline engine::ResultsJournal open_journal(const std::string& out, const std::string& provenance,
                                           const std::vector<engine::JournalColumn>& columns, bool resume,
                                           std::size_t n_items, const std::string& items) {
  const std::string afresh = "\n(run without --resume to start afresh in that file)";
  try {
    engine::ResultsJournal j = engine::ResultsJournal::open(out, provenance, columns, resume);
    if (j.records().size() > n_items) {
      throw UsageError(out + ": holds " + std::to_string(j.records().size()) + " rows but this command has " +
                       std::to_string(n_items) + " " + items + afresh);
    }
    if (resume && (!j.records().empty() || j.cut_torn_line())) {
      std::cerr << "banensim: resuming " << (j.resumed_complete_file() ? out : engine::ResultsJournal::partial_path(out).string())
                << ": " << j.records().size() << " of " << n_items << " " << items << " done"
                << (j.cut_torn_line() ? " (a torn last line was dropped)" : "") << "\n";
    }
    if (j.discarded_partial()) {
      std::cerr << "banensim: note: " << engine::ResultsJournal::partial_path(out).string()
                << " held the rows of an interrupted run; started afresh (--resume would have continued it)\n";
    }
    return j;
  } catch (const engine::JournalMismatch& e) {
    throw UsageError(e.what() + afresh);
  } catch (const engine::JournalDamaged& e) {
    throw UsageError(std::string(e.what()) + "; nothing was changed" + afresh);
  } catch (const engine::JournalBusy& e) {
    throw UsageError(e.what());
  }
}

// One run of the variants (paired on common random numbers). banensim-mpi:
// the paths are split across the ranks (engine/mpi_runner.hpp) and only rank
// 0's result holds the numbers; the same numbers, bit for bit.
template <class M>
engine::RunResult run_on_all_ranks(std::span<const M> variants, const engine::RunConfig& cfg) {
#ifdef BANENSIM_MPI
  return engine::run_paired_mpi(variants, cfg, MPI_COMM_WORLD);
#else
  return engine::run_paired(variants, cfg);
#endif
}

// Items [first, last) of a command's list of runs (sweep points, design
// rows), each evaluated by eval(i) -> std::optional<std::string> (the row
// text; no value when the run was cancelled) and handed to consume(i, row) in
// item order. One process: a plain loop. banensim-mpi with several ranks: the
// items are dealt across the ranks (engine/mpi_map.hpp) and consume runs on
// rank 0 only -- with the same rows in the same order.
enum class LoopEnd { kCompleted, kCancelled };

template <class Eval, class Consume>
LoopEnd for_each_item(std::uint64_t first, std::uint64_t last, Eval&& eval, Consume&& consume) {
#ifdef BANENSIM_MPI
  if (g_n_ranks > 1) {
    const engine::MapEnd end = engine::mpi_ordered_map(
        first, last, eval,
        [&](std::uint64_t i, std::string&& row) {
          consume(i, std::move(row));
          return true;
        },
        MPI_COMM_WORLD);
    return end == engine::MapEnd::kCompleted ? LoopEnd::kCompleted : LoopEnd::kCancelled;
  }
#endif
  for (std::uint64_t i = first; i < last; ++i) {
    std::optional<std::string> row = eval(i);
    if (!row) return LoopEnd::kCancelled;
    consume(i, std::move(*row));
  }
  return LoopEnd::kCompleted;
}

// Runs `decide` on rank 0 only -- opening a results journal, which only rank 0
// may touch -- and gives every rank its answer (where to start). When it
// throws on rank 0, it throws there with its own message and on every other
// rank with a muted one, so all ranks stop together. Without MPI: decide().
template <class Decide>
std::uint64_t decided_on_rank0(Decide&& decide) {
#ifdef BANENSIM_MPI
  if (g_n_ranks > 1) {
    std::uint64_t answer[2] = {0, 0};  // {ok, value}
    std::exception_ptr failure;
    if (g_rank == 0) {
      try {
        answer[1] = decide();
        answer[0] = 1;
      } catch (...) {
        failure = std::current_exception();
      }
    }
    MPI_Bcast(answer, 2, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (failure) std::rethrow_exception(failure);
    if (answer[0] == 0) throw UsageError("stopped on rank 0 (see its message)");
    return answer[1];
  }
#endif
  return decide();
}

}  // namespace banensim::app
