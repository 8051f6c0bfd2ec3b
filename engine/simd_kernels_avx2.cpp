// The AVX2 + FMA kernels (compiled with -mavx2 -mfma, called only on CPUs
// that have both; engine/simd_kernels.cpp checks). Same bits as the scalar
// kernels (engine/simd_kernels_scalar.cpp), 8 Philox counters or 4 doubles
// per instruction.
//
// This file must not include standard-library headers with inline functions
// (or define any inline function outside its own namespaces): compiled with
// AVX2 enabled, an out-of-line copy of such a function could be the one the
// linker keeps for the whole program, and crash a CPU without AVX2.

#define BANENSIM_KERNEL_NS avx2_impl
#include "engine/simd_kernels_impl.hpp"

#include <immintrin.h>

#include "engine/simd_kernels.hpp"

namespace banensim::engine::kernels {
namespace {

namespace impl = avx2_impl;

struct Avx2V {
  using D = __m256d;
  using M = __m256d;
  static D set(double x) { return _mm256_set1_pd(x); }
  static D add(D a, D b) { return _mm256_add_pd(a, b); }
  static D sub(D a, D b) { return _mm256_sub_pd(a, b); }
  static D mul(D a, D b) { return _mm256_mul_pd(a, b); }
  static D div(D a, D b) { return _mm256_div_pd(a, b); }
  static D fma(D a, D b, D c) { return _mm256_fmadd_pd(a, b, c); }
  static D sqrt(D a) { return _mm256_sqrt_pd(a); }
  static D abs(D a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static M lt(D a, D b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static D select(M m, D a, D b) { return _mm256_blendv_pd(b, a, m); }
  static void exponent_mantissa(D x, D& e, D& m) {
    const __m256i bits = _mm256_castpd_si256(x);
    m = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000fffffffffffffLL)),
                                            _mm256_set1_epi64x(0x3ff0000000000000LL)));
    const __m256i e_bits = _mm256_or_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x4330000000000000LL));
    e = _mm256_sub_pd(_mm256_castsi256_pd(e_bits), _mm256_set1_pd(4503599627370496.0 + 1023.0));
  }
};

// q = u - 1/2 = (w - 2^31 + 1/2) / 2^32 for 4 words, exactly.
__m256d q_of_words(__m128i w) {
  const __m128i s = _mm_xor_si128(w, _mm_set1_epi32(static_cast<int>(0x80000000U)));
  return _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(s), _mm256_set1_pd(0.5)), _mm256_set1_pd(0x1p-32));
}

// Philox4x32-10 for 8 consecutive paths, each 32-bit lane one counter:
// x0, x1 the low and high words of the path indices, x2, x3 the purpose and
// block words.
struct Counters8 {
  __m256i x0, x1, x2, x3;
};

Counters8 counters8(std::uint64_t base, std::uint32_t c2, std::uint32_t c3) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000U));
  const __m256i base_lo = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(base)));
  const __m256i x0 = _mm256_add_epi32(base_lo, iota);
  // Carry into the high word where the low word wrapped (x0 < base_lo,
  // unsigned: compared with the sign bits flipped); the mask is -1 there.
  const __m256i carry = _mm256_cmpgt_epi32(_mm256_xor_si256(base_lo, sign), _mm256_xor_si256(x0, sign));
  const __m256i x1 = _mm256_sub_epi32(_mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(base >> 32))), carry);
  return {x0, x1, _mm256_set1_epi32(static_cast<int>(c2)), _mm256_set1_epi32(static_cast<int>(c3))};
}

