#pragma once
// Fixed-width vectors of doubles for the lane loops of batch models
// (engine/batch_model.hpp), on the GCC/Clang vector extensions: a loop over
// lanes written with these is vectorised by construction -- every lane's
// arithmetic one SIMD operation, conditions as masks and selects, no
// branches -- where the auto-vectoriser gives up on a loop body with a few
// conditional updates (and the branches it leaves mispredict on random
// data).
//
// The same numbers on every build and CPU: each operation is the IEEE-754
// operation on each lane (+, -, *, / correctly rounded; comparisons and
// selects exact), the project builds with -ffp-contract=off (no fused
// multiply-add unless asked for), and nothing here calls libm.
//
// A Doubles holds kWidth = 4 lanes: one AVX register, two SSE2 registers
// in the baseline x86-64 build (the compiler splits each operation). Its
// functions are always inlined: a 32-byte vector passed by value would
// follow different calling conventions in AVX and non-AVX code (GCC's
// -Wpsabi note, which the project turns off for that reason). Mark a
// function with lane loops BANENSIM_LANE_KERNEL to have it compiled for the
// baseline, for x86-64-v3 (AVX2) and for x86-64-v4 (AVX-512: the same 4-lane
// vectors, with mask registers for comparisons and selects) and chosen by
// the CPU at run time (GCC's target_clones) -- the same numbers, since each
// lane sees the same operations. (Not 8 lanes: GCC 12 then compiles the
// comparisons of every clone lane by lane in scalar code, which made the
// quota rules 35% of a run; measured.)
//
// Lane arrays are padded to a multiple of kLaneAlign (engine/block_random.hpp),
// so a loop `for (i = 0; i < padded_lanes(n); i += kWidth)` never runs past
// them; the padding lanes carry real draws of the next paths and are never
// tallied.

#include <cstddef>
#include <cstdint>

// Runs the function's baseline, its x86-64-v3 (AVX2, FMA) or its x86-64-v4
// (AVX-512) compilation, the widest the CPU supports (an ifunc resolved once
// at load time).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(BANENSIM_NO_TARGET_CLONES)
#define BANENSIM_LANE_KERNEL __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define BANENSIM_LANE_KERNEL
#endif

namespace banensim::engine::simd {

inline constexpr std::size_t kWidth = 4;

using Doubles = double __attribute__((vector_size(kWidth * sizeof(double))));
// A comparison's result: all bits set in the lanes where it holds.
using Mask = std::int64_t __attribute__((vector_size(kWidth * sizeof(double))));

[[gnu::always_inline]] inline Doubles load(const double* p) noexcept {
  Doubles v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void store(double* p, Doubles v) noexcept { __builtin_memcpy(p, &v, sizeof v); }
[[gnu::always_inline]] inline Doubles splat(double x) noexcept { return Doubles{} + x; }

// m ? a : b, lane by lane.
[[gnu::always_inline]] inline Doubles select(Mask m, Doubles a, Doubles b) noexcept { return m ? a : b; }
[[gnu::always_inline]] inline Doubles min(Doubles a, Doubles b) noexcept { return a < b ? a : b; }
[[gnu::always_inline]] inline Doubles max(Doubles a, Doubles b) noexcept { return a > b ? a : b; }
// lo <= x <= hi, lane by lane (lo <= hi).
[[gnu::always_inline]] inline Doubles clamp(Doubles x, Doubles lo, Doubles hi) noexcept { return min(max(x, lo), hi); }
// 1.0 where m holds, else 0.0.
[[gnu::always_inline]] inline Doubles one_if(Mask m) noexcept { return m ? splat(1.0) : splat(0.0); }
[[gnu::always_inline]] inline Mask is_nan(Doubles x) noexcept { return x != x; }

}  // namespace banensim::engine::simd
