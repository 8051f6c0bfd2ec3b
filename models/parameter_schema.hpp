#pragma once
// The declared parameters of a model as the scenario loader sees them: every
// key a scenario may set, with its type, accepted range, unit, kind, default,
// plausible range and a one-line meaning. A model declares its parameters
// once, in a ParamTable (models/parameter_table.hpp), from which this schema
// comes; the scenario loader checks files against it, and sweeps and studies
// address parameters by the same dotted keys.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/problem.hpp"

namespace banensim::models {

enum class ParamType {
  kReal,     // TOML float or integer
  kInteger,  // TOML integer
  kBoolean,  // TOML boolean
  kString,   // TOML string
  kPath,     // TOML string naming a file, resolved relative to the file that sets it
};

// Where a parameter's value comes from: the labels of docs/MODEL.md §6.
enum class ParamKind {
  kSetting,     // a choice of the run, not a fact: labels, data files, horizon, lever switches and years
  kStated,      // a source gives the number
  kDerived,     // arithmetic on stated numbers
  kCalibrated,  // estimated by `banensim calibrate`; scenarios/base.toml holds the only copy of the number
  kAssumption,  // no source; the plausible range says how unsure
};

// "setting", "stated", "derived", "calibrated", "assumption".
const char* kind_label(ParamKind kind);

// How a study draws an uncertain parameter from its plausible range.
enum class Distribution {
  kUniform,
};

// "uniform".
const char* distribution_name(Distribution distribution);

struct PlausibleRange {
  double low = 0;   // in the parameter's unit
  double high = 0;  // > low
  Distribution distribution = Distribution::kUniform;
};

using ParamScalar = std::variant<double, std::int64_t, bool, std::string>;

struct ParamSpec {
  std::string key;  // dotted TOML key, e.g. "growth.market.trend_mean"
  ParamType type = ParamType::kReal;
  double min = -std::numeric_limits<double>::infinity();  // inclusive, kReal/kInteger
  double max = std::numeric_limits<double>::infinity();   // inclusive, kReal/kInteger
  std::string unit;  // e.g. "jobs/year", "EUR/job/year", "1" for fractions; "bool", "text", "path" otherwise
  std::string doc;   // one line: what it means
  ParamKind kind = ParamKind::kSetting;
  // The default; none when scenarios/base.toml holds the only copy (calibrated
  // numbers, texts each file sets for itself, data files).
  std::optional<ParamScalar> default_value = std::nullopt;
  // Set for the uncertain parameters studies vary (sensitivity, discover,
  // sweep --range-from-schema).
  std::optional<PlausibleRange> plausible = std::nullopt;
};

using ParamSchema = std::vector<ParamSpec>;

// The spec of `key`, or nullptr.
const ParamSpec* find_param(const ParamSchema& schema, std::string_view key);

// The parameters declared with a plausible range, in schema order: what
// sensitivity, discover and sweep --range-from-schema vary.
std::vector<const ParamSpec*> uncertain_parameters(const ParamSchema& schema);

// A value as it is typed on a command line or written to a CSV cell:
// 0.3 (shortest decimal that reads back as the same double), 2020, true, text.
std::string value_text(const ParamScalar& value);

struct ParamValue {
  ParamScalar value;
  SourceLocation where;  // where the winning value was set
  // Given as text (apply_overrides: the command line, a points file's cell, a
  // study's factor value, Python), not by a scenario file: a relative Path is
  // then relative to the working directory, not to a file.
  bool given_as_text = false;
};


// A scenario after `extends` is followed and overrides applied: every key of
// the schema has exactly one value.
class ResolvedScenario {
 public:
  std::vector<std::string> files;  // the extends chain, the named file first
  std::map<std::string, ParamValue> values;
  std::set<std::string> path_keys;  // the keys of type Path (their values name data files)
  // Shared by copies (the scenarios derived from this one); see DataFiles.
  std::shared_ptr<DataFiles> data_files = std::make_shared<DataFiles>();

  // Typed access; throw std::out_of_range / std::bad_variant_access on misuse
  // (a programming error, not an input error).
  double real(const std::string& key) const;  // Integer values convert
  std::int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;  // String and Path
  const SourceLocation& where(const std::string& key) const;

  // The data file the Path-typed `key` names, read on first use (see DataFiles).
  DataFile data_file(const std::string& key) const;

  // Canonical TOML text of every value, sorted by key, numbers in their
  // shortest round-trip form: what `explain` prints (a scenario can use it).
  std::string canonical_toml() const;
  // The identity of the computation: canonical_toml() with the value of every
  // Path-typed key replaced by the digest of the file's content, so that it
  // does not depend on how a path is spelled (relative, absolute, with ../)
  // and changes when a data file does.
  std::string provenance_text() const;
  // FNV-1a 64-bit of provenance_text(), as 16 hex digits.
  std::string hash() const;
};

}  // namespace banensim::models
