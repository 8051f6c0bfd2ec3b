#pragma once
// The hot loops of the batched random streams (engine/block_random.hpp), in
// three implementations that give the same bits:
//
//   scalar  plain C++ (Random123's Philox4x32-10, one value at a time); built
//           for the baseline instruction set, so it runs everywhere;
//   avx2    AVX2 + FMA intrinsics, 8 counters / 4 doubles at a time; built
//           only on x86-64, used only when the CPU has AVX2 and FMA;
//   avx512  AVX-512 (F, DQ, VL) intrinsics, 8 counters (one per 64-bit
//           lane) / 8 doubles at a time; built only on x86-64, used only
//           when the CPU has them.
//
// The implementation used is chosen once, at the first call, from the CPU:
// the widest it has.
// Results never depend on that choice: the Philox words are integers, and
// every floating-point value is computed from the same sequence of IEEE-754
// operations (+, -, *, /, sqrt, fused multiply-add -- each correctly
// rounded) in both, from one template (engine/simd_kernels_impl.hpp); the
// kernel sources are compiled with -ffp-contract=off so the compiler fuses
// nothing on its own, and no libm function is called (but fma in the scalar
// version, which is exact by definition). The tests compare the
// two bit for bit (tests/engine/block_random_test.cpp).
//
// Internal to the engine: models use engine/block_random.hpp.

#include <cstddef>
#include <cstdint>

namespace banensim::engine::kernels {

struct KernelSet {
  const char* name;  // "scalar", "avx2+fma" or "avx512"
  // Philox4x32-10 of the counters {p mod 2^32, p div 2^32, c2, c3} under the
  // key {k0, k1} for the n paths p = first_path .. first_path + n - 1:
  // word w of path first_path + i goes to out[w * stride + i] (stride >= n).
  void (*philox)(std::uint64_t first_path, std::size_t n, std::uint32_t c2, std::uint32_t c3, std::uint32_t k0,
                 std::uint32_t k1, std::uint32_t* out, std::size_t stride);
  // z[i] = the fast inverse normal CDF of the uniform (w[i] + 1/2) / 2^32.
  void (*normals)(const std::uint32_t* w, double* z, std::size_t n);
  // u[i] = (w[i] + 1/2) / 2^32, in [2^-33, 1 - 2^-33] (exact).
  void (*uniforms)(const std::uint32_t* w, double* u, std::size_t n);
};

// Always available.
const KernelSet& scalar_kernels() noexcept;

namespace detail {
// Defined in engine/simd_kernels_avx2.cpp and engine/simd_kernels_avx512.cpp
// where those files are built (x86-64).
extern const KernelSet kAvx2KernelSet;
extern const KernelSet kAvx512KernelSet;
}  // namespace detail

// Null when not built (not x86-64) or when this CPU lacks AVX2 or FMA.
const KernelSet* avx2_kernels() noexcept;
// Null when not built (not x86-64) or when this CPU lacks AVX-512 F, DQ or VL.
const KernelSet* avx512_kernels() noexcept;
// Every set this CPU can run, narrowest first: scalar, then avx2 and avx512
// where available (for tests and benchmarks).
int available_kernel_sets(const KernelSet* out[3]) noexcept;
// What BlockRandom uses: the widest available (or the forced set).
const KernelSet& active_kernels() noexcept;
// For tests and benchmarks: use `set` (nullptr: back to the automatic
// choice). Not to be called while a run is in flight.
void force_kernels(const KernelSet* set) noexcept;

}  // namespace banensim::engine::kernels
