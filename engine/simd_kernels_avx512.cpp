// The AVX-512 kernels (compiled with -mavx512f -mavx512dq -mavx512vl, called
// only on CPUs that have all three; engine/simd_kernels.cpp checks). Same
// bits as the scalar kernels (engine/simd_kernels_scalar.cpp): 8 Philox
// counters (one per 64-bit lane) or 8 doubles per instruction, remainders
// handled with masks instead of scalar loops.
//
// This file must not include standard-library headers with inline functions
// (or define any inline function outside its own namespaces): compiled with
// AVX-512 enabled, an out-of-line copy of such a function could be the one
// the linker keeps for the whole program, and crash a CPU without AVX-512.

#define BANENSIM_KERNEL_NS avx512_impl
#include "engine/simd_kernels_impl.hpp"

#include <immintrin.h>

#include "engine/simd_kernels.hpp"

namespace banensim::engine::kernels {
namespace {

namespace impl = avx512_impl;

struct Avx512V {
  using D = __m512d;
  using M = __mmask8;
  static D set(double x) { return _mm512_set1_pd(x); }
  static D add(D a, D b) { return _mm512_add_pd(a, b); }
  static D sub(D a, D b) { return _mm512_sub_pd(a, b); }
  static D mul(D a, D b) { return _mm512_mul_pd(a, b); }
  static D div(D a, D b) { return _mm512_div_pd(a, b); }
  static D fma(D a, D b, D c) { return _mm512_fmadd_pd(a, b, c); }
  static D sqrt(D a) { return _mm512_sqrt_pd(a); }
  static D abs(D a) { return _mm512_andnot_pd(_mm512_set1_pd(-0.0), a); }
  static M lt(D a, D b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  // m ? a : b (the blend takes its second operand where the mask is set).
  static D select(M m, D a, D b) { return _mm512_mask_blend_pd(m, b, a); }
  static void exponent_mantissa(D x, D& e, D& m) {
    const __m512i bits = _mm512_castpd_si512(x);
    m = _mm512_castsi512_pd(_mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi64(0x000fffffffffffffLL)),
                                            _mm512_set1_epi64(0x3ff0000000000000LL)));
    const __m512i e_bits = _mm512_or_si512(_mm512_srli_epi64(bits, 52), _mm512_set1_epi64(0x4330000000000000LL));
    e = _mm512_sub_pd(_mm512_castsi512_pd(e_bits), _mm512_set1_pd(4503599627370496.0 + 1023.0));
  }
};

// The lanes i .. i + 7 that lie below n.
__mmask8 live8(std::size_t i, std::size_t n) {
  if (n >= i + 8) return 0xFF;
  return n > i ? static_cast<__mmask8>((1U << (n - i)) - 1U) : __mmask8{0};
}

// q = u - 1/2 = (w - 2^31 + 1/2) / 2^32 for 8 words, exactly.
__m512d q_of_words(__m256i w) {
  const __m256i s = _mm256_xor_si256(w, _mm256_set1_epi32(static_cast<int>(0x80000000U)));
  return _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi32_pd(s), _mm512_set1_pd(0.5)), _mm512_set1_pd(0x1p-32));
}

// Philox4x32-10 for 8 consecutive paths, one counter per 64-bit lane: each
// 32-bit word of the state in the low half of a lane, the high half
// ignored (vpmuludq reads only the low halves). A round is then two
// multiplies, two shifts and two three-way xors for 8 counters -- no
// blends of even and odd lanes as in the AVX2 kernel -- and the words are
// narrowed to 32 bits once, at the end.
struct Counters8x64 {
  __m512i x0, x1, x2, x3;
};

Counters8x64 counters8x64(std::uint64_t base, std::uint32_t c2, std::uint32_t c3) {
  const __m512i path = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(base)),
                                        _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
  // x0 = the path's low word (low half of the lane), x1 its high word.
  return {path, _mm512_srli_epi64(path, 32), _mm512_set1_epi64(c2), _mm512_set1_epi64(c3)};
}

[[gnu::always_inline]] inline void philox_round(Counters8x64& c, __m512i k0, __m512i k1) {
  const __m512i m0 = _mm512_set1_epi64(impl::kPhiloxM0);
  const __m512i m1 = _mm512_set1_epi64(impl::kPhiloxM1);
  const __m512i p0 = _mm512_mul_epu32(c.x0, m0);  // hi0:lo0
  const __m512i p1 = _mm512_mul_epu32(c.x2, m1);  // hi1:lo1
  // x0 = hi1 ^ x1 ^ k0 and x2 = hi0 ^ x3 ^ k1 (three-way xor, 0x96); x1 =
  // lo1 and x3 = lo0 are the products themselves (their high halves ignored).
  c.x0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c.x1, k0, 0x96);
  c.x2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c.x3, k1, 0x96);
  c.x1 = p1;
  c.x3 = p0;
}

// Words 0-3 of paths i .. i + 7 (only those below n) to their rows.
[[gnu::always_inline]] inline void store8x64(const Counters8x64& c, std::uint32_t* out, std::size_t stride,
                                             std::size_t i, std::size_t n) {
  const __mmask8 m = live8(i, n);
  _mm512_mask_cvtepi64_storeu_epi32(out + i, m, c.x0);
  _mm512_mask_cvtepi64_storeu_epi32(out + stride + i, m, c.x1);
  _mm512_mask_cvtepi64_storeu_epi32(out + 2 * stride + i, m, c.x2);
  _mm512_mask_cvtepi64_storeu_epi32(out + 3 * stride + i, m, c.x3);
}

