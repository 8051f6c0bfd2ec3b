// The one translation unit that compiles the parameter table (see the header).
#define BANENSIM_DEFINE_BANENAFSPRAAK_PARAMETERS
#include "models/banenafspraak_params.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <Eigen/Dense>

#include "models/quota_rules.hpp"

namespace banensim::models {

namespace {

// What the problem at a key whose data file has problems says: that, and for a
// relative path given as text, which file that was and why (a scenario file's
// path is shown already resolved against its file's directory).
std::string named_file_constraint(const ResolvedScenario& r, const std::string& key) {
  std::string constraint = "the file it names has the problems above";
  const std::filesystem::path path(r.string(key));
  if (!r.values.at(key).given_as_text || path.empty() || path.is_absolute()) return constraint;
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) return constraint;
  return constraint + "; a relative path given as text (on the command line, in a points file, as a study file's "
                      "factor value or from Python) is read from the working directory, " + cwd.string() +
         ", not from the directory of a file it is written in, so this is " + (cwd / path).lexically_normal().string();
}

// reader(key) reads the data file the scenario key names; its own problems (with their
// file, line and column) are added, plus one naming the key that points to it.
template <class Reader>
auto read_named(const ResolvedScenario& r, const std::string& key, Reader reader, std::vector<Problem>& problems)
    -> std::optional<decltype(reader(key))> {
  try {
    return reader(key);
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    problems.push_back(Problem{r.where(key), key, r.string(key), named_file_constraint(r, key)});
  }
  return std::nullopt;
}

// Every cross-key check; with `out`, also the parameters (read only when
// there is no problem).
std::vector<Problem> check_impl(const ResolvedScenario& r, BanenafspraakParams* out) {
  const auto& table = banenafspraak_parameters();
  BanenafspraakParams p;
  table.read(p, r);
  // A problem at the key of member `m` of p.
  const auto problem_at = [&](const auto& m, std::string value, std::string constraint) {
    const std::string& key = table.key_of(p, &m);
    return Problem{r.where(key), key, std::move(value), std::move(constraint)};
  };

  std::vector<Problem> problems;
  // From the scenario's snapshot of each file (ResolvedScenario::data_file):
  // read once, and the bytes its hash covers.
  const auto read = [&](const std::string& member_key, auto reader) {
    return read_named(r, member_key, [&](const std::string& key) { return reader(r.data_file(key)); }, problems);
  };
  auto history = read(table.key_of(p, &p.history.file), [](const DataFile& f) { return read_history(f); });
  auto trend = read(table.key_of(p, &p.history.trend_file), [](const DataFile& f) { return read_trend_reports(f); });
  auto targets = read(table.key_of(p, &p.targets.file), [](const DataFile& f) { return read_targets(f); });
  auto law = read(table.key_of(p, &p.law.file), [](const DataFile& f) { return read_law(f); });
  auto decisions =
      read(table.key_of(p, &p.quota.decisions_file), [](const DataFile& f) { return read_quota_decisions(f); });
  auto key_samples =
      read(table.key_of(p, &p.inleen.key_samples_file), [](const DataFile& f) { return read_key_samples(f); });

  // Correlation matrix: positive semi-definite, or no Cholesky-type factor exists.
  const auto c = correlation_matrix(p);
  const Eigen::Matrix4d m = Eigen::Map<const Eigen::Matrix<double, 4, 4, Eigen::RowMajor>>(c.data());
  const double min_eigen = Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d>(m).eigenvalues().minCoeff();
  if (min_eigen < -1e-10) {
    const auto& corr = p.shocks.correlation;
    for (const double* rho : {&corr.market_government, &corr.market_inleen, &corr.government_inleen,
                              &corr.security_other}) {
      problems.push_back(problem_at(*rho, std::to_string(*rho),
                                    "the four shock correlations together do not form a positive semi-definite "
                                    "matrix (smallest eigenvalue " + std::to_string(min_eigen) + ")"));
    }
  }

  // Levers declared as excluding each other (e.g. abolishing and keeping
  // the split): refused at both switches.
  for (const auto& lever : table.levers()) {
    for (const auto& other_key : lever.excludes) {
      const auto other = std::find_if(table.levers().begin(), table.levers().end(),
                                      [&](const auto& l) { return l.key == other_key; });
      if (!lever.get(p).enabled || !other->get(p).enabled) continue;
      const std::string why = other->key + " and " + lever.key + " cannot both be enabled: " + other->meaning +
                              "; " + lever.meaning;
      problems.push_back(problem_at(other->get(p).enabled, "true", why));
      problems.push_back(problem_at(lever.get(p).enabled, "true", why));
    }
  }

  int origin = p.history.origin_year;
  if (history) {
    if (origin == 0) origin = history->last_year();
    if (origin != 2012 && (origin < history->first_year() || origin > history->last_year())) {
      problems.push_back(problem_at(p.history.origin_year, std::to_string(origin),
                                    "must be 0 (the last observed year), 2012 (the baseline) or a year in " +
                                        p.history.file + " (" + std::to_string(history->first_year()) + "-" +
                                        std::to_string(history->last_year()) + ")"));
      origin = 0;
    }
  }
  const int target_year = p.target.year;
  const int horizon = std::max(target_year, p.target.horizon_year);
  if (history && targets) {
    // The model measures every observed year (replaying them for the quota
    // states) and every simulated one.
    for (Problem& gap : target_coverage_problems(*targets, history->first_year(), history->first_year(),
                                                 r.where("targets.file"), "targets.file")) {
      problems.push_back(std::move(gap));
    }
  }
  if (origin > 0 && target_year <= origin) {
    problems.push_back(problem_at(p.target.year, std::to_string(target_year),
                                  "must be after the forecast origin " + std::to_string(origin) +
                                      (p.history.origin_year == 0 ? " (the last observed year)" : " (history.origin_year)") +
                                      ": there is nothing to simulate"));
  }
  if (origin > 0 && target_year > origin) {
    for (Problem& problem : table.lever_horizon_problems(r, origin, horizon)) {
      problems.push_back(std::move(problem));
    }
  }
  if (problems.empty()) {
    p.observed = std::move(*history);
    p.trend_reports = std::move(*trend);
    p.legal_targets = std::move(*targets);
    p.law_timeline = std::move(*law);
    p.decisions = std::move(*decisions);
    p.key_samples = std::move(*key_samples);
    p.origin_year = origin;
    p.horizon_year = horizon;
    for (Problem& problem : decision_problems(p, origin)) problems.push_back(std::move(problem));
    if (!problems.empty()) {
      problems.push_back(Problem{r.where("quota.decisions_file"), "quota.decisions_file", p.quota.decisions_file,
                                 "the file it names has the problems above"});
    }
  }
  if (out != nullptr && problems.empty()) *out = std::move(p);
  return problems;
}

}  // namespace

