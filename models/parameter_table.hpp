#pragma once
// Declaring a model's parameters once.
//
// A model keeps its parameters in a plain struct P whose layout mirrors the
// scenario file's tables: the key `inleen.government_share_mean` is the
// member `p.inleen.government_share_mean`. A ParamTable<P> holds one
// declaration per parameter -- the member (and so the key), unit, accepted
// range, kind, default, plausible range and meaning:
//
//   t.param(BANENSIM_MEMBER(inleen.government_share_sd))
//       .unit("1").range(0, 0.5).assumption(0.02).plausible(0.01, 0.04)
//       .means("true government share of hired-in jobs, sd over paths");
//
// and one declaration per policy lever (a struct derived from Lever: its
// switch, its first year, and, as further members declared with param(),
// its behavioural parameters):
//
//   t.lever(BANENSIM_MEMBER(policy.abolish_split)).from(2020).years(2013, 2100)
//       .means("lever 1: one national target, no allocation key");
//
// declares `policy.abolish_split.enabled` and `policy.abolish_split.year`.
// Everything else comes from the table: the schema the scenario loader checks
// files against, the reading of a resolved scenario into P, the key of a
// member (for messages), the check that enabled levers act inside the
// simulated horizon, and the plausible ranges studies vary. Tests check the
// table against scenarios/base.toml and docs/MODEL.md (docs/EXTENDING.md).
//
// Each parameter is defined once with everything about it, as Google
// Benchmark defines each flag once with its default (BM_DEFINE_int32 in
// google/benchmark:src/commandlineflags.h), and the member path is written
// once and stringized into the key -- the way Ceres names Solver::Options in
// its messages after the members (ceres-solver:internal/ceres/solver.cc) --
// so key and member cannot drift apart, and grepping a key finds its
// declaration. The member's C++ type gives the
// parameter's type (double: real; int, std::int64_t: integer; bool;
// std::string: text, or a file with .file()), and defaults are typed.
//
// Declaration mistakes (a default outside the accepted range, a plausible
// range outside it, a key declared twice, a number without unit or range, ...)
// are programming errors: declaration_problems() lists them, and a model
// throws std::logic_error when its table has any.
//
// Thread-safety: build once (e.g. in a function-local static), then only read.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "models/parameter_schema.hpp"
#include "models/problem.hpp"

namespace banensim::models {

// A policy lever: a switch and the first calendar year it acts in (the
// measurement at that year's end counts under it). A lever's behavioural
// parameters are members of a struct derived from Lever.
struct Lever {
  bool enabled = false;
  int year = 0;
  bool active(int y) const { return enabled && y >= year; }
};

// The key (the member path, stringized) and the accessor of a member of the
// parameter struct: the two arguments ParamTable::param and ::lever take.
#define BANENSIM_MEMBER(path) #path, [](auto& params_) -> auto& { return params_.path; }

template <class P>
class ParamTable {
 public:
  template <class T>
  class Param;
  class LeverDecl;

  // A lever as the table knows it: its key ("policy.abolish_split") and the
  // keys of its switch and year.
  struct LeverEntry {
    std::string key;
    std::string meaning;
    std::string enabled_key;
    std::string year_key;
    std::function<Lever&(P&)> access;
    // Its behavioural parameters act also when the lever is off (e.g. the
    // law itself does what the lever does from some year), so they are
    // never left out of a study for the switch being off.
    bool parameters_act_when_off = false;
    // Levers it cannot be enabled together with (both directions: the
    // declaration of either names the other; see excluded_by()).
    std::vector<std::string> excludes;
    const Lever& get(const P& p) const { return access(const_cast<P&>(p)); }
  };

