#include "studies/study_file.hpp"

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "engine/text_format.hpp"
#include "models/problem.hpp"

namespace banensim::studies {

namespace {

using models::Problem;
using models::SourceLocation;

std::string node_text(const toml::node& node) {
  if (const auto* real = node.as_floating_point()) return engine::decimal(real->get());
  if (node.is_array()) return "[...]";
  if (node.is_table()) return "{...}";
  std::ostringstream out;
  node.visit([&](const auto& typed) { out << typed; });
  std::string text = out.str();
  if (node.is_string() && text.size() >= 2) text = text.substr(1, text.size() - 2);  // unquoted, as the loader shows
  return text;
}

// Collects every problem of one file; the reads return nothing for a bad value.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceLocation where(const toml::node& node) const {
    return {file_, static_cast<int>(node.source().begin.line), static_cast<int>(node.source().begin.column)};
  }
  void problem(const toml::node& node, const std::string& key, const std::string& constraint) {
    problems_.push_back(Problem{where(node), key, node_text(node), constraint});
  }
  void problem(const std::string& key, const std::string& constraint) {
    problems_.push_back(Problem{{file_, 0, 0}, key, "", constraint});
  }
  std::vector<Problem>& problems() { return problems_; }

  // Keys of `table` outside `known` are problems (with a suggestion).
  void only(const toml::table& table, const std::string& prefix, const std::set<std::string>& known) {
    for (const auto& [k, node] : table) {
      const std::string key(k.str());
      if (known.count(key) != 0) continue;
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      problems_.push_back(Problem{where(node), prefix + key, node_text(node), "unknown key (known here: " + list + ")"});
    }
  }

