// banensim._core: the Python binding of the studies library (studies/), the
// same code the `banensim` program runs -- so a run, a comparison or a study
// from Python gives the numbers the command line gives for the same seed.
// The package python/banensim/__init__.py wraps it into the documented API
// (plain dicts and NumPy arrays; pandas DataFrames on request).
//
// Each call builds its own execution context (threads, a cancel flag): no
// global state. The GIL is released while the model runs; Ctrl-C in Python
// stops a run at its next block (or a study at its next point) and raises
// KeyboardInterrupt -- a study with a result file keeps its finished rows
// there for resume=True.

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "engine/atomic_file.hpp"
#include "engine/results_journal.hpp"
#include "engine/run_files.hpp"
#include "engine/sensitivity.hpp"
#include "models/calibration.hpp"
#include "models/history.hpp"
#include "models/problem.hpp"
#include "studies/assumption_compare.hpp"
#include "studies/backtest.hpp"
#include "studies/design.hpp"
#include "studies/discovery.hpp"
#include "studies/factors.hpp"
#include "studies/provenance.hpp"
#include "studies/scenario.hpp"
#include "studies/scenario_run.hpp"
#include "studies/sensitivity.hpp"
#include "studies/sweep.hpp"

namespace py = pybind11;
using namespace banensim;

namespace {

// Python errors for the library's: bad input (a scenario, study or data
// file, a setting) is a ValueError carrying every problem's message.
class InputProblem : public std::exception {
 public:
  explicit InputProblem(std::string m) : message_(std::move(m)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// The value of a Python object as a scenario reads it: true/false, a
// number's shortest round-trip text (repr), a string as it is.
std::string value_text(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) return py::repr(v).cast<std::string>();
  // Other numbers (NumPy's int64, float32, ...): as the Python int or float they convert to.
  const auto object = py::reinterpret_borrow<py::object>(v);
  if (PyIndex_Check(v.ptr()) != 0) return py::repr(py::int_(object)).cast<std::string>();
  if (PyNumber_Check(v.ptr()) != 0) return py::repr(py::float_(object)).cast<std::string>();
  throw py::type_error("a scenario value must be a number, a bool or a string, not " +
                       py::repr(v.get_type()).cast<std::string>());
}

// --set, --target, --target-year, in that order (as the command line applies them).
studies::Overrides overrides_of(const py::dict& set, const py::object& target, const py::object& target_year) {
  // The command line's order (--target, --target-year, then --set), so the
  // provenance's `overrides` read the same from Python as from the program.
  studies::Overrides ov;
  if (!target.is_none()) ov.emplace_back("target.total_jobs", value_text(target));
  if (!target_year.is_none()) ov.emplace_back("target.year", value_text(target_year));
  for (const auto& [k, v] : set) ov.emplace_back(k.cast<std::string>(), value_text(v));
  return ov;
}

// Options defined in Python (compare's `variants`): (name, scenario file,
// {key: value}) each, as --variant "NAME=FILE KEY=VALUE ...".
std::vector<studies::Variant> variants_of(const py::list& variants) {
  std::vector<studies::Variant> out;
  for (const auto& item : variants) {
    const auto t = item.cast<py::tuple>();
    studies::Variant v;
    v.name = t[0].cast<std::string>();
    v.file = t[1].cast<std::string>();
    for (const auto& [k, value] : t[2].cast<py::dict>()) {
      v.overrides.emplace_back(k.cast<std::string>(), value_text(value));
    }
    out.push_back(std::move(v));
  }
  return out;
}

// A context for one call. Progress callbacks on the calling thread look for
// a pending Ctrl-C (Python handles signals on the main thread only) and set
// the cancel flag, which the run checks at its next block.
struct Session {
  std::atomic<bool> cancel{false};
  bool interrupted = false;
  std::thread::id caller = std::this_thread::get_id();
  studies::ExecutionContext ctx;