  // Declares the parameter at the member `key` names (use BANENSIM_MEMBER).
  template <class Accessor>
  auto param(std::string_view key, Accessor accessor) {
    using T = std::remove_reference_t<decltype(accessor(std::declval<P&>()))>;
    static_assert(std::is_same_v<T, double> || std::is_same_v<T, int> || std::is_same_v<T, std::int64_t> ||
                      std::is_same_v<T, bool> || std::is_same_v<T, std::string>,
                  "a parameter is a double, int, std::int64_t, bool or std::string member");
    ParamSpec spec;
    spec.key = std::string(key);
    spec.type = type_of<T>();
    if constexpr (std::is_same_v<T, bool>) spec.unit = "bool";
    if constexpr (std::is_same_v<T, std::string>) spec.unit = "text";
    schema_.push_back(std::move(spec));
    access_.push_back(std::function<T&(P&)>(accessor));
    kind_given_.push_back(false);
    return Param<T>(this, schema_.size() - 1);
  }

  // Declares the lever at the member `key` names (a struct derived from
  // Lever): the keys KEY.enabled (off by default) and KEY.year.
  template <class Accessor>
  LeverDecl lever(std::string_view key, Accessor accessor) {
    using T = std::remove_reference_t<decltype(accessor(std::declval<P&>()))>;
    static_assert(std::is_base_of_v<Lever, T>, "a lever is a struct derived from Lever");
    std::function<Lever&(P&)> lever_access = [accessor](P& p) -> Lever& { return accessor(p); };
    const std::string k(key);
    param(k + ".enabled", [lever_access](P& p) -> bool& { return lever_access(p).enabled; }).setting(false);
    param(k + ".year", [lever_access](P& p) -> int& { return lever_access(p).year; }).unit("year").setting(0);
    levers_.push_back(LeverEntry{k, "", k + ".enabled", k + ".year", std::move(lever_access), false, {}});
    return LeverDecl(this, levers_.size() - 1, schema_.size() - 2);
  }

  // Every key, in declaration order.
  const ParamSchema& schema() const { return schema_; }
  const std::vector<LeverEntry>& levers() const { return levers_; }
  // The levers that cannot be enabled together with `lever_key`: those its
  // declaration excludes and those whose declaration excludes it.
  std::vector<std::string> excluded_by(std::string_view lever_key) const {
    std::vector<std::string> out;
    for (const auto& l : levers_) {
      if (l.key == lever_key) {
        out.insert(out.end(), l.excludes.begin(), l.excludes.end());
      } else if (std::find(l.excludes.begin(), l.excludes.end(), lever_key) != l.excludes.end()) {
        out.push_back(l.key);
      }
    }
    return out;
  }

  // Mistakes in the declarations themselves; empty when the table is sound.
  std::vector<std::string> declaration_problems() const;

  // Reads every key's value into its member. The scenario must hold a value
  // of the declared type for every key (as the loader guarantees).
  void read(P& p, const ResolvedScenario& r) const {
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const std::string& key = schema_[i].key;
      std::visit(
          [&](const auto& access) {
            using T = std::remove_reference_t<decltype(access(p))>;
            if constexpr (std::is_same_v<T, double>) access(p) = r.real(key);
            if constexpr (std::is_same_v<T, int>) access(p) = static_cast<int>(r.integer(key));
            if constexpr (std::is_same_v<T, std::int64_t>) access(p) = r.integer(key);
            if constexpr (std::is_same_v<T, bool>) access(p) = r.boolean(key);
            if constexpr (std::is_same_v<T, std::string>) access(p) = r.string(key);
          },
          access_[i]);
    }
  }

