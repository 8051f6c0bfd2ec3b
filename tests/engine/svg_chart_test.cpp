// SVG charts: well-formed, one data element per value, escaped text.

#include <doctest/doctest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/svg_chart.hpp"
#include "support/markup_check.hpp"

using namespace banensim::engine;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("svg line with band: one point per x, well-formed") {
  const std::string s = svg_line_band("P <reach> & co", "x", "y", {1, 2, 3}, {0.1, 0.2, 0.3}, {0.05, 0.15, 0.25},
                                      {0.15, 0.25, 0.35});
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(test_support::tags_balanced(s));
  CHECK(count(s, "class=\"point\"") == 3);
  CHECK(s.find("P &lt;reach&gt; &amp; co") != std::string::npos);
  CHECK_THROWS(svg_line_band("t", "x", "y", {1}, {1, 2}, {1}, {1}));
}

TEST_CASE("svg scatter: a point per finite (x, y) in any order, a whisker per non-empty interval, well-formed") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string s = svg_scatter("out vs <k>", "k", "out", {3, 1, 2, nan}, {0.3, 0.1, 0.2, 0.5},
                                    {0.25, 0.1, 0.15, 0.4}, {0.35, 0.1, 0.25, 0.6});
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(test_support::tags_balanced(s));
  CHECK(count(s, "class=\"point\"") == 3);    // the NaN x is skipped
  CHECK(count(s, "class=\"whisker\"") == 2);  // [0.1, 0.1] draws none
  CHECK(count(s, "<polyline") == 0);          // not joined
  CHECK(s.find("out vs &lt;k&gt;") != std::string::npos);
  CHECK_THROWS(svg_scatter("t", "x", "y", {1}, {1, 2}, {1}, {1}));
}

TEST_CASE("svg heat map: one cell per value") {
  const std::string s = svg_heat_map("t", "a", "b", {"1", "2", "3"}, {"x", "y"}, {1, 2, 3, 4, 5, 6}, "P");
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(test_support::tags_balanced(s));
  CHECK(count(s, "class=\"cell\"") == 6);
}

TEST_CASE("svg tornado: two bars per parameter") {
  const std::string s =
      svg_tornado("t", "P", 0.5, {{"a", 0.4, 0.6, "1", "2"}, {"b", 0.5, 0.5, "x", "y"}, {"c", 0.7, 0.45, "3", "4"}});
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(test_support::tags_balanced(s));
  CHECK(count(s, "class=\"bar\"") == 6);
}

TEST_CASE("grouped bars and trade-off: one element per value, whiskers, the highlighted point, well-formed") {
  const std::string bars = svg_grouped_bars("Sobol' <indices>", "index", {"a.b", "c & d", "e"},
                                            {{"S1", {0.5, 0.1, -0.02}, {0.05, 0.02, 0.03}},
                                             {"ST", {0.6, 0.2, 0.01}, {}}});
  CHECK(test_support::tags_balanced(bars));
  CHECK(count(bars, "class=\"bar\"") == 6);
  CHECK(count(bars, "class=\"whisker\"") == 3);
  CHECK(bars.find("c &amp; d") != std::string::npos);
  CHECK_THROWS_AS(svg_grouped_bars("t", "v", {"a"}, {{"S1", {0.1, 0.2}, {}}}), std::invalid_argument);
  const std::string t = svg_tradeoff("PRIM", "coverage", "density", {1.0, 0.9, 0.7}, {0.4, 0.6, 0.9}, {0, 1, 2},
                                     "restricted", {"box 0", "box 1", "box 2"}, 2);
  CHECK(test_support::tags_balanced(t));
  CHECK(count(t, "class=\"point\"") == 3);
  CHECK(count(t, "class=\"chosen\"") == 1);
  const std::string both = svg_stack({bars, t});
  CHECK(test_support::tags_balanced(both));
  CHECK(count(both, "class=\"bar\"") == 6);
  CHECK(count(both, "class=\"point\"") == 3);
}
}