  explicit Session(int threads) {
    ctx.threads = threads;
    ctx.cancel = &cancel;
    ctx.on_paths = [this](std::uint64_t, std::uint64_t) { poll(); };
    ctx.on_point = [this](std::uint64_t, std::uint64_t) { poll(); };
  }
  void poll() {
    if (std::this_thread::get_id() != caller || interrupted) return;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();  // raised again as KeyboardInterrupt once the run has stopped
      interrupted = true;
      cancel.store(true);
    }
  }
  void check_interrupted() const {
    if (interrupted) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
      throw py::error_already_set();
    }
  }
};

// Runs `f` without the GIL, mapping the library's errors to Python's.
template <class F>
auto call(Session& session, F&& f) {
  try {
    py::gil_scoped_release release;
    return f(session.ctx);
  } catch (const models::InputError& e) {
    std::string text;
    for (const auto& p : e.problems()) text += (text.empty() ? "" : "\n") + p.message();
    throw InputProblem(text);
  } catch (const studies::StudyError& e) {
    throw InputProblem(e.what());
  }
}

// A study's plan (its inputs loaded and checked) and its result.
template <class Plan, class Result>
struct Planned {
  Plan plan;
  Result result;
};

// Plans a study (plan()) and runs it (run(plan, ctx)) without the GIL on
// `threads`; after a Ctrl-C, raises KeyboardInterrupt once it has stopped.
template <class PlanF, class RunF>
auto plan_and_run(int threads, PlanF&& plan, RunF&& run) {
  using Plan = std::invoke_result_t<PlanF>;
  using Result = std::invoke_result_t<RunF, const Plan&, studies::ExecutionContext&>;
  Session session(threads);
  std::optional<Plan> p;
  std::optional<Result> r;
  call(session, [&](studies::ExecutionContext& ctx) {
    p.emplace(plan());
    r.emplace(run(*p, ctx));
    return 0;
  });
  session.check_interrupted();
  return Planned<Plan, Result>{std::move(*p), std::move(*r)};
}

py::dict table_dict(const studies::PointTable& t) {
  py::dict d;
  d["columns"] = t.columns;
  d["rows"] = t.rows;
  return d;
}

py::list factor_list(const std::vector<studies::Factor>& factors) {
  py::list out;
  for (const auto& f : factors) {
    py::dict d;
    d["key"] = f.key;
    d["distribution"] = studies::distribution_name(f.distribution);
    d["low"] = f.support_low();
    d["high"] = f.support_high();
    if (f.distribution == studies::Distribution::kNormal) {
      d["mean"] = f.mean;
      d["sd"] = f.sd;
    }
    if (f.distribution == studies::Distribution::kTriangular) d["mode"] = f.mode;
    if (f.distribution == studies::Distribution::kDiscrete) d["values"] = f.values;
    d["description"] = f.describe();
    out.append(d);
  }
  return out;
}

// What a scenario's calibrated keys were fitted on and, when that is not the
// data it reads, why (models::calibration_mismatch; None when it is): the
// `calibration` of a run's JSON, for the studies, which the Python package
// warns of as the program does (apps/cli.hpp, warn_calibration).
py::dict calibration_dict(const studies::Scenario& s) {
  const auto& stamp = s.model.params().calibrated;
  const std::string stale = models::calibration_mismatch(s.model.params());
  py::dict d;
  d["fit_year"] = stamp.fit_year;
  d["data_fingerprint"] = stamp.data_fingerprint;
  d["mismatch"] = stale.empty() ? py::object(py::none()) : py::object(py::str(stale));
  return d;
}

