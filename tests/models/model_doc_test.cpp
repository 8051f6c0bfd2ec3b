// docs/MODEL.md documents every parameter: each key of the schema (which the
// base scenario must set in full) has a row in its parameter table, with the
// default that scenarios/base.toml holds, and the table names no key the
// model does not have.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"

namespace fs = std::filesystem;
using namespace banensim::models;

namespace {

const fs::path kSource = BANENSIM_SOURCE_DIR;

struct Row {
  std::string unit, default_text;
};

// Rows of the form "| `key` | unit | default | ...".
std::map<std::string, Row> parameter_rows() {
  std::ifstream in(kSource / "docs" / "MODEL.md");
  REQUIRE(in.good());
  std::map<std::string, Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      const auto b = cell.find_first_not_of(' ');
      const auto e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    if (cells.size() < 4) continue;
    const std::string key = cells[0].substr(1, cells[0].size() - 2);  // strip backticks
    rows[key] = Row{cells[1], cells[2]};
  }
  return rows;
}

}  // namespace

TEST_CASE("docs/MODEL.md lists every key of the base scenario with its default") {
  const auto rows = parameter_rows();
  const auto base = load_scenario(kSource / "scenarios" / "base.toml", banenafspraak_schema(), banenafspraak_check);
  for (const auto& spec : banenafspraak_schema()) {
    CAPTURE(spec.key);
    const auto it = rows.find(spec.key);
    REQUIRE_MESSAGE(it != rows.end(), "docs/MODEL.md has no row for key " << spec.key);
    const std::string& doc = it->second.default_text;
    switch (spec.type) {
      case ParamType::kReal:
      case ParamType::kInteger: {
        CAPTURE(doc);
        char* end = nullptr;
        const double documented = std::strtod(doc.c_str(), &end);
        REQUIRE(end != doc.c_str());
        const double actual = base.real(spec.key);
        CHECK(documented == doctest::Approx(actual).epsilon(1e-9));
        break;
      }
      case ParamType::kBoolean:
        CHECK(doc == (base.boolean(spec.key) ? "true" : "false"));
        break;
      case ParamType::kString:
      case ParamType::kPath:
        CHECK(!doc.empty());
        break;
    }
  }
}

TEST_CASE("docs/MODEL.md documents no key the model does not have") {
  std::map<std::string, bool> known;
  for (const auto& spec : banenafspraak_schema()) known[spec.key] = true;
  for (const auto& [key, row] : parameter_rows()) {
    if (key.find('.') == std::string::npos) continue;  // not a parameter row
    CAPTURE(key);
    CHECK(known.count(key) == 1);
  }
}