const ParamSchema& banenafspraak_schema() { return banenafspraak_parameters().schema(); }

std::array<double, kNumComponents * kNumComponents> correlation_matrix(const BanenafspraakParams& p) {
  std::array<double, kNumComponents * kNumComponents> c{};
  auto set = [&c](std::size_t i, std::size_t j, double v) {
    c[i * kNumComponents + j] = v;
    c[j * kNumComponents + i] = v;
  };
  const auto& corr = p.shocks.correlation;
  for (std::size_t i = 0; i < kNumComponents; ++i) set(i, i, 1.0);
  set(kMarketRegular, kGovSecurity, corr.market_government);
  set(kMarketRegular, kGovOther, corr.market_government);
  set(kMarketRegular, kInleen, corr.market_inleen);
  set(kGovSecurity, kGovOther, corr.security_other);
  set(kGovSecurity, kInleen, corr.government_inleen);
  set(kGovOther, kInleen, corr.government_inleen);
  return c;
}

std::vector<Problem> banenafspraak_check(const ResolvedScenario& scenario) {
  return check_impl(scenario, nullptr);
}

BanenafspraakParams params_from_scenario(const ResolvedScenario& r) {
  BanenafspraakParams p;
  std::vector<Problem> problems = check_impl(r, &p);
  if (!problems.empty()) throw InputError(std::move(problems));
  return p;
}

}  // namespace banensim::models