py::dict run_impl(const std::vector<std::string>& scenarios, const py::list& variants, const py::dict& set,
                  const py::object& target,
                  const py::object& target_year, std::optional<std::uint64_t> paths, std::uint64_t seed,
                  std::uint64_t block_size, std::optional<double> precision, std::uint64_t max_paths,
                  const std::vector<std::string>& samples, int threads) {
  studies::RunRequest request;
  request.scenarios = scenarios;
  request.variants = variants_of(variants);
  request.overrides = overrides_of(set, target, target_year);
  request.paths = paths;
  request.seed = seed;
  request.block_size = block_size;
  request.precision = precision;
  request.max_paths = max_paths;
  request.samples = samples;
  Session session(threads);
  std::optional<studies::ScenarioRun> run;
  call(session, [&](studies::ExecutionContext& ctx) {
    run.emplace(studies::run_scenarios(studies::load_run_scenarios(request), request, ctx));
    return 0;
  });
  session.check_interrupted();
  if (run->result.cancelled) throw std::runtime_error("the run was cancelled");
  py::dict out;
  out["json"] = studies::run_json(*run).dump();
  const engine::PathSamples& s = run->result.samples;
  py::array_t<double> values({s.n_variants, s.n_requests, static_cast<std::size_t>(s.n_paths)});
  std::copy(s.values.begin(), s.values.end(), values.mutable_data());
  out["sample_names"] = run->sample_names;
  out["samples"] = values;
  return out;
}

// design="sobol" | "lhs" | "monte_carlo" (the Python layer checks it first).
studies::Sampling sampling_of(const std::string& fn, const std::string& name) {
  if (const auto s = studies::parse_sampling(name)) return *s;
  throw InputProblem(fn + ": design " + name + ": must be " + studies::kSamplingChoices);
}

studies::DesignRequest design_request(const std::string& scenario, const py::dict& set, const py::object& target,
                                      const py::object& target_year, const std::optional<std::string>& study,
                                      std::optional<std::uint64_t> samples, std::optional<std::uint64_t> paths,
                                      std::optional<std::uint64_t> seed, const std::vector<std::string>& outputs) {
  studies::DesignRequest r;
  r.scenario = scenario;
  r.overrides = overrides_of(set, target, target_year);
  r.study_file = study;
  r.samples = samples;
  r.paths = paths;
  r.seed = seed;
  r.outputs = outputs;
  return r;
}

// What every design study returns: its plan, and its rows.
py::dict design_dict(const studies::DesignStudy& s, const studies::EvaluatedDesign& e) {
  py::dict d;
  d["method"] = s.method;
  d["scenario"] = s.base.name;
  d["resolved_hash"] = s.base.resolved.hash();
  d["factors"] = factor_list(s.factors);
  d["notes"] = s.notes;
  std::vector<std::string> outputs;
  for (const auto& o : s.outputs) outputs.push_back(o.name);
  d["outputs"] = outputs;
  d["samples"] = s.samples;
  d["paths"] = s.run.paths;
  d["seed"] = s.run.seed;
  d["provenance"] = s.provenance();
  d["calibration"] = calibration_dict(s.base);
  d["rows"] = table_dict(e.run.table);
  return d;
}

// As the program does before a study starts: every file it will write can be
// written and is none of its inputs nor another of its outputs -- a long
// study never ends in a file it cannot write. `outputs`: (file, role).
void check_files(const std::vector<std::string>& inputs,
                 const std::vector<std::pair<std::string, std::string>>& outputs) {
  engine::RunFiles files;
  for (const auto& f : inputs) files.add_input(f);
  for (const auto& [file, role] : outputs) files.add_output(file, role);
  try {
    files.check();
  } catch (const engine::OutputRefused& e) {
    throw InputProblem(e.what());
  }
}

// The inputs of a scenario: its files (extends chain) and its data files.
void add_scenario_inputs(const studies::Scenario& s, std::vector<std::string>& inputs) {
  for (const auto& f : s.resolved.files) inputs.push_back(f);
  for (const auto& f : studies::data_file_names(s.resolved)) inputs.push_back(f);
}

