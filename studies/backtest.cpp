#include "studies/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <boost/math/distributions/students_t.hpp>

#include "engine/crps.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "models/banenafspraak_params.hpp"
#include "studies/point_runner.hpp"
#include "studies/provenance.hpp"

namespace banensim::studies {

namespace {

constexpr int kBaselineYear = 2012;
// Half-widths of the central 50% and 90% normal intervals, in sds.
constexpr double kZ50 = 0.674489750196082;
constexpr double kZ90 = 1.644853626951472;

struct SeriesDef {
  const char* name;
  double models::HistoryYear::*observed;
};
constexpr SeriesDef kSeries[] = {{"total", &models::HistoryYear::total_counted},
                                 {"market", &models::HistoryYear::market_counted},
                                 {"government", &models::HistoryYear::government_counted}};

models::InputError input_error(const std::string& file, const std::string& key, const std::string& value,
                               const std::string& constraint, const models::SourceLocation& where = {}) {
  models::SourceLocation at = where;
  if (at.file.empty()) at.file = file;
  return models::InputError({models::Problem{at, key, value, constraint}});
}

std::string fraction(int k, int n) {
  const double share = n > 0 ? static_cast<double>(k) / n : std::numeric_limits<double>::quiet_NaN();
  return std::to_string(k) + "/" + std::to_string(n) + " = " + engine::fmt(share, 2);
}

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

}  // namespace

NormalForecast random_walk_forecast(const std::vector<int>& years, const std::vector<double>& values, int year) {
  const std::size_t n = years.size() - 1;  // increments
  if (years.size() != values.size() || n < 2) {
    throw std::invalid_argument("random_walk_forecast: needs at least two increments");
  }
  double sum_d = 0, sum_h = 0;
  for (std::size_t j = 1; j < years.size(); ++j) {
    sum_d += values[j] - values[j - 1];
    sum_h += years[j] - years[j - 1];
  }
  const double drift = sum_d / sum_h;
  double ss = 0;
  for (std::size_t j = 1; j < years.size(); ++j) {
    const double h = years[j] - years[j - 1];
    const double e = values[j] - values[j - 1] - h * drift;
    ss += e * e / h;
  }
  const double s2 = ss / static_cast<double>(n - 1);
  const double ahead = year - years.back();
  return {values.back() + ahead * drift, std::sqrt(ahead * s2)};
}

NormalForecast linear_trend_forecast(const std::vector<int>& years, const std::vector<double>& values, int year) {
  const double n = static_cast<double>(years.size());
  if (years.size() != values.size() || years.size() < 3) {
    throw std::invalid_argument("linear_trend_forecast: needs at least three points");
  }
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < years.size(); ++i) {
    mx += years[i] / n;
    my += values[i] / n;
  }
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < years.size(); ++i) {
    sxx += (years[i] - mx) * (years[i] - mx);
    sxy += (years[i] - mx) * (values[i] - my);
  }
  const double b1 = sxy / sxx;
  double rss = 0;
  for (std::size_t i = 0; i < years.size(); ++i) {
    const double e = values[i] - my - b1 * (years[i] - mx);
    rss += e * e;
  }
  const double s2 = rss / (n - 2);
  return {my + b1 * (year - mx), std::sqrt(s2 * (1 + 1 / n + (year - mx) * (year - mx) / sxx))};
}

BenchmarkScore score_normal(const NormalForecast& f, double y) {
  BenchmarkScore s;
  s.forecast = f;
  const double z = std::abs(y - f.mean) / f.sd;
  s.in_50 = z <= kZ50;
  s.in_90 = z <= kZ90;
  s.crps = f.sd > 0 ? engine::crps_normal(f.mean, f.sd, y) : std::abs(y - f.mean);
  return s;
}

