#include "parameter_doc_check.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "engine/text_format.hpp"

namespace banensim::test {

namespace {

using models::ParamKind;
using models::ParamSpec;
using models::ParamType;

const std::string kEnDash = "\xE2\x80\x93";
const std::string kMinus = "\xE2\x88\x92";
const std::string kPlusMinus = "\xC2\xB1";
const std::string kNone = "\xE2\x80\x94";  // em dash: no value

std::string trim(const std::string& text) {
  const auto b = text.find_first_not_of(' ');
  const auto e = text.find_last_not_of(' ');
  return b == std::string::npos ? "" : text.substr(b, e - b + 1);
}

bool is_number(const ParamSpec& spec) { return spec.type == ParamType::kReal || spec.type == ParamType::kInteger; }

// [low, high] from "LOW–HIGH" or "±X".
std::optional<std::pair<double, double>> doc_range(const std::string& text) {
  if (text.rfind(kPlusMinus, 0) == 0) {
    const auto x = doc_number(text.substr(kPlusMinus.size()));
    if (!x) return std::nullopt;
    return std::pair(-*x, *x);
  }
  const auto dash = text.find(kEnDash, 1);
  if (dash == std::string::npos) return std::nullopt;
  const auto low = doc_number(text.substr(0, dash));
  const auto high = doc_number(text.substr(dash + kEnDash.size()));
  if (!low || !high) return std::nullopt;
  return std::pair(*low, *high);
}

std::string range_text(double low, double high) {
  return engine::shortest(low) + kEnDash + engine::shortest(high);
}

std::string default_text(const models::ParamScalar& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return text->empty() ? "\"\"" : *text;
  return models::value_text(value);
}

// The leading lower-case word of a meaning cell ("assumption: ..." -> "assumption").
std::string first_word(const std::string& text) {
  std::size_t n = 0;
  while (n < text.size() && text[n] >= 'a' && text[n] <= 'z') ++n;
  return text.substr(0, n);
}

}  // namespace

std::string markdown_section(const std::string& markdown, const std::string& heading) {
  std::istringstream in(markdown);
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == heading) {
      inside = true;
    } else if (inside && line.rfind("## ", 0) == 0) {
      inside = false;
    }
    out += (inside ? line : std::string()) + "\n";
  }
  return out;
}

std::vector<DocRow> parameter_rows(const std::string& text) {
  std::istringstream in(text);
  std::vector<DocRow> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) cells.push_back(trim(cell));
    cells.resize(5);
    DocRow row{n, cells[0].substr(1, cells[0].size() > 2 ? cells[0].size() - 2 : 0), cells[1], cells[2], cells[3],
               cells[4]};
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<double> doc_number(std::string text) {
  text = trim(text);
  for (std::size_t p; (p = text.find(',')) != std::string::npos;) text.erase(p, 1);
  bool negative = false;
  if (text.rfind(kMinus, 0) == 0) {
    negative = true;
    text = text.substr(kMinus.size());
  } else if (text.rfind("-", 0) == 0) {
    negative = true;
    text = text.substr(1);
  }
  // 10⁵: "10" followed by superscript digits.
  static const std::map<std::string, int> kSuperscripts = {
      {"\xE2\x81\xB0", 0}, {"\xC2\xB9", 1},     {"\xC2\xB2", 2},     {"\xC2\xB3", 3},     {"\xE2\x81\xB4", 4},
      {"\xE2\x81\xB5", 5}, {"\xE2\x81\xB6", 6}, {"\xE2\x81\xB7", 7}, {"\xE2\x81\xB8", 8}, {"\xE2\x81\xB9", 9}};
  if (text.size() > 2 && text.rfind("10", 0) == 0 && static_cast<unsigned char>(text[2]) >= 0x80) {
    int exponent = 0;
    std::size_t i = 2;
    while (i < text.size()) {
      bool found = false;
      for (const auto& [glyph, digit] : kSuperscripts) {
        if (text.compare(i, glyph.size(), glyph) == 0) {
          exponent = 10 * exponent + digit;
          i += glyph.size();
          found = true;
          break;
        }
      }
      if (!found) return std::nullopt;
    }
    const double value = std::pow(10.0, exponent);
    return negative ? -value : value;
  }
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return negative ? -value : value;
}