// A journaled result file (the argument `role` names it) and its journal,
// then `beside`: each file written beside it at the end, with its role.
std::vector<std::pair<std::string, std::string>> journal_outputs(
    const std::string& file, const std::string& role, std::vector<std::pair<std::string, std::string>> beside = {}) {
  beside.insert(beside.begin(),
                {{file, role}, {engine::ResultsJournal::partial_path(file).string(), "the journal of " + role}});
  return beside;
}

// A design study's inputs and outputs (sensitivity, discover).
void check_design_files(const studies::DesignStudy& s, const studies::DesignRequest& r, const std::string& out,
                        const std::vector<std::pair<std::string, std::string>>& beside) {
  std::vector<std::string> inputs;
  add_scenario_inputs(s.base, inputs);
  inputs.insert(inputs.end(), s.inputs.files.begin(), s.inputs.files.end());
  if (r.study_file) inputs.push_back(*r.study_file);
  check_files(inputs, journal_outputs(out, "out", beside));
}

py::dict sensitivity_impl(const std::string& scenario, const std::optional<std::string>& method, const py::dict& set,
                          const py::object& target, const py::object& target_year,
                          const std::optional<std::string>& study, std::optional<std::uint64_t> samples,
                          std::optional<std::uint64_t> paths, std::optional<std::uint64_t> seed,
                          const std::vector<std::string>& outputs, std::optional<bool> second_order,
                          const std::optional<std::string>& out, bool resume, int threads) {
  studies::DesignRequest r = design_request(scenario, set, target, target_year, study, samples, paths, seed, outputs);
  r.method = method;
  r.second_order = second_order;
  const auto [s, res] = plan_and_run(
      threads,
      [&] {
        studies::DesignStudy planned = studies::plan_sensitivity(r);
        if (out) {
          const studies::SensitivityFiles files = studies::sensitivity_files(planned, *out);
          std::vector<std::pair<std::string, std::string>> beside{{files.indices, "the indices file of out"}};
          if (files.second_order) beside.emplace_back(*files.second_order, "the second-order file of out");
          check_design_files(planned, r, *out, beside);
        }
        return planned;
      },
      [&](const studies::DesignStudy& planned, studies::ExecutionContext& ctx) {
        return studies::run_sensitivity(planned, out, resume, ctx);
      });
  if (!res.evaluated.run.completed) throw std::runtime_error("the study was cancelled");
  py::dict d = design_dict(s, res.evaluated);
  // The study's notes, then what the program says on stderr after the run
  // (an output without indices and why, an earlier run's file removed).
  std::vector<std::string> notes = s.notes;
  notes.insert(notes.end(), res.notes.begin(), res.notes.end());
  notes.insert(notes.end(), res.errors.begin(), res.errors.end());
  d["notes"] = notes;
  // As `banensim sensitivity --out FILE`: FILE.indices.csv (and FILE.s2.csv) beside the rows.
  py::list written;
  if (out) {
    const studies::SensitivityFiles files = studies::sensitivity_files(s, *out);
    studies::write_sensitivity_files(files, s, res);
    written.append(files.indices);
    if (files.second_order) written.append(*files.second_order);
  }
  d["files"] = written;
  const studies::CompanionStamp stamp = studies::companion_stamp(s);
  d["indices_csv"] = studies::indices_csv(res, stamp);
  d["s2_csv"] = studies::second_order_csv(res, stamp);
  d["svg"] = studies::sensitivity_svg(s, res);
  py::dict failures;
  for (const auto& t : res.sobol) if (!t.failure.empty()) failures[py::str(t.output)] = t.failure;
  for (const auto& t : res.morris) if (!t.failure.empty()) failures[py::str(t.output)] = t.failure;
  d["failures"] = failures;
  d["confidence"] = s.method == "sobol" ? s.sobol.confidence : s.morris.confidence;
  d["resamples"] = s.method == "sobol" ? s.sobol.resamples : s.morris.resamples;
  // What failed after the rows were complete (an earlier FILE.s2.csv not removed): the results stand, every file
  // written, with a warning.
  for (const std::string& error : res.errors) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, error.c_str(), 1) != 0) throw py::error_already_set();
  }
  return d;
}