void philox(std::uint64_t first_path, std::size_t n, std::uint32_t c2, std::uint32_t c3, std::uint32_t k0,
            std::uint32_t k1, std::uint32_t* out, std::size_t stride) {
  std::size_t i = 0;
  // Four groups of 8 paths at a time, their rounds interleaved: a round is
  // a chain of dependent multiplies.
  for (; i + 32 <= n; i += 32) {
    Counters8x64 a = counters8x64(first_path + i, c2, c3);
    Counters8x64 b = counters8x64(first_path + i + 8, c2, c3);
    Counters8x64 c = counters8x64(first_path + i + 16, c2, c3);
    Counters8x64 d = counters8x64(first_path + i + 24, c2, c3);
    std::uint32_t ka = k0;
    std::uint32_t kb = k1;
    for (int round = 0; round < 10; ++round) {
      const __m512i key0 = _mm512_set1_epi64(ka);
      const __m512i key1 = _mm512_set1_epi64(kb);
      philox_round(a, key0, key1);
      philox_round(b, key0, key1);
      philox_round(c, key0, key1);
      philox_round(d, key0, key1);
      ka += impl::kPhiloxW0;
      kb += impl::kPhiloxW1;
    }
    store8x64(a, out, stride, i, n);
    store8x64(b, out, stride, i + 8, n);
    store8x64(c, out, stride, i + 16, n);
    store8x64(d, out, stride, i + 24, n);
  }
  for (; i < n; i += 8) {
    Counters8x64 a = counters8x64(first_path + i, c2, c3);
    std::uint32_t ka = k0;
    std::uint32_t kb = k1;
    for (int round = 0; round < 10; ++round) {
      philox_round(a, _mm512_set1_epi64(ka), _mm512_set1_epi64(kb));
      ka += impl::kPhiloxW0;
      kb += impl::kPhiloxW1;
    }
    store8x64(a, out, stride, i, n);
  }
}

// The centre formula on every lane, then the tail formula on the lanes that
// need it (about 5%), packed eight at a time by compress-stores (as the AVX2
// kernel's gathered list, without the lookup table) and scattered back.
void normals(const std::uint32_t* w, double* z, std::size_t n) {
  constexpr std::size_t kChunk = 512;
  alignas(64) std::int32_t tail_lanes[kChunk + 16];
  alignas(64) double tail_q[kChunk + 16];
  const __m512d limit = _mm512_set1_pd(impl::kCentreLimit);
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t len = n - start < kChunk ? n - start : kChunk;
    const std::uint32_t* wc = w + start;
    double* zc = z + start;
    std::size_t n_tail = 0;
    for (std::size_t i = 0; i < len; i += 8) {
      const __mmask8 live = live8(i, len);
      const __m512d q = q_of_words(_mm256_maskz_loadu_epi32(live, wc + i));
      _mm512_mask_storeu_pd(zc + i, live, impl::centre<Avx512V>(q));
      const __mmask8 tail = static_cast<__mmask8>(Avx512V::lt(limit, Avx512V::abs(q)) & live);
      const __m256i lanes = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                             _mm256_set1_epi32(static_cast<int>(i)));
      _mm256_mask_compressstoreu_epi32(tail_lanes + n_tail, tail, lanes);
      _mm512_mask_compressstoreu_pd(tail_q + n_tail, tail, q);
      n_tail += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(tail)));
    }
    // Two vectors at a time: the tail formula is one long chain of dependent
    // operations. Lanes past the list compute the tail of q = 0 (harmless)
    // and are not stored.
    for (std::size_t j = 0; j < n_tail; j += 16) {
      const __mmask8 live_a = live8(j, n_tail);
      const __mmask8 live_b = live8(j + 8, n_tail);
      const __m512d z_a = impl::tail<Avx512V>(_mm512_maskz_loadu_pd(live_a, tail_q + j));
      const __m512d z_b = impl::tail<Avx512V>(_mm512_maskz_loadu_pd(live_b, tail_q + j + 8));
      const __m256i lanes_a = _mm256_maskz_loadu_epi32(live_a, tail_lanes + j);
      const __m256i lanes_b = _mm256_maskz_loadu_epi32(live_b, tail_lanes + j + 8);
      _mm512_mask_i32scatter_pd(zc, live_a, lanes_a, z_a, 8);
      _mm512_mask_i32scatter_pd(zc, live_b, lanes_b, z_b, 8);
    }
  }
}

void uniforms(const std::uint32_t* w, double* u, std::size_t n) {
  const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000U));
  const __m512d offset = _mm512_set1_pd(2147483648.5);  // 2^31 + 1/2: s + offset = w + 1/2, exactly
  const __m512d scale = _mm512_set1_pd(0x1p-32);
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 live = live8(i, n);
    const __m256i s = _mm256_xor_si256(_mm256_maskz_loadu_epi32(live, w + i), sign);
    _mm512_mask_storeu_pd(u + i, live, _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi32_pd(s), offset), scale));
  }
}

}  // namespace

// Constant-initialised data (no code runs to make it), so reading it is safe
// on any CPU; its functions are called only where AVX-512 F, DQ and VL exist.
constinit const KernelSet detail::kAvx512KernelSet{"avx512", &philox, &normals, &uniforms};

}  // namespace banensim::engine::kernels