// One Philox round. The 32x32 -> 64-bit products are formed for the even
// and the odd lanes apart (vpmuludq multiplies the low halves of 64-bit lanes).
[[gnu::always_inline]] inline void philox_round(Counters8& c, __m256i k0, __m256i k1) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(impl::kPhiloxM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(impl::kPhiloxM1));
  const __m256i even0 = _mm256_mul_epu32(c.x0, m0);
  const __m256i odd0 = _mm256_mul_epu32(_mm256_srli_epi64(c.x0, 32), m0);
  const __m256i even1 = _mm256_mul_epu32(c.x2, m1);
  const __m256i odd1 = _mm256_mul_epu32(_mm256_srli_epi64(c.x2, 32), m1);
  const __m256i lo0 = _mm256_blend_epi32(even0, _mm256_slli_epi64(odd0, 32), 0xAA);
  const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(even0, 32), odd0, 0xAA);
  const __m256i lo1 = _mm256_blend_epi32(even1, _mm256_slli_epi64(odd1, 32), 0xAA);
  const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(even1, 32), odd1, 0xAA);
  c.x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c.x1), k0);
  c.x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c.x3), k1);
  c.x1 = lo1;
  c.x3 = lo0;
}

[[gnu::always_inline]] inline void store8(const Counters8& c, std::uint32_t* out, std::size_t stride, std::size_t i, std::size_t n) {
  if (i + 8 <= n) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), c.x0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + stride + i), c.x1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * stride + i), c.x2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 3 * stride + i), c.x3);
    return;
  }
  alignas(32) std::uint32_t tmp[4][8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp[0]), c.x0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp[1]), c.x1);
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp[2]), c.x2);
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp[3]), c.x3);
  for (std::size_t w = 0; w < 4; ++w) {
    for (std::size_t k = 0; i + k < n; ++k) out[w * stride + i + k] = tmp[w][k];
  }
}

void philox(std::uint64_t first_path, std::size_t n, std::uint32_t c2, std::uint32_t c3, std::uint32_t k0,
            std::uint32_t k1, std::uint32_t* out, std::size_t stride) {
  std::size_t i = 0;
  // Two groups of 8 paths at a time: their rounds interleave, which keeps the
  // multipliers busy while a round's latency runs out (20% faster than one).
  for (; i + 16 <= n; i += 16) {
    Counters8 a = counters8(first_path + i, c2, c3);
    Counters8 b = counters8(first_path + i + 8, c2, c3);
    std::uint32_t ka = k0;
    std::uint32_t kb = k1;
    for (int round = 0; round < 10; ++round) {
      const __m256i key0 = _mm256_set1_epi32(static_cast<int>(ka));
      const __m256i key1 = _mm256_set1_epi32(static_cast<int>(kb));
      philox_round(a, key0, key1);
      philox_round(b, key0, key1);
      ka += impl::kPhiloxW0;
      kb += impl::kPhiloxW1;
    }
    store8(a, out, stride, i, n);
    store8(b, out, stride, i + 8, n);
  }
  for (; i < n; i += 8) {
    Counters8 a = counters8(first_path + i, c2, c3);
    std::uint32_t ka = k0;
    std::uint32_t kb = k1;
    for (int round = 0; round < 10; ++round) {
      philox_round(a, _mm256_set1_epi32(static_cast<int>(ka)), _mm256_set1_epi32(static_cast<int>(kb)));
      ka += impl::kPhiloxW0;
      kb += impl::kPhiloxW1;
    }
    store8(a, out, stride, i, n);
  }
}

// Positions of the set bits of a 4-bit mask, packed to the front (for
// collecting the lanes that need the tail formula without a branch).
alignas(16) constexpr std::int32_t kLeftPack[16][4] = {
    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0}, {1, 2, 0, 0}, {0, 1, 2, 0},
    {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0}, {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};

