#include "studies/design.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include "engine/fnv1a.hpp"
#include "engine/sobol_design.hpp"
#include "engine/text_format.hpp"
#include "studies/provenance.hpp"

namespace banensim::studies {

namespace {

// The parts every design study shares: scenario, study file, factors,
// outputs, run settings.
DesignStudy common_plan(const std::string& command, const DesignRequest& r, std::optional<StudyFile>& study) {
  DesignStudy s(command, load_scenario(r.scenario, r.overrides));
  if (r.study_file) study = read_study_file(*r.study_file);
  FactorSet set = study_factors(study, s.base);
  s.factors = std::move(set.factors);
  s.notes = std::move(set.notes);
  if (s.factors.empty()) throw StudyError(command + ": no uncertain parameter can be varied on " + r.scenario);
  std::vector<std::string> outputs = r.outputs;
  if (outputs.empty() && study) outputs = study->outputs;
  if (outputs.empty()) outputs = {"p_reach", "total_mean"};
  s.outputs = parse_outputs(outputs, s.base.model.layout());
  s.run.paths = r.paths.value_or(study && study->paths ? *study->paths : kDefaultDesignPaths);
  s.run.seed = r.seed.value_or(study && study->seed ? *study->seed : kDefaultSeed);
  s.run.block_size = r.block_size;
  s.samples = r.samples.value_or(study && study->samples ? *study->samples : 0);
  if (s.samples == 0) throw StudyError(command + ": --samples N is required (or samples in the study file)");
  if (s.samples < 2) throw StudyError("--samples " + std::to_string(s.samples) + ": must be at least 2");
  if (study) {
    s.sobol = study->sobol;
    s.morris = study->morris;
    s.prim = study->prim;
  }
  return s;
}

void check_size(const DesignStudy& s, std::size_t rows_per_sample) {
  if (s.samples > kMaxDesignRows / rows_per_sample) {
    throw StudyError("--samples " + std::to_string(s.samples) + ": the design would have more than " +
                     std::to_string(kMaxDesignRows) + " rows");
  }
}

}  // namespace

std::vector<std::string> DesignStudy::factor_keys() const {
  std::vector<std::string> keys;
  for (const Factor& f : factors) keys.push_back(f.key);
  return keys;
}

PointSet factor_design_points(const std::vector<Factor>& factors, const engine::DesignMatrix& unit, std::string noun,
                              std::string items, std::string index_column) {
  PointSet p;
  p.size = unit.rows();
  p.noun = std::move(noun);
  p.items = std::move(items);
  using Kind = engine::JournalColumn::Kind;
  p.label_columns.push_back({std::move(index_column), Kind::kIndex});
  for (const Factor& f : factors) p.label_columns.push_back({f.key, f.numeric() ? Kind::kNumber : Kind::kText});
  p.labels = [&factors, &unit](std::uint64_t i) {
    std::vector<std::string> cells = {std::to_string(i)};
    for (std::size_t k = 0; k < factors.size(); ++k) cells.push_back(factors[k].value_at(unit(i, k)));
    return cells;
  };
  p.overrides = [&factors, &unit](std::uint64_t i) {
    Overrides ov;
    for (std::size_t k = 0; k < factors.size(); ++k) ov.emplace_back(factors[k].key, factors[k].value_at(unit(i, k)));
    return ov;
  };
  return p;
}

PointSet DesignStudy::points() const { return factor_design_points(factors, unit, "design row", "design rows", "row"); }

std::string DesignStudy::provenance() const {
  std::ostringstream os;
  // The identity of the computation (no time, threads or path): a resume compares it byte for byte.
  os << "# banensim " << command << "; scenario " << base.name << "; resolved_hash " << base.resolved.hash()
     << "; design " << design << "; rows " << unit.rows() << "; seed " << run.seed << "; paths " << run.paths
     << "; block_size " << run.block_size << "; program " << program_text() << "\n"
     << data_lines(base.resolved) << inputs.data_lines;
  for (const Factor& f : factors) os << "# factor " << f.describe() << "\n";
  return os.str();
}

std::string CompanionStamp::cells() const {
  return std::to_string(seed) + "," + resolved_hash + "," + identity_hash;
}

CompanionStamp companion_stamp(const DesignStudy& study) {
  return CompanionStamp{study.run.seed, study.base.resolved.hash(), engine::fnv1a64_hex(study.provenance())};
}

DesignStudy plan_sensitivity(const DesignRequest& r) {
  std::optional<StudyFile> study;
  DesignStudy s = common_plan("sensitivity", r, study);
  s.method = r.method.value_or(study && study->method ? *study->method : "");
  if (s.method.empty()) throw StudyError("sensitivity: --method sobol|morris is required (or method in the study file)");
  if (s.method != "sobol" && s.method != "morris") throw StudyError("--method " + s.method + ": must be sobol or morris");
  const std::size_t d = s.factors.size();
  if (s.method == "sobol") {
    if (r.second_order) s.sobol.second_order = *r.second_order;
    if (s.sobol.second_order && d < 2) throw StudyError("second-order indices need at least two factors");
    check_size(s, s.sobol.second_order ? 2 * d + 2 : d + 2);
    s.unit = engine::saltelli_design(s.samples, d, s.run.seed, engine::DesignKind::kRandomizedSobol, 0,
                                     s.sobol.second_order)
                 .points;
    s.design = std::string("sobol saltelli randomized_sobol n_base ") + std::to_string(s.samples) +
               (s.sobol.second_order ? " second_order" : "");
  } else {
    if (r.second_order && *r.second_order) {
      throw StudyError("--second-order: second-order indices are Sobol' indices; Morris gives none (use --method sobol)");
    }
    check_size(s, d + 1);
    engine::MorrisOptions mo;
    mo.n_trajectories = s.samples;
    mo.n_levels = s.morris.levels;
    mo.n_candidates = s.morris.candidates;
    mo.seed = s.run.seed;
    if (mo.n_candidates != 0 && mo.n_candidates < mo.n_trajectories) {
      throw StudyError("morris.candidates " + std::to_string(mo.n_candidates) + ": must be 0 or at least --samples (" +
                       std::to_string(mo.n_trajectories) + ")");
    }
    s.morris_design = engine::morris_design(d, mo);
    s.unit = s.morris_design->points;
    s.design = "morris levels " + std::to_string(mo.n_levels) + " trajectories " + std::to_string(s.samples) +
               (mo.n_candidates > 0 ? " candidates " + std::to_string(mo.n_candidates) : "");
  }
  s.inputs = check_points(s.base, s.points());
  return s;
}

DesignStudy plan_discovery(const DesignRequest& r) {
  std::optional<StudyFile> study;
  DesignStudy s = common_plan("discover", r, study);
  s.method = "prim";
  if (r.threshold) s.prim.threshold = *r.threshold;
  if (r.min_density) s.prim.min_density = *r.min_density;
  if (r.boxes) s.prim.boxes = *r.boxes;
  // The output that makes a case of interest is recorded too.
  auto rule = std::find_if(s.outputs.begin(), s.outputs.end(), [&](const OutputSpec& o) { return o.name == s.prim.output; });
  if (rule == s.outputs.end()) rule = s.outputs.insert(rule, parse_output(s.prim.output, s.base.model.layout()));
  // A probability's threshold lies in [0, 1] (else no point, or every point, is a case
  // of interest); any other output's is a number of its own unit.
  if (rule->stat == OutputSpec::Stat::kProbability && !(s.prim.threshold >= 0 && s.prim.threshold <= 1)) {
    const std::string why = "must be in [0, 1]: the output " + s.prim.output + " is a probability";
    if (r.threshold) throw StudyError("--threshold " + engine::shortest(s.prim.threshold) + ": " + why);
    throw models::InputError(
        {models::Problem{s.prim.threshold_at, "prim.threshold", engine::shortest(s.prim.threshold), why}});
  }
  check_size(s, 1);
  s.sampling = r.design.value_or(study && study->design ? *study->design : Sampling::kSobol);
  SampledUnit sampled = sample_unit(s.sampling, s.samples, s.factors.size(), s.run.seed);
  s.unit = std::move(sampled.unit);
  s.design = std::move(sampled.design);
  s.inputs = check_points(s.base, s.points());
  return s;
}

EvaluatedDesign evaluate_design(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                                ExecutionContext& ctx, const std::vector<std::string>& companions,
                                const std::function<void()>& before_commit) {
  std::optional<ResultFile> file;
  if (out) file = ResultFile{*out, study.provenance(), resume, companions, before_commit};
  EvaluatedDesign ev;
  ev.run = run_points(study.base, study.points(), study.outputs, study.run, file, ctx);
  if (!ev.run.completed || !ev.run.root) return ev;
  // The analysis reads the rows as written (shortest round-trip text), so a
  // resumed study analyses exactly the numbers of an uninterrupted one.
  const PointTable& t = ev.run.table;
  const std::size_t n = t.rows.size(), d = study.factors.size();
  ev.values = engine::DesignMatrix(n, d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) ev.values(i, k) = study.factors[k].number(t.rows[i][1 + k]);
  }
  for (const OutputSpec& o : study.outputs) ev.outputs.push_back(t.numbers(o.name));
  return ev;
}

}  // namespace banensim::studies
