#pragma once
// The declared parameters of a model: every key a scenario may set, its type,
// its allowed range, unit and a one-line meaning. The scenario loader checks
// files against it; sweeps address parameters by the same dotted keys.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "models/problem.hpp"

namespace banensim::models {

enum class ParamType {
  Real,     // TOML float or integer
  Integer,  // TOML integer
  Boolean,  // TOML boolean
  String,   // TOML string
  Path,     // TOML string naming a file, resolved relative to the file that sets it
};

struct ParamSpec {
  std::string key;  // dotted TOML key, e.g. "growth.market.trend_mean"
  ParamType type = ParamType::Real;
  double min = -std::numeric_limits<double>::infinity();  // inclusive, Real/Integer
  double max = std::numeric_limits<double>::infinity();   // inclusive, Real/Integer
  std::string unit;  // e.g. "jobs/year", "EUR per job", "1" for fractions
  std::string doc;   // one line: what it means
};

using ParamSchema = std::vector<ParamSpec>;

using ParamScalar = std::variant<double, std::int64_t, bool, std::string>;

struct ParamValue {
  ParamScalar value;
  SourceLocation where;  // where the winning value was set
};

// A scenario after `extends` is followed and overrides applied: every key of
// the schema has exactly one value.
class ResolvedScenario {
 public:
  std::vector<std::string> files;  // the extends chain, the named file first
  std::map<std::string, ParamValue> values;

  // Typed access; throw std::out_of_range / std::bad_variant_access on misuse
  // (a programming error, not an input error).
  double real(const std::string& key) const;  // Integer values convert
  std::int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;  // String and Path
  const SourceLocation& where(const std::string& key) const;

  // Canonical TOML text of every value, sorted by key: what `explain` prints
  // and what the provenance hash is computed over.
  std::string canonical_toml() const;
  // FNV-1a 64-bit of canonical_toml(), as 16 hex digits.
  std::string hash() const;
};

}  // namespace banensim::models