std::vector<std::string> doc_table_problems(const models::ParamSchema& schema, const std::vector<DocRow>& rows,
                                            const models::ResolvedScenario& base) {
  std::vector<std::string> problems;
  std::map<std::string, const DocRow*> by_key;
  for (const DocRow& row : rows) {
    if (!by_key.emplace(row.key, &row).second) problems.push_back(row.key + ": two rows in the table");
    if (models::find_param(schema, row.key) == nullptr) {
      problems.push_back(row.key + ": the table documents a key that is not declared (line " +
                         std::to_string(row.line) + ")");
    }
  }
  for (const ParamSpec& spec : schema) {
    const auto it = by_key.find(spec.key);
    if (it == by_key.end()) {
      problems.push_back(spec.key + ": declared but the table has no row for it");
      continue;
    }
    const DocRow& row = *it->second;
    const auto bad = [&](const std::string& what, const std::string& documented, const std::string& declared) {
      problems.push_back(spec.key + ": " + what + " is '" + documented + "' in the table (line " +
                         std::to_string(row.line) + ") but '" + declared + "' in the declaration");
    };

    if (row.unit != spec.unit) bad("the unit", row.unit, spec.unit);

    // Default.
    if (spec.default_value) {
      const std::string declared = default_text(*spec.default_value);
      if (is_number(spec)) {
        const auto documented = doc_number(row.default_text);
        const double value = spec.type == ParamType::kInteger
                                 ? static_cast<double>(std::get<std::int64_t>(*spec.default_value))
                                 : std::get<double>(*spec.default_value);
        if (!documented || *documented != value) bad("the default", row.default_text, declared);
      } else if (row.default_text != declared) {
        bad("the default", row.default_text, declared);
      }
    } else if (spec.kind == ParamKind::kCalibrated && !is_number(spec)) {  // text: the base file's, written as is
      const std::string value = base.string(spec.key);
      if (row.default_text != value) bad("the default", row.default_text, value + " (base file)");
    } else if (spec.kind == ParamKind::kCalibrated) {
      const auto documented = doc_number(row.default_text);
      const double value = base.real(spec.key);
      if (!documented || *documented != value) bad("the default", row.default_text, engine::shortest(value) + " (base file)");
    } else if (row.default_text != kNone) {
      bad("the default", row.default_text, kNone + " (each scenario sets it)");
    }

    // Accepted range: the text before ", " (what follows is a note on a cross-key rule).
    const std::string accepted = row.accepted.substr(0, row.accepted.find(", "));
    if (is_number(spec)) {
      const auto documented = doc_range(accepted);
      if (!documented || documented->first != spec.min || documented->second != spec.max) {
        bad("the accepted range", accepted, range_text(spec.min, spec.max));
      }
    } else if (accepted != kNone) {
      bad("the accepted range", accepted, kNone);
    }

    // Kind: the meaning starts with its label; a setting with none.
    const std::string word = first_word(row.meaning);
    const std::set<std::string> labels = {"stated", "derived", "calibrated", "assumption"};
    if (spec.kind == ParamKind::kSetting) {
      if (labels.count(word) != 0) bad("the kind", word, "setting (no label)");
    } else if (word != models::kind_label(spec.kind)) {
      bad("the kind", word.empty() ? "(none)" : word, models::kind_label(spec.kind));
    }

    // Plausible range: "plausible LOW–HIGH", up to a space, ')', ';' or the cell's end.
    const auto p = row.meaning.find("plausible ");
    std::optional<std::pair<double, double>> documented;
    std::string documented_text = "(none)";
    if (p != std::string::npos) {
      const std::string rest = row.meaning.substr(p + 10);
      documented_text = rest.substr(0, rest.find_first_of(" );"));
      documented = doc_range(documented_text);
      if (!documented) documented_text += " (not a range)";
    }
    if (spec.plausible) {
      const auto& r = *spec.plausible;
      std::string declared = range_text(r.low, r.high);
      if (!documented || documented->first != r.low || documented->second != r.high) {
        bad("the plausible range", documented_text, declared);
      } else if (r.distribution != models::Distribution::kUniform &&
                 row.meaning.find(models::distribution_name(r.distribution)) == std::string::npos) {
        bad("the plausible distribution", "uniform", models::distribution_name(r.distribution));
      }
    } else if (p != std::string::npos) {
      bad("the plausible range", documented_text, "(none)");
    }
  }
  return problems;
}

std::vector<std::string> base_file_problems(const models::ParamSchema& schema, const models::ResolvedScenario& base,
                                            const std::filesystem::path& base_file) {
  std::vector<std::string> problems;
  for (const ParamSpec& spec : schema) {
    if (!spec.default_value) continue;
    const models::ParamScalar& declared = *spec.default_value;
    bool same = false;
    std::string held;
    switch (spec.type) {
      case ParamType::kReal:
        same = base.real(spec.key) == std::get<double>(declared);
        held = engine::shortest(base.real(spec.key));
        break;
      case ParamType::kInteger:
        same = base.integer(spec.key) == std::get<std::int64_t>(declared);
        held = std::to_string(base.integer(spec.key));
        break;
      case ParamType::kBoolean:
        same = base.boolean(spec.key) == std::get<bool>(declared);
        held = base.boolean(spec.key) ? "true" : "false";
        break;
      case ParamType::kString:
        same = base.string(spec.key) == std::get<std::string>(declared);
        held = base.string(spec.key);
        break;
      case ParamType::kPath:
        // The loader resolves a file name against the file that sets it.
        same = base.string(spec.key) ==
               (base_file.parent_path() / std::get<std::string>(declared)).lexically_normal().string();
        held = base.string(spec.key);
        break;
    }
    if (!same) {
      problems.push_back(spec.key + ": " + base_file.string() + " holds " + held + " but the declared default is " +
                         default_text(declared));
    }
  }
  return problems;
}

}  // namespace banensim::test