py::dict discover_impl(const std::string& scenario, const py::dict& set, const py::object& target,
                       const py::object& target_year, const std::optional<std::string>& study,
                       std::optional<std::uint64_t> samples, std::optional<std::uint64_t> paths,
                       std::optional<std::uint64_t> seed, std::optional<double> threshold,
                       std::optional<double> min_density, std::optional<std::size_t> boxes,
                       const std::optional<std::string>& design, const std::optional<std::string>& out, bool resume,
                       int threads) {
  studies::DesignRequest r = design_request(scenario, set, target, target_year, study, samples, paths, seed, {});
  r.threshold = threshold;
  r.min_density = min_density;
  r.boxes = boxes;
  if (design) r.design = sampling_of("discover", *design);
  const auto [s, res] = plan_and_run(
      threads,
      [&] {
        studies::DesignStudy planned = studies::plan_discovery(r);
        if (out) {
          const std::string trajectory = studies::discovery_files(*out).trajectory;
          check_design_files(planned, r, *out, {{trajectory, "the trajectory file of out"}});
        }
        return planned;
      },
      [&](const studies::DesignStudy& planned, studies::ExecutionContext& ctx) {
        return studies::run_discovery(planned, out, resume, ctx);
      });
  if (!res.evaluated.run.completed) throw std::runtime_error("the study was cancelled");
  py::dict d = design_dict(s, res.evaluated);
  d["rule"] = studies::interest_rule(s.prim);
  d["n_interest"] = res.n_interest;
  d["of_interest"] = std::vector<bool>(res.of_interest.begin(), res.of_interest.end());
  py::list found;
  for (const auto& f : res.boxes) {
    const engine::PrimBox& b = f.box();
    py::dict box;
    py::dict limits;
    for (std::size_t j = 0; j < s.factors.size(); ++j) {
      if (!b.restricted[j]) continue;
      py::dict lim;
      lim["low"] = b.low[j];
      lim["high"] = b.high[j];
      lim["qp_low"] = f.quasi_p.low[j];
      lim["qp_high"] = f.quasi_p.high[j];
      limits[py::str(s.factors[j].key)] = lim;
    }
    box["limits"] = limits;  // the restricted factors: exact bounds (design values), quasi-p-values (NaN: side not cut)
    box["index"] = f.index;
    box["qualifies"] = f.qualifies;
    box["coverage"] = b.coverage;
    box["density"] = b.density;
    box["mass"] = b.mass;
    box["n_inside"] = b.n_inside;
    box["n_interest_inside"] = b.n_interest_inside;
    box["interest_together"] = f.interest_together;
    found.append(box);
  }
  d["boxes"] = found;
  d["stop"] = res.stop;
  // As `banensim discover --out FILE`: FILE.trajectory.csv beside the rows.
  py::list written;
  if (out) {
    const studies::DiscoveryFiles files = studies::discovery_files(*out);
    studies::write_discovery_files(files, s, res);
    written.append(files.trajectory);
  }
  d["files"] = written;
  d["trajectory_csv"] = studies::trajectory_csv(s, res);
  d["svg"] = res.boxes.empty() ? std::string() : studies::tradeoff_svg(s, res);
  return d;
}

