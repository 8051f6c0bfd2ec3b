#include "engine/block_random.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "engine/simd_kernels.hpp"

namespace banensim::engine {
namespace {

void check_draw(std::uint32_t substream, std::size_t n_draws) {
  if (substream > kMaxSubstream) {
    throw std::out_of_range("BlockRandom: substream " + std::to_string(substream) + " exceeds " +
                            std::to_string(kMaxSubstream) + " (24 bits of the Philox counter)");
  }
  if (n_draws > kMaxDraws) {
    throw std::out_of_range("BlockRandom: " + std::to_string(n_draws) + " draws of one purpose and substream exceed " +
                            std::to_string(kMaxDraws));
  }
}

std::uint32_t low_word(std::uint64_t x) { return static_cast<std::uint32_t>(x); }
std::uint32_t high_word(std::uint64_t x) { return static_cast<std::uint32_t>(x >> 32); }
std::uint32_t block_counter(std::uint32_t substream, std::size_t block) {
  return (substream << 8) | static_cast<std::uint32_t>(block);
}

template <Variate kKind>
constexpr std::array<Variate, kMaxDraws> all_of() {
  std::array<Variate, kMaxDraws> a{};
  a.fill(kKind);
  return a;
}
constexpr std::array<Variate, kMaxDraws> kAllNormal = all_of<Variate::kNormal>();
constexpr std::array<Variate, kMaxDraws> kAllUniform = all_of<Variate::kUniform>();

}  // namespace

double normal_of_word(std::uint32_t w) noexcept {
  double z = 0.0;
  kernels::scalar_kernels().normals(&w, &z, 1);
  return z;
}

void normals_of_words(const std::uint32_t* w, double* z, std::size_t n) noexcept {
  kernels::active_kernels().normals(w, z, n);
}

std::uint32_t stream_word(std::uint64_t seed, std::uint64_t i_path, PurposeId purpose, std::uint32_t substream,
                          std::size_t j) {
  check_draw(substream, j + 1);
  std::uint32_t block[4];
  kernels::scalar_kernels().philox(i_path, 1, purpose, block_counter(substream, j / 4), low_word(seed),
                                   high_word(seed), block, 1);
  return block[j % 4];
}

BlockRandom::BlockRandom(std::uint64_t seed, std::uint64_t first_path, std::size_t n_lanes)
    : seed_(seed),
      first_path_(first_path),
      n_lanes_(n_lanes),
      stride_(padded_lanes(n_lanes)),
      words_(4 * padded_lanes(n_lanes)) {}

void BlockRandom::reposition(std::uint64_t first_path, std::size_t n_lanes) {
  first_path_ = first_path;
  n_lanes_ = n_lanes;
  stride_ = padded_lanes(n_lanes);
  if (words_.size() < 4 * stride_) words_.resize(4 * stride_);
  forget();
}

void BlockRandom::generate(PurposeId purpose, std::uint32_t substream, std::size_t block, std::uint32_t* out) const {
  kernels::active_kernels().philox(first_path_, stride_, purpose, block_counter(substream, block), low_word(seed_),
                                   high_word(seed_), out, stride_);
}

void BlockRandom::convert(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds, double* out) {
  const kernels::KernelSet& k = kernels::active_kernels();
  const std::size_t n = stride_;
  for (std::size_t block = 0; 4 * block < kinds.size(); ++block) {
    generate(purpose, substream, block, words_.data());
    for (std::size_t w = 0; w < 4 && 4 * block + w < kinds.size(); ++w) {
      const std::size_t j = 4 * block + w;
      const std::uint32_t* row = words_.data() + w * n;
      switch (kinds[j]) {
        case Variate::kNormal:
          k.normals(row, out + j * n, n);
          break;
        case Variate::kUniform:
          k.uniforms(row, out + j * n, n);
          break;
        case Variate::kUnused:
          break;
      }
    }
  }
}

double* BlockRandom::next_rows(std::size_t n_rows) {
  if (!sharing_) rows_used_ = 0;  // one buffer, reused by every request
  if (rows_used_ == rows_.size()) rows_.emplace_back();
  std::vector<double>& buffer = rows_[rows_used_++];
  if (buffer.size() < n_rows * stride_) buffer.resize(n_rows * stride_);
  return buffer.data();
}

const double* BlockRandom::draw_rows(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds) {
  check_draw(substream, kinds.size());
  if (sharing_) {
    for (const Remembered& r : remembered_) {
      if (r.purpose == purpose && r.substream == substream &&
          std::equal(kinds.begin(), kinds.end(), r.kinds.begin(), r.kinds.end())) {
        return rows_[r.buffer].data();
      }
    }
  }
  double* rows = next_rows(kinds.size());
  convert(purpose, substream, kinds, rows);
  if (sharing_) remembered_.push_back({purpose, substream, std::vector<Variate>(kinds.begin(), kinds.end()), rows_used_ - 1});
  return rows;
}

const double* BlockRandom::normal_rows(PurposeId purpose, std::uint32_t substream, std::size_t n_draws) {
  check_draw(substream, n_draws);
  return draw_rows(purpose, substream, std::span<const Variate>(kAllNormal).first(n_draws));
}

void BlockRandom::draw(PurposeId purpose, std::uint32_t substream, std::span<const Variate> kinds, double* out) {
  check_draw(substream, kinds.size());
  if (!sharing_) {
    convert(purpose, substream, kinds, out);
    return;
  }
  const double* rows = draw_rows(purpose, substream, kinds);
  const std::size_t n = stride_;
  for (std::size_t j = 0; j < kinds.size(); ++j) {
    if (kinds[j] != Variate::kUnused) std::copy_n(rows + j * n, n, out + j * n);
  }
}

void BlockRandom::normals(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, double* out) {
  check_draw(substream, n_draws);
  draw(purpose, substream, std::span<const Variate>(kAllNormal).first(n_draws), out);
}

void BlockRandom::uniforms(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, double* out) {
  check_draw(substream, n_draws);
  draw(purpose, substream, std::span<const Variate>(kAllUniform).first(n_draws), out);
}

void BlockRandom::words(PurposeId purpose, std::uint32_t substream, std::size_t n_draws, std::uint32_t* out) {
  check_draw(substream, n_draws);
  const std::size_t n = stride_;
  for (std::size_t block = 0; 4 * block < n_draws; ++block) {
    if (4 * block + 4 <= n_draws) {
      generate(purpose, substream, block, out + 4 * block * n);
      continue;
    }
    generate(purpose, substream, block, words_.data());
    for (std::size_t j = 4 * block; j < n_draws; ++j) {
      const std::uint32_t* row = words_.data() + (j - 4 * block) * n;
      for (std::size_t lane = 0; lane < n; ++lane) out[j * n + lane] = row[lane];
    }
  }
}

}  // namespace banensim::engine
