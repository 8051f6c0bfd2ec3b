#include "engine/simd_kernels.hpp"

#include <atomic>

namespace banensim::engine::kernels {
namespace {

std::atomic<const KernelSet*> forced{nullptr};

const KernelSet* detect_avx2() noexcept {
#if defined(BANENSIM_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &detail::kAvx2KernelSet;
#endif
  return nullptr;
}

const KernelSet* detect_avx512() noexcept {
#if defined(BANENSIM_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    return &detail::kAvx512KernelSet;
  }
#endif
  return nullptr;
}

}  // namespace

const KernelSet* avx2_kernels() noexcept {
  static const KernelSet* const set = detect_avx2();
  return set;
}

const KernelSet* avx512_kernels() noexcept {
  static const KernelSet* const set = detect_avx512();
  return set;
}

int available_kernel_sets(const KernelSet* out[3]) noexcept {
  int n = 0;
  out[n++] = &scalar_kernels();
  if (const KernelSet* s = avx2_kernels()) out[n++] = s;
  if (const KernelSet* s = avx512_kernels()) out[n++] = s;
  return n;
}

const KernelSet& active_kernels() noexcept {
  if (const KernelSet* f = forced.load(std::memory_order_relaxed)) return *f;
  if (const KernelSet* widest = avx512_kernels()) return *widest;
  if (const KernelSet* fast = avx2_kernels()) return *fast;
  return scalar_kernels();
}

void force_kernels(const KernelSet* set) noexcept { forced.store(set, std::memory_order_relaxed); }

}  // namespace banensim::engine::kernels
