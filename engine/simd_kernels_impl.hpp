// The floating-point arithmetic of the batched streams, written once over an
// abstract vector type V so that the scalar and the AVX2 kernels perform the
// same IEEE-754 operations in the same order (hence give the same bits).
//
// Included only by engine/simd_kernels_scalar.cpp and
// engine/simd_kernels_avx2.cpp, each after defining BANENSIM_KERNEL_NS: the
// two compile this with different instruction sets, so everything here lives
// in a namespace of its own per file (no inline function is shared between
// them, which could let the linker pick the AVX2 copy for the scalar path).
// For the same reason this header includes no standard-library header with
// inline functions and calls builtins only.
//
// V provides: type D (double, or a vector of doubles) and M (its comparison
// mask); set(x) (broadcast), add, sub, mul, div, fma(a, b, c) = a*b + c with
// one rounding, sqrt, abs, lt(a, b) (a < b), select(m, a, b) (m ? a : b), and
// exponent_mantissa(x, e, m): for a positive normal x, the exact e and m with
// x = m * 2^e, m in [1, 2).

#ifndef BANENSIM_KERNEL_NS
#error "define BANENSIM_KERNEL_NS before including engine/simd_kernels_impl.hpp"
#endif

#include <cstdint>

namespace banensim::engine::kernels::BANENSIM_KERNEL_NS {

// P. J. Acklam, "An algorithm for computing the inverse normal cumulative
// distribution function" (2003): rational approximations with relative error
// below 1.15e-9, one in the centre p in [0.02425, 0.97575] (in q = p - 1/2)
// and one in the tails (in t = sqrt(-2 log p)).
inline constexpr double kCentreA[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                       1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
inline constexpr double kCentreB[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                       6.680131188771972e+01,  -1.328068155288572e+01};
inline constexpr double kTailC[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                     -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
inline constexpr double kTailD[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                     3.754408661907416e+00};
// |q| <= kCentreLimit uses the centre formula (p = 1/2 + q in [0.02425, 0.97575]).
inline constexpr double kCentreLimit = 0.5 - 0.02425;

inline constexpr double kSqrt2 = 1.4142135623730951;
inline constexpr double kLn2 = 0.6931471805599453;

// Acklam's centre approximation of Phi^{-1}(1/2 + q), |q| <= kCentreLimit.
template <class V>
[[gnu::always_inline]] inline typename V::D centre(typename V::D q) {
  using D = typename V::D;
  const D r = V::mul(q, q);
  D num = V::fma(V::set(kCentreA[0]), r, V::set(kCentreA[1]));
  num = V::fma(num, r, V::set(kCentreA[2]));
  num = V::fma(num, r, V::set(kCentreA[3]));
  num = V::fma(num, r, V::set(kCentreA[4]));
  num = V::fma(num, r, V::set(kCentreA[5]));
  D den = V::fma(V::set(kCentreB[0]), r, V::set(kCentreB[1]));
  den = V::fma(den, r, V::set(kCentreB[2]));
  den = V::fma(den, r, V::set(kCentreB[3]));
  den = V::fma(den, r, V::set(kCentreB[4]));
  den = V::fma(den, r, V::set(1.0));
  return V::div(V::mul(num, q), den);
}

// Natural log of a positive normal double, without libm: x = m 2^e with m
// folded into [sqrt(1/2), sqrt(2)), log m = 2 atanh(s) = 2 (s + s^3/3 + ... +
// s^17/17) with s = (m - 1)/(m + 1), |s| <= 0.1716. The first omitted term is
// below 2 * 0.1716^19 / 19 < 3e-16, so the error is a few units in the last
// place of |log x| (plus e * 5.6e-17 from rounding log 2).
template <class V>
[[gnu::always_inline]] inline typename V::D log_positive(typename V::D x) {
  using D = typename V::D;
  D e;
  D m;
  V::exponent_mantissa(x, e, m);
  const typename V::M big = V::lt(V::set(kSqrt2), m);
  m = V::select(big, V::mul(m, V::set(0.5)), m);
  e = V::select(big, V::add(e, V::set(1.0)), e);
  const D s = V::div(V::sub(m, V::set(1.0)), V::add(m, V::set(1.0)));
  const D s2 = V::mul(s, s);
  D t = V::fma(s2, V::set(1.0 / 17.0), V::set(1.0 / 15.0));
  t = V::fma(t, s2, V::set(1.0 / 13.0));
  t = V::fma(t, s2, V::set(1.0 / 11.0));
  t = V::fma(t, s2, V::set(1.0 / 9.0));
  t = V::fma(t, s2, V::set(1.0 / 7.0));
  t = V::fma(t, s2, V::set(1.0 / 5.0));
  t = V::fma(t, s2, V::set(1.0 / 3.0));
  const D two_s = V::add(s, s);
  const D log_m = V::fma(V::mul(two_s, s2), t, two_s);
  return V::fma(e, V::set(kLn2), log_m);
}

// Acklam's lower-tail approximation of Phi^{-1}(p), 0 < p < 0.02425 (negative).
template <class V>
[[gnu::always_inline]] inline typename V::D lower_tail(typename V::D p) {
  using D = typename V::D;
  const D t = V::sqrt(V::mul(V::set(-2.0), log_positive<V>(p)));
  D num = V::fma(V::set(kTailC[0]), t, V::set(kTailC[1]));
  num = V::fma(num, t, V::set(kTailC[2]));
  num = V::fma(num, t, V::set(kTailC[3]));
  num = V::fma(num, t, V::set(kTailC[4]));
  num = V::fma(num, t, V::set(kTailC[5]));
  D den = V::fma(V::set(kTailD[0]), t, V::set(kTailD[1]));
  den = V::fma(den, t, V::set(kTailD[2]));
  den = V::fma(den, t, V::set(kTailD[3]));
  den = V::fma(den, t, V::set(1.0));
  return V::div(num, den);
}

// The tail value for q = u - 1/2 with |q| > kCentreLimit: the lower tail at
// p = 1/2 - |q| (exact), negated in the upper tail, so that the result is
// exactly odd in q.
template <class V>
[[gnu::always_inline]] inline typename V::D tail(typename V::D q) {
  using D = typename V::D;
  const D aq = V::abs(q);
  const D x = lower_tail<V>(V::sub(V::set(0.5), aq));
  return V::select(V::lt(q, V::set(0.0)), x, V::sub(V::set(0.0), x));
}

// Philox4x32-10 constants (Salmon et al. 2011; Random123's philox.h).
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53U;
inline constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57U;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9U;
inline constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85U;

}  // namespace banensim::engine::kernels::BANENSIM_KERNEL_NS