BacktestResult run_backtest(const std::string& file, const models::ResolvedScenario& scenario,
                            const BacktestOptions& o) {
  const auto& schema = models::banenafspraak_schema();
  const models::BanenafspraakParams given = models::params_from_scenario(scenario);
  const models::History& history = given.observed;
  BacktestResult result;
  result.scenario_file = file;
  result.scenario_name = given.scenario.name.empty() ? file : given.scenario.name;
  result.history_file = history.file;
  result.first_origin = o.first_origin;
  result.last_origin = o.last_origin;
  result.last_observed = history.last_year();
  if (o.first_origin > o.last_origin) throw std::invalid_argument("run_backtest: first origin after the last");
  if (o.last_origin >= history.last_year()) {
    throw input_error(history.file, "year", std::to_string(o.last_origin),
                      "a forecast origin must be before the last observed year " +
                          std::to_string(history.last_year()) + ", so that there are years to score");
  }
  if (o.first_origin < history.first_year()) {
    throw input_error(history.file, "year", std::to_string(o.first_origin),
                      "a forecast origin must be an observed year (the file starts in " +
                          std::to_string(history.first_year()) + ")");
  }
  // A lever acting at or before an origin would change the observed years' rules.
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    const models::Lever& l = lever.get(given);
    if (l.enabled && l.year <= o.last_origin) {
      throw input_error(file, lever.year_key, std::to_string(l.year),
                        "the backtest forecasts from the end of " + std::to_string(o.last_origin) +
                            ": an enabled lever must act after its origins (a backtest scores the rules of the past)",
                        scenario.where(lever.year_key));
    }
  }

  for (int origin = o.first_origin; origin <= o.last_origin; ++origin) {
    OriginForecast f;
    f.origin = origin;
    f.calibration = models::calibrate(history, origin, given);
    // The scenario with the calibrated keys, the origin moved back, and a
    // target year that reaches the last observed year.
    std::vector<std::pair<std::string, std::string>> overrides;
    for (const auto& e : f.calibration.estimates) {
      if (!e.scenario_key) continue;
      overrides.emplace_back(e.key, !e.text.empty() ? e.text
                                    : e.integer     ? std::to_string(std::llround(e.value))
                                                    : engine::decimal(e.value));
    }
    overrides.emplace_back("history.origin_year", std::to_string(origin));
    if (given.target.year < history.last_year()) {
      overrides.emplace_back("target.year", std::to_string(history.last_year()));
    }
    models::ResolvedScenario at_origin = scenario;
    models::apply_overrides(at_origin, schema, overrides, "backtest from " + std::to_string(origin),
                            models::banenafspraak_check);
    f.resolved_hash = at_origin.hash();
    const models::BanenafspraakModel model(models::params_from_scenario(at_origin));
    const engine::RunResult run = o.run(model);
    if (run.cancelled) {
      result.cancelled = true;
      return result;
    }
    result.n_paths = run.n_paths;
    result.n_threads = run.n_threads;
    result.wall_seconds += run.wall_seconds;
    if (!o.holds_results) continue;

    const auto& layout = model.layout();
    const auto& t = run.tally.variant(0);
    for (const SeriesDef& ser : kSeries) {
      // The benchmarks' data: the series from the baseline up to the origin.
      std::vector<int> years = {kBaselineYear};
      std::vector<double> values = {0.0};
      for (const auto& h : history.years) {
        if (h.year > origin) break;
        years.push_back(h.year);
        values.push_back(h.*ser.observed);
      }
      const std::size_t i_series = layout.series_index(ser.name);
      for (const auto& h : history.years) {
        if (h.year <= origin) continue;
        const auto step = static_cast<std::size_t>(h.year - origin - 1);
        if (step >= layout.n_steps() || layout.step_labels[step] != std::to_string(h.year)) {
          throw std::logic_error("run_backtest: the model's steps do not start at the year after the origin");
        }
        const auto& hist = t.series(i_series, step).histogram;
        // The scores need the quantiles as numbers; a growing histogram holds
        // every path, so this fails only beyond 2^40 times its first range.
        if (hist.underflow() + hist.overflow() > 0) {
          throw std::runtime_error("backtest: the forecast of " + std::string(ser.name) + " in " +
                                   std::to_string(h.year) + " from " + std::to_string(origin) +
                                   " has paths outside the histogram's largest range; its quantiles and CRPS "
                                   "are not known");
        }
        ScoredYear y;
        y.origin = origin;
        y.series = ser.name;
        y.year = h.year;
        y.observed = h.*ser.observed;
        y.p05 = hist.quantile(0.05);
        y.p25 = hist.quantile(0.25);
        y.p50 = hist.quantile(0.5);
        y.p75 = hist.quantile(0.75);
        y.p95 = hist.quantile(0.95);
        y.in_50 = y.observed >= y.p25 && y.observed <= y.p75;
        y.in_90 = y.observed >= y.p05 && y.observed <= y.p95;
        y.pit = hist.cdf(y.observed);
        y.crps = engine::crps(hist, y.observed);
        y.resolution = hist.bin_width();
        y.random_walk = score_normal(random_walk_forecast(years, values, h.year), y.observed);
        y.linear_trend = score_normal(linear_trend_forecast(years, values, h.year), y.observed);
        f.years.push_back(y);
      }
    }
    result.forecasts.push_back(std::move(f));
  }
  if (!o.holds_results) return result;

  for (const SeriesDef& ser : kSeries) {
    SeriesSummary s;
    s.series = ser.name;
    for (const auto& f : result.forecasts) {
      for (const auto& y : f.years) {
        if (y.series != s.series) continue;
        ++s.n;
        s.in_50 += y.in_50 ? 1 : 0;
        s.in_90 += y.in_90 ? 1 : 0;
        ++s.pit_histogram[std::min<std::size_t>(9, static_cast<std::size_t>(std::max(0.0, y.pit) * 10))];
        s.crps += y.crps;
        s.crps_random_walk += y.random_walk.crps;
        s.crps_linear_trend += y.linear_trend.crps;
        s.random_walk_in_50 += y.random_walk.in_50 ? 1 : 0;
        s.random_walk_in_90 += y.random_walk.in_90 ? 1 : 0;
        s.linear_trend_in_50 += y.linear_trend.in_50 ? 1 : 0;
        s.linear_trend_in_90 += y.linear_trend.in_90 ? 1 : 0;
        s.resolution = std::max(s.resolution, y.resolution);
      }
    }
    if (s.n > 0) {
      s.crps /= s.n;
      s.crps_random_walk /= s.n;
      s.crps_linear_trend /= s.n;
    }
    std::vector<double> d_rw, d_linear;
    std::vector<int> origins;
    for (const auto& f : result.forecasts) {
      for (const auto& y : f.years) {
        if (y.series != s.series) continue;
        d_rw.push_back(y.crps - y.random_walk.crps);
        d_linear.push_back(y.crps - y.linear_trend.crps);
        origins.push_back(y.origin);
      }
    }
    s.vs_random_walk = crps_difference(d_rw, origins);
    s.vs_linear_trend = crps_difference(d_linear, origins);
    result.summary.push_back(s);
  }
  return result;
}

