#include "models/scenario_loader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include <toml++/toml.h>

#include "engine/text_format.hpp"

namespace banensim::models {

namespace fs = std::filesystem;

namespace {

std::size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string_view last_segment(std::string_view key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}


// Whether table `key` holds parameters (some schema key starts with "key.").
bool is_schema_table(const ParamSchema& schema, const std::string& key) {
  const std::string prefix = key + ".";
  for (const ParamSpec& spec : schema) {
    if (spec.key.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

// For a table no parameter lives in: the closest table that has some.
std::string unknown_table_constraint(const ParamSchema& schema, const std::string& key) {
  constexpr std::size_t kMaxDistance = 3;
  std::string best;
  std::size_t best_distance = kMaxDistance + 1;
  for (const ParamSpec& spec : schema) {
    for (std::size_t dot = spec.key.find('.'); dot != std::string::npos; dot = spec.key.find('.', dot + 1)) {
      const std::string table = spec.key.substr(0, dot);
      const std::size_t distance = levenshtein(key, table);
      if (distance < best_distance) {
        best = table;
        best_distance = distance;
      }
    }
  }
  return "unknown table: no parameter is in it" + (best.empty() ? std::string() : " (did you mean [" + best + "]?)");
}

const char* type_name(ParamType type) {
  switch (type) {
    case ParamType::kReal: return "a number";
    case ParamType::kInteger: return "an integer";
    case ParamType::kBoolean: return "true or false";
    case ParamType::kString: return "a string";
    case ParamType::kPath: return "a string naming a file";
  }
  return "a value";
}

// Returns the constraint the value breaks, or nullopt when it is in range.
std::optional<std::string> range_problem(const ParamSpec& spec, double value) {
  if (spec.type != ParamType::kReal && spec.type != ParamType::kInteger) return std::nullopt;
  if (value >= spec.min && value <= spec.max) return std::nullopt;
  const bool has_min = std::isfinite(spec.min);
  const bool has_max = std::isfinite(spec.max);
  if (has_min && has_max) {
    return "must be in [" + engine::shortest(spec.min) + ", " + engine::shortest(spec.max) + "]";
  }
  if (has_min) return "must be >= " + engine::shortest(spec.min);
  return "must be <= " + engine::shortest(spec.max);
}

std::optional<std::string> range_problem(const ParamSpec& spec, const ParamScalar& value) {
  if (const auto* real = std::get_if<double>(&value)) return range_problem(spec, *real);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    return range_problem(spec, static_cast<double>(*integer));
  }
  return std::nullopt;
}

// A control character (NUL, line break, ...) cannot be part of a file name
// the user meant, and would cut or break the messages and CSV headers the
// text is copied into (a NUL ends a C string).
bool has_control_character(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}
constexpr const char* kControlCharacterProblem = "must not contain control characters (NUL, tab, line break, ...)";

// Keeps user-given paths relative-looking (messages and `explain` show what
// the user would type) while making them independent of the file's place.
std::string resolve_relative(const fs::path& setting_file, const std::string& value) {
  if (value.empty()) return value;
  const fs::path path(value);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (setting_file.parent_path() / path).lexically_normal().string();
}

// The offending value as the user would recognise it: floats in their
// shortest round-trip form (0.1, not 0.10000000000000001), containers elided.
std::string node_text(const toml::node& node) {
  if (const auto* real = node.as_floating_point()) {
    const double value = real->get();
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    std::string text = engine::shortest(value);
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    return text;
  }
  if (node.is_array()) return "[...]";
  if (node.is_table()) return "{...}";
  std::ostringstream out;
  node.visit([&](const auto& typed) { out << typed; });
  return out.str();
}

const char* toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "an unknown type";
  }
}

SourceLocation location_of(const std::string& file, const toml::source_region& region) {
  return SourceLocation{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

struct ParentRef {
  fs::path path;          // as the user would write it (relative to the working directory)
  SourceLocation where;   // the `extends` entry naming it
  std::string entry;      // the entry's text, for messages
};

// One file's own contribution, parsed and checked once even when several
// scenarios extend it (a diamond), so its problems are reported once.
struct Layer {
  bool readable = false;  // false: missing, empty, binary, not UTF-8 or bad TOML
  std::vector<ParentRef> parents;
  std::map<std::string, ParamValue> values;
};

// How many files an extends chain may pass through (the named file, its
// parent, its parent's parent, ...). The recursion is bounded by it.
constexpr std::size_t kMaxExtendsDepth = 64;

class Resolver {
 public:
  Resolver(const ParamSchema& schema, std::vector<Problem>& problems)
      : schema_(schema), problems_(problems) {}

  // The values of the chain ending at `file`: its parents' (first to last),
  // then the file's own keys. Computed once per file and kept, so a file
  // reached along many routes (a diamond of diamonds) costs one resolution:
  // linear in the number of files and extends entries.
  const std::map<std::string, ParamValue>& resolve(const fs::path& file, std::vector<std::string>& stack) {
    const std::string id = identity(file);
    if (const auto it = resolved_.find(id); it != resolved_.end()) return it->second;
    const Layer& layer = load(file);
    std::map<std::string, ParamValue> values;
    stack.push_back(id);
    for (const ParentRef& parent : layer.parents) {
      const std::string parent_id = identity(parent.path);
      const auto cycle_start = std::find(stack.begin(), stack.end(), parent_id);
      if (cycle_start != stack.end()) {
        std::string chain;
        for (auto it = cycle_start; it != stack.end(); ++it) chain += display_.at(*it) + " -> ";
        chain += parent.path.string();
        problems_.push_back(Problem{parent.where, "extends", parent.entry,
                                    "extends cycle: " + chain});
        any_unreadable_ = true;
        continue;
      }
      if (stack.size() >= kMaxExtendsDepth && resolved_.count(parent_id) == 0) {
        problems_.push_back(Problem{parent.where, "extends", parent.entry,
                                    "the extends chain is more than " + std::to_string(kMaxExtendsDepth) +
                                        " files deep (from " + display_.at(stack.front()) + "); at most " +
                                        std::to_string(kMaxExtendsDepth) + " are allowed"});
        any_unreadable_ = true;
        continue;
      }
      for (const auto& [key, value] : resolve(parent.path, stack)) values[key] = value;
    }
    stack.pop_back();
    for (const auto& [key, value] : layer.values) values[key] = value;
    return resolved_.emplace(id, std::move(values)).first->second;
  }

  const std::vector<std::string>& files() const { return files_; }
  const std::set<std::string>& bad_keys() const { return bad_keys_; }
  bool any_unreadable() const { return any_unreadable_; }

 private:
  std::string identity(const fs::path& file) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(file, ec);
    std::string id = ec ? file.lexically_normal().string() : canonical.string();
    display_.emplace(id, file.string());
    return id;
  }

  const Layer& load(const fs::path& file) {
    const std::string id = identity(file);
    if (const auto it = layers_.find(id); it != layers_.end()) return it->second;
    Layer& layer = layers_[id];
    files_.push_back(file.string());
    const std::string name = file.string();

    const std::optional<std::string> text = read_text_file(file, name, problems_);
    if (!text) {
      any_unreadable_ = true;
      return layer;
    }
    toml::table root;
    try {
      root = toml::parse(*text, name);
    } catch (const toml::parse_error& error) {
      problems_.push_back(Problem{location_of(name, error.source()), "", "",
                                  "TOML syntax error: " + std::string(error.description())});
      any_unreadable_ = true;
      return layer;
    }
    layer.readable = true;

    // toml::table iterates in key order; report in line order instead, as a
    // reader fixes a file top to bottom.
    const std::size_t first_problem = problems_.size();
    if (const toml::node* extends = root.get("extends")) read_extends(file, *extends, layer);
    std::map<std::string, std::pair<SourceLocation, std::string>> seen;  // dotted key -> where, value
    walk(file, root, "", layer, seen);
    std::stable_sort(problems_.begin() + static_cast<std::ptrdiff_t>(first_problem), problems_.end(),
                     [](const Problem& a, const Problem& b) {
                       return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
                     });
    return layer;
  }

  void read_extends(const fs::path& file, const toml::node& extends, Layer& layer) {
    const std::string name = file.string();
    const auto add = [&](const toml::node& entry) {
      const SourceLocation where = location_of(name, entry.source());
      const auto* path = entry.as_string();
      if (path == nullptr) {
        problems_.push_back(Problem{where, "extends", node_text(entry),
                                    "must be a file name string or an array of them"});
        any_unreadable_ = true;
        return;
      }
      if (has_control_character(path->get())) {
        problems_.push_back(Problem{where, "extends", node_text(entry), kControlCharacterProblem});
        any_unreadable_ = true;
        return;
      }
      const fs::path parent = (file.parent_path() / fs::path(path->get())).lexically_normal();
      // By its kind, from stat(2): a directory, FIFO or device is never opened.
      std::error_code ec;
      const fs::file_status status = fs::status(parent, ec);
      if (!fs::is_regular_file(status)) {
        std::string why = "file not found: " + parent.string();
        if (fs::is_directory(status)) why = parent.string() + " is a directory, not a scenario file";
        if (fs::is_fifo(status)) why = parent.string() + " is a FIFO (named pipe), not a scenario file";
        if (fs::is_character_file(status) || fs::is_block_file(status)) {
          why = parent.string() + " is a device, not a scenario file";
        }
        if (fs::is_socket(status)) why = parent.string() + " is a socket, not a scenario file";
        problems_.push_back(Problem{where, "extends", node_text(entry), why});
        any_unreadable_ = true;
        return;
      }
      layer.parents.push_back(ParentRef{parent, where, node_text(entry)});
    };
    if (const auto* array = extends.as_array()) {
      for (const toml::node& entry : *array) add(entry);
    } else {
      add(extends);
    }
  }

  // `seen`: every dotted key set in this file so far, where. TOML itself
  // refuses a key set twice, but a quoted key holding dots ("cycle.sd" = 1)
  // and a table ([cycle] sd = 2) name different TOML keys and the same
  // parameter: a duplicate here.
  void walk(const fs::path& file, const toml::table& table, const std::string& prefix, Layer& layer,
            std::map<std::string, std::pair<SourceLocation, std::string>>& seen) {
    for (const auto& [toml_key, node] : table) {
      const std::string key_part(toml_key.str());
      if (prefix.empty() && key_part == "extends") continue;
      const std::string key = prefix.empty() ? key_part : prefix + "." + key_part;
      if (!node.is_table()) {
        const SourceLocation here = location_of(file.string(), toml_key.source());
        const auto [it, inserted] = seen.emplace(key, std::pair(here, node_text(node)));
        if (!inserted) {
          // Reported where the later of the two stands, with its value.
          const auto& [first, first_text] = it->second;
          const bool first_earlier = std::pair(first.line, first.column) < std::pair(here.line, here.column);
          problems_.push_back(Problem{first_earlier ? here : first, key, first_earlier ? node_text(node) : first_text,
                                      "duplicate key: " + key + " is also set on line " +
                                          std::to_string(first_earlier ? first.line : here.line) +
                                          " (a quoted key with dots names the same parameter as the table key)"});
          layer.values.erase(key);
          bad_keys_.insert(key);
          continue;
        }
      }
      const ParamSpec* spec = find_param(schema_, key);
      if (spec == nullptr) {
        if (const auto* sub = node.as_table()) {
          // The keys of a non-empty table are reported one by one (with
          // "did you mean"); an empty table of no parameters would pass
          // unseen, so it is reported itself.
          if (sub->empty() && !is_schema_table(schema_, key)) {
            problems_.push_back(Problem{location_of(file.string(), toml_key.source()), key, "{} (an empty table)",
                                        unknown_table_constraint(schema_, key)});
          } else {
            walk(file, *sub, key, layer, seen);
          }
        } else {
          problems_.push_back(Problem{location_of(file.string(), toml_key.source()), key,
                                      node_text(node), unknown_key_constraint(schema_, key)});
        }
        continue;
      }
      const SourceLocation where = location_of(file.string(), node.source());
      if (std::optional<ParamScalar> value = convert(file, *spec, node, where)) {
        layer.values[key] = ParamValue{std::move(*value), where};
      } else {
        bad_keys_.insert(key);
      }
    }
  }

  std::optional<ParamScalar> convert(const fs::path& file, const ParamSpec& spec,
                                     const toml::node& node, const SourceLocation& where) {
    const auto fail = [&](std::string constraint) {
      problems_.push_back(Problem{where, spec.key, node_text(node), std::move(constraint)});
      return std::nullopt;
    };
    const auto wrong_type = [&]() {
      return fail(std::string("must be ") + type_name(spec.type) + ", not " + toml_type_name(node));
    };
    ParamScalar value;
    switch (spec.type) {
      case ParamType::kReal:
        if (const auto* real = node.as_floating_point()) {
          if (!std::isfinite(real->get())) return fail("must be finite");
          value = real->get();
        } else if (const auto* integer = node.as_integer()) {
          value = static_cast<double>(integer->get());
        } else {
          return wrong_type();
        }
        break;
      case ParamType::kInteger:
        if (const auto* integer = node.as_integer()) {
          value = integer->get();
        } else if (node.is_floating_point()) {
          return fail("must be an integer (write it without a decimal point)");
        } else {
          return wrong_type();
        }
        break;
      case ParamType::kBoolean:
        if (const auto* flag = node.as_boolean()) {
          value = flag->get();
        } else {
          return wrong_type();
        }
        break;
      case ParamType::kString:
      case ParamType::kPath:
        if (const auto* text = node.as_string()) {
          if (has_control_character(text->get())) return fail(kControlCharacterProblem);
          value = spec.type == ParamType::kPath ? resolve_relative(file, text->get()) : text->get();
        } else {
          return wrong_type();
        }
        break;
    }
    if (std::optional<std::string> broken = range_problem(spec, value)) return fail(*broken);
    return value;
  }

  const ParamSchema& schema_;
  std::vector<Problem>& problems_;
  std::map<std::string, Layer> layers_;          // by canonical path
  std::map<std::string, std::map<std::string, ParamValue>> resolved_;  // by canonical path: the chain's values
  std::map<std::string, std::string> display_;   // canonical path -> path as the user wrote it
  std::vector<std::string> files_;
  std::set<std::string> bad_keys_;
  bool any_unreadable_ = false;
};

void run_check(const ScenarioCheck& check, const ResolvedScenario& scenario,
               std::vector<Problem>& problems) {
  // Cross-key checks assume every value is present and individually valid;
  // running them on a broken scenario would only add noise.
  if (!check || !problems.empty()) return;
  std::vector<Problem> cross = check(scenario);
  problems.insert(problems.end(), std::make_move_iterator(cross.begin()),
                  std::make_move_iterator(cross.end()));
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// A decimal number text ("3.0", "2027.00", "3e0", "-0.0"; no sign: the
// caller took a '+') as an Integer key's value when its decimal value is
// exactly a whole number -- decided on the digits, not on the nearest double,
// so that 2027.0000000000001 is not 2027 -- and within the key's range.
std::variant<ParamScalar, std::string> whole_decimal(const ParamSpec& spec, std::string_view text) {
  using Kind = engine::WholeNumberText::Kind;
  const std::string not_integer = "must be an integer";
  double approx = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), approx);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(approx)) {
    return not_integer;
  }
  // A nonzero value of at most 2^63 has at most 19 digits.
  const engine::WholeNumberText w = engine::whole_number_text(text, 19);
  if (w.kind == Kind::kNotNumber || w.kind == Kind::kFraction) return not_integer;
  if (w.kind == Kind::kWhole && w.digits.empty()) return ParamScalar{std::int64_t{0}};  // 0.0, -0e5: zero
  if (std::optional<std::string> broken = range_problem(spec, approx)) return *broken;
  if (w.kind == Kind::kTooLong) return not_integer;
  const std::string whole = (w.negative ? "-" : "") + w.digits;
  std::int64_t value = 0;
  const auto [wend, wec] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
  if (wec != std::errc() || wend != whole.data() + whole.size()) return not_integer;
  return ParamScalar{value};
}

// Parses command-line text as the key's type; returns the constraint broken
// on failure.
std::variant<ParamScalar, std::string> parse_override(const ParamSpec& spec, std::string_view raw) {
  const std::string_view text = trim(raw);
  switch (spec.type) {
    case ParamType::kReal: {
      std::string_view digits = text;
      if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
      double value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return std::string("must be a number");
      }
      if (!std::isfinite(value)) return std::string("must be finite");
      return ParamScalar{value};
    }
    case ParamType::kInteger: {
      std::string_view digits = text;
      if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) return ParamScalar{value};
      // Every NumPy design (SALib's samplers') is float, and Python and CSV
      // writers print a whole float as "3.0": a number whose decimal value is
      // exactly whole is that integer, the same value (and hash) as "3".
      return whole_decimal(spec, digits);
    }
    case ParamType::kBoolean:
      if (text == "true") return ParamScalar{true};
      if (text == "false") return ParamScalar{false};
      return std::string("must be true or false");
    case ParamType::kString:
    case ParamType::kPath:
      // The command line is the origin, so a Path stays relative to the
      // working directory: exactly what the user typed.
      if (has_control_character(raw)) return std::string(kControlCharacterProblem);
      return ParamScalar{std::string(raw)};
  }
  return std::string("unsupported type");
}

}  // namespace