py::dict sweep_impl(const std::string& scenario, const py::object& keys, bool one_at_a_time, bool from_schema,
                    const py::object& target, const py::object& target_year,
                    const std::optional<std::string>& study, std::optional<std::uint64_t> paths,
                    std::optional<std::uint64_t> seed, const std::vector<std::string>& outputs,
                    std::optional<std::uint64_t> samples, const std::optional<std::string>& design,
                    const std::optional<std::vector<std::string>>& point_keys, const py::object& point_rows,
                    const std::optional<std::string>& out, bool resume, int threads) {
  studies::SweepRequest r;
  r.samples = samples;
  if (point_keys) {  // evaluate(): the points as given (checked for shape in Python)
    studies::GivenPoints g;
    g.keys = *point_keys;
    for (const auto& row : point_rows) {
      std::vector<std::string> values;
      for (const auto& v : row) values.push_back(value_text(v));
      g.rows.push_back(std::move(values));
    }
    for (std::size_t i = 0; i < g.rows.size(); ++i) g.origins.push_back("X[" + std::to_string(i) + "]");
    g.source = "evaluate";
    r.points = std::move(g);
  }
  if (design) r.design = sampling_of("sweep", *design);
  r.scenario = scenario;
  r.fixed = overrides_of(py::dict(), target, target_year);
  if (!keys.is_none()) {
    for (const auto& [k, values] : keys.cast<py::dict>()) {
      studies::SweepKey key{k.cast<std::string>(), {}, "keys"};
      for (const auto& v : values) key.values.push_back(value_text(v));
      r.keys.push_back(std::move(key));
    }
  }
  r.one_at_a_time = one_at_a_time;
  r.from_schema = from_schema;
  r.study_file = study;
  r.paths = paths;
  r.seed = seed;
  r.outputs = outputs;
  const auto [s, run] = plan_and_run(
      threads,
      [&] {
        studies::SweepStudy planned = studies::plan_sweep(r);
        if (out) {  // as the program: never over an input (the scenario, its data, the study file)
          std::vector<std::string> inputs;
          add_scenario_inputs(planned.base, inputs);
          inputs.insert(inputs.end(), planned.inputs.files.begin(), planned.inputs.files.end());
          if (r.study_file) inputs.push_back(*r.study_file);
          check_files(inputs, journal_outputs(*out, "out"));
        }
        return planned;
      },
      [&](const studies::SweepStudy& planned, studies::ExecutionContext& ctx) {
        return studies::run_sweep(planned, out, resume, ctx);
      });
  if (!run.completed) throw std::runtime_error("the sweep was cancelled");
  py::dict d;
  d["scenario"] = s.base.name;
  d["resolved_hash"] = s.base.resolved.hash();
  d["notes"] = s.notes;
  d["provenance"] = s.provenance();
  d["calibration"] = calibration_dict(s.base);
  d["rows"] = table_dict(run.table);
  d["svg"] = studies::sweep_svg(s, run.table);
  return d;
}

// compare --assumptions N: the comparison at the scenarios' own values and
// over N plausible assumption sets (studies/assumption_compare.hpp).
py::dict assumptions_impl(const std::vector<std::string>& scenarios, const py::list& variants, const py::dict& set,
                          const py::object& target, const py::object& target_year,
                          std::optional<std::uint64_t> paths, std::optional<std::uint64_t> seed,
                          std::uint64_t block_size, std::uint64_t sets, const std::optional<std::string>& study,
                          std::optional<double> min_density, const std::optional<std::string>& design,
                          const std::optional<std::string>& rows, bool resume, int threads) {
  studies::AssumptionRequest request;
  request.run.scenarios = scenarios;
  request.run.variants = variants_of(variants);
  request.run.overrides = overrides_of(set, target, target_year);
  request.run.paths = paths;
  request.run.seed = seed.value_or(studies::kDefaultSeed);
  request.seed = seed;
  request.run.block_size = block_size;
  request.sets = sets;
  request.study_file = study;
  if (min_density) request.min_density = *min_density;
  if (design) request.design = sampling_of("compare", *design);
  const auto [s, res] = plan_and_run(
      threads,
      [&] {
        studies::AssumptionStudy planned = studies::plan_assumption_compare(request);
        if (rows) {
          std::vector<std::string> inputs;
          for (const auto& o : planned.options) add_scenario_inputs(o, inputs);
          inputs.insert(inputs.end(), planned.inputs.files.begin(), planned.inputs.files.end());
          if (study) inputs.push_back(*study);
          check_files(inputs, journal_outputs(*rows, "rows"));
        }
        return planned;
      },
      [&](const studies::AssumptionStudy& planned, studies::ExecutionContext& ctx) {
        return studies::run_assumption_compare(planned, rows, resume, ctx);
      });
  if (!res.run.completed) throw std::runtime_error("the comparison across assumptions was cancelled");
  nlohmann::json result = studies::assumption_compare_json(s, res);
  py::dict d;
  d["json"] = result.dump();
  d["sets"] = table_dict(res.run.table);
  d["options_csv"] = studies::assumptions_csv(s, res);
  d["factors"] = factor_list(s.factors);
  d["notes"] = s.notes;
  return d;
}

