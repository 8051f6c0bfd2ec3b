#pragma once
// The few MPI calls the MPI runners share (engine/mpi_runner.hpp,
// engine/mpi_map.hpp): a checked call, and receiving a message of a size not
// known in advance.

#include <mpi.h>

#include <stdexcept>
#include <string>

namespace banensim::engine::detail {

inline void check_mpi(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI failure in ") + what);
}

// Receives the next message with `tag` from rank `from` into a container of
// `type` elements (std::string with MPI_CHAR, std::vector<std::uint64_t> with
// MPI_UINT64_T), sized to fit.
template <class Container>
Container receive_sized(int from, int tag, MPI_Datatype type, MPI_Comm comm) {
  MPI_Status status;
  check_mpi(MPI_Probe(from, tag, comm, &status), "MPI_Probe");
  int count = 0;
  check_mpi(MPI_Get_count(&status, type, &count), "MPI_Get_count");
  Container data;
  data.resize(static_cast<std::size_t>(count));
  check_mpi(MPI_Recv(data.data(), count, type, from, tag, comm, MPI_STATUS_IGNORE), "MPI_Recv");
  return data;
}

}  // namespace banensim::engine::detail