// The centre formula on every lane, then the tail formula on the lanes that
// need it (about 5%), gathered four at a time: a branch per vector on "any
// lane in the tail" would take the slow path (and mispredict) for 18% of
// vectors; this is 25% faster on random words.
void normals(const std::uint32_t* w, double* z, std::size_t n) {
  constexpr std::size_t kChunk = 512;
  alignas(16) std::int32_t tail_lanes[kChunk + 8];
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t len = n - start < kChunk ? n - start : kChunk;
    const std::uint32_t* wc = w + start;
    double* zc = z + start;
    std::size_t n_tail = 0;
    std::size_t i = 0;
    for (; i + 4 <= len; i += 4) {
      const __m256d q = q_of_words(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wc + i)));
      _mm256_storeu_pd(zc + i, impl::centre<Avx2V>(q));
      const int mask = _mm256_movemask_pd(Avx2V::lt(_mm256_set1_pd(impl::kCentreLimit), Avx2V::abs(q)));
      const __m128i lanes = _mm_add_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(kLeftPack[mask])),
                                          _mm_set1_epi32(static_cast<int>(i)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tail_lanes + n_tail), lanes);
      n_tail += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(mask)));
    }
    if (i < len) {  // the last 1-3 words, padded with word 0 (a tail word, counted only if real)
      alignas(16) std::uint32_t wp[4] = {0, 0, 0, 0};
      alignas(32) double zp[4];
      for (std::size_t k = 0; i + k < len; ++k) wp[k] = wc[i + k];
      const __m256d q = q_of_words(_mm_load_si128(reinterpret_cast<const __m128i*>(wp)));
      _mm256_store_pd(zp, impl::centre<Avx2V>(q));
      const int mask = _mm256_movemask_pd(Avx2V::lt(_mm256_set1_pd(impl::kCentreLimit), Avx2V::abs(q)));
      for (std::size_t k = 0; i + k < len; ++k) {
        zc[i + k] = zp[k];
        if ((mask >> k) & 1) tail_lanes[n_tail++] = static_cast<std::int32_t>(i + k);
      }
    }
    if (n_tail == 0) continue;
    // Pad the list to whole pairs of vectors with its last lane (computed
    // again and stored twice: the same value), so that every gather and store
    // is whole; two vectors at a time, as the tail formula is one long chain
    // of dependent operations.
    for (std::size_t k = n_tail; k % 8 != 0; ++k) tail_lanes[k] = tail_lanes[n_tail - 1];
    for (std::size_t j = 0; j < n_tail; j += 8) {
      const __m128i lanes_a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail_lanes + j));
      const __m128i lanes_b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail_lanes + j + 4));
      const __m128i words_a = _mm_i32gather_epi32(reinterpret_cast<const int*>(wc), lanes_a, 4);
      const __m128i words_b = _mm_i32gather_epi32(reinterpret_cast<const int*>(wc), lanes_b, 4);
      const __m256d z_a = impl::tail<Avx2V>(q_of_words(words_a));
      const __m256d z_b = impl::tail<Avx2V>(q_of_words(words_b));
      alignas(32) double zt[8];
      _mm256_store_pd(zt, z_a);
      _mm256_store_pd(zt + 4, z_b);
      for (std::size_t k = 0; k < 8; ++k) zc[tail_lanes[j + k]] = zt[k];
    }
  }
}

void uniforms(const std::uint32_t* w, double* u, std::size_t n) {
  const __m128i sign = _mm_set1_epi32(static_cast<int>(0x80000000U));
  const __m256d offset = _mm256_set1_pd(2147483648.5);  // 2^31 + 1/2: s + offset = w + 1/2, exactly
  const __m256d scale = _mm256_set1_pd(0x1p-32);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128i s = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i)), sign);
    _mm256_storeu_pd(u + i, _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(s), offset), scale));
  }
  for (; i < n; ++i) u[i] = (static_cast<double>(w[i]) + 0.5) * 0x1p-32;
}

}  // namespace

// Constant-initialised data (no code runs to make it), so reading it is safe
// on any CPU; its functions are called only where AVX2 and FMA exist.
constinit const KernelSet detail::kAvx2KernelSet{"avx2+fma", &philox, &normals, &uniforms};

}  // namespace banensim::engine::kernels