// A backtest (studies/backtest.hpp), as `banensim backtest`.
py::dict backtest_impl(const std::string& scenario, int first_origin, int last_origin, const std::string& origin_name,
                       bool range, std::optional<std::uint64_t> paths, std::uint64_t seed, std::uint64_t block_size,
                       int threads) {
  studies::BacktestRequest request;
  request.scenario = scenario;
  request.first_origin = first_origin;
  request.last_origin = last_origin;
  request.origin_name = origin_name;
  request.range = range;
  request.paths = paths;
  request.seed = seed;
  request.block_size = block_size;
  const auto [s, res] = plan_and_run(
      threads, [&] { return studies::plan_backtest(request); },
      [](const studies::BacktestStudy& planned, studies::ExecutionContext& ctx) {
        return studies::run_backtest(planned, ctx);
      });
  if (res.cancelled) throw std::runtime_error("the backtest was cancelled");
  const studies::RunInfo info = studies::run_info(s, studies::ExecutionContext{});
  py::dict d;
  d["json"] = studies::backtest_json(res, info).dump();
  d["forecasts_csv"] = studies::backtest_csv(res, info);
  d["summary_csv"] = studies::backtest_summary_csv(res, info);
  return d;
}

py::dict factors_impl(const std::string& scenario, const py::dict& set, const py::object& target,
                      const py::object& target_year, const std::optional<std::string>& study) {
  const studies::Overrides ov = overrides_of(set, target, target_year);
  Session session(1);
  std::optional<studies::Scenario> loaded;
  const studies::FactorSet fs = call(session, [&](studies::ExecutionContext&) {
    const studies::Scenario& base = loaded.emplace(studies::load_scenario(scenario, ov));
    if (!study) return studies::default_factors(base);
    studies::FactorSet given;
    given.factors = studies::read_study_file(*study).factors;
    given.notes = studies::unused_factor_notes(given.factors, base);
    return given;
  });
  py::dict d;
  d["factors"] = factor_list(fs.factors);
  d["notes"] = fs.notes;
  d["calibration"] = calibration_dict(*loaded);
  return d;
}