// Suggests the closest schema key: a small edit distance catches typos, a
// shared last segment catches a key put in the wrong table.
std::string unknown_key_constraint(const ParamSchema& schema, const std::string& key) {
  constexpr std::size_t kMaxDistance = 3;
  const ParamSpec* best = nullptr;
  std::size_t best_distance = kMaxDistance + 1;
  for (const ParamSpec& spec : schema) {
    const std::size_t distance = levenshtein(key, spec.key);
    if (distance < best_distance) {
      best = &spec;
      best_distance = distance;
    }
  }
  if (best == nullptr) {
    for (const ParamSpec& spec : schema) {
      if (last_segment(spec.key) == last_segment(key)) {
        best = &spec;
        break;
      }
    }
  }
  if (best == nullptr) return "unknown key";
  return "unknown key (did you mean '" + best->key + "'?)";
}

std::optional<std::string> override_value_text(const ParamSpec& spec, std::string_view text) {
  auto parsed = parse_override(spec, text);
  if (const auto* value = std::get_if<ParamScalar>(&parsed)) return value_text(*value);
  return std::nullopt;
}

ResolvedScenario load_scenario(const fs::path& file, const ParamSchema& schema, const ScenarioCheck& check) {
  std::vector<Problem> problems;
  Resolver resolver(schema, problems);
  ResolvedScenario scenario;
  std::vector<std::string> stack;
  scenario.values = resolver.resolve(file, stack);
  scenario.files = resolver.files();
  for (const ParamSpec& spec : schema) {
    if (spec.type == ParamType::kPath) scenario.path_keys.insert(spec.key);
  }

  // A key missing because its file could not be read, or because its value
  // was rejected, is already reported; saying "no value" too would mislead.
  if (!resolver.any_unreadable()) {
    for (const ParamSpec& spec : schema) {
      if (scenario.values.count(spec.key) != 0 || resolver.bad_keys().count(spec.key) != 0) continue;
      problems.push_back(Problem{{file.string(), 0, 0}, spec.key, "",
                                 "no value: add it to the base scenario"});
    }
  }
  run_check(check, scenario, problems);
  if (!problems.empty()) throw InputError(std::move(problems));
  return scenario;
}

