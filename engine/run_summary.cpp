#include "engine/run_summary.hpp"

#include <algorithm>
#include <cmath>

namespace banensim::engine {
namespace {

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

nlohmann::json distribution_json(const DistributionSummary& d, bool whole_numbers = false) {
  nlohmann::json j;
  j["mean"] = number_or_null(d.moments.mean());
  j["std_error"] = number_or_null(d.moments.std_error());
  j["sd"] = number_or_null(d.moments.stddev());
  const char* names[] = {"p05", "p25", "p50", "p75", "p95"};
  // A quantile among values outside the histogram's range is null, and its
  // bound is stated: {"at_least": X} or {"below": X}.
  nlohmann::json bounds = nlohmann::json::object();
  for (std::size_t i = 0; i < 5; ++i) {
    const QuantileEstimate q = summary_quantile(d.histogram, kQuantileLevels[i], whole_numbers);
    j[names[i]] = number_or_null(q.value_or_nan());
    if (q.kind == QuantileEstimate::Kind::kAtLeast) bounds[names[i]] = {{"at_least", q.value}};
    if (q.kind == QuantileEstimate::Kind::kBelow) bounds[names[i]] = {{"below", q.value}};
  }
  j["quantile_bounds"] = bounds;
  j["min"] = number_or_null(d.histogram.min());
  j["max"] = number_or_null(d.histogram.max());
  // The resolution of the quantiles: the bin width after the range grew.
  j["bin_width"] = d.histogram.bin_width();
  // Values outside the histogram's (largest) range: quantiles among them are bounds.
  j["outside_histogram"] = d.histogram.underflow() + d.histogram.overflow();
  return j;
}

nlohmann::json proportion_json(const Proportion& p) {
  const Interval ci = p.wilson();
  return {{"probability", number_or_null(p.estimate())},
          {"ci_low", ci.low},
          {"ci_high", ci.high},
          {"successes", p.successes()},
          {"paths", p.trials()}};
}

}  // namespace

std::vector<CumulativePoint> cumulative_by_value(const Histogram& h, std::uint64_t n_paths) {
  std::vector<CumulativePoint> points;
  // Values below the range are below every value in it; those above it, above.
  std::uint64_t cumulative = h.underflow();
  const auto& counts = h.counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    points.push_back({h.low() + static_cast<double>(i) * h.bin_width(), counts[i], Proportion(cumulative, n_paths)});
  }
  return points;
}

std::vector<CumulativeDifference> cumulative_difference(const PairedTally& tally, std::size_t k, std::size_t i_scalar,
                                                        const OutputLayout& layout) {
  const CumulativePair& c = tally.cumulative_pair(k, i_scalar);
  const ScalarSpec& spec = layout.scalars.at(i_scalar);
  const std::uint64_t n = tally.n_paths();
  std::vector<CumulativeDifference> points;
  for (std::size_t j = 0; j < c.variant_only.size(); ++j) {
    points.push_back({spec.hist_low + static_cast<double>(j),
                      RunningStats::of_signs(c.variant_only[j], c.reference_only[j], n),
                      Proportion(c.variant_only[j], n), Proportion(c.reference_only[j], n)});
  }
  return points;
}

nlohmann::json tally_json(const Tally& tally, const OutputLayout& layout) {
  nlohmann::json out;
  out["paths"] = tally.n_paths();
  nlohmann::json indicators = nlohmann::json::object();
  for (std::size_t i = 0; i < layout.indicators.size(); ++i) {
    auto j = proportion_json(tally.indicator(i));
    j["description"] = layout.indicators[i].description;
    indicators[layout.indicators[i].name] = j;
  }
  out["indicators"] = indicators;
  nlohmann::json scalars = nlohmann::json::object();
  for (std::size_t i = 0; i < layout.scalars.size(); ++i) {
    auto j = distribution_json(tally.scalar(i), layout.scalars[i].whole_numbers);
    j["unit"] = layout.scalars[i].unit;
    if (layout.scalars[i].optional) j["present"] = proportion_json(tally.scalar_present(i));
    if (layout.scalars[i].whole_numbers) {
      nlohmann::json by_value = nlohmann::json::array();
      for (const CumulativePoint& c : cumulative_by_value(tally.scalar(i).histogram, tally.n_paths())) {
        nlohmann::json point = proportion_json(c.up_to_value);
        point["value"] = c.value;
        point["paths_at_value"] = c.at_value;
        // The share at exactly this value, with its 95% Wilson interval.
        const Interval at = Proportion(c.at_value, tally.n_paths()).wilson();
        point["at_value_ci_low"] = at.low;
        point["at_value_ci_high"] = at.high;
        by_value.push_back(point);
      }
      j["cumulative"] = by_value;
    }
    scalars[layout.scalars[i].name] = j;
  }
  out["scalars"] = scalars;
  nlohmann::json series = nlohmann::json::object();
  for (std::size_t i = 0; i < layout.series.size(); ++i) {
    nlohmann::json steps = nlohmann::json::array();
    for (std::size_t t = 0; t < layout.n_steps(); ++t) {
      auto j = distribution_json(tally.series(i, t));
      j["step"] = layout.step_labels[t];
      steps.push_back(j);
    }
    series[layout.series[i].name] = {{"unit", layout.series[i].unit}, {"steps", steps}};
  }
  out["series"] = series;
  return out;
}

