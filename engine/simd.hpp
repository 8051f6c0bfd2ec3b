#pragma once
// Fixed-width vectors of doubles for the lane loops of batch models
// (engine/batch_model.hpp), on the GCC/Clang vector extensions: a loop over
// lanes written with these is vectorised by construction -- every lane's
// arithmetic one SIMD instruction, conditions as masks and selects, no
// branches -- where the auto-vectoriser gives up on a loop body with a
// few conditional updates (and the branches it leaves mispredict on random
// data).
//
// The same numbers on every build: each operation is the IEEE-754 operation
// on each lane (+, -, *, / correctly rounded; comparisons and selects exact),
// the project builds with -ffp-contract=off (no fused multiply-add unless
// asked for), and nothing here calls libm. kWidth is 2 for the baseline
// x86-64 build (SSE2) and 4 where the build enables AVX; a lane's result does
// not depend on it.
//
// Lane arrays are padded to a multiple of kLaneAlign (engine/batch_model.hpp),
// so a loop `for (i = 0; i < padded_lanes(n); i += kWidth)` never reads past
// them; the padding lanes carry real draws of the next paths and are never
// tallied.

#include <cstddef>
#include <cstdint>

namespace banensim::engine::simd {

#if defined(__AVX__)
inline constexpr std::size_t kWidth = 4;
#else
inline constexpr std::size_t kWidth = 2;
#endif

using Doubles = double __attribute__((vector_size(kWidth * sizeof(double))));
// A comparison's result: all bits set in the lanes where it holds.
using Mask = std::int64_t __attribute__((vector_size(kWidth * sizeof(double))));

inline Doubles load(const double* p) noexcept {
  Doubles v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, Doubles v) noexcept { __builtin_memcpy(p, &v, sizeof v); }
inline Doubles splat(double x) noexcept { return Doubles{} + x; }

// m ? a : b, lane by lane.
inline Doubles select(Mask m, Doubles a, Doubles b) noexcept { return m ? a : b; }
inline Doubles min(Doubles a, Doubles b) noexcept { return a < b ? a : b; }
inline Doubles max(Doubles a, Doubles b) noexcept { return a > b ? a : b; }
// lo <= x <= hi, lane by lane (lo <= hi).
inline Doubles clamp(Doubles x, Doubles lo, Doubles hi) noexcept { return min(max(x, lo), hi); }
// 1.0 where m holds, else 0.0.
inline Doubles one_if(Mask m) noexcept { return m ? splat(1.0) : splat(0.0); }
inline Mask is_nan(Doubles x) noexcept { return x != x; }

}  // namespace banensim::engine::simd