void apply_overrides(ResolvedScenario& scenario, const ParamSchema& schema,
                     const std::vector<std::pair<std::string, std::string>>& overrides,
                     const std::string& origin, const ScenarioCheck& check) {
  std::vector<Problem> problems;
  ResolvedScenario updated = scenario;  // strong guarantee: untouched on error
  for (const auto& [key, text] : overrides) {
    const SourceLocation where{origin, 0, 0};
    // Quoted back with its control characters as escapes (a NUL or a carriage
    // return in a points file's cell must be seen, not obeyed or cut short).
    const std::string shown = engine::escaped(text);
    const ParamSpec* spec = find_param(schema, key);
    if (spec == nullptr) {
      problems.push_back(Problem{where, key, shown, unknown_key_constraint(schema, key)});
      continue;
    }
    auto parsed = parse_override(*spec, text);
    if (auto* broken = std::get_if<std::string>(&parsed)) {
      problems.push_back(Problem{where, key, shown, std::move(*broken)});
      continue;
    }
    ParamScalar& value = std::get<ParamScalar>(parsed);
    if (std::optional<std::string> broken = range_problem(*spec, value)) {
      problems.push_back(Problem{where, key, shown, std::move(*broken)});
      continue;
    }
    updated.values[key] = ParamValue{std::move(value), where, true};
    if (spec->type == ParamType::kPath) updated.path_keys.insert(key);
  }
  run_check(check, updated, problems);
  if (!problems.empty()) throw InputError(std::move(problems));
  scenario = std::move(updated);
}

