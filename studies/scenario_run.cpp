#include "studies/scenario_run.hpp"

#include <algorithm>
#include <cctype>

#include "engine/block_random.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "models/calibration.hpp"
#include "studies/provenance.hpp"

namespace banensim::studies {

namespace {

engine::PathSampleRequest sample_request(const std::string& name, const engine::OutputLayout& layout) {
  using Kind = engine::PathSampleRequest::Kind;
  const auto find = [](const auto& specs, const std::string& n) {
    return static_cast<std::size_t>(std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.name == n; }) -
                                    specs.begin());
  };
  std::string base = name, step;
  if (const auto at = name.find('@'); at != std::string::npos) {
    base = name.substr(0, at);
    step = name.substr(at + 1);
  }
  if (const std::size_t i = find(layout.series, base); i < layout.series.size()) {
    std::size_t s = layout.summary_step();
    if (!step.empty()) {
      s = static_cast<std::size_t>(std::find(layout.step_labels.begin(), layout.step_labels.end(), step) -
                                   layout.step_labels.begin());
      if (s >= layout.n_steps()) {
        throw StudyError("sample " + name + ": " + step + " is not a simulated year (" + layout.step_labels.front() +
                         "-" + layout.step_labels.back() + ")");
      }
    }
    return {Kind::kSeries, i, s};
  }
  if (step.empty()) {
    if (const std::size_t i = find(layout.scalars, base); i < layout.scalars.size()) return {Kind::kScalar, i, 0};
    if (const std::size_t i = find(layout.indicators, base); i < layout.indicators.size()) return {Kind::kIndicator, i, 0};
  }
  std::string known;
  for (const auto& s : layout.series) known += (known.empty() ? "" : ", ") + s.name + "[@YEAR]";
  for (const auto& s : layout.scalars) known += ", " + s.name;
  for (const auto& s : layout.indicators) known += ", " + s.name;
  throw StudyError("unknown sample '" + name + "'; per-path samples are " + known);
}

}  // namespace

std::vector<Scenario> load_run_scenarios(const RunRequest& request) {
  if (request.scenarios.empty() && request.variants.empty()) throw StudyError("no scenario file given");
  std::vector<Scenario> sc;
  for (const auto& f : request.scenarios) sc.push_back(load_scenario(f, request.overrides));
  for (const Variant& v : request.variants) {
    // The name stands in CSV cells and file headers unquoted.
    const bool plain = !v.name.empty() && std::all_of(v.name.begin(), v.name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
    if (!plain) {
      throw StudyError("--variant " + v.name + ": the name may hold only letters, digits, '-', '_' and '.' (and not "
                       "be empty)");
    }
    for (const auto& s : sc) {
      if (s.name == v.name) {
        throw StudyError("--variant " + v.name + ": another option is named " + v.name + "; give each a name of its own");
      }
    }
    Overrides ov = request.overrides;
    ov.insert(ov.end(), v.overrides.begin(), v.overrides.end());
    sc.push_back(load_scenario(v.file, ov, "--variant " + v.name));
    sc.back().name = v.name;
  }
  for (std::size_t k = 1; k < sc.size(); ++k) {
    const auto& a = sc[k].model.layout().step_labels;
    const auto& b = sc[0].model.layout().step_labels;
    if (a != b) {
      throw StudyError("scenario " + sc[k].file + " simulates years " + a.front() + "-" + a.back() + " but the reference " +
                       sc[0].file + " simulates " + b.front() + "-" + b.back() +
                       ": compared scenarios need the same forecast origin and target year");
    }
  }
  return sc;
}

std::vector<Overrides> own_overrides(const RunRequest& request) {
  std::vector<Overrides> own(request.scenarios.size());
  for (const Variant& v : request.variants) own.push_back(v.overrides);
  return own;
}

ScenarioRun run_scenarios(std::vector<Scenario> scenarios, const RunRequest& request, ExecutionContext& ctx) {
  ScenarioRun run;
  run.scenarios = std::move(scenarios);
  run.precision = request.precision;
  run.seed = request.seed;
  run.block_size = request.block_size;
  run.ranks = ctx.cluster->size();
  engine::RunConfig cfg;
  cfg.seed = request.seed;
  cfg.block_size = request.block_size;
  cfg.n_threads = ctx.threads;
  cfg.cancel = ctx.cancel;
  run.planned = request.precision ? request.max_paths
                                  : request.paths.value_or(
                                        static_cast<std::uint64_t>(run.scenarios[0].model.params().simulation.paths));
  cfg.n_paths = run.planned;
  if (request.precision) {
    const double eps = *request.precision;
    cfg.stop_rule = [eps](const engine::PairedTally& t) { return engine::max_half_width(t) <= eps; };
  }
  if (ctx.is_root() && ctx.on_paths) cfg.progress = ctx.on_paths;
  for (const std::string& name : request.samples) {
    cfg.path_samples.push_back(sample_request(name, run.scenarios[0].model.layout()));
    run.sample_names.push_back(name);
  }
  std::vector<models::BanenafspraakModel> variants;
  for (const auto& s : run.scenarios) variants.push_back(s.model);
  if (cfg.path_samples.empty()) {
    run.result = ctx.cluster->run(variants, cfg);
  } else {
    try {
      run.result = engine::run_paired(std::span<const models::BanenafspraakModel>(variants), cfg);
    } catch (const std::invalid_argument& e) {
      throw StudyError(e.what());
    }
  }
  return run;
}

std::optional<std::string> levers_acting_after(const models::BanenafspraakParams& reference,
                                              const models::BanenafspraakParams& option, int target_year) {
  std::string acting_later;
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    const models::Lever& mine = lever.get(option);
    const models::Lever& ref = lever.get(reference);
    if (mine.enabled == ref.enabled && (!mine.enabled || mine.year == ref.year)) continue;
    const int first = std::min(mine.enabled ? mine.year : ref.year, ref.enabled ? ref.year : mine.year);
    if (first <= target_year) return std::nullopt;
    acting_later += (acting_later.empty() ? "" : ", ") + lever.key + " from " + std::to_string(first);
  }
  if (acting_later.empty()) return std::nullopt;
  return acting_later;
}

