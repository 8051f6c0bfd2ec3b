#include "apps/serve/live_model.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "apps/html_report.hpp"
#include "engine/run_summary.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/calibration.hpp"
#include "models/scenario_loader.hpp"
#include "studies/provenance.hpp"
#include "studies/scenario_run.hpp"
#include "studies/scenario.hpp"
#include "studies/scenario_run.hpp"

namespace banensim::app::serve {

namespace {

// Where problems of a request's settings say they come from (the command
// line says "command line").
constexpr const char* kOrigin = "request";

bool is_lever_key(const std::string& key) {
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    if (key == lever.enabled_key || key == lever.year_key) return true;
  }
  return false;
}

nlohmann::json value_json(const models::ParamScalar& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

// A JSON number, or null when it is not finite (JSON has no NaN).
nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json proportion_json(const engine::Proportion& p) {
  const auto ci = p.wilson();
  return {{"p", number(p.estimate())}, {"lo", number(ci.low)}, {"hi", number(ci.high)}};
}

// "keep_split from 2026, purchase_at_buyer from 2028", or "no lever".
std::string lever_summary(const models::ResolvedScenario& r) {
  std::string text;
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    if (!r.boolean(lever.enabled_key)) continue;
    const auto dot = lever.key.rfind('.');
    text += (text.empty() ? "" : ", ") + lever.key.substr(dot == std::string::npos ? 0 : dot + 1) + " from " +
            std::to_string(r.integer(lever.year_key));
  }
  return text.empty() ? "no lever" : text;
}

}  // namespace

std::string LiveModel::reference_label() const {
  const std::string& name = startup_model_.params().scenario.name;
  const std::string levers = lever_summary(startup_);
  return "as started: " + (name.empty() ? file_ : name + " (" + file_ + ")") + ", " +
         (levers == "no lever" ? "no lever on" : "levers on: " + levers);
}

std::string LiveModel::calibration_mismatch() const { return models::calibration_mismatch(startup_model_.params()); }

LiveModel::LiveModel(std::string scenario_file, std::vector<std::string> slider_keys, RequestLimits limits)
    : file_(std::move(scenario_file)),
      startup_(models::load_scenario(file_, models::banenafspraak_schema(), models::banenafspraak_check)),
      startup_model_(models::params_from_scenario(startup_)),
      slider_keys_(std::move(slider_keys)),
      limits_(limits) {
  const auto& schema = models::banenafspraak_schema();
  std::set<std::string> seen;
  for (const auto& key : slider_keys_) {
    const models::ParamSpec* spec = models::find_param(schema, key);
    std::string why;
    if (spec == nullptr) {
      why = "not a declared parameter";
    } else if (spec->type != models::ParamType::kReal && spec->type != models::ParamType::kInteger) {
      why = "not a number";
    } else if (!spec->plausible) {
      why = "has no plausible range (a slider spans it)";
    } else if (is_lever_key(key)) {
      why = "is a lever's switch or year (levers are switches of their own)";
    } else if (!seen.insert(key).second) {
      why = "given twice";
    }
    if (!why.empty()) throw std::invalid_argument("slider '" + key + "': " + why);
  }
}

