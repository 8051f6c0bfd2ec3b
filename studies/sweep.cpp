#include "studies/sweep.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>

#include "engine/fnv1a.hpp"
#include "engine/svg_chart.hpp"
#include "engine/text_format.hpp"
#include "models/csv_table.hpp"
#include "models/scenario_loader.hpp"
#include "studies/provenance.hpp"

namespace banensim::studies {

SweepKey range_key(const std::string& key, double lo, double hi, std::uint64_t n, const std::string& source) {
  SweepKey k{key, {}, source};
  const models::ParamSpec* spec = models::find_param(models::banenafspraak_schema(), key);
  const bool integral = spec != nullptr && spec->type == models::ParamType::kInteger;
  for (std::uint64_t i = 0; i < n; ++i) {
    // The last value is hi exactly, not lo + (n-1) * step with its rounding.
    const double v = n == 1 ? lo : i + 1 == n ? hi : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
    const std::string t = integral ? std::to_string(std::llround(v)) : engine::decimal(v);
    if (!k.values.empty() && k.values.back() == t) {
      throw StudyError(source + ": " + key + " is a whole number; " + std::to_string(n) +
                       " points between LO and HI repeat values");
    }
    k.values.push_back(t);
  }
  return k;
}

namespace {

std::vector<SweepPoint> make_points(const std::vector<SweepKey>& keys, bool one_at_a_time,
                                    const std::vector<std::string>& base_values) {
  std::vector<SweepPoint> points;
  if (one_at_a_time) {
    std::uint64_t n = 1;
    for (const auto& k : keys) n += k.values.size();
    if (n > kMaxSweepPoints) {
      throw StudyError("sweep: " + std::to_string(n) + " points; at most " + std::to_string(kMaxSweepPoints));
    }
    points.push_back({base_values, -1});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (const auto& v : keys[i].values) {
        SweepPoint p{base_values, static_cast<int>(i)};
        p.values[i] = v;
        points.push_back(std::move(p));
      }
    }
    return points;
  }
  std::uint64_t n = 1;
  for (const auto& k : keys) {
    n *= k.values.size();
    if (n > kMaxSweepPoints) {
      throw StudyError("sweep: the grid has more than " + std::to_string(kMaxSweepPoints) + " points");
    }
  }
  // Row-major: the first key varies slowest, the last fastest.
  for (std::uint64_t i = 0; i < n; ++i) {
    SweepPoint p{std::vector<std::string>(keys.size()), -1};
    std::uint64_t rest = i;
    for (std::size_t k = keys.size(); k-- > 0;) {
      const auto m = keys[k].values.size();
      p.values[k] = keys[k].values[rest % m];
      rest /= m;
    }
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace

PointSet SweepStudy::point_set() const {
  PointSet p;
  p.size = points.size();
  p.noun = "sweep point";
  using Kind = engine::JournalColumn::Kind;
  p.label_columns.push_back({"point", Kind::kIndex});
  if (one_at_a_time) p.label_columns.push_back({"varied", Kind::kText});
  for (const auto& k : keys) p.label_columns.push_back({k.key, Kind::kText});
  p.labels = [this](std::uint64_t i) {
    const SweepPoint& pt = points[i];
    std::vector<std::string> cells = {std::to_string(i)};
    if (one_at_a_time) cells.push_back(pt.varied < 0 ? "base" : keys[static_cast<std::size_t>(pt.varied)].key);
    for (const auto& v : pt.values) cells.push_back(v);
    return cells;
  };
  p.overrides = [this](std::uint64_t i) {
    Overrides ov;
    for (std::size_t k = 0; k < keys.size(); ++k) ov.emplace_back(keys[k].key, points[i].values[k]);
    return ov;
  };
  if (!point_origins.empty()) {
    p.origin = [this](std::uint64_t i) { return point_origins[i] + " (point " + std::to_string(i) + ")"; };
  }
  return p;
}

std::string SweepStudy::provenance() const {
  // Sampled points are named by their design and factors (the points follow from them and the seed),
  // given points by the digest of their values, a grid by its keys' values.
  std::string keys_text = source_lines;
  if (source == Source::kGrid) {
    for (const auto& k : keys) {
      keys_text += "# key " + k.key + " = ";
      for (std::size_t i = 0; i < k.values.size(); ++i) keys_text += (i ? "," : "") + k.values[i];
      keys_text += "\n";
    }
  }
  std::ostringstream os;
  // No wall-clock time, thread count or file path: the header is the identity
  // of the computation, which a resume compares byte for byte.
  os << "# banensim sweep; scenario " << base.name << "; resolved_hash " << base.resolved.hash() << "; seed " << run.seed
     << "; paths " << run.paths << "; block_size " << run.block_size << "; mode "
     << (one_at_a_time                   ? "one-at-a-time"
         : source == Source::kSampled    ? "sample"
         : source == Source::kGiven      ? "points"
                                         : "grid")
     << "; points " << points.size()
     << "; grid_hash "
     << engine::fnv1a64_hex(keys_text) << "; program " << program_text() << "\n"
     << data_lines(base.resolved) << inputs.data_lines << keys_text;
  return os.str();
}

namespace {

// Each key once, not the path count, and a key of the model: an unknown one
// gets the loader's message (with "did you mean") for the value `value_of(k)`.
void check_sweep_keys(const SweepStudy& s, const std::function<std::string(std::size_t)>& value_of) {
  std::set<std::string> seen;
  for (const auto& k : s.keys) {
    if (!seen.insert(k.key).second) throw StudyError("sweep: " + k.key + " is given more than once");
    if (k.key == "simulation.paths") {
      throw StudyError("sweep: " + k.source + " simulation.paths: the path count is not a swept parameter (every "
                       "point runs --paths paths on the same random draws); give --paths N");
    }
  }
  for (std::size_t k = 0; k < s.keys.size(); ++k) {
    if (models::find_param(models::banenafspraak_schema(), s.keys[k].key) == nullptr) {
      (void)derive(s.base.resolved, {{s.keys[k].key, value_of(k)}}, s.keys[k].source);
    }
  }
}

// The points of a grid (or one key at a time): the keys given, a study
// file's factors at [sweep] points values, the plausible ranges' two ends.
void plan_grid_points(SweepStudy& s, const SweepRequest& r, const std::optional<StudyFile>& study) {
  const auto given = [&](const std::string& key) {
    return std::any_of(s.keys.begin(), s.keys.end(), [&](const SweepKey& k) { return k.key == key; });
  };
  if (study) {
    for (const Factor& f : study->factors) {
      if (given(f.key)) continue;
      SweepKey k{f.key, {}, "--study " + study->file};
      if (f.distribution == Distribution::kDiscrete) {
        k.values = f.values;
      } else {
        const std::size_t n = study->sweep.points;
        for (std::size_t i = 0; i < n; ++i) {
          const std::string v = f.value_at(static_cast<double>(i) / static_cast<double>(n - 1));
          if (k.values.empty() || k.values.back() != v) k.values.push_back(v);
        }
      }
      s.keys.push_back(std::move(k));
    }
  }
  if (r.from_schema) {
    FactorSet set = default_factors(s.base);
    for (const Factor& f : set.factors) {
      if (!given(f.key)) s.keys.push_back({f.key, {f.value_at(0), f.value_at(1)}, "--range-from-schema"});
    }
    s.notes = std::move(set.notes);
  }
  if (s.keys.empty()) throw StudyError("sweep: nothing to vary; give --set KEY=V1,V2,... or --range KEY=LO:HI:N");
  check_sweep_keys(s, [&](std::size_t k) { return s.keys[k].values.at(0); });
  std::vector<std::string> base_values;
  for (const auto& k : s.keys) base_values.push_back(models::value_text(s.base.resolved.values.at(k.key).value));
  s.points = make_points(s.keys, s.one_at_a_time, base_values);
}

// sweep --samples N: the points of a sampled design over the study file's
// factors, or the plausible ranges the scenario uses.
void plan_sampled_points(SweepStudy& s, const SweepRequest& r, const std::optional<StudyFile>& study) {
  if (!r.keys.empty() || r.one_at_a_time || r.from_schema) {
    throw StudyError("sweep --samples " + std::to_string(*r.samples) + ": the points are drawn over the study "
                     "file's factors (--study) or the plausible ranges; --set, --range, --one-at-a-time and "
                     "--range-from-schema make a grid instead");
  }
  if (*r.samples < 2 || *r.samples > kMaxSweepPoints) {
    throw StudyError("sweep --samples " + std::to_string(*r.samples) + ": must be from 2 to " +
                     std::to_string(kMaxSweepPoints));
  }
  FactorSet set = study_factors(study, s.base);
  const std::vector<Factor>& factors = set.factors;
  s.notes = std::move(set.notes);
  if (factors.empty()) throw StudyError("sweep --samples: no uncertain parameter can be varied on " + r.scenario);
  const Sampling sampling = r.design.value_or(study && study->design ? *study->design : Sampling::kSobol);
  const SampledUnit sampled = sample_unit(sampling, *r.samples, factors.size(), s.run.seed);
  s.source = SweepStudy::Source::kSampled;
  s.source_lines = "# design " + sampled.design + "\n";
  for (const Factor& f : factors) {
    s.keys.push_back({f.key, {}, "--samples"});
    s.source_lines += "# factor " + f.describe() + "\n";
  }
  for (std::size_t i = 0; i < sampled.unit.rows(); ++i) {
    SweepPoint p{std::vector<std::string>(factors.size()), -1};
    for (std::size_t k = 0; k < factors.size(); ++k) p.values[k] = factors[k].value_at(sampled.unit(i, k));
    s.points.push_back(std::move(p));
  }
}

// A given point's value as the identity line hashes it: as the scenario
// loader reads it (models::override_value_text: one parser), so 1000, 1000.0,
// 1e3, +1000 and " 1000\r" are one value -- a file the program began from
// "1000" resumes from Python's to_numpy(), which gives 1000.0 -- and a text
// the key's type refuses (checked later, with its message) as written.
std::string canonical_value(const std::string& key, const std::string& text) {
  const models::ParamSpec* spec = models::find_param(models::banenafspraak_schema(), key);
  if (spec == nullptr) return text;
  return models::override_value_text(*spec, text).value_or(text);
}

// sweep --points FILE / evaluate: the points as given, checked as any other.
void plan_given_points(SweepStudy& s, const SweepRequest& r) {
  const GivenPoints& g = *r.points;
  if (!r.keys.empty() || r.one_at_a_time || r.from_schema || r.samples) {
    throw StudyError(g.source + ": the points are given; --set, --range, --one-at-a-time, --range-from-schema "
                     "and --samples make other points");
  }
  if (g.keys.empty() || g.rows.empty()) {
    throw StudyError(g.source + ": no points (a header of keys and a row per point)");
  }
  std::string canonical;
  std::string lines;
  for (const std::string& key : g.keys) {
    s.keys.push_back({key, {}, g.source});
    canonical += key + "\n";
    lines += "# key " + key + "\n";
  }
  for (std::size_t i = 0; i < g.rows.size(); ++i) {
    if (g.rows[i].size() != g.keys.size()) {
      throw StudyError(g.source + ": point " + std::to_string(i) + " has " + std::to_string(g.rows[i].size()) +
                       " values for " + std::to_string(g.keys.size()) + " keys");
    }
    for (std::size_t k = 0; k < g.keys.size(); ++k) {
      canonical += (k ? "\x1f" : "") + canonical_value(g.keys[k], g.rows[i][k]);
    }
    canonical += "\n";
    s.points.push_back({g.rows[i], -1});
  }
  s.source = SweepStudy::Source::kGiven;
  s.source_lines = "# points " + std::to_string(g.rows.size()) + " fnv1a64 " + engine::fnv1a64_hex(canonical) +
                   "\n" + lines;
  s.point_origins = g.origins;
}

}  // namespace

GivenPoints read_points_file(const std::string& file) {
  // '#' lines are notes (or the provenance lines of a banensim result file): not points, so not identity.
  const models::CsvTable t = models::read_csv(std::filesystem::path(file), {}, {.comment_lines = true});
  // Each column a key a point can set, said at the header's own line (after any comments), all at once.
  std::vector<models::Problem> problems;
  const std::string header = "the header, line " + std::to_string(t.header_line) + ",";
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    const models::SourceLocation where{file, t.header_line, static_cast<int>(i) + 1};
    const std::string& key = t.header[i];
    if (key == "simulation.paths") {
      problems.push_back({where, key, "", "the path count is not a swept parameter (every point runs --paths paths on "
                                          "the same random draws): drop the column from " + header +
                                          " and give --paths N"});
    } else if (models::find_param(models::banenafspraak_schema(), key) == nullptr) {
      problems.push_back({where, key, "", models::unknown_key_constraint(models::banenafspraak_schema(), key) + "; " +
                                              header + " names the scenario key each column sets (docs/MODEL.md "
                                              "§6; banensim explain SCENARIO lists every key)"});
    }
  }
  if (!problems.empty()) throw models::InputError(std::move(problems));
  GivenPoints g;
  g.source = "--points " + file;
  g.keys = t.header;
  g.rows = t.rows;
  for (const int line : t.row_lines) g.origins.push_back(file + ":" + std::to_string(line));
  if (g.rows.empty()) throw StudyError(g.source + ": no points (a header of keys and a row per point)");
  return g;
}

SweepStudy plan_sweep(const SweepRequest& r) {
  SweepStudy s(load_scenario(r.scenario, r.fixed));
  s.one_at_a_time = r.one_at_a_time;
  s.keys = r.keys;
  std::optional<StudyFile> study;
  if (r.study_file) study = read_study_file(*r.study_file);
  s.run.seed = r.seed.value_or(study && study->seed ? *study->seed : kDefaultSeed);  // the design's too
  if (r.points) {
    plan_given_points(s, r);
    check_sweep_keys(s, [&](std::size_t k) { return s.points.front().values[k]; });
  } else if (r.samples) {
    plan_sampled_points(s, r, study);
  } else {
    plan_grid_points(s, r, study);
  }
  std::vector<std::string> outputs = r.outputs;
  if (outputs.empty() && study) outputs = study->outputs;
  if (outputs.empty()) {
    outputs = {"p_reach", "total_p05", "total_p50", "total_p95", "p_quota", "charge_mean_eur", "charge_std_error_eur"};
  }
  s.outputs = parse_outputs(outputs, s.base.model.layout());
  s.run.paths = r.paths.value_or(study && study->paths ? *study->paths
                                                       : static_cast<std::uint64_t>(s.base.model.params().simulation.paths));
  s.run.block_size = r.block_size;
  s.inputs = check_points(s.base, s.point_set());
  return s;
}

PointRun run_sweep(const SweepStudy& study, const std::optional<std::string>& out, bool resume, ExecutionContext& ctx,
                   const std::vector<std::string>& companions) {
  std::optional<ResultFile> file;
  if (out) file = ResultFile{*out, study.provenance(), resume, companions, {}};
  return run_points(study.base, study.point_set(), study.outputs, study.run, file, ctx);
}

namespace {
// A key's value at a point as a number, or NaN (true/false, a file name).
double point_number(const SweepStudy& s, std::size_t point, std::size_t key) {
  const std::string& v = s.points[point].values[key];
  double value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  return ec == std::errc() && end == v.data() + v.size() ? value : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

std::vector<std::size_t> sweep_numeric_keys(const SweepStudy& s) {
  std::vector<std::size_t> keys;
  for (std::size_t k = 0; k < s.keys.size(); ++k) {
    bool numeric = true;
    for (std::size_t i = 0; i < s.points.size() && numeric; ++i) numeric = std::isfinite(point_number(s, i, k));
    if (numeric) keys.push_back(k);
  }
  return keys;
}

std::string sweep_svg(const SweepStudy& s, const PointTable& table) {
  if (s.source == SweepStudy::Source::kGrid && !s.one_at_a_time && s.keys.size() > 2) return "";
  const OutputSpec& first = s.outputs.front();
  const bool band = first.stat == OutputSpec::Stat::kProbability;
  const std::size_t c = table.column(first.name);
  std::vector<double> p, lo, hi;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    p.push_back(table.number(i, c));
    lo.push_back(table.number(i, band ? c + 1 : c));
    hi.push_back(table.number(i, band ? c + 2 : c));
  }
  const std::string what = first.name == "p_reach" ? "P(total >= " + engine::fmt_int(s.base.model.target_total()) +
                                                         " in " + std::to_string(s.base.model.target_year()) + ")"
                                                   : first.name;
  const std::string sub = "; " + s.base.name + ", seed " + std::to_string(s.run.seed);
  const auto number_at = [&s](std::size_t point, std::size_t key) { return point_number(s, point, key); };
  if (s.source != SweepStudy::Source::kGrid) {
    // Sampled or given points: the first output against each numeric key, one scatter per key.
    std::vector<std::string> charts;
    for (const std::size_t k : sweep_numeric_keys(s)) {
      std::vector<double> x(s.points.size());
      for (std::size_t i = 0; i < s.points.size(); ++i) x[i] = number_at(i, k);
      charts.push_back(engine::svg_scatter(what + " against " + s.keys[k].key + (band ? ", 95% Wilson" : "") + sub,
                                           s.keys[k].key, what, x, p, lo, hi));
    }
    return charts.empty() ? "" : engine::svg_stack(charts);
  }
  if (s.one_at_a_time) {
    std::vector<engine::TornadoBar> bars;
    std::size_t i = 1;
    for (std::size_t k = 0; k < s.keys.size(); ++k) {
      const std::size_t a = i, b = i + s.keys[k].values.size() - 1;
      bars.push_back({s.keys[k].key, p[a], p[b], s.points[a].values[k], s.points[b].values[k]});
      i = b + 1;
    }
    std::stable_sort(bars.begin(), bars.end(), [](const engine::TornadoBar& x, const engine::TornadoBar& y) {
      return std::abs(x.at_high - x.at_low) > std::abs(y.at_high - y.at_low);
    });
    return engine::svg_tornado("One at a time: " + what + sub, what, p[0], bars);
  }
  if (s.keys.size() == 1) {
    std::vector<double> x;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      // Numeric values on a numeric axis; other values (true/false) by position.
      const double value = number_at(i, 0);
      x.push_back(std::isfinite(value) ? value : static_cast<double>(i));
    }
    return engine::svg_line_band(what + (band ? " with its 95% Wilson interval" : "") + sub, s.keys[0].key, what, x, p,
                                 lo, hi);
  }
  // Two keys: the first (slowest) on the y axis, the second on the x axis; point order is row-major.
  return engine::svg_heat_map(what + sub, s.keys[1].key, s.keys[0].key, s.keys[1].values, s.keys[0].values, p,
                              first.name == "p_reach" ? "P(reach)" : first.name);
}

}  // namespace banensim::studies
