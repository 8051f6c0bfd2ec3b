#pragma once
// Exact, flat encoding of summary statistics as 64-bit words, for moving a
// tally between processes (MPI ranks) without losing a bit: doubles travel as
// their bit patterns, so a tally decoded on rank 0 merges exactly as the
// original would have.

#include <bit>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace banensim::engine {

class WordWriter {
 public:
  void put(std::uint64_t w) { words_.push_back(w); }
  void put_double(double x) { words_.push_back(std::bit_cast<std::uint64_t>(x)); }
  const std::vector<std::uint64_t>& words() const noexcept { return words_; }
  std::vector<std::uint64_t>& words() noexcept { return words_; }

 private:
  std::vector<std::uint64_t> words_;
};

class WordReader {
 public:
  explicit WordReader(std::span<const std::uint64_t> words) : words_(words) {}
  std::uint64_t get() {
    if (pos_ >= words_.size()) {
      throw std::runtime_error("WordReader: encoded tally is truncated at word " + std::to_string(pos_));
    }
    return words_[pos_++];
  }
  double get_double() { return std::bit_cast<double>(get()); }
  bool at_end() const noexcept { return pos_ == words_.size(); }
  std::size_t position() const noexcept { return pos_; }

 private:
  std::span<const std::uint64_t> words_;
  std::size_t pos_ = 0;
};

}  // namespace banensim::engine
