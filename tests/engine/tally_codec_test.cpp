// The word encoding of tallies (engine/word_codec.hpp), which carries results
// between MPI ranks, is exact: decode(encode(t)) reports and merges bit for
// bit like t.

#include <doctest/doctest.h>

#include <span>
#include <stdexcept>
#include <vector>

#include "engine/parallel_runner.hpp"
#include "engine/reference_model.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "engine/word_codec.hpp"
#include "support/tally_words.hpp"

using namespace banensim::engine;
using test_support::words_of;

namespace {

PairedTally run_two(std::uint64_t seed, std::uint64_t n) {
  static const std::vector<RandomWalkModel> variants = {RandomWalkModel(6, 0.1, 1.0, 0.5),
                                                        RandomWalkModel(6, 0.2, 1.0, 0.5)};
  RunConfig cfg;
  cfg.seed = seed;
  cfg.n_paths = n;
  cfg.block_size = 100;
  cfg.n_threads = 1;
  return run_paired(std::span<const RandomWalkModel>(variants), cfg).tally;
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("a decoded tally re-encodes to the same words and merges bit for bit like the original") {
  const PairedTally a = run_two(1, 3000);
  const PairedTally b = run_two(2, 1700);
  const auto words = words_of(a);
  const RandomWalkModel model(6, 0.1, 1.0, 0.5);
  const auto& layout = model.layout();
  PairedTally decoded(layout, 2);
  WordReader r(words);
  decoded.decode(r);
  CHECK(r.at_end());
  CHECK(words_of(decoded) == words);

  PairedTally merged_original = b;
  merged_original.merge(a);
  PairedTally merged_decoded = b;
  merged_decoded.merge(decoded);
  CHECK(words_of(merged_original) == words_of(merged_decoded));
  CHECK(decoded.n_paths() == 3000);
  CHECK(decoded.variant(1).indicator(0).successes() == a.variant(1).indicator(0).successes());
  // The encoding is sparse in the histogram bins, yet lossless: a single path
  // fills one bin per histogram.
  CHECK(words_of(run_two(3, 1)).size() < 1000);  // dense bins alone would be 2 x 7 x 2000 words
}

TEST_CASE("decoding truncated words or a different layout fails loudly") {
  const auto words = words_of(run_two(1, 500));
  const RandomWalkModel model(6, 0.1, 1.0, 0.5);
  const auto& layout = model.layout();
  PairedTally t(layout, 2);
  std::vector<std::uint64_t> cut(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(words.size() / 2));
  WordReader r(cut);
  CHECK_THROWS_AS(t.decode(r), std::runtime_error);
  PairedTally three(layout, 3);
  WordReader r2(words);
  CHECK_THROWS_AS(three.decode(r2), std::runtime_error);
  const RandomWalkModel shorter(5, 0.1, 1.0, 0.5);
  PairedTally other(shorter.layout(), 2);
  WordReader r3(words);
  CHECK_THROWS_AS(other.decode(r3), std::runtime_error);
}

TEST_CASE("path counts, indicator counts and histogram counts stay exact beyond 2^32") {
  // 2^33 paths by doubling (merging a tally into a copy of itself 33 times):
  // a 32-bit counter anywhere would wrap.
  PairedTally t = run_two(4, 1);
  const std::uint64_t successes = t.variant(0).indicator(0).successes();
  for (int i = 0; i < 33; ++i) {
    const PairedTally copy = t;
    t.merge(copy);
  }
  constexpr std::uint64_t n = 1ULL << 33;
  CHECK(t.n_paths() == n);
  CHECK(t.variant(0).indicator(0).trials() == n);
  CHECK(t.variant(0).indicator(0).successes() == successes * n);
  const auto& d = t.variant(1).series(0, 0);
  CHECK(d.moments.count() == n);
  CHECK(d.histogram.count() == n);
  std::uint64_t in_bins = d.histogram.underflow() + d.histogram.overflow();
  for (std::uint64_t c : d.histogram.counts()) in_bins += c;
  CHECK(in_bins == n);
  // And through the word encoding that carries them between MPI ranks.
  const RandomWalkModel model(6, 0.1, 1.0, 0.5);
  PairedTally decoded(model.layout(), 2);
  const auto words = words_of(t);
  WordReader r(words);
  decoded.decode(r);
  CHECK(decoded.n_paths() == n);
  CHECK(words_of(decoded) == words);
}

TEST_CASE("a whole-number scalar must have one unit bin per value") {
  OutputLayout layout;
  layout.step_labels = {"1"};
  layout.scalars = {{"year", "year", 2013, 2027, 14, true, true}};
  CHECK_NOTHROW(Tally{layout});
  layout.scalars = {{"year", "year", 2013, 2027, 28, true, true}};  // half-year bins
  CHECK_THROWS_AS(Tally{layout}, std::invalid_argument);
  layout.scalars = {{"year", "year", 2012.5, 2026.5, 14, true, true}};  // bins not starting at a whole number
  CHECK_THROWS_AS(Tally{layout}, std::invalid_argument);
}

TEST_CASE("tally_json and quantile_text: a quantile outside a fixed range is a bound in every format, a growing range holds it") {
  OutputLayout layout;
  layout.step_labels = {"1"};
  layout.series = {{"fixed", "1", 0.0, 1.0, 10, RangeRule::kFixed}, {"growing", "1", 0.0, 1.0, 10}};
  Tally tally(layout);
  PathRecord record(layout);
  for (int i = 0; i < 100; ++i) {
    record.series(0, 0) = record.series(1, 0) = i < 10 ? 0.5 : 5.0 + 0.01 * i;  // 90% of paths beyond 1
    tally.add(record, static_cast<std::uint64_t>(i), 1);
  }
  const nlohmann::json j = tally_json(tally, layout);
  const auto& fixed = j["series"]["fixed"]["steps"][0];
  CHECK(fixed["p50"].is_null());
  CHECK(fixed["p95"].is_null());
  CHECK(fixed["quantile_bounds"]["p50"]["at_least"] == 1.0);
  CHECK(fixed["p05"].get<double>() == doctest::Approx(0.55));  // inside the range: a number (mid-bin)
  CHECK_FALSE(fixed["quantile_bounds"].contains("p05"));
  CHECK(fixed["outside_histogram"] == 90);
  CHECK(fixed["max"].get<double>() == doctest::Approx(5.99));
  const auto& growing = j["series"]["growing"]["steps"][0];
  CHECK(growing["quantile_bounds"].empty());
  CHECK(growing["outside_histogram"] == 0);
  CHECK(growing["p50"].get<double>() == doctest::Approx(5.5).epsilon(0.05));
  CHECK(growing["p95"].get<double>() < growing["max"].get<double>());
  CHECK(growing["bin_width"].get<double>() > 0.1);

  const auto& h = tally.series(0, 0).histogram;
  auto number = [](double x) { return fmt(x, 2); };
  CHECK(quantile_text(h.quantile_estimate(0.5), number) == ">= 1.00");
  CHECK(quantile_text(h.quantile_estimate(0.5), number, "") == ">=1.00");
  CHECK(quantile_text(h.quantile_estimate(0.05), number) == "0.55");
  Histogram below(0.0, 1.0, 10);
  below.add(-2.0);
  CHECK(quantile_text(below.quantile_estimate(0.5), number) == "< 0.00");
}
}