nlohmann::json LiveModel::describe() const {
  const auto& schema = models::banenafspraak_schema();
  const auto& m = startup_model_;
  nlohmann::json levers = nlohmann::json::array();
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    const models::ParamSpec* year = models::find_param(schema, lever.year_key);
    levers.push_back({{"key", lever.key},
                      {"meaning", lever.meaning},
                      {"enabled_key", lever.enabled_key},
                      {"year_key", lever.year_key},
                      // Levers that cannot be on together with it.
                      {"excludes", models::banenafspraak_parameters().excluded_by(lever.key)},
                      {"enabled", startup_.boolean(lever.enabled_key)},
                      {"year", startup_.integer(lever.year_key)},
                      // An enabled lever must act inside the simulated years.
                      {"year_min", std::max<double>(m.origin_year() + 1, year->min)},
                      {"year_max", std::min<double>(m.horizon_year(), year->max)}});
  }
  nlohmann::json sliders = nlohmann::json::array();
  for (const auto& key : slider_keys_) {
    const models::ParamSpec* spec = models::find_param(schema, key);
    sliders.push_back({{"key", key},
                       {"meaning", spec->doc},
                       {"unit", spec->unit},
                       {"integer", spec->type == models::ParamType::kInteger},
                       {"low", spec->plausible->low},
                       {"high", spec->plausible->high},
                       {"value", value_json(startup_.values.at(key).value)}});
  }
  const auto* total = models::find_param(schema, "target.total_jobs");
  const auto* year = models::find_param(schema, "target.year");
  nlohmann::json observed = nlohmann::json::array();
  for (const auto& y : m.params().observed.years) {
    if (y.year <= m.origin_year()) observed.push_back({{"year", y.year}, {"total", y.total_counted}});
  }
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : m.params().legal_targets.years) targets.push_back({{"year", t.year}, {"total", t.total}});
  // What the calibrated keys were fitted on, and why they are not the data's when they are not (docs/MODEL.md §7).
  const std::string stale = calibration_mismatch();
  const nlohmann::json calibration = {{"fit_year", m.params().calibrated.fit_year},
                                      {"data_fingerprint", m.params().calibrated.data_fingerprint},
                                      {"mismatch", stale.empty() ? nlohmann::json() : nlohmann::json(stale)}};
  nlohmann::json levers_on = nlohmann::json::array();
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    if (!startup_.boolean(lever.enabled_key)) continue;
    levers_on.push_back({{"key", lever.key}, {"year", startup_.integer(lever.year_key)}});
  }
  return {{"program", studies::version_line()},
          {"scenario",
           {{"file", file_},
            {"name", m.params().scenario.name},
            {"resolved_hash", startup_.hash()},
            {"label", reference_label()},
            {"levers_on", levers_on}}},
          {"levers", levers},
          {"sliders", sliders},
          {"target",
           {{"total_jobs_key", "target.total_jobs"},
            {"total_jobs", m.target_total()},
            {"total_jobs_min", total->min},
            {"total_jobs_max", 300000.0},  // the page's slider end; the API takes the declared range
            {"year_key", "target.year"},
            {"year", m.target_year()},
            {"year_min", std::max<double>(m.origin_year() + 1, year->min)},
            {"year_max", std::max(m.target_year(), m.origin_year() + 15)}}},
          {"origin_year", m.origin_year()},
          {"calibration", calibration},
          {"observed", observed},
          {"legal_targets", targets},
          {"seed", limits_.default_seed},
          {"paths", limits_.default_paths},
          {"max_paths", limits_.max_paths},
          {"block_size", kBlockSize}};
}

PreparedRun LiveModel::prepare(const ComputeRequest& request) const {
  const auto& schema = models::banenafspraak_schema();
  std::vector<std::pair<std::string, std::string>> common;
  for (const auto& kv : request.settings) {
    if (!is_lever_key(kv.first)) common.push_back(kv);
  }
  PreparedRun run;
  run.request = request;
  // The variant first: it carries every setting, so its problems are all of them.
  models::ResolvedScenario variant = startup_;
  models::apply_overrides(variant, schema, request.settings, kOrigin, models::banenafspraak_check);
  models::ResolvedScenario reference = startup_;
  models::apply_overrides(reference, schema, common, kOrigin, models::banenafspraak_check);
  const std::string ref_name = startup_model_.params().scenario.name.empty() ? "reference"
                                                                             : startup_model_.params().scenario.name;
  const std::string var_name = "settings on screen (" + lever_summary(variant) + ")";
  models::apply_overrides(reference, schema, {{"scenario.name", ref_name}}, kOrigin);
  models::apply_overrides(variant, schema, {{"scenario.name", var_name}}, kOrigin);
  run.models.emplace_back(models::params_from_scenario(reference));
  run.models.emplace_back(models::params_from_scenario(variant));
  run.names = {ref_name, var_name};
  run.resolved = {std::move(reference), std::move(variant)};
  return run;
}