CrpsDifference crps_difference(const std::vector<double>& d, const std::vector<int>& origin) {
  if (d.size() != origin.size()) throw std::invalid_argument("crps_difference: one origin per difference");
  CrpsDifference c;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (d.empty()) return {nan, nan, nan, 0};
  const double n = static_cast<double>(d.size());
  double sum = 0;
  for (const double x : d) sum += x;
  c.mean = sum / n;
  std::map<int, double> cluster;  // per origin: the sum of (d_i - mean)
  for (std::size_t i = 0; i < d.size(); ++i) cluster[origin[i]] += d[i] - c.mean;
  c.origins = static_cast<int>(cluster.size());
  if (c.origins < 2) {
    c.ci_low = c.ci_high = nan;
    return c;
  }
  double ss = 0;
  for (const auto& [o, e] : cluster) ss += e * e;
  const double g = c.origins;
  const double se = std::sqrt(g / (g - 1) * ss) / n;
  const double t = boost::math::quantile(boost::math::students_t(g - 1), 0.975);
  c.ci_low = c.mean - t * se;
  c.ci_high = c.mean + t * se;
  return c;
}

namespace {

std::string origins_text(const BacktestResult& r) {
  return r.first_origin == r.last_origin ? std::to_string(r.first_origin)
                                         : std::to_string(r.first_origin) + "-" + std::to_string(r.last_origin);
}

std::string pit_text(const std::array<int, 10>& h) {
  std::string text;
  for (const int c : h) text += (text.empty() ? "" : " ") + std::to_string(c);
  return text;
}

}  // namespace