// `banensim calibrate` (models/calibration.hpp): the estimates, the scenario
// keys with their values as calibrate writes them, and the parameter file's text.
py::dict calibrate_impl(const std::string& scenario, const py::dict& set, const py::object& target,
                        const py::object& target_year, int fit_until, const std::optional<std::string>& history) {
  const studies::Overrides ov = overrides_of(set, target, target_year);
  Session session(1);
  const models::CalibrationResult c = call(session, [&](studies::ExecutionContext&) {
    const studies::Scenario s = studies::load_scenario(scenario, ov);
    const models::History h = history ? models::read_history(*history) : s.model.params().observed;
    return models::calibrate(h, fit_until, s.model.params());
  });
  py::list estimates;
  py::dict keys;
  for (const auto& e : c.estimates) {
    py::dict row;
    row["key"] = e.key;
    row["value"] = e.text.empty() ? py::object(py::float_(e.value)) : py::object(py::str(e.text));
    row["std_error"] = e.std_error;
    row["unit"] = e.unit;
    row["note"] = e.note;
    row["scenario_key"] = e.scenario_key;
    estimates.append(row);
    if (!e.scenario_key) continue;
    // The value a scenario file holds after `calibrate --out` (6 significant digits), typed.
    const std::string text = models::toml_value(e);
    if (!e.text.empty()) {
      keys[py::str(e.key)] = e.text;
    } else if (e.integer) {
      keys[py::str(e.key)] = std::stoll(text);
    } else {
      keys[py::str(e.key)] = std::stod(text);
    }
  }
  py::dict d;
  d["history_file"] = c.history_file;
  d["first_year"] = c.first_year;
  d["last_year"] = c.last_year;
  d["n_increments"] = c.n_increments;
  d["method"] = c.method;
  d["data_fingerprint"] = c.data_fingerprint;
  d["estimates"] = estimates;
  d["keys"] = keys;
  d["toml"] = models::calibration_toml(c);
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "banensim's studies library (see the banensim package for the documented API)";
  py::register_exception<InputProblem>(m, "InputError", PyExc_ValueError);
  m.def("version", &studies::version_line);
  m.def("run", &run_impl, py::arg("scenarios"), py::arg("variants"), py::arg("set"), py::arg("target"),
        py::arg("target_year"),
        py::arg("paths"), py::arg("seed"), py::arg("block_size"), py::arg("precision"), py::arg("max_paths"),
        py::arg("samples"), py::arg("threads"));
  m.def("sensitivity", &sensitivity_impl, py::arg("scenario"), py::arg("method"), py::arg("set"), py::arg("target"),
        py::arg("target_year"), py::arg("study"), py::arg("samples"), py::arg("paths"), py::arg("seed"),
        py::arg("outputs"), py::arg("second_order"), py::arg("out"), py::arg("resume"), py::arg("threads"));
  m.def("discover", &discover_impl, py::arg("scenario"), py::arg("set"), py::arg("target"), py::arg("target_year"),
        py::arg("study"), py::arg("samples"), py::arg("paths"), py::arg("seed"), py::arg("threshold"),
        py::arg("min_density"), py::arg("boxes"), py::arg("design"), py::arg("out"), py::arg("resume"),
        py::arg("threads"));
  m.def("sweep", &sweep_impl, py::arg("scenario"), py::arg("keys"), py::arg("one_at_a_time"),
        py::arg("from_schema"), py::arg("target"), py::arg("target_year"), py::arg("study"), py::arg("paths"),
        py::arg("seed"), py::arg("outputs"), py::arg("samples"), py::arg("design"), py::arg("point_keys"),
        py::arg("point_rows"), py::arg("out"), py::arg("resume"), py::arg("threads"));
  m.def("compare_assumptions", &assumptions_impl, py::arg("scenarios"), py::arg("variants"), py::arg("set"),
        py::arg("target"),
        py::arg("target_year"), py::arg("paths"), py::arg("seed"), py::arg("block_size"), py::arg("sets"),
        py::arg("study"), py::arg("min_density"), py::arg("design"), py::arg("rows"), py::arg("resume"),
        py::arg("threads"));
  m.def("backtest", &backtest_impl, py::arg("scenario"), py::arg("first_origin"), py::arg("last_origin"),
        py::arg("origin_name"), py::arg("range"), py::arg("paths"), py::arg("seed"), py::arg("block_size"),
        py::arg("threads"));
  m.def("calibrate", &calibrate_impl, py::arg("scenario"), py::arg("set"), py::arg("target"), py::arg("target_year"),
        py::arg("fit_until"), py::arg("history"));
  m.def("factors", &factors_impl, py::arg("scenario"), py::arg("set"), py::arg("target"), py::arg("target_year"),
        py::arg("study"));
}
