// The uncertain parameters a tornado sweeps: exactly those docs/MODEL.md gives
// a plausible range for, with the same numbers; each range inside what the
// loader accepts and around the base scenario's default.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "models/banenafspraak_params.hpp"
#include "models/plausible_ranges.hpp"
#include "models/scenario_loader.hpp"

namespace fs = std::filesystem;
using namespace banensim::models;

namespace {

const fs::path kSource = BANENSIM_SOURCE_DIR;

// "1,000" -> 1000, "−1" (U+2212) -> -1.
double parse_number(std::string text) {
  for (std::size_t p; (p = text.find(',')) != std::string::npos;) text.erase(p, 1);
  const std::string minus = "\xE2\x88\x92";
  if (text.rfind(minus, 0) == 0) text = "-" + text.substr(minus.size());
  std::size_t used = 0;
  const double v = std::stod(text, &used);
  REQUIRE(used == text.size());
  return v;
}

// key -> (low, high) from "plausible LOW–HIGH" (en dash) in the parameter table.
std::map<std::string, std::pair<double, double>> documented_ranges() {
  std::ifstream in(kSource / "docs" / "MODEL.md");
  REQUIRE(in.good());
  std::map<std::string, std::pair<double, double>> out;
  std::string line;
  const std::string dash = "\xE2\x80\x93";
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto p = line.find("plausible ");
    if (p == std::string::npos) continue;
    const std::string key = line.substr(3, line.find('`', 3) - 3);
    std::string rest = line.substr(p + 10);
    // The range ends at the first space, ')' or '|'.
    rest = rest.substr(0, rest.find_first_of(" )|"));
    // The separating dash is the first en dash after the first character (the low may start with a minus).
    const auto d = rest.find(dash, 1);
    REQUIRE_MESSAGE(d != std::string::npos, key << ": cannot read the plausible range '" << rest << "'");
    out[key] = {parse_number(rest.substr(0, d)), parse_number(rest.substr(d + dash.size()))};
  }
  return out;
}

}  // namespace

TEST_SUITE("unit") {
TEST_CASE("plausible ranges: the same list and numbers as docs/MODEL.md") {
  const auto documented = documented_ranges();
  const auto& ranges = banenafspraak_plausible_ranges();
  CHECK(ranges.size() == documented.size());
  for (const auto& r : ranges) {
    CAPTURE(r.key);
    const auto it = documented.find(r.key);
    REQUIRE_MESSAGE(it != documented.end(), "docs/MODEL.md gives no plausible range for " << r.key);
    CHECK(r.low == doctest::Approx(it->second.first));
    CHECK(r.high == doctest::Approx(it->second.second));
  }
}

TEST_CASE("plausible ranges: inside the accepted range, around the default") {
  const auto base = load_scenario(kSource / "scenarios" / "base.toml", banenafspraak_schema(), banenafspraak_check);
  std::map<std::string, const ParamSpec*> spec;
  for (const auto& s : banenafspraak_schema()) spec[s.key] = &s;
  for (const auto& r : banenafspraak_plausible_ranges()) {
    CAPTURE(r.key);
    REQUIRE(spec.count(r.key) == 1);
    CHECK(r.low < r.high);
    CHECK(r.low >= spec[r.key]->min);
    CHECK(r.high <= spec[r.key]->max);
    CHECK(base.real(r.key) >= r.low);
    CHECK(base.real(r.key) <= r.high);
  }
}
}