std::string backtest_table(const BacktestResult& r, const RunInfo& info) {
  std::ostringstream os;
  os << info.program << "\nBacktest of " << r.scenario_name << " (" << r.scenario_file << "): forecasts from the end-"
     << origins_text(r) << " measurement" << (r.first_origin == r.last_origin ? "" : "s")
     << ", each calibrated on the data dated up to its origin only, scored against the observed years up to "
     << r.last_observed << " (" << r.history_file << ").\n"
     << "seed " << info.seed << ", " << engine::fmt_int(static_cast<double>(r.n_paths)) << " paths per forecast, "
     << r.n_threads << " threads, " << engine::fmt(r.wall_seconds, 1) << " s\n"
     << "Model: quantiles, PIT (the forecast CDF at the observation) and CRPS = integral of (F(x) - 1{x >= observed})^2 dx\n"
     << "from the simulated distribution's histogram (linear within bins; resolution: the bin width). Benchmarks,\n"
     << "fitted on the same data (each series from the baseline, 0 at end 2012): RW = Gaussian random walk with\n"
     << "drift (plug-in), linear = OLS trend, Gaussian with the OLS prediction variance (normal quantiles).\n"
     << "CRPS in jobs, lower is better.\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : r.forecasts) {
    const auto& c = f.calibration;
    os << "\nFrom the end-" << f.origin << " measurement (calibrated on " << c.first_year << "-" << c.last_year
       << ": regular trends market " << engine::fmt_int(c.market.trend) << " +- " << engine::fmt_int(c.market.trend_se)
       << ", government " << engine::fmt_int(c.government.trend) << " +- " << engine::fmt_int(c.government.trend_se)
       << ", hired-in " << engine::fmt_int(c.inleen.trend) << " +- " << engine::fmt_int(c.inleen.trend_se)
       << " jobs/year)\n";
    rows = {{"series", "year", "observed", "median", "50% interval", "in 50%", "90% interval", "in 90%", "PIT", "CRPS",
             "RW CRPS", "linear CRPS"}};
    for (const auto& y : f.years) {
      rows.push_back({y.series, std::to_string(y.year), engine::fmt_int(y.observed), engine::fmt_int(y.p50),
                      "[" + engine::fmt_int(y.p25) + ", " + engine::fmt_int(y.p75) + "]", y.in_50 ? "yes" : "no",
                      "[" + engine::fmt_int(y.p05) + ", " + engine::fmt_int(y.p95) + "]", y.in_90 ? "yes" : "no",
                      engine::fmt(y.pit, 2), engine::fmt_int(y.crps), engine::fmt_int(y.random_walk.crps),
                      engine::fmt_int(y.linear_trend.crps)});
    }
    os << engine::format_table(rows, 1);
  }
  os << "\nPooled over the forecasts from " << origins_text(r)
     << (r.first_origin == r.last_origin ? "\n"
                                         : " (each origin's scored years: a year forecast from several origins "
                                           "counts once per origin)\n");
  rows = {{"series", "forecasts", "coverage 50%", "coverage 90%", "PIT histogram (10 bins)", "mean CRPS", "RW CRPS",
           "linear CRPS", "skill vs RW", "skill vs linear"}};
  for (const auto& s : r.summary) {
    rows.push_back({s.series, std::to_string(s.n), fraction(s.in_50, s.n), fraction(s.in_90, s.n),
                    pit_text(s.pit_histogram), engine::fmt_int(s.crps), engine::fmt_int(s.crps_random_walk),
                    engine::fmt_int(s.crps_linear_trend), engine::fmt(s.skill_random_walk(), 3),
                    engine::fmt(s.skill_linear_trend(), 3)});
  }
  os << engine::format_table(rows, 1)
     << "skill = 1 - CRPS(model) / CRPS(benchmark): above 0 the model beats the benchmark. CRPS resolution (largest "
        "bin width): ";
  for (std::size_t i = 0; i < r.summary.size(); ++i) {
    os << (i ? ", " : "") << r.summary[i].series << " " << engine::fmt_int(r.summary[i].resolution) << " jobs";
  }
  os << ".\n";
  if (r.first_origin != r.last_origin) {
    os << "\nMean CRPS difference, model - benchmark (jobs; below 0 the model is better), with a 95% interval "
          "clustered by origin\n(Student t, origins - 1 degrees of freedom; forecasts of one year from several "
          "origins are correlated too: if anything too narrow):\n";
    rows = {{"series", "vs RW", "95% interval", "vs linear", "95% interval"}};
    const auto signed_jobs = [](double x) { return (x > 0 ? "+" : "") + engine::fmt_int(x); };
    const auto interval = [&](const CrpsDifference& c) {
      return "[" + signed_jobs(c.ci_low) + ", " + signed_jobs(c.ci_high) + "]";
    };
    for (const auto& s : r.summary) {
      rows.push_back({s.series, signed_jobs(s.vs_random_walk.mean), interval(s.vs_random_walk),
                      signed_jobs(s.vs_linear_trend.mean), interval(s.vs_linear_trend)});
    }
    os << engine::format_table(rows, 1);
  }
  os << "\nThe benchmarks' coverage of the same forecasts (their Gaussian 50% and 90% intervals), to read the "
        "model's beside:\n";
  rows = {{"series", "forecasts", "model 50%", "RW 50%", "linear 50%", "model 90%", "RW 90%", "linear 90%"}};
  for (const auto& s : r.summary) {
    rows.push_back({s.series, std::to_string(s.n), fraction(s.in_50, s.n), fraction(s.random_walk_in_50, s.n),
                    fraction(s.linear_trend_in_50, s.n), fraction(s.in_90, s.n), fraction(s.random_walk_in_90, s.n),
                    fraction(s.linear_trend_in_90, s.n)});
  }
  os << engine::format_table(rows, 1);
  const int n = r.summary.empty() ? 0 : r.summary.front().n;
  if (n < 10) {
    os << "With " << n << (n == 1 ? " forecast" : " forecasts")
       << " per series a coverage is a count out of very few: read it as a check, not a rate.\n";
  } else {
    os << "The forecasts overlap (the same years from several origins): a coverage is a count of "
       << "correlated outcomes, less certain than " << n << " independent ones would be.\n";
  }
  return os.str();
}

