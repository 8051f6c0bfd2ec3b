#include "studies/execution.hpp"

namespace banensim::studies {

engine::RunResult OneProcess::run(std::span<const models::BanenafspraakModel> variants,
                                  const engine::RunConfig& config) {
  return engine::run_paired(variants, config);
}

bool OneProcess::ordered_map(std::uint64_t first, std::uint64_t last, const Eval& eval, const Consume& consume) {
  for (std::uint64_t i = first; i < last; ++i) {
    std::optional<std::string> text = eval(i);
    if (!text) return false;
    consume(i, std::move(*text));
  }
  return true;
}

}  // namespace banensim::studies
