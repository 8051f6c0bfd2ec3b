// The scalar kernels: one value at a time, for the baseline instruction set.
// The reference the AVX2 kernels are checked against, and the fallback on
// CPUs without AVX2 and FMA (where __builtin_fma is glibc's fma(), correctly
// rounded in software: slow, but the same bits).

#define BANENSIM_KERNEL_NS scalar_impl
#include "engine/simd_kernels_impl.hpp"

#include <Random123/philox.h>

#include "engine/simd_kernels.hpp"

namespace banensim::engine::kernels {
namespace {

namespace impl = scalar_impl;

struct ScalarV {
  using D = double;
  using M = bool;
  static D set(double x) { return x; }
  static D add(D a, D b) { return a + b; }
  static D sub(D a, D b) { return a - b; }
  static D mul(D a, D b) { return a * b; }
  static D div(D a, D b) { return a / b; }
  static D fma(D a, D b, D c) { return __builtin_fma(a, b, c); }
  static D sqrt(D a) { return __builtin_sqrt(a); }
  static D abs(D a) { return __builtin_fabs(a); }
  static M lt(D a, D b) { return a < b; }
  static D select(M m, D a, D b) { return m ? a : b; }
  static void exponent_mantissa(D x, D& e, D& m) {
    std::uint64_t bits = 0;
    __builtin_memcpy(&bits, &x, sizeof bits);
    const std::uint64_t m_bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    const std::uint64_t e_bits = (bits >> 52) | 0x4330000000000000ULL;  // the double 2^52 + biased exponent
    __builtin_memcpy(&m, &m_bits, sizeof m);
    __builtin_memcpy(&e, &e_bits, sizeof e);
    e = e - (4503599627370496.0 + 1023.0);
  }
};

// q = u - 1/2 = (w - 2^31 + 1/2) / 2^32, exactly.
double q_of_word(std::uint32_t w) {
  return (static_cast<double>(static_cast<std::int32_t>(w ^ 0x80000000U)) + 0.5) * 0x1p-32;
}

void philox(std::uint64_t first_path, std::size_t n, std::uint32_t c2, std::uint32_t c3, std::uint32_t k0,
            std::uint32_t k1, std::uint32_t* out, std::size_t stride) {
  const r123::Philox4x32_R<10>::key_type key = {{k0, k1}};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t path = first_path + i;
    const r123::Philox4x32_R<10>::ctr_type ctr = {
        {static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32), c2, c3}};
    const auto words = r123::Philox4x32_R<10>{}(ctr, key);
    for (std::size_t w = 0; w < 4; ++w) out[w * stride + i] = words[w];
  }
}

void normals(const std::uint32_t* w, double* z, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double q = q_of_word(w[i]);
    z[i] = __builtin_fabs(q) <= impl::kCentreLimit ? impl::centre<ScalarV>(q) : impl::tail<ScalarV>(q);
  }
}

void uniforms(const std::uint32_t* w, double* u, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) u[i] = (static_cast<double>(w[i]) + 0.5) * 0x1p-32;
}

}  // namespace

const KernelSet& scalar_kernels() noexcept {
  static const KernelSet set{"scalar", &philox, &normals, &uniforms};
  return set;
}

}  // namespace banensim::engine::kernels
