#pragma once
// The processes of an MPI communicator as a study's Cluster (studies/execution.hpp):
// one run's paths split across the ranks (engine/mpi_runner.hpp), a study's
// points dealt across them (engine/mpi_map.hpp), results bit-identical to
// one process (docs/PARALLEL.md). The one place that sees MPI above the
// engine; built into banensim-mpi only (target banensim_studies_mpi).

#include <mpi.h>

#include "studies/execution.hpp"

namespace banensim::studies {

// What the other ranks throw when rank 0's decision (on_root) failed: rank 0
// says why, so banensim-mpi does not repeat this for each of them.
inline constexpr const char* kStoppedOnRoot = "stopped on rank 0 (see its message)";

class MpiCluster final : public Cluster {
 public:
  // MPI must be initialised (MPI_Init_thread, at least MPI_THREAD_FUNNELED).
  explicit MpiCluster(MPI_Comm comm);
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string description() const override;
  engine::RunResult run(std::span<const models::BanenafspraakModel> variants, const engine::RunConfig& config) override;
  bool ordered_map(std::uint64_t first, std::uint64_t last, const Eval& eval, const Consume& consume) override;
  std::uint64_t on_root(const std::function<std::uint64_t()>& decide) override;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace banensim::studies