std::vector<std::string> other_settings(const models::ResolvedScenario& reference,
                                        const models::ResolvedScenario& option) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : option.values) {
    if (key.starts_with("policy.") || key.starts_with("scenario.") || key.starts_with("simulation.")) continue;
    const auto ref = reference.values.find(key);
    if (ref == reference.values.end() || !(ref->second.value == value.value)) keys.push_back(key);
  }
  return keys;
}

std::optional<std::string> same_reach_note(const ScenarioRun& run, std::size_t k) {
  return same_reach_note(run.scenarios[0].model, run.scenarios[k].model, run.result.tally, k,
                         other_settings(run.scenarios[0].resolved, run.scenarios[k].resolved));
}

std::optional<std::string> same_reach_note(const models::BanenafspraakModel& reference,
                                           const models::BanenafspraakModel& option,
                                           const engine::PairedTally& tally, std::size_t k,
                                           const std::vector<std::string>& other_settings) {
  const auto& pair = tally.indicator_pair(k, reference.layout().indicator_index("reach_target"));
  if (pair.variant_only.successes() != 0 || pair.reference_only.successes() != 0) return std::nullopt;
  const int target_year = option.target_year();
  const std::string paths = engine::fmt_int(static_cast<double>(tally.n_paths()));
  std::string note = "reaches the target in " + std::to_string(target_year) + " on exactly the reference's paths (" +
                     paths + " of " + paths + " paths alike)";
  if (const auto levers = levers_acting_after(reference.params(), option.params(), target_year)) {
    note += ": its levers act only after the end-" + std::to_string(target_year) + " measurement (" + *levers +
            "), so they cannot change P(reach) in " + std::to_string(target_year);
    std::string others;
    for (const auto& key : other_settings) others += (others.empty() ? "" : ", ") + key;
    if (!others.empty()) note += "; it also differs from the reference in " + others;
    // What they change by compare's "P(by YEAR)" year, paired on the same paths.
    const int by = std::min(target_year + 4, option.horizon_year());
    const auto& layout = reference.layout();
    for (const auto& c : engine::cumulative_difference(tally, k, layout.scalar_index("first_year_reached"), layout)) {
      if (c.value != by) continue;
      const engine::Interval ci = engine::mean_interval(c.difference);
      const auto signed4 = [](double x) { return (x > 0 ? "+" : "") + engine::fmt(x, 4); };
      note += "; by " + std::to_string(by) +
              (others.empty() ? " they change" : " the option (its levers and those settings together) changes") +
              " P(reached by " + std::to_string(by) + ") by " +
              signed4(c.difference.mean()) + " (95% Monte Carlo interval " + signed4(ci.low) + " to " +
              signed4(ci.high) + ", paired on the same paths)";
    }
  }
  return note;
}