nlohmann::json paired_json(const PairedTally& tally, std::size_t k, const OutputLayout& layout) {
  nlohmann::json out;
  nlohmann::json indicators = nlohmann::json::object();
  for (std::size_t i = 0; i < layout.indicators.size(); ++i) {
    const IndicatorPair& p = tally.indicator_pair(k, i);
    const Interval ci = mean_interval(p.difference);
    indicators[layout.indicators[i].name] = {
        {"difference", number_or_null(p.difference.mean())},
        {"ci_low", number_or_null(ci.low)},
        {"ci_high", number_or_null(ci.high)},
        {"std_error", number_or_null(p.difference.count() > 1 ? p.difference.std_error() : 0.0)},
        {"p_variant_only", proportion_json(p.variant_only)},
        {"p_reference_only", proportion_json(p.reference_only)}};
  }
  out["indicators"] = indicators;
  nlohmann::json scalars = nlohmann::json::object();
  for (std::size_t i = 0; i < layout.scalars.size(); ++i) {
    nlohmann::json j = nlohmann::json::object();
    if (!layout.scalars[i].optional) {
      const RunningStats& d = tally.scalar_difference(k, i);
      const Interval ci = mean_interval(d);
      j = {{"difference", number_or_null(d.mean())},
           {"ci_low", number_or_null(ci.low)},
           {"ci_high", number_or_null(ci.high)}};
    }
    if (layout.scalars[i].whole_numbers) {
      nlohmann::json by_value = nlohmann::json::array();
      for (const CumulativeDifference& c : cumulative_difference(tally, k, i, layout)) {
        const Interval ci = mean_interval(c.difference);
        by_value.push_back({{"value", c.value},
                            {"difference", number_or_null(c.difference.mean())},
                            {"ci_low", number_or_null(ci.low)},
                            {"ci_high", number_or_null(ci.high)},
                            {"std_error", number_or_null(c.difference.count() > 1 ? c.difference.std_error() : 0.0)},
                            {"p_variant_only", proportion_json(c.variant_only)},
                            {"p_reference_only", proportion_json(c.reference_only)}});
      }
      j["cumulative_difference"] = by_value;
    }
    if (!j.empty()) scalars[layout.scalars[i].name] = j;
  }
  out["scalars"] = scalars;
  return out;
}

double max_half_width(const PairedTally& tally) {
  double worst = 0.0;
  for (std::size_t k = 0; k < tally.n_variants(); ++k) {
    const Tally& t = tally.variant(k);
    for (std::size_t i = 0; i < t.n_indicators(); ++i) {
      worst = std::max(worst, t.indicator(i).wilson().half_width());
      if (k > 0) {
        const Interval ci = mean_interval(tally.indicator_pair(k, i).difference);
        worst = std::max(worst, std::isfinite(ci.low) ? ci.half_width() : 1.0);
      }
    }
  }
  return worst;
}

std::string format_table(const std::vector<std::vector<std::string>>& rows, std::size_t n_left_aligned) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      line += c < n_left_aligned ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string quantile_text(const QuantileEstimate& q, const std::function<std::string(double)>& number,
                          const std::string& space) {
  switch (q.kind) {
    case QuantileEstimate::Kind::kAtLeast: return ">=" + space + number(q.value);
    case QuantileEstimate::Kind::kBelow: return "<" + space + number(q.value);
    case QuantileEstimate::Kind::kValue: break;
  }
  return number(q.value);
}

}  // namespace banensim::engine