std::string backtest_csv(const BacktestResult& r, const RunInfo& info) {
  std::ostringstream os;
  os << "origin,series,year,observed,median,p25,p75,p05,p95,in_50,in_90,pit,crps,crps_resolution,rw_mean,rw_sd,"
        "rw_in_50,rw_in_90,rw_crps,linear_mean,linear_sd,linear_in_50,linear_in_90,linear_crps,seed,paths,file,"
        "resolved_hash\n";
  const auto flag = [](bool b) { return b ? "1" : "0"; };
  for (const auto& f : r.forecasts) {
    for (const auto& y : f.years) {
      os << y.origin << "," << y.series << "," << y.year;
      for (const double x : {y.observed, y.p50, y.p25, y.p75, y.p05, y.p95}) os << "," << engine::decimal(x);
      os << "," << flag(y.in_50) << "," << flag(y.in_90) << "," << engine::decimal(y.pit) << ","
         << engine::decimal(y.crps) << "," << engine::decimal(y.resolution);
      for (const BenchmarkScore* b : {&y.random_walk, &y.linear_trend}) {
        os << "," << engine::decimal(b->forecast.mean) << "," << engine::decimal(b->forecast.sd) << ","
           << flag(b->in_50) << "," << flag(b->in_90) << "," << engine::decimal(b->crps);
      }
      // What the row was computed from: the scenario file, and the hash of
      // the scenario as run from this origin (its calibrated keys included).
      os << "," << info.seed << "," << r.n_paths << "," << csv_field(r.scenario_file) << "," << f.resolved_hash
         << "\n";
    }
  }
  return os.str();
}