namespace {

// Every leaf of `table` by its dotted parameter key (tables, dotted and quoted keys alike).
void leaves(const toml::table& table, const std::string& prefix, std::map<std::string, const toml::node*>& out) {
  for (const auto& [toml_key, node] : table) {
    const std::string key = prefix.empty() ? std::string(toml_key.str()) : prefix + "." + std::string(toml_key.str());
    if (const auto* sub = node.as_table()) {
      leaves(*sub, key, out);
    } else {
      out.emplace(key, &node);
    }
  }
}

// The byte offset of (line, column) in `text`: toml++ counts both from 1,
// the column in code points.
std::size_t byte_offset(const std::string& text, std::uint32_t line, std::uint32_t column) {
  std::size_t i = 0;
  for (std::uint32_t l = 1; l < line && i < text.size(); ++i) {
    if (text[i] == '\n') ++l;
  }
  for (std::uint32_t c = 1; c < column && i < text.size(); ++c) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;  // UTF-8 continuation bytes
  }
  return i;
}

}  // namespace

std::string rewrite_scenario_values(const std::string& text, const std::string& file,
                                    const std::vector<std::pair<std::string, std::string>>& values) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    throw InputError({Problem{location_of(file, error.source()), "", "",
                              "TOML syntax error: " + std::string(error.description())}});
  }
  std::map<std::string, const toml::node*> set_here;
  leaves(root, "", set_here);
  struct Edit {
    std::size_t begin, end;
    std::string value;
  };
  std::vector<Edit> edits;
  std::vector<Problem> problems;
  std::vector<std::string> missing;
  std::map<std::string, toml::table> wanted;  // each new value parsed, as "v = VALUE"
  for (const auto& [key, value] : values) {
    const auto it = set_here.find(key);
    if (it == set_here.end()) {
      missing.push_back(key);
      continue;
    }
    toml::table probe;
    try {
      probe = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      throw std::logic_error("rewrite_scenario_values: '" + value + "' is not a TOML value");
    }
    const toml::node& parsed = *probe["v"].node();
    if (parsed.type() != it->second->type() && !(parsed.is_number() && it->second->is_number())) {
      problems.push_back(Problem{location_of(file, it->second->source()), key, value,
                                 std::string("must be ") + toml_type_name(*it->second) + " as the file holds it"});
      continue;
    }
    const toml::source_region& r = it->second->source();
    edits.push_back({byte_offset(text, r.begin.line, r.begin.column), byte_offset(text, r.end.line, r.end.column),
                     value});
    wanted.emplace(key, std::move(probe));
  }
  if (!missing.empty()) {  // one problem, not one per key: usually the file sets none of them
    const auto value =
        std::find_if(values.begin(), values.end(), [&](const auto& kv) { return kv.first == missing[0]; });
    problems.push_back(Problem{{file, 0, 0}, missing[0], value->second,
                               "the file does not set this key itself (it is inherited or absent)" +
                                   (missing.size() > 1 ? ", nor " + std::to_string(missing.size() - 1) + " more of them"
                                                       : std::string()) +
                                   ": name the file that sets them, or write them with --out and extend the scenario "
                                   "with that file"});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  std::string out = text;
  for (const Edit& e : edits) out.replace(e.begin, e.end - e.begin, e.value);

  // The new text holds the new values, and every other key as before.
  const toml::table again = toml::parse(out, file);
  std::map<std::string, const toml::node*> now;
  leaves(again, "", now);
  bool same = now.size() == set_here.size();
  for (const auto& entry : set_here) {  // (not a structured binding: clang 14 cannot capture one)
    const std::string& key = entry.first;
    const auto n = now.find(key);
    if (n == now.end()) {
      same = false;
      continue;
    }
    const auto given = wanted.find(key);
    const toml::node& want = given == wanted.end() ? *entry.second : *given->second["v"].node();
    if (want.is_number() && n->second->is_number()) {  // 9000 in the file may become 8940.3
      same = same && n->second->value<double>() == want.value<double>();
    } else {
      same = same && node_text(*n->second) == node_text(want);
    }
  }
  if (!same) throw std::logic_error("rewrite_scenario_values: the rewritten " + file + " does not hold the new values");
  return out;
}

}  // namespace banensim::models
