#include "engine/parallel_runner.hpp"

#include <stdexcept>
#include <string>
#include <thread>

namespace banensim::engine {

int resolve_threads(int requested) {
  if (requested < 0) throw std::invalid_argument("thread count must be >= 0, got " + std::to_string(requested));
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace banensim::engine