std::string backtest_summary_csv(const BacktestResult& r, const RunInfo& info) {
  std::ostringstream os;
  os << "series,forecasts,in_50,in_90,coverage_50,coverage_90";
  for (int i = 0; i < 10; ++i) os << ",pit_" << i;
  os << ",mean_crps,mean_crps_random_walk,mean_crps_linear_trend,skill_random_walk,skill_linear_trend,"
        "random_walk_coverage_50,random_walk_coverage_90,linear_trend_coverage_50,linear_trend_coverage_90,"
        "crps_resolution,crps_diff_random_walk,crps_diff_random_walk_ci_low,crps_diff_random_walk_ci_high,"
        "crps_diff_linear_trend,crps_diff_linear_trend_ci_low,crps_diff_linear_trend_ci_high,"
        "first_origin,last_origin,seed,paths,file\n";
  for (const auto& s : r.summary) {
    const double n = s.n;
    os << s.series << "," << s.n << "," << s.in_50 << "," << s.in_90 << "," << engine::decimal(s.in_50 / n) << ","
       << engine::decimal(s.in_90 / n);
    for (const int c : s.pit_histogram) os << "," << c;
    for (const double x : {s.crps, s.crps_random_walk, s.crps_linear_trend, s.skill_random_walk(),
                           s.skill_linear_trend(), s.random_walk_in_50 / n, s.random_walk_in_90 / n,
                           s.linear_trend_in_50 / n, s.linear_trend_in_90 / n, s.resolution}) {
      os << "," << engine::decimal(x);
    }
    for (const CrpsDifference* c : {&s.vs_random_walk, &s.vs_linear_trend}) {
      for (const double x : {c->mean, c->ci_low, c->ci_high}) os << "," << (std::isfinite(x) ? engine::decimal(x) : "");
    }
    os << "," << r.first_origin << "," << r.last_origin << "," << info.seed << "," << r.n_paths << ","
       << csv_field(r.scenario_file) << "\n";
  }
  return os.str();
}

nlohmann::json backtest_json(const BacktestResult& r, const RunInfo& info) {
  nlohmann::json j;
  j["provenance"] = {{"program", "banensim"},
                     {"version", info.version},
                     {"git_commit", info.git_commit},
                     {"scenario", {{"file", r.scenario_file}, {"name", r.scenario_name}}},
                     {"history_file", r.history_file},
                     {"seed", info.seed},
                     {"paths", r.n_paths},
                     {"block_size", info.block_size},
                     {"threads", r.n_threads},
                     {"ranks", info.ranks},
                     {"wall_seconds", r.wall_seconds}};
  j["origins"] = {r.first_origin, r.last_origin};
  j["last_observed_year"] = r.last_observed;
  j["crps_method"] = "integral of (F(x) - 1{x >= y})^2 dx with F the histogram CDF, linear within bins; "
                     "resolution: the bin width";
  j["benchmarks"] = {
      {"random_walk", "Gaussian random walk with drift fitted on the series' increments from the baseline (0 at "
                      "end 2012) up to the origin; plug-in variance"},
      {"linear_trend", "OLS linear trend over the baseline and the observed years up to the origin: a Gaussian "
                       "with the OLS prediction variance (normal, not Student t, quantiles)"}};
  const auto benchmark = [](const BenchmarkScore& b) {
    return nlohmann::json{{"mean", b.forecast.mean}, {"sd", b.forecast.sd}, {"in_50", b.in_50}, {"in_90", b.in_90},
                          {"crps", b.crps}};
  };
  nlohmann::json forecasts = nlohmann::json::array();
  for (const auto& f : r.forecasts) {
    nlohmann::json estimates = nlohmann::json::array();
    for (const auto& e : f.calibration.estimates) {
      estimates.push_back({{"key", e.key},
                           {"value", e.text.empty() ? nlohmann::json(number_or_null(e.value)) : nlohmann::json(e.text)},
                           {"std_error", number_or_null(e.std_error)},
                           {"unit", e.unit},
                           {"scenario_key", e.scenario_key}});
    }
    nlohmann::json years = nlohmann::json::array();
    for (const auto& y : f.years) {
      years.push_back({{"series", y.series}, {"year", y.year}, {"observed", y.observed}, {"median", y.p50},
                       {"p25", y.p25}, {"p75", y.p75}, {"p05", y.p05}, {"p95", y.p95}, {"in_50", y.in_50},
                       {"in_90", y.in_90}, {"pit", y.pit}, {"crps", y.crps}, {"crps_resolution", y.resolution},
                       {"random_walk", benchmark(y.random_walk)}, {"linear_trend", benchmark(y.linear_trend)}});
    }
    forecasts.push_back({{"origin", f.origin},
                         {"resolved_hash", f.resolved_hash},
                         {"calibration",
                          {{"first_year", f.calibration.first_year},
                           {"last_year", f.calibration.last_year},
                           {"method", f.calibration.method},
                           {"estimates", estimates}}},
                         {"years", years}});
  }
  j["forecasts"] = forecasts;
  nlohmann::json summary = nlohmann::json::array();
  const auto difference = [](const CrpsDifference& c) {
    return nlohmann::json{{"mean", number_or_null(c.mean)}, {"ci_low", number_or_null(c.ci_low)},
                          {"ci_high", number_or_null(c.ci_high)}, {"origins", c.origins}};
  };
  for (const auto& s : r.summary) {
    const double n = s.n;
    summary.push_back({{"series", s.series},
                       {"forecasts", s.n},
                       {"in_50", s.in_50},
                       {"in_90", s.in_90},
                       {"coverage_50", number_or_null(s.in_50 / n)},
                       {"coverage_90", number_or_null(s.in_90 / n)},
                       {"pit_histogram", s.pit_histogram},
                       {"mean_crps", number_or_null(s.crps)},
                       {"mean_crps_random_walk", number_or_null(s.crps_random_walk)},
                       {"mean_crps_linear_trend", number_or_null(s.crps_linear_trend)},
                       {"skill_random_walk", number_or_null(s.skill_random_walk())},
                       {"skill_linear_trend", number_or_null(s.skill_linear_trend())},
                       {"random_walk_coverage_50", number_or_null(s.random_walk_in_50 / n)},
                       {"random_walk_coverage_90", number_or_null(s.random_walk_in_90 / n)},
                       {"linear_trend_coverage_50", number_or_null(s.linear_trend_in_50 / n)},
                       {"linear_trend_coverage_90", number_or_null(s.linear_trend_in_90 / n)},
                       {"crps_resolution", s.resolution},
                       {"crps_difference_random_walk", difference(s.vs_random_walk)},
                       {"crps_difference_linear_trend", difference(s.vs_linear_trend)}});
  }
  j["summary"] = summary;
  return j;
}