engine::RunResult LiveModel::run_quick(const PreparedRun& run, int n_threads, const std::atomic<bool>* cancel,
                                       const std::function<void(const nlohmann::json&)>& report) const {
  engine::RunConfig cfg;
  cfg.seed = run.request.seed;
  cfg.n_paths = std::min(run.request.paths, kFirstReportBlocks * kBlockSize);
  cfg.block_size = kBlockSize;
  cfg.n_threads = n_threads;
  cfg.cancel = cancel;
  const std::span<const models::BanenafspraakModel> variants(run.models);
  engine::RunResult result = engine::run_paired(variants, cfg);
  if (!result.cancelled) report(snapshot(run, result.tally, cfg.n_paths == run.request.paths));
  return result;
}

engine::RunResult LiveModel::run(const PreparedRun& run, int n_threads, const std::atomic<bool>* cancel,
                                 const std::function<void(const nlohmann::json&)>& report,
                                 std::uint64_t first_report_blocks) const {
  engine::RunConfig cfg;
  cfg.seed = run.request.seed;
  cfg.n_paths = run.request.paths;
  cfg.block_size = kBlockSize;
  cfg.n_threads = n_threads;
  cfg.cancel = cancel;
  // The stop rule never stops the run: it sees the tally of every whole
  // number of blocks folded so far -- the same fold as a run of that many
  // paths -- and reports some of them. The run's numbers do not change.
  std::uint64_t next_report = std::max<std::uint64_t>(first_report_blocks, 1) * kBlockSize;
  cfg.stop_rule = [&](const engine::PairedTally& tally) {
    if (tally.n_paths() >= next_report && tally.n_paths() < run.request.paths) {
      report(snapshot(run, tally, false));
      while (next_report <= tally.n_paths()) next_report *= 2;
    }
    return false;
  };
  const std::span<const models::BanenafspraakModel> variants(run.models);
  engine::RunResult result = engine::run_paired(variants, cfg);
  if (!result.cancelled) report(snapshot(run, result.tally, true));
  return result;
}

std::vector<ReachedByYear> reached_by_year(const engine::Tally& tally, const engine::OutputLayout& layout) {
  // The engine's P(reached by year) -- the first year reached, counted value
  // by value (engine::cumulative_by_value) -- at each simulated year: the
  // figures `run` and `compare` print. A year the histogram does not hold
  // has no entry.
  const auto& first = tally.scalar(layout.scalar_index("first_year_reached")).histogram;
  const auto points = engine::cumulative_by_value(first, tally.n_paths());
  std::vector<ReachedByYear> out;
  for (const auto& label : layout.step_labels) {
    const int year = std::stoi(label);
    for (const auto& c : points) {
      if (std::llround(c.value) == year) out.push_back({year, c.up_to_value});
    }
  }
  return out;
}

