#pragma once
// A paired tally's exact word encoding (engine/word_codec.hpp), for tests that
// compare tallies bit for bit.

#include <cstdint>
#include <vector>

#include "engine/tally.hpp"
#include "engine/word_codec.hpp"

namespace test_support {

inline std::vector<std::uint64_t> words_of(const banensim::engine::PairedTally& t) {
  banensim::engine::WordWriter w;
  t.encode(w);
  return w.words();
}

}  // namespace test_support