  // The key of the member `member` of `p` (e.g. &p.cycle.sd -> "cycle.sd"),
  // for messages that name a key. Throws std::logic_error for a member that
  // is not a declared parameter.
  const std::string& key_of(const P& p, const void* member) const {
    P& q = const_cast<P&>(p);  // only addresses are taken
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const void* address = std::visit([&](const auto& access) -> const void* { return &access(q); }, access_[i]);
      if (address == member) return schema_[i].key;
    }
    throw std::logic_error("ParamTable::key_of: not a declared parameter");
  }

  // One problem for every enabled lever whose year is outside the simulated
  // years origin_year+1 .. target_year, at the lever's year key.
  std::vector<Problem> lever_horizon_problems(const ResolvedScenario& r, int origin_year, int target_year) const {
    std::vector<Problem> problems;
    for (const LeverEntry& lever : levers_) {
      const auto year = r.integer(lever.year_key);
      if (r.boolean(lever.enabled_key) && (year <= origin_year || year > target_year)) {
        problems.push_back(Problem{r.where(lever.year_key), lever.year_key, std::to_string(year),
                                   "an enabled lever must take effect inside the simulated horizon " +
                                       std::to_string(origin_year + 1) + "-" + std::to_string(target_year)});
      }
    }
    return problems;
  }

  // Builder of one parameter's declaration (returned by param()).
  template <class T>
  class Param {
   public:
    Param(ParamTable* table, std::size_t i) : table_(table), i_(i) {}

    // The unit, e.g. "jobs/year", "EUR/job/year", "1" for shares (numbers only).
    Param& unit(std::string text) {
      spec().unit = std::move(text);
      return *this;
    }
    // The accepted range, inclusive: the loader rejects values outside it.
    Param& range(double min, double max) {
      static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "a range is for numbers");
      spec().min = min;
      spec().max = max;
      return *this;
    }
    // The kind and, but for calibrated parameters, the default.
    Param& setting(T value) { return kind(ParamKind::kSetting, std::move(value)); }
    Param& stated(T value) { return kind(ParamKind::kStated, std::move(value)); }
    Param& derived(T value) { return kind(ParamKind::kDerived, std::move(value)); }
    Param& assumption(T value) { return kind(ParamKind::kAssumption, std::move(value)); }
    // A setting without a default: each scenario file (base.toml first) sets it.
    Param& setting() { return kind(ParamKind::kSetting, std::nullopt); }
    // Estimated by `banensim calibrate`; the number lives in scenarios/base.toml only.
    Param& calibrated() { return kind(ParamKind::kCalibrated, std::nullopt); }
    // The range studies vary an uncertain parameter over.
    Param& plausible(double low, double high, Distribution distribution = Distribution::kUniform) {
      static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "a plausible range is for numbers");
      spec().plausible = PlausibleRange{low, high, distribution};
      return *this;
    }
    // A string naming a file, resolved relative to the scenario file that sets it.
    Param& file() {
      static_assert(std::is_same_v<T, std::string>, "a file name is a std::string member");
      spec().type = ParamType::kPath;
      spec().unit = "path";
      return *this;
    }
    // One line: what it means.
    Param& means(std::string text) {
      spec().doc = std::move(text);
      return *this;
    }

   private:
    ParamSpec& spec() { return table_->schema_[i_]; }
    Param& kind(ParamKind k, std::optional<T> value) {
      spec().kind = k;
      spec().default_value.reset();
      if (value) {
        if constexpr (std::is_same_v<T, int>) {
          spec().default_value = ParamScalar(std::in_place_type<std::int64_t>, *value);
        } else {
          spec().default_value = ParamScalar(std::in_place_type<T>, std::move(*value));
        }
      }
      table_->kind_given_[i_] = true;
      return *this;
    }
    ParamTable* table_;
    std::size_t i_;
  };

  // Builder of one lever's declaration (returned by lever()).
  class LeverDecl {
   public:
    LeverDecl(ParamTable* table, std::size_t i_lever, std::size_t i_enabled)
        : table_(table), i_lever_(i_lever), i_enabled_(i_enabled) {}
    // The year it acts from by default.
    LeverDecl& from(int year) {
      year_spec().default_value = ParamScalar(std::in_place_type<std::int64_t>, year);
      return *this;
    }
    // The years a scenario may name (the horizon check narrows them further).
    LeverDecl& years(int first, int last) {
      year_spec().min = first;
      year_spec().max = last;
      return *this;
    }
    // Its parameters act also when its switch is off (see LeverEntry).
    LeverDecl& parameters_act_when_off() {
      table_->levers_[i_lever_].parameters_act_when_off = true;
      return *this;
    }
    // It cannot be enabled together with the lever `other` (declared before
    // it): a scenario enabling both is refused at both switches.
    LeverDecl& excludes(std::string_view other) {
      table_->levers_[i_lever_].excludes.emplace_back(other);
      return *this;
    }
    // One line: what the lever does.
    LeverDecl& means(std::string text) {
      table_->levers_[i_lever_].meaning = text;
      table_->schema_[i_enabled_].doc = "switch of " + text;
      year_spec().doc = "first year it acts: " + text;
      return *this;
    }

   private:
    ParamSpec& year_spec() { return table_->schema_[i_enabled_ + 1]; }
    ParamTable* table_;
    std::size_t i_lever_, i_enabled_;
  };

 private:
  template <class T>
  static constexpr ParamType type_of() {
    if constexpr (std::is_same_v<T, double>) return ParamType::kReal;
    if constexpr (std::is_same_v<T, bool>) return ParamType::kBoolean;
    if constexpr (std::is_same_v<T, std::string>) return ParamType::kString;
    return ParamType::kInteger;
  }

  using Accessor = std::variant<std::function<double&(P&)>, std::function<int&(P&)>,
                                std::function<std::int64_t&(P&)>, std::function<bool&(P&)>,
                                std::function<std::string&(P&)>>;
  ParamSchema schema_;
  std::vector<Accessor> access_;
  std::vector<bool> kind_given_;
  std::vector<LeverEntry> levers_;
};

