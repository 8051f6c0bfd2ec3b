#pragma once
// How a study is executed: on how many threads, across which processes, when
// to stop, and whom to tell how far it got. Passed to every study and run in
// studies/ (as Ceres passes its Context), so nothing here is global: the
// program's main makes one, a Python session another, a test a third.
//
// Cluster: the processes a study's work is spread over. OneProcess runs
// everything here; studies/mpi_cluster.hpp (only in banensim-mpi) spreads
// paths and points across MPI ranks with bit-identical results
// (docs/PARALLEL.md). Only the root (rank 0) holds results, prints and
// writes; every rank runs the same study code.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "engine/parallel_runner.hpp"
#include "models/banenafspraak_model.hpp"

namespace banensim::studies {

// A study cannot do what it was asked: settings out of range, an unknown
// output, a result file of another computation, a journal another process
// holds. Bad input (the program exits with code 2); the message says what
// and why.
class StudyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Cluster {
 public:
  virtual ~Cluster() = default;
  Cluster() = default;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool is_root() const { return rank() == 0; }
  virtual std::string description() const = 0;  // "1 process", "3 MPI ranks"

  // One Monte Carlo run of the variants, paired on common random numbers.
  // Across ranks the paths are split (engine/mpi_runner.hpp); the result is
  // the one-process result bit for bit, on the root only.
  virtual engine::RunResult run(std::span<const models::BanenafspraakModel> variants,
                                const engine::RunConfig& config) = 0;

  // Items [first, last): eval(i) -> the item's result text, or no value when
  // cancelled; consume(i, text) on the root only, in item order. Across ranks
  // the items are dealt round-robin (engine/mpi_map.hpp). Returns false when
  // an evaluation was cancelled (the items before it were consumed). An
  // evaluation that throws stops the map at that item on every rank; the
  // root rethrows its message after consuming every earlier item.
  using Eval = std::function<std::optional<std::string>(std::uint64_t)>;
  using Consume = std::function<void(std::uint64_t, std::string&&)>;
  virtual bool ordered_map(std::uint64_t first, std::uint64_t last, const Eval& eval, const Consume& consume) = 0;

  // decide() on the root only (e.g. opening a result file only it may
  // touch); every rank gets its answer. If it throws on the root, it throws
  // there with its own exception and on every other rank a StudyError, so
  // all ranks stop together.
  virtual std::uint64_t on_root(const std::function<std::uint64_t()>& decide) = 0;
};

// This process alone: plain loops, no communication.
class OneProcess final : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string description() const override { return "1 process"; }
  engine::RunResult run(std::span<const models::BanenafspraakModel> variants, const engine::RunConfig& config) override;
  bool ordered_map(std::uint64_t first, std::uint64_t last, const Eval& eval, const Consume& consume) override;
  std::uint64_t on_root(const std::function<std::uint64_t()>& decide) override { return decide(); }
};

struct ExecutionContext {
  int threads = 0;  // worker threads per process; 0 = all cores. Results do not depend on it.
  // Set from outside (a signal handler, a Python KeyboardInterrupt check) to
  // stop at the next block of paths; a study then ends with the points
  // finished so far (in its journal, for --resume).
  const std::atomic<bool>* cancel = nullptr;
  std::shared_ptr<Cluster> cluster = std::make_shared<OneProcess>();
  // Progress, called on the root only: paths of the run in progress (done,
  // planned), and the point a study starts (index, count).
  std::function<void(std::uint64_t, std::uint64_t)> on_paths;
  std::function<void(std::uint64_t, std::uint64_t)> on_point;
  // Things a user should know as they happen (on the root): "resuming FILE:
  // 3 of 8 points done", a discarded partial file. The CLI prints them on
  // stderr.
  std::function<void(const std::string&)> on_note;

  bool is_root() const { return cluster->is_root(); }
  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

}  // namespace banensim::studies
