#include "studies/outputs.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/execution.hpp"

namespace banensim::studies {

namespace {

const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"p_reach", "p_reach_target"},
      {"p_quota", "p_quota_in_force_target_year"},
      {"charge_mean_eur", "quota_charge_total_eur_mean"},
      {"charge_std_error_eur", "quota_charge_total_eur_std_error"},
  };
  return kAliases;
}

bool ends_with(const std::string& text, const std::string& suffix, std::string& head) {
  if (text.size() <= suffix.size() || text.compare(text.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  head = text.substr(0, text.size() - suffix.size());
  return true;
}

std::size_t step_index(const OutputSpec& o, const engine::OutputLayout& layout) {
  if (o.step.empty()) return layout.summary_step();
  const auto it = std::find(layout.step_labels.begin(), layout.step_labels.end(), o.step);
  if (it == layout.step_labels.end()) {
    throw StudyError("output " + o.name + ": " + o.step + " is not a simulated year (" + layout.step_labels.front() +
                     "-" + layout.step_labels.back() + ")");
  }
  return static_cast<std::size_t>(it - layout.step_labels.begin());
}

}  // namespace

std::vector<engine::JournalColumn> OutputSpec::columns() const {
  using Kind = engine::JournalColumn::Kind;
  if (stat == Stat::kProbability) {
    return {{name, Kind::kNumber}, {name + "_ci_low", Kind::kNumber}, {name + "_ci_high", Kind::kNumber}};
  }
  return {{name, stat == Stat::kQuantile ? Kind::kQuantile : Kind::kNumber}};
}

std::vector<std::string> OutputSpec::cells(const engine::Tally& tally, const engine::OutputLayout& layout) const {
  if (source == Source::kIndicator) {
    const engine::Proportion& p = tally.indicator(layout.indicator_index(output));
    const engine::Interval ci = p.wilson();
    return {engine::decimal(p.estimate()), engine::decimal(ci.low), engine::decimal(ci.high)};
  }
  if (stat == Stat::kProbability) {  // SCALAR_cdf@VALUE: the exact count of values <= VALUE
    const auto& h = tally.scalar(layout.scalar_index(output)).histogram;
    for (const engine::CumulativePoint& c : engine::cumulative_by_value(h, tally.n_paths())) {
      if (c.value != value) continue;
      const engine::Interval ci = c.up_to_value.wilson();
      return {engine::decimal(c.up_to_value.estimate()), engine::decimal(ci.low), engine::decimal(ci.high)};
    }
    throw StudyError("output " + name + ": no value " + engine::shortest(value) + " in the range of " + output);
  }
  const engine::DistributionSummary& d = source == Source::kSeries
                                             ? tally.series(layout.series_index(output), step_index(*this, layout))
                                             : tally.scalar(layout.scalar_index(output));
  switch (stat) {
    case Stat::kMean: return {engine::decimal(d.moments.mean())};
    case Stat::kStdError: return {engine::decimal(d.moments.std_error())};
    case Stat::kSd: return {engine::decimal(d.moments.stddev())};
    case Stat::kQuantile:
      return {engine::quantile_text(engine::summary_quantile(d.histogram, level, whole_numbers), engine::decimal, "")};
    case Stat::kProbability: break;
  }
  return {};
}

std::string OutputSpec::description() const {
  if (stat == Stat::kProbability) {
    return source == Source::kScalar ? "P(" + output + " <= " + engine::shortest(value) + ")" : "P(" + output + ")";
  }
  std::string what;
  switch (stat) {
    case Stat::kMean: what = "mean of "; break;
    case Stat::kStdError: what = "standard error of the mean of "; break;
    case Stat::kSd: what = "standard deviation over paths of "; break;
    case Stat::kQuantile: what = engine::shortest(100 * level) + "% quantile of "; break;
    case Stat::kProbability: break;
  }
  if (source == Source::kScalar) return what + output;
  return what + output + (step.empty() ? " in the target year" : " in " + step);
}

OutputSpec parse_output(const std::string& given, const engine::OutputLayout& layout) {
  OutputSpec o;
  o.name = given;
  std::string name = given;
  if (const auto it = aliases().find(given); it != aliases().end()) name = it->second;
  const std::string reached_by = "p_reached_by@";
  if (given.rfind(reached_by, 0) == 0) name = "first_year_reached_cdf@" + given.substr(reached_by.size());
  const auto has = [](const auto& specs, const std::string& n) {
    return std::any_of(specs.begin(), specs.end(), [&](const auto& s) { return s.name == n; });
  };
  if (name.rfind("p_", 0) == 0 && has(layout.indicators, name.substr(2))) {
    o.source = OutputSpec::Source::kIndicator;
    o.stat = OutputSpec::Stat::kProbability;
    o.output = name.substr(2);
    return o;
  }
  std::string base = name;
  if (const auto at = name.find('@'); at != std::string::npos) {
    base = name.substr(0, at);
    o.step = name.substr(at + 1);
  }
  std::string head;
  if (ends_with(base, "_cdf", head) && has(layout.scalars, head)) {
    const engine::ScalarSpec& spec = layout.scalars[layout.scalar_index(head)];
    if (!spec.whole_numbers) {
      throw StudyError("output " + given + ": " + head + " is not a whole-number scalar; _cdf@VALUE needs one");
    }
    const double low = spec.hist_low, high = spec.hist_high - 1;
    const std::string range = engine::shortest(low) + "-" + engine::shortest(high);
    const auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    const bool digits = !o.step.empty() && o.step != "-" && o.step.size() < 16 &&
                        std::all_of(o.step.begin() + (o.step[0] == '-' ? 1 : 0), o.step.end(), is_digit);
    if (!digits || std::stod(o.step) < low || std::stod(o.step) > high) {
      throw StudyError("output " + given + ": " + (o.step.empty() ? std::string("needs @VALUE") : "'" + o.step + "'") +
                       ": VALUE must be a whole number in " + head + "'s range " + range);
    }
    o.source = OutputSpec::Source::kScalar;
    o.stat = OutputSpec::Stat::kProbability;
    o.output = head;
    o.value = std::stod(o.step);
    o.step.clear();
    o.whole_numbers = true;
    return o;
  }
  bool parsed = false;
  for (const auto& [suffix, stat] : {std::pair<std::string, OutputSpec::Stat>{"_mean", OutputSpec::Stat::kMean},
                                     {"_std_error", OutputSpec::Stat::kStdError},
                                     {"_sd", OutputSpec::Stat::kSd}}) {
    if (ends_with(base, suffix, head)) {
      o.stat = stat;
      parsed = true;
      break;
    }
  }
  if (!parsed && base.size() > 4 && base[base.size() - 4] == '_' && base[base.size() - 3] == 'p' &&
      std::isdigit(static_cast<unsigned char>(base[base.size() - 2])) != 0 &&
      std::isdigit(static_cast<unsigned char>(base[base.size() - 1])) != 0) {
    const int percent = std::stoi(base.substr(base.size() - 2));
    if (percent >= 1) {
      o.stat = OutputSpec::Stat::kQuantile;
      o.level = percent / 100.0;
      head = base.substr(0, base.size() - 4);
      parsed = true;
    }
  }
  if (parsed && has(layout.series, head)) {
    o.source = OutputSpec::Source::kSeries;
    o.output = head;
    (void)step_index(o, layout);  // a year that is simulated
    return o;
  }
  if (parsed && has(layout.scalars, head) && o.step.empty()) {
    o.source = OutputSpec::Source::kScalar;
    o.output = head;
    o.whole_numbers = layout.scalars[layout.scalar_index(head)].whole_numbers;
    return o;
  }
  throw StudyError("unknown output '" + given + "'; " + output_names_help(layout));
}

std::vector<OutputSpec> parse_outputs(const std::vector<std::string>& names, const engine::OutputLayout& layout) {
  std::vector<OutputSpec> specs;
  for (const std::string& n : names) {
    if (std::any_of(specs.begin(), specs.end(), [&](const OutputSpec& s) { return s.name == n; })) {
      throw StudyError("output " + n + " is named twice");
    }
    specs.push_back(parse_output(n, layout));
  }
  if (specs.empty()) throw StudyError("no output to record (name at least one)");
  return specs;
}

std::string output_names_help(const engine::OutputLayout& layout) {
  std::string text = "outputs are p_INDICATOR (";
  for (std::size_t i = 0; i < layout.indicators.size(); ++i) text += (i ? ", " : "") + layout.indicators[i].name;
  text += "), SERIES_STAT or SERIES_STAT@YEAR (series ";
  for (std::size_t i = 0; i < layout.series.size(); ++i) text += (i ? ", " : "") + layout.series[i].name;
  text += "), SCALAR_STAT (scalars ";
  for (std::size_t i = 0; i < layout.scalars.size(); ++i) text += (i ? ", " : "") + layout.scalars[i].name;
  text += "), STAT one of mean, std_error, sd, p01..p99; SCALAR_cdf@VALUE (a whole-number scalar: P(SCALAR <= "
          "VALUE)); short names p_reach, p_quota, charge_mean_eur, charge_std_error_eur, p_reached_by@YEAR "
          "(first_year_reached_cdf@YEAR)";
  return text;
}

}  // namespace banensim::studies
