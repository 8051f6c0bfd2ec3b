#include "models/parameter_schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "engine/fnv1a.hpp"
#include "engine/text_format.hpp"

namespace banensim::models {

namespace {

bool is_bare_key(const std::string& segment) {
  if (segment.empty()) return false;
  for (const char c : segment) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string toml_basic_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          std::array<char, 8> buffer{};
          std::snprintf(buffer.data(), buffer.size(), "\\u%04X", static_cast<unsigned>(byte));
          out += buffer.data();
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Dotted keys at top level are valid TOML and keep one value per line, which
// makes the text diff-friendly and trivially sorted.
std::string toml_key(const std::string& dotted) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    const std::string segment = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!out.empty()) out += '.';
    out += is_bare_key(segment) ? segment : toml_basic_string(segment);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

// The shortest text that reads back as the same double (0.03, not
// 0.029999999999999999); the ".0" keeps integral values floats when the text
// is parsed back as TOML.
std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string text = engine::shortest(value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string toml_value(const ParamScalar& value) {
  if (const auto* real = std::get_if<double>(&value)) return toml_float(*real);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return toml_basic_string(std::get<std::string>(value));
}

}  // namespace

const char* kind_label(ParamKind kind) {
  switch (kind) {
    case ParamKind::kSetting: return "setting";
    case ParamKind::kStated: return "stated";
    case ParamKind::kDerived: return "derived";
    case ParamKind::kCalibrated: return "calibrated";
    case ParamKind::kAssumption: return "assumption";
  }
  return "?";
}

const char* distribution_name(Distribution distribution) {
  switch (distribution) {
    case Distribution::kUniform: return "uniform";
  }
  return "?";
}

const ParamSpec* find_param(const ParamSchema& schema, std::string_view key) {
  const auto it = std::find_if(schema.begin(), schema.end(), [&](const ParamSpec& spec) { return spec.key == key; });
  return it == schema.end() ? nullptr : &*it;
}

std::vector<const ParamSpec*> uncertain_parameters(const ParamSchema& schema) {
  std::vector<const ParamSpec*> specs;
  for (const ParamSpec& spec : schema) {
    if (spec.plausible) specs.push_back(&spec);
  }
  return specs;
}

std::string value_text(const ParamScalar& value) {
  if (const auto* real = std::get_if<double>(&value)) return engine::decimal(*real);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::get<std::string>(value);
}

double ResolvedScenario::real(const std::string& key) const {
  const ParamScalar& value = values.at(key).value;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  return std::get<double>(value);
}

std::int64_t ResolvedScenario::integer(const std::string& key) const {
  return std::get<std::int64_t>(values.at(key).value);
}

bool ResolvedScenario::boolean(const std::string& key) const {
  return std::get<bool>(values.at(key).value);
}

const std::string& ResolvedScenario::string(const std::string& key) const {
  return std::get<std::string>(values.at(key).value);
}

const SourceLocation& ResolvedScenario::where(const std::string& key) const {
  return values.at(key).where;
}

DataFile ResolvedScenario::data_file(const std::string& key) const {
  const std::string& path = string(key);
  if (data_files) return data_files->get(path);
  DataFiles once;
  return once.get(path);
}

std::string ResolvedScenario::canonical_toml() const {
  std::string text;
  for (const auto& [key, param] : values) {  // std::map: already sorted by key
    text += toml_key(key);
    text += " = ";
    text += toml_value(param.value);
    text += '\n';
  }
  return text;
}

std::string ResolvedScenario::provenance_text() const {
  std::string text;
  for (const auto& [key, param] : values) {
    text += toml_key(key);
    text += " = ";
    text += path_keys.count(key) != 0 ? toml_basic_string("content fnv1a64 " + data_file(key).digest)
                                      : toml_value(param.value);
    text += '\n';
  }
  return text;
}

std::string ResolvedScenario::hash() const { return engine::fnv1a64_hex(provenance_text()); }

}  // namespace banensim::models
