#pragma once
// FNV-1a, 64 bit (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/):
// a tiny hash, stable across platforms and compilers, used to name random
// streams after their purpose (engine/random_stream.hpp) and to tell inputs
// apart in provenance records (resolved scenarios, sweep grids). Not
// cryptographic: it identifies, it does not protect.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace banensim::engine {

inline constexpr std::uint64_t kFnv1aOffsetBasis = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnv1aPrime = 1099511628211ULL;

// The hash of the bytes of `text`; constexpr, so stream ids are compile-time.
// With `h` given, the hash continued from an earlier one: fnv1a64(b, fnv1a64(a))
// is the hash of the bytes of a followed by b.
constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t h = kFnv1aOffsetBasis) noexcept {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv1aPrime;
  }
  return h;
}

// A hash as 16 lower-case hex digits, as provenance records show it.
inline std::string hex64(std::uint64_t h) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 16> out{};
  for (std::size_t i = out.size(); i-- > 0; h >>= 4) out[i] = kDigits[h & 0xF];
  return std::string(out.data(), out.size());
}

// The hash of `text` as 16 lower-case hex digits.
inline std::string fnv1a64_hex(std::string_view text) { return hex64(fnv1a64(text)); }

}  // namespace banensim::engine
