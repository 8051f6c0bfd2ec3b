#include "studies/mpi_cluster.hpp"

#include <exception>

#include "engine/mpi_map.hpp"
#include "engine/mpi_runner.hpp"

namespace banensim::studies {

MpiCluster::MpiCluster(MPI_Comm comm) : comm_(comm) {
  engine::detail::check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  engine::detail::check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

std::string MpiCluster::description() const {
  return std::to_string(size_) + (size_ == 1 ? " MPI rank" : " MPI ranks");
}

engine::RunResult MpiCluster::run(std::span<const models::BanenafspraakModel> variants,
                                  const engine::RunConfig& config) {
  return engine::run_paired_mpi(variants, config, comm_);
}

bool MpiCluster::ordered_map(std::uint64_t first, std::uint64_t last, const Eval& eval, const Consume& consume) {
  const engine::MapEnd end = engine::mpi_ordered_map(
      first, last, eval,
      [&](std::uint64_t i, std::string&& text) {
        consume(i, std::move(text));
        return true;
      },
      comm_);
  return end == engine::MapEnd::kCompleted;
}

std::uint64_t MpiCluster::on_root(const std::function<std::uint64_t()>& decide) {
  std::uint64_t answer[2] = {0, 0};  // {ok, value}
  std::exception_ptr failure;
  if (rank_ == 0) {
    try {
      answer[1] = decide();
      answer[0] = 1;
    } catch (...) {
      failure = std::current_exception();
    }
  }
  engine::detail::check_mpi(MPI_Bcast(answer, 2, MPI_UINT64_T, 0, comm_), "MPI_Bcast");
  if (failure) std::rethrow_exception(failure);
  if (answer[0] == 0) throw StudyError(kStoppedOnRoot);
  return answer[1];
}

}  // namespace banensim::studies
