// SVG charts: well-formed, one data element per value, escaped text.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/svg_chart.hpp"

using namespace banensim::engine;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// Tags balance: every <x ...> is closed by </x> in nesting order or is self-closing.
bool balanced(const std::string& s) {
  std::vector<std::string> stack;
  for (std::size_t i = s.find('<'); i != std::string::npos; i = s.find('<', i + 1)) {
    const std::size_t end = s.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = s.substr(i + 1, end - i - 1);
    if (tag.empty()) return false;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
    } else if (tag.back() != '/') {
      stack.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  return stack.empty();
}
}  // namespace

TEST_SUITE("unit") {
TEST_CASE("svg line with band: one point per x, well-formed") {
  const std::string s = svg_line_band("P <reach> & co", "x", "y", {1, 2, 3}, {0.1, 0.2, 0.3}, {0.05, 0.15, 0.25},
                                      {0.15, 0.25, 0.35});
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(balanced(s));
  CHECK(count(s, "class=\"point\"") == 3);
  CHECK(s.find("P &lt;reach&gt; &amp; co") != std::string::npos);
  CHECK_THROWS(svg_line_band("t", "x", "y", {1}, {1, 2}, {1}, {1}));
}

TEST_CASE("svg heat map: one cell per value") {
  const std::string s = svg_heat_map("t", "a", "b", {"1", "2", "3"}, {"x", "y"}, {1, 2, 3, 4, 5, 6}, "P");
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(balanced(s));
  CHECK(count(s, "class=\"cell\"") == 6);
}

TEST_CASE("svg tornado: two bars per parameter") {
  const std::string s =
      svg_tornado("t", "P", 0.5, {{"a", 0.4, 0.6, "1", "2"}, {"b", 0.5, 0.5, "x", "y"}, {"c", 0.7, 0.45, "3", "4"}});
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(balanced(s));
  CHECK(count(s, "class=\"bar\"") == 6);
}

TEST_CASE("grouped bars and trade-off: one element per value, whiskers, the highlighted point, well-formed") {
  const std::string bars = svg_grouped_bars("Sobol' <indices>", "index", {"a.b", "c & d", "e"},
                                            {{"S1", {0.5, 0.1, -0.02}, {0.05, 0.02, 0.03}},
                                             {"ST", {0.6, 0.2, 0.01}, {}}});
  CHECK(balanced(bars));
  CHECK(count(bars, "class=\"bar\"") == 6);
  CHECK(count(bars, "class=\"whisker\"") == 3);
  CHECK(bars.find("c &amp; d") != std::string::npos);
  CHECK_THROWS_AS(svg_grouped_bars("t", "v", {"a"}, {{"S1", {0.1, 0.2}, {}}}), std::invalid_argument);
  const std::string t = svg_tradeoff("PRIM", "coverage", "density", {1.0, 0.9, 0.7}, {0.4, 0.6, 0.9}, {0, 1, 2},
                                     "restricted", {"box 0", "box 1", "box 2"}, 2);
  CHECK(balanced(t));
  CHECK(count(t, "class=\"point\"") == 3);
  CHECK(count(t, "class=\"chosen\"") == 1);
  const std::string both = svg_stack({bars, t});
  CHECK(balanced(both));
  CHECK(count(both, "class=\"bar\"") == 6);
  CHECK(count(both, "class=\"point\"") == 3);
}
}