template <class P>
std::vector<std::string> ParamTable<P>::declaration_problems() const {
  std::vector<std::string> problems;
  const auto bad = [&](const ParamSpec& s, const std::string& what) { problems.push_back(s.key + ": " + what); };
  const auto number = [](const ParamScalar& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
  };
  for (std::size_t i = 0; i < levers_.size(); ++i) {
    for (const auto& other : levers_[i].excludes) {
      bool before = false;
      for (std::size_t j = 0; j < i; ++j) before = before || levers_[j].key == other;
      if (!before) problems.push_back(levers_[i].key + ": excludes '" + other + "', which is not a lever declared before it");
    }
  }
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    const ParamSpec& s = schema_[i];
    bool key_ok = !s.key.empty() && s.key.front() != '.' && s.key.back() != '.' &&
                  s.key.find("..") == std::string::npos;
    for (const char c : s.key) {
      key_ok = key_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
    }
    if (!key_ok) bad(s, "a key is lower-case words joined by dots (write the member path without spaces)");
    for (std::size_t j = 0; j < i; ++j) {
      if (schema_[j].key == s.key) bad(s, "declared twice");
    }
    if (s.doc.empty()) bad(s, "no meaning (.means)");
    if (!kind_given_[i]) bad(s, "no kind (.setting, .stated, .derived, .assumption or .calibrated)");
    const bool numeric = s.type == ParamType::kReal || s.type == ParamType::kInteger;
    if (!numeric) continue;
    if (s.unit.empty()) bad(s, "no unit (.unit)");
    if (kind_given_[i] && !s.default_value && s.kind != ParamKind::kCalibrated) {
      bad(s, "a number needs a default unless it is calibrated");
    }
    if (!std::isfinite(s.min) || !std::isfinite(s.max) || !(s.min <= s.max)) {
      bad(s, "no finite accepted range (.range, or .years for a lever)");
    }
    if (s.type == ParamType::kInteger && std::holds_alternative<std::function<int&(P&)>>(access_[i]) &&
        (s.min < std::numeric_limits<int>::min() || s.max > std::numeric_limits<int>::max())) {
      bad(s, "the accepted range does not fit the int member");
    }
    if (s.default_value) {
      const double d = number(*s.default_value);
      if (!(d >= s.min && d <= s.max)) bad(s, "the default is outside the accepted range");
      if (s.plausible && !(d >= s.plausible->low && d <= s.plausible->high)) {
        bad(s, "the default is outside the plausible range");
      }
    }
    if (s.plausible && !(s.plausible->low < s.plausible->high && s.plausible->low >= s.min &&
                         s.plausible->high <= s.max)) {
      bad(s, "the plausible range must be a non-empty part of the accepted range");
    }
  }
  for (const LeverEntry& lever : levers_) {
    if (lever.meaning.empty()) problems.push_back(lever.key + ": no meaning (.means)");
  }
  return problems;
}

}  // namespace banensim::models
