#pragma once
// Loads scenario TOML files (toml++) against a ParamSchema.
//
// File format: nested TOML tables whose leaf keys are the schema's dotted
// keys; an optional top-level `extends = "other.toml"` (relative to the file)
// names the scenario this one overrides. Resolution follows the chain to its
// root, then applies overrides from the root outwards. After resolution every
// schema key must have a value (the base file holds every default).
//
// Every problem in the whole chain is collected and thrown together as an
// InputError: TOML syntax errors, files missing, empty, binary or not UTF-8,
// extends cycles, unknown keys (with "did you mean"), wrong types, non-finite
// numbers, values out of range, keys with no value after resolution.

#include <filesystem>
#include <functional>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "models/parameter_schema.hpp"

namespace banensim::models {

// Cross-key checks a model adds (e.g. a correlation matrix is positive
// semi-definite); returns problems, empty when fine.
using ScenarioCheck = std::function<std::vector<Problem>(const ResolvedScenario&)>;

ResolvedScenario load_scenario(const std::filesystem::path& file, const ParamSchema& schema,
                               const ScenarioCheck& check = {});

// Applies "key=value" overrides (from --set or a sweep), parsing value_text
// as the key's type, then re-runs range and cross-key checks. Problems name
// `origin` (e.g. "--set") as the file. An Integer key takes a decimal number
// whose value is exactly whole too ("3.0", "3e0": 3, as "3"), as NumPy and
// CSV writers print one; a scenario file's TOML float stays an error there.
void apply_overrides(ResolvedScenario& scenario, const ParamSchema& schema,
                     const std::vector<std::pair<std::string, std::string>>& overrides,
                     const std::string& origin, const ScenarioCheck& check = {});

// What a key the schema does not have breaks: "unknown key", with the
// closest schema key as "did you mean" when one is near.
std::string unknown_key_constraint(const ParamSchema& schema, const std::string& key);

// The value `text` gives the key as apply_overrides reads it, written as
// value_text writes it (so "2027", "2027.0", " 2027\r", "-0.0" and "0"
// agree); nullopt when the key's type refuses the text (before range checks).
std::optional<std::string> override_value_text(const ParamSpec& spec, std::string_view text);

// `text`, the content of the scenario file `file`, with the values of the
// given keys replaced where the file itself sets them (a table key, a
// dotted key or a quoted one), everything else -- comments, order, layout,
// the other keys -- byte for byte as it was: how `calibrate --update` puts
// its keys into a scenario. Values are TOML value texts (8940.3, 10,
// "fnv1a64 ..."). Throws InputError naming the file, key and value for a key
// the file does not set itself (inherited or absent), or a value that is not
// of the type the file holds there. The result is parsed again and must hold
// exactly the new values (else std::logic_error: nothing is written).
std::string rewrite_scenario_values(const std::string& text, const std::string& file,
                                    const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace banensim::models