nlohmann::json LiveModel::snapshot(const PreparedRun& run, const engine::PairedTally& tally, bool final) const {
  const auto& layout = run.models[0].layout();
  const std::size_t i_reach = layout.indicator_index("reach_target");
  const std::size_t i_total = layout.series_index("total");
  nlohmann::json out;
  out["final"] = final;
  out["paths"] = tally.n_paths();
  out["planned_paths"] = run.request.paths;
  out["seed"] = run.request.seed;
  out["target"] = {{"total_jobs", run.models[1].target_total()}, {"year", run.models[1].target_year()}};
  out["interval"] = "95% Monte Carlo interval (Wilson for probabilities, normal on paired per-path differences)";
  nlohmann::json scenarios = nlohmann::json::array();
  for (std::size_t k = 0; k < 2; ++k) {
    nlohmann::json s = proportion_json(tally.variant(k).indicator(i_reach));
    s["name"] = run.names[k];
    scenarios.push_back(s);
  }
  out["reference"] = scenarios[0];
  out["variant"] = scenarios[1];
  const auto& pair = tally.indicator_pair(1, i_reach);
  const auto ci = engine::mean_interval(pair.difference);
  out["difference"] = {{"mean", number(pair.difference.mean())},
                       {"lo", number(ci.low)},
                       {"hi", number(ci.high)},
                       {"variant_only", proportion_json(pair.variant_only)},
                       {"reference_only", proportion_json(pair.reference_only)}};
  // Alike on every path so far (e.g. levers acting after the target year): say so, and why.
  if (const auto note = studies::same_reach_note(run.models[0], run.models[1], tally, 1)) out["note"] = *note;
  nlohmann::json by_year = nlohmann::json::array();
  const auto ref_by_year = reached_by_year(tally.variant(0), layout);
  const auto var_by_year = reached_by_year(tally.variant(1), layout);
  // The paired difference of each year's P(reached by year): compare's
  // vs_reference cumulative_difference, from the same counts.
  const auto by_year_diff =
      engine::cumulative_difference(tally, 1, layout.scalar_index("first_year_reached"), layout);
  for (std::size_t i = 0; i < ref_by_year.size(); ++i) {
    auto entry = [](const ReachedByYear& r) { return proportion_json(r.reached); };
    nlohmann::json row = {
        {"year", ref_by_year[i].year}, {"reference", entry(ref_by_year[i])}, {"variant", entry(var_by_year[i])}};
    for (const auto& d : by_year_diff) {
      if (std::llround(d.value) == ref_by_year[i].year) {
        const auto band = engine::mean_interval(d.difference);
        row["difference"] = {
            {"mean", number(d.difference.mean())}, {"lo", number(band.low)}, {"hi", number(band.high)}};
      }
    }
    by_year.push_back(row);
  }
  out["reached_by_year"] = by_year;
  nlohmann::json fan = nlohmann::json::array();
  for (std::size_t step = 0; step < layout.n_steps(); ++step) {
    nlohmann::json f = {{"year", std::stoi(layout.step_labels[step])}};
    for (std::size_t k = 0; k < 2; ++k) {
      nlohmann::json q = nlohmann::json::array();
      // A quantile known only as a bound is null: never drawn as a value.
      for (double level : engine::kQuantileLevels) {
        q.push_back(number(tally.variant(k).series(i_total, step).histogram.quantile_estimate(level).value_or_nan()));
      }
      f[k == 0 ? "reference" : "variant"] = q;
    }
    fan.push_back(f);
  }
  out["fan"] = fan;
  nlohmann::json path = nlohmann::json::array();
  for (const auto& t : legal_target_path(run.models[1])) path.push_back({{"year", t.year}, {"total", t.total}});
  out["target_path"] = path;
  return out;
}

nlohmann::json LiveModel::compare_json(const PreparedRun& run, const engine::RunResult& r) const {
  // `compare --format json`'s document, built by the same function
  // (studies::run_json). Each scenario is named as the start-up file with the
  // settings it got, as `--set` would give them (the report prints this
  // line): the reference gets all but the levers' switches and years.
  studies::ScenarioRun sr;
  for (std::size_t k = 0; k < 2; ++k) {
    std::string file = file_;
    for (const auto& [key, text] : run.request.settings) {
      if (k == 1 || !is_lever_key(key)) file += " --set " + key + "=" + text;
    }
    sr.scenarios.push_back(studies::Scenario{file, run.names[k], run.resolved[k], run.models[k], {}});
  }
  sr.planned = run.request.paths;
  sr.result = r;
  sr.seed = run.request.seed;
  sr.block_size = kBlockSize;
  sr.ranks = 1;
  return studies::run_json(sr);
}

std::string LiveModel::report_html(const PreparedRun& run, const engine::RunResult& result) const {
  return html_report(compare_json(run, result), legal_target_path(run.models[0]));
}

}  // namespace banensim::app::serve
