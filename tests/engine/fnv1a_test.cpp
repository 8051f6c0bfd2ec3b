// engine/fnv1a.hpp against the published FNV-1a 64-bit test vectors
// (Fowler, Noll, Vo: http://www.isthe.com/chongo/src/fnv/test_fnv.c), so
// stream ids and provenance hashes stay what they are.

#include "engine/fnv1a.hpp"

#include <doctest/doctest.h>

#include "engine/random_stream.hpp"

using namespace banensim::engine;

TEST_SUITE("unit") {

TEST_CASE("fnv1a64: published test vectors, as numbers and as 16 hex digits") {
  static_assert(fnv1a64("") == 0xcbf29ce484222325ULL);  // compile-time, as stream ids are
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
  CHECK(fnv1a64_hex("") == "cbf29ce484222325");
  CHECK(fnv1a64_hex("a") == "af63dc4c8601ec8c");
  CHECK(fnv1a64_hex("foobar") == "85944171f73967e8");
  CHECK(stream_id("foobar") == fnv1a64("foobar"));
}

}  // TEST_SUITE