nlohmann::json run_json(const ScenarioRun& run) {
  const auto& sc = run.scenarios;
  const engine::RunResult& r = run.result;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& s : sc) {
    // What the file's values were changed by on the command line (--set,
    // --target, --target-year, a --variant's settings), in the order applied.
    nlohmann::json overrides = nlohmann::json::array();
    for (const auto& [key, value] : s.overrides) overrides.push_back({{"key", key}, {"value", value}});
    // Every data file the scenario read, as its key names it, with the digest
    // of the bytes the run parsed (the resolved hash includes these digests).
    nlohmann::json data = nlohmann::json::array();
    for (const std::string& key : s.resolved.path_keys) {
      data.push_back({{"key", key}, {"file", s.resolved.string(key)}, {"fnv1a64", s.resolved.data_file(key).digest}});
    }
    files.push_back({{"file", s.file}, {"name", s.name}, {"resolved_hash", s.resolved.hash()},
                     {"extends_chain", s.resolved.files}, {"overrides", overrides}, {"data_files", data}});
  }
  const nlohmann::json stop =
      run.precision ? nlohmann::json{{"rule", "precision"}, {"epsilon", *run.precision}, {"max_paths", run.planned},
                                     {"converged", r.stopped_by_rule}}
                    : nlohmann::json{{"rule", "fixed"}, {"paths", run.planned}};
  nlohmann::json out;
  out["provenance"] = {{"program", "banensim"},
                       {"version", program_version()},
                       {"git_commit", program_commit()},
                       {"scenarios", files},
                       {"seed", run.seed},
                       {"paths", r.n_paths},
                       {"block_size", run.block_size},
                       {"threads", r.n_threads},
                       {"ranks", run.ranks},
                       {"stopping", stop},
                       {"wall_seconds", r.wall_seconds},
                       {"rng", std::string(engine::kBlockRandomDescription)},  // the generator and its version
                       {"interval_method",
                        "Monte Carlo, 95% (the noise of the paths at the scenarios' own assumptions): Wilson score "
                        "for probabilities; normal on paired per-path differences"}};
  out["seed"] = run.seed;
  out["paths"] = r.n_paths;
  const auto& layout = sc[0].model.layout();
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t k = 0; k < sc.size(); ++k) {
    const auto& m = sc[k].model;
    const auto& t = r.tally.variant(k);
    const auto& reach = t.indicator(layout.indicator_index("reach_target"));
    const auto ci = reach.wilson();
    nlohmann::json j;
    j["name"] = sc[k].name;
    j["file"] = sc[k].file;
    j["target_jobs"] = m.target_total();
    j["target_year"] = m.target_year();
    j["origin_year"] = m.origin_year();
    j["horizon_year"] = m.horizon_year();
    j["law_file"] = m.params().law_timeline.file;
    // Where the sector targets come from; after the file's last year its last
    // targets hold (docs/MODEL.md 4.7), which the outputs say.
    const auto& targets = m.params().legal_targets;
    j["sector_targets"] = {{"file", targets.file},
                           {"first_year", targets.years.front().year},
                           {"last_year", targets.years.back().year},
                           {"held_after_last_year", m.target_year() > targets.years.back().year}};
    // The policy levers as the scenario sets them, in plain words (the report's "options" list).
    nlohmann::json levers = nlohmann::json::array();
    for (const auto& lever : models::banenafspraak_parameters().levers()) {
      const auto& l = lever.get(m.params());
      levers.push_back({{"key", lever.key}, {"meaning", lever.meaning}, {"enabled", l.enabled}, {"year", l.year}});
    }
    j["levers"] = levers;
    // What the calibrated keys were fitted on, and whether that is still the data read (docs/MODEL.md §7).
    const auto& stamp = m.params().calibrated;
    const std::string stale = models::calibration_mismatch(m.params());
    j["calibration"] = {{"fit_year", stamp.fit_year},
                        {"data_fingerprint", stamp.data_fingerprint},
                        {"mismatch", stale.empty() ? nlohmann::json() : nlohmann::json(stale)}};
    j["probability"] = reach.estimate();
    j["ci_low"] = ci.low;
    j["ci_high"] = ci.high;
    j["results"] = engine::tally_json(t, layout);
    if (k > 0) {
      j["vs_reference"] = engine::paired_json(r.tally, k, layout);
      if (const auto note = same_reach_note(run, k)) j["vs_reference"]["note"] = *note;
    }
    arr.push_back(j);
  }
  out["scenarios"] = arr;
  return out;
}

}  // namespace banensim::studies