  std::optional<double> number(const toml::node* node, const std::string& key, double min, double max,
                               const std::string& range_text) {
    if (node == nullptr) return std::nullopt;
    double v = 0;
    if (const auto* f = node->as_floating_point()) {
      v = f->get();
    } else if (const auto* i = node->as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      problem(*node, key, "must be a number");
      return std::nullopt;
    }
    if (!std::isfinite(v)) {
      problem(*node, key, "must be finite");
      return std::nullopt;
    }
    if (v < min || v > max) {
      problem(*node, key, "must be " + range_text);
      return std::nullopt;
    }
    return v;
  }
  std::optional<std::uint64_t> count(const toml::node* node, const std::string& key, std::int64_t min,
                                     std::int64_t max) {
    if (node == nullptr) return std::nullopt;
    const auto* i = node->as_integer();
    if (i == nullptr) {
      problem(*node, key, "must be a whole number");
      return std::nullopt;
    }
    if (i->get() < min || i->get() > max) {
      problem(*node, key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(i->get());
  }
  std::optional<std::string> text(const toml::node* node, const std::string& key) {
    if (node == nullptr) return std::nullopt;
    if (const auto* s = node->as_string()) return s->get();
    problem(*node, key, "must be a string");
    return std::nullopt;
  }
  std::optional<bool> flag(const toml::node* node, const std::string& key) {
    if (node == nullptr) return std::nullopt;
    if (const auto* b = node->as_boolean()) return b->get();
    problem(*node, key, "must be true or false");
    return std::nullopt;
  }

 private:
  std::string file_;
  std::vector<Problem> problems_;
};

const toml::table* section(Reader& r, const toml::table& root, const std::string& name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (const auto* t = node->as_table()) return t;
  r.problem(*node, name, "must be a table ([" + name + "])");
  return nullptr;
}

// A value of a discrete factor, as scenario text of the key's type; nullopt
// (and a problem) when the key cannot take it.
std::optional<std::string> discrete_value(Reader& r, const toml::node& v, const models::ParamSpec& spec,
                                          const std::string& where_key) {
  switch (spec.type) {
    case models::ParamType::kReal:
    case models::ParamType::kInteger: {
      const bool integer = spec.type == models::ParamType::kInteger;
      if (integer && v.as_integer() == nullptr) {
        r.problem(v, where_key, spec.key + " is a whole number; each value must be one");
        return std::nullopt;
      }
      const auto x = r.number(&v, where_key, spec.min, spec.max,
                              "in [" + engine::decimal(spec.min) + ", " + engine::decimal(spec.max) + "] (" + spec.key +
                                  "'s accepted range)");
      if (!x) return std::nullopt;
      return integer ? std::to_string(v.as_integer()->get()) : engine::decimal(*x);
    }
    case models::ParamType::kBoolean:
      if (const auto* b = v.as_boolean()) return b->get() ? "true" : "false";
      r.problem(v, where_key, spec.key + " is true or false; each value must be one");
      return std::nullopt;
    case models::ParamType::kString:
    case models::ParamType::kPath:
      if (const auto* s = v.as_string()) return s->get();
      r.problem(v, where_key, spec.key + " is text; each value must be a string");
      return std::nullopt;
  }
  return std::nullopt;
}

void read_factor(Reader& r, const toml::table& t, std::size_t i, StudyFile& study) {
  const std::string p = "factors[" + std::to_string(i) + "].";
  r.only(t, p, {"key", "distribution", "low", "high", "mean", "sd", "mode", "values"});
  const auto key = r.text(t.get("key"), p + "key");
  if (!key) {
    if (t.get("key") == nullptr) r.problems().push_back(Problem{r.where(t), p + "key", "", "missing: the scenario key to vary"});
    return;
  }
  const models::ParamSpec* spec = models::find_param(models::banenafspraak_schema(), *key);
  if (spec == nullptr) {
    r.problem(*t.get("key"), p + "key", "not a scenario key (docs/MODEL.md section 6 lists them)");
    return;
  }
  if (*key == "simulation.paths") {
    r.problem(*t.get("key"), p + "key", "the path count is not a factor (every point runs `paths` paths)");
    return;
  }
  for (const Factor& f : study.factors) {
    if (f.key == *key) r.problem(*t.get("key"), p + "key", "a factor named twice");
  }
  const std::string dist_text = r.text(t.get("distribution"), p + "distribution").value_or("uniform");
  Factor f;
  f.key = *key;
  const std::map<std::string, Distribution> kinds = {{"uniform", Distribution::kUniform},
                                                     {"normal", Distribution::kNormal},
                                                     {"triangular", Distribution::kTriangular},
                                                     {"log-uniform", Distribution::kLogUniform},
                                                     {"discrete", Distribution::kDiscrete}};
  const auto kind = kinds.find(dist_text);
  if (kind == kinds.end()) {
    r.problem(*t.get("distribution"), p + "distribution",
              "must be uniform, normal, triangular, log-uniform or discrete");
    return;
  }
  f.distribution = kind->second;
  const std::size_t before = r.problems().size();
  const auto needs = [&](const char* name) {
    if (t.get(name) == nullptr) {
      r.problems().push_back(Problem{r.where(t), p + name, "", std::string("missing: a ") + dist_text + " factor needs it"});
    }
  };
  const auto refuses = [&](const char* name) {
    if (const toml::node* n = t.get(name)) r.problem(*n, p + name, "not a setting of a " + dist_text + " factor");
  };
  if (f.distribution == Distribution::kDiscrete) {
    for (const char* name : {"low", "high", "mean", "sd", "mode"}) refuses(name);
    const toml::node* values = t.get("values");
    if (values == nullptr || values->as_array() == nullptr || values->as_array()->empty()) {
      if (values == nullptr) {
        needs("values");
      } else {
        r.problem(*values, p + "values", "must be a non-empty array of the key's values");
      }
      return;
    }
    for (const toml::node& v : *values->as_array()) {
      if (auto text = discrete_value(r, v, *spec, p + "values")) f.values.push_back(*text);
    }
    if (r.problems().size() == before) study.factors.push_back(std::move(f));
    return;
  }
  if (spec->type != models::ParamType::kReal && spec->type != models::ParamType::kInteger) {
    r.problem(*t.get("key"), p + "key", *key + " is not a number; give it a discrete distribution (values = [...])");
    return;
  }
  refuses("values");
  if (f.distribution != Distribution::kNormal) refuses("mean"), refuses("sd");
  if (f.distribution != Distribution::kTriangular) refuses("mode");
  const std::string accepted = "in [" + engine::decimal(spec->min) + ", " + engine::decimal(spec->max) + "] (" +
                               *key + "'s accepted range)";
  needs("low");
  needs("high");
  const auto low = r.number(t.get("low"), p + "low", spec->min, spec->max, accepted);
  const auto high = r.number(t.get("high"), p + "high", spec->min, spec->max, accepted);
  if (low && high && !(*high > *low)) r.problem(*t.get("high"), p + "high", "must be above low (" + engine::decimal(*low) + ")");
  if (f.distribution == Distribution::kLogUniform && low && !(*low > 0)) {
    r.problem(*t.get("low"), p + "low", "must be > 0 for a log-uniform factor");
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (f.distribution == Distribution::kNormal) {
    needs("mean");
    needs("sd");
    f.mean = r.number(t.get("mean"), p + "mean", -inf, inf, "finite").value_or(0);
    const auto sd = r.number(t.get("sd"), p + "sd", 0, inf, "> 0");
    if (sd && !(*sd > 0)) r.problem(*t.get("sd"), p + "sd", "must be > 0");
    f.sd = sd.value_or(1);
  }
  if (f.distribution == Distribution::kTriangular) {
    needs("mode");
    const auto mode = r.number(t.get("mode"), p + "mode", -inf, inf, "finite");
    if (mode && low && high && !(*mode >= *low && *mode <= *high)) {
      r.problem(*t.get("mode"), p + "mode", "must be in [low, high]");
    }
    f.mode = mode.value_or(0);
  }
  f.low = low.value_or(0);
  f.high = high.value_or(1);
  f.integral = spec->type == models::ParamType::kInteger;
  if (r.problems().size() == before) study.factors.push_back(std::move(f));
}

}  // namespace

StudyFile read_study_file(const std::string& file) {
  std::vector<Problem> problems;
  const std::optional<std::string> bytes = models::read_text_file(file, file, problems);
  if (!bytes) throw models::InputError(problems);
  toml::table root;
  try {
    root = toml::parse(*bytes, file);
  } catch (const toml::parse_error& e) {
    throw models::InputError({Problem{{file, static_cast<int>(e.source().begin.line),
                                       static_cast<int>(e.source().begin.column)},
                                      "", "", "TOML syntax error: " + std::string(e.description())}});
  }
  Reader r(file);
  StudyFile study;
  study.file = file;
  r.only(root, "", {"method", "samples", "design", "paths", "seed", "outputs", "factors", "sobol", "morris", "prim",
                    "sweep"});
  if (const auto m = r.text(root.get("method"), "method")) {
    if (*m == "sobol" || *m == "morris") {
      study.method = *m;
    } else {
      r.problem(*root.get("method"), "method", "must be sobol or morris");
    }
  }
  study.samples = r.count(root.get("samples"), "samples", 2, 1'000'000);
  if (const auto d = r.text(root.get("design"), "design")) {
    study.design = parse_sampling(*d);
    if (!study.design) r.problem(*root.get("design"), "design", std::string("must be ") + kSamplingChoices);
  }
  study.paths = r.count(root.get("paths"), "paths", 1, 1'000'000'000'000);
  if (const toml::node* seed = root.get("seed")) {
    if (const auto* i = seed->as_integer(); i != nullptr && i->get() >= 0) {
      study.seed = static_cast<std::uint64_t>(i->get());
    } else {
      r.problem(*seed, "seed", "must be a whole number >= 0 (TOML integers stop at 2^63 - 1; give larger seeds as --seed)");
    }
  }
  if (const toml::node* outputs = root.get("outputs")) {
    const auto* array = outputs->as_array();
    if (array == nullptr || array->empty()) {
      r.problem(*outputs, "outputs", "must be a non-empty array of output names");
    } else {
      for (const toml::node& o : *array) {
        if (const auto name = r.text(&o, "outputs")) study.outputs.push_back(*name);
      }
    }
  }
  if (const toml::table* s = section(r, root, "sobol")) {
    r.only(*s, "sobol.", {"second_order", "resamples", "confidence"});
    study.sobol.second_order = r.flag(s->get("second_order"), "sobol.second_order").value_or(false);
    study.sobol.resamples = r.count(s->get("resamples"), "sobol.resamples", 2, 1'000'000).value_or(1000);
    study.sobol.confidence = r.number(s->get("confidence"), "sobol.confidence", 0.5, 0.999, "in [0.5, 0.999]").value_or(0.95);
  }
  if (const toml::table* s = section(r, root, "morris")) {
    r.only(*s, "morris.", {"levels", "candidates", "resamples", "confidence"});
    study.morris.levels = r.count(s->get("levels"), "morris.levels", 2, 100).value_or(4);
    if (study.morris.levels % 2 != 0) r.problem(*s->get("levels"), "morris.levels", "must be even");
    study.morris.candidates = r.count(s->get("candidates"), "morris.candidates", 0, 10'000).value_or(0);
    study.morris.resamples = r.count(s->get("resamples"), "morris.resamples", 2, 1'000'000).value_or(1000);
    study.morris.confidence =
        r.number(s->get("confidence"), "morris.confidence", 0.5, 0.999, "in [0.5, 0.999]").value_or(0.95);
  }
  if (const toml::table* s = section(r, root, "prim")) {
    r.only(*s, "prim.", {"output", "threshold", "direction", "min_density", "boxes", "peel_alpha", "paste_alpha",
                         "mass_min"});
    study.prim.output = r.text(s->get("output"), "prim.output").value_or("p_reach");
    const double inf = std::numeric_limits<double>::infinity();
    study.prim.threshold = r.number(s->get("threshold"), "prim.threshold", -inf, inf, "finite").value_or(0.5);
    if (const toml::node* t = s->get("threshold")) study.prim.threshold_at = r.where(*t);
    if (const auto d = r.text(s->get("direction"), "prim.direction")) {
      if (*d == ">=" || *d == "<=") {
        study.prim.at_least = *d == ">=";
      } else {
        r.problem(*s->get("direction"), "prim.direction", "must be \">=\" or \"<=\"");
      }
    }
    study.prim.min_density = r.number(s->get("min_density"), "prim.min_density", 0, 1, "in [0, 1]").value_or(0.8);
    study.prim.boxes = r.count(s->get("boxes"), "prim.boxes", 1, 10).value_or(1);
    const auto alpha = [&](const char* name, double hi, double fallback) {
      const std::string key = std::string("prim.") + name;
      const auto v = r.number(s->get(name), key, 0, hi, "in (0, " + engine::decimal(hi) + ")");
      if (v && !(*v > 0 && *v < hi)) r.problem(*s->get(name), key, "must be in (0, " + engine::decimal(hi) + ")");
      return v.value_or(fallback);
    };
    study.prim.peel_alpha = alpha("peel_alpha", 0.5, 0.05);
    study.prim.paste_alpha = alpha("paste_alpha", 1, 0.05);
    const auto mass = r.number(s->get("mass_min"), "prim.mass_min", 0, 1, "in [0, 1)");
    if (mass && !(*mass < 1)) r.problem(*s->get("mass_min"), "prim.mass_min", "must be in [0, 1)");
    study.prim.mass_min = mass.value_or(0.05);
  }
  if (const toml::table* s = section(r, root, "sweep")) {
    r.only(*s, "sweep.", {"points"});
    study.sweep.points = r.count(s->get("points"), "sweep.points", 2, 1000).value_or(2);
  }
  if (const toml::node* factors = root.get("factors")) {
    const auto* array = factors->as_array();
    if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
      r.problem(*factors, "factors", "must be one or more [[factors]] tables");
    } else {
      for (std::size_t i = 0; i < array->size(); ++i) read_factor(r, *array->get(i)->as_table(), i, study);
    }
  }
  if (!r.problems().empty()) {
    auto& p = r.problems();
    std::stable_sort(p.begin(), p.end(), [](const Problem& a, const Problem& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    throw models::InputError(p);
  }
  return study;
}

FactorSet study_factors(const std::optional<StudyFile>& study, const Scenario& base) {
  if (study && !study->factors.empty()) return FactorSet{study->factors, unused_factor_notes(study->factors, base)};
  return default_factors(base);
}

bool looks_like_study_file(const std::string& file) {
  std::vector<Problem> problems;
  const std::optional<std::string> bytes = models::read_text_file(file, file, problems);
  if (!bytes) return false;
  try {
    const toml::table root = toml::parse(*bytes, file);
    return root.contains("factors") && !root.contains("extends");
  } catch (const toml::parse_error&) {
    return false;
  }
}

}  // namespace banensim::studies