BacktestStudy plan_backtest(const BacktestRequest& request) {
  BacktestStudy study{request, load_scenario(request.scenario), 0};
  const models::History& history = study.scenario.model.params().observed;
  for (const int origin : {request.first_origin, request.last_origin}) {
    // The option as given, and which end of a range is wrong: "--rolling 2016:2030: TO 2030: ...".
    const std::string what =
        request.origin_name + " " +
        (request.range ? std::to_string(request.first_origin) + ":" + std::to_string(request.last_origin) + ": " +
                       (origin == request.first_origin ? "FROM " : "TO ")
                 : std::string()) +
        std::to_string(origin) + ": ";
    if (origin >= history.last_year()) {
      throw StudyError(what + "must be before the last observed year of " + history.file + " (" +
                       std::to_string(history.last_year()) + "), so that there are years to score");
    }
    if (origin < history.first_year()) {
      throw StudyError(what + history.file + " starts in " + std::to_string(history.first_year()));
    }
  }
  if (request.last_origin < request.first_origin) {
    throw StudyError(request.origin_name + " " + std::to_string(request.first_origin) + ":" +
                     std::to_string(request.last_origin) + ": the last origin must not be before the first");
  }
  study.paths = request.paths.value_or(static_cast<std::uint64_t>(study.scenario.model.params().simulation.paths));
  return study;
}

BacktestResult run_backtest(const BacktestStudy& study, ExecutionContext& ctx) {
  engine::RunConfig cfg;
  cfg.seed = study.request.seed;
  cfg.block_size = study.request.block_size;
  cfg.n_threads = ctx.threads;
  cfg.cancel = ctx.cancel;
  cfg.n_paths = study.paths;
  if (ctx.is_root() && ctx.on_paths) cfg.progress = ctx.on_paths;
  BacktestOptions options;
  options.first_origin = study.request.first_origin;
  options.last_origin = study.request.last_origin;
  options.holds_results = ctx.is_root();
  options.run = [&cfg, &ctx](const models::BanenafspraakModel& model) {
    return ctx.cluster->run(std::span<const models::BanenafspraakModel>(&model, 1), cfg);
  };
  return run_backtest(study.request.scenario, study.scenario.resolved, options);
}

RunInfo run_info(const BacktestStudy& study, const ExecutionContext& ctx) {
  RunInfo info;
  info.program = version_line();
  info.version = program_version();
  info.git_commit = program_commit();
  info.seed = study.request.seed;
  info.block_size = study.request.block_size;
  info.ranks = ctx.cluster->size();
  return info;
}

}  // namespace banensim::studies
