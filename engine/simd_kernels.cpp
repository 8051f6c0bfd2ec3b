#include "engine/simd_kernels.hpp"

#include <atomic>

namespace banensim::engine::kernels {
namespace {

std::atomic<const KernelSet*> forced{nullptr};

const KernelSet* detect_avx2() noexcept {
#if defined(BANENSIM_HAVE_AVX2_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &detail::kAvx2KernelSet;
#endif
  return nullptr;
}

}  // namespace

const KernelSet* avx2_kernels() noexcept {
  static const KernelSet* const set = detect_avx2();
  return set;
}

const KernelSet& active_kernels() noexcept {
  if (const KernelSet* f = forced.load(std::memory_order_relaxed)) return *f;
  const KernelSet* fast = avx2_kernels();
  return fast != nullptr ? *fast : scalar_kernels();
}

void force_kernels(const KernelSet* set) noexcept { forced.store(set, std::memory_order_relaxed); }

}  // namespace banensim::engine::kernels
