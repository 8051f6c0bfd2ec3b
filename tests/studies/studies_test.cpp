// Study logic without the program: study files, factor distributions, the
// SALib-named indices on a closed-form function, PRIM's recount from its own
// CSV, and the point loop's refusal to resume on other data.

#include <array>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/random_stream.hpp"
#include "engine/results_journal.hpp"
#include "engine/sensitivity.hpp"
#include "engine/text_format.hpp"
#include "models/problem.hpp"
#include "studies/design.hpp"
#include "studies/discovery.hpp"
#include "studies/factors.hpp"
#include "studies/sensitivity.hpp"
#include "studies/study_file.hpp"
#include "studies/sweep.hpp"

namespace fs = std::filesystem;
using namespace banensim;
using namespace banensim::studies;

namespace {

const std::string kSource = BANENSIM_SOURCE_DIR;
const std::string kStatusQuo = kSource + "/scenarios/status-quo.toml";

struct Scratch {
  fs::path dir;
  Scratch() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("banensim-studies-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// The three-factor study of the issue: one normal, one discrete, one log-uniform.
const std::string kThreeFactors = kSource + "/tests/data/good/study-three-factors.toml";

std::vector<std::vector<std::string>> csv_rows(const std::string& text, bool skip_comments = true) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || (skip_comments && line[0] == '#')) continue;
    rows.push_back(engine::split_csv_record(line));
  }
  return rows;
}

// A context whose run stops after its first point (that point's row is kept),
// until let_run() lets the next run go to the end.
struct StopAfterFirstPoint {
  std::atomic<bool> cancel{false};
  ExecutionContext ctx;
  StopAfterFirstPoint() {
    ctx.cancel = &cancel;
    ctx.on_point = [this](std::uint64_t i, std::uint64_t) {
      if (i == 1) cancel = true;
    };
  }
  void let_run() {
    cancel = false;
    ctx.on_point = nullptr;
  }
};

// The StudyError a resume of `r` into `out` is refused with ("" when it runs).
std::string resume_refusal(const SweepRequest& r, const std::string& out, ExecutionContext& ctx) {
  try {
    (void)run_sweep(plan_sweep(r), out, true, ctx);
  } catch (const StudyError& e) {
    return e.what();
  }
  return "";
}

std::size_t index_of(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("study file: three factors (normal, discrete, log-uniform) read with their settings") {
  const StudyFile study = read_study_file(kThreeFactors);
  REQUIRE(study.factors.size() == 3);
  CHECK(study.method == std::optional<std::string>("sobol"));
  CHECK(study.samples == std::optional<std::uint64_t>(8));
  CHECK(study.outputs == std::vector<std::string>{"p_reach", "total_mean"});
  const Factor& normal = study.factors[0];
  CHECK(normal.distribution == Distribution::kNormal);
  CHECK(normal.describe() == "supply.max_working_share normal mean 0.8 sd 0.1 on 0.6:0.95");
  const Factor& discrete = study.factors[1];
  CHECK(discrete.distribution == Distribution::kDiscrete);
  CHECK(discrete.values == std::vector<std::string>{"1000", "2000", "4000"});
  const Factor& logu = study.factors[2];
  CHECK(logu.distribution == Distribution::kLogUniform);
}

TEST_CASE("factor distributions: the value at u is the inverse CDF (closed forms)") {
  Factor n;
  n.key = "x";
  n.distribution = Distribution::kNormal;
  n.mean = 10;
  n.sd = 2;
  n.low = 6;
  n.high = 14;  // symmetric truncation: the median is the mean
  CHECK(std::stod(n.value_at(0.5)) == doctest::Approx(10).epsilon(1e-12));
  CHECK(n.value_at(0) == "6");
  CHECK(n.value_at(1) == "14");
  // Asymmetric: F(v) = (Phi(z) - Phi(a)) / (Phi(b) - Phi(a)) = u.
  n.high = 30;
  for (const double u : {0.1, 0.37, 0.9}) {
    const double v = std::stod(n.value_at(u));
    const double pa = engine::normal_cdf(-2), pb = engine::normal_cdf(10);
    CHECK((engine::normal_cdf((v - 10) / 2) - pa) / (pb - pa) == doctest::Approx(u).epsilon(1e-9));
  }
  // Truncation tens of sd from the mean, where Phi(a) and Phi(b) underflow in
  // double: the values still follow the truncated CDF, checked against long
  // double's erfc (its range reaches 1e-4951), in both tails.
  const auto upper_tail = [](long double z) { return 0.5L * std::erfc(z / std::sqrt(2.0L)); };
  for (const auto& [mean, low, high] : {std::array<double, 3>{0, 0.9, 1.0}, std::array<double, 3>{0, 1.6, 1.61},
                                        std::array<double, 3>{1, 0, 0.1}}) {
    CAPTURE(mean);
    CAPTURE(low);
    n.mean = mean;
    n.sd = 0.02;
    n.low = low;
    n.high = high;
    const bool upper = low > mean;  // else the lower tail: reflect about the mean
    const long double a = upper ? (low - mean) / 0.02L : (mean - high) / 0.02L;
    const long double b = upper ? (high - mean) / 0.02L : (mean - low) / 0.02L;
    REQUIRE(a > 37);
    for (const double u : {0.001, 0.1, 0.5, 0.9, 0.999}) {
      CAPTURE(u);
      const double v = std::stod(n.value_at(u));
      const long double z = upper ? (v - mean) / 0.02L : (mean - v) / 0.02L;
      const long double f = (upper_tail(a) - upper_tail(z)) / (upper_tail(a) - upper_tail(b));
      CHECK(static_cast<double>(upper ? f : 1 - f) == doctest::Approx(u).epsilon(1e-6));
    }
  }
  Factor l;
  l.distribution = Distribution::kLogUniform;
  l.low = 0.01;
  l.high = 1;
  CHECK(std::stod(l.value_at(0.5)) == doctest::Approx(0.1).epsilon(1e-12));  // the geometric mean
  CHECK(std::stod(l.value_at(0.25)) == doctest::Approx(std::sqrt(0.1) / 10).epsilon(1e-12));
  Factor t;
  t.distribution = Distribution::kTriangular;
  t.low = 0;
  t.mode = 1;
  t.high = 4;
  CHECK(std::stod(t.value_at(0.25)) == doctest::Approx(1).epsilon(1e-12));  // F(mode) = (mode - low) / (high - low)
  CHECK(std::stod(t.value_at(0.75)) == doctest::Approx(4 - std::sqrt(0.25 * 4 * 3)).epsilon(1e-12));
  Factor d;
  d.distribution = Distribution::kDiscrete;
  d.values = {"a", "b", "c"};
  CHECK(d.value_at(0) == "a");
  CHECK(d.value_at(0.34) == "b");
  CHECK(d.value_at(0.999) == "c");
  CHECK(d.value_at(1) == "c");
  CHECK_FALSE(d.numeric());
  CHECK(d.number("b") == 1);
  Factor i;
  i.low = 1;
  i.high = 4;
  i.integral = true;
  CHECK(i.value_at(0.5) == "3");  // 2.5 rounds half away from zero
}

TEST_CASE("study file: every problem at once, each naming file, line, key, value and constraint") {
  const Scratch s;
  const std::string file = s.write("bad.toml", R"(method = "sobool"
samples = 1
colour = "blue"

[[factors]]
key = "supply.max_working_shar"
distribution = "uniform"
low = 1
high = 2

[[factors]]
key = "quota.response_max"
distribution = "gamma"

[[factors]]
key = "quota.response_max"
distribution = "log-uniform"
low = 0
high = 0.5

[[factors]]
key = "supply.max_working_share"
distribution = "normal"
low = 0.9
high = 0.5
mean = 0.7
sd = -1

[prim]
direction = "="
)");
  std::vector<models::Problem> problems;
  try {
    (void)read_study_file(file);
    FAIL("no error");
  } catch (const models::InputError& e) {
    problems = e.problems();
  }
  std::string all;
  for (const auto& p : problems) all += p.message() + "\n";
  INFO(all);
  const auto has = [&](int line, const std::string& key, const std::string& value, const std::string& constraint) {
    for (const auto& p : problems) {
      if (p.where.file == file && p.where.line == line && p.key == key && p.value == value &&
          p.constraint.find(constraint) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  CHECK(has(1, "method", "sobool", "must be sobol or morris"));
  CHECK(has(2, "samples", "1", "must be from 2"));
  CHECK(has(3, "colour", "blue", "unknown key"));
  CHECK(has(6, "factors[0].key", "supply.max_working_shar", "not a scenario key"));
  CHECK(has(13, "factors[1].distribution", "gamma", "must be uniform, normal, triangular, log-uniform or discrete"));
  CHECK(has(18, "factors[2].low", "0", "must be > 0 for a log-uniform factor"));
  CHECK(has(25, "factors[3].high", "0.5", "must be above low (0.9)"));
  CHECK(has(27, "factors[3].sd", "-1", "> 0"));
  CHECK(has(30, "prim.direction", "=", "must be \">=\" or \"<=\""));
  // Each message names the file and line.
  CHECK(all.find(file + ":1:") != std::string::npos);
  CHECK(read_study_file(kThreeFactors).factors.size() == 3);
}

TEST_CASE("default factors: the declared ranges the scenario uses, without a switched-off lever's (and why)") {
  const Scenario sq = load_scenario(kStatusQuo);
  const FactorSet off = default_factors(sq);
  bool capacity = false;
  for (const Factor& f : off.factors) {
    CHECK(f.key.rfind("policy.purchase_at_buyer.", 0) != 0);
    CHECK(f.key.rfind("policy.exclude_security.", 0) != 0);
    capacity = capacity || f.key == "supply.max_working_share";
    CHECK(f.distribution == Distribution::kUniform);
  }
  CHECK(capacity);
  std::string notes;
  for (const auto& n : off.notes) notes += n + "\n";
  CHECK(notes.find("policy.purchase_at_buyer.") != std::string::npos);
  CHECK(notes.find("switches off") != std::string::npos);
  // Lever 1's parameters act whenever the targets are national (the law from
  // 2026), so they stay factors with its switch off.
  bool national = false;
  for (const Factor& f : off.factors) national = national || f.key == "policy.abolish_split.friction_gain";
  CHECK(national);
  CHECK(notes.find("policy.abolish_split.") == std::string::npos);
  // Switched on, the lever's parameters are factors again.
  const Scenario on = load_scenario(kStatusQuo, {{"policy.purchase_at_buyer.enabled", "true"}, {"policy.purchase_at_buyer.year", "2027"}});
  const FactorSet with = default_factors(on);
  CHECK(with.factors.size() > off.factors.size());
  bool lever = false;
  for (const Factor& f : with.factors) lever = lever || f.key.rfind("policy.purchase_at_buyer.", 0) == 0;
  CHECK(lever);
}

TEST_CASE("Sobol' with SALib's names on the Ishigami function, through study factors: the closed forms") {
  // x_i uniform on [-pi, pi] as study factors; the design's unit points are
  // mapped by Factor::value_at (the text a scenario would read) and back.
  constexpr double kA = 7.0, kB = 0.1;
  std::vector<Factor> factors(3);
  for (std::size_t k = 0; k < 3; ++k) {
    factors[k].key = "x" + std::to_string(k + 1);
    factors[k].low = -M_PI;
    factors[k].high = M_PI;
  }
  const std::size_t n_base = 4096;
  const auto design = engine::saltelli_design(n_base, 3, 1990);
  std::vector<double> y(design.points.rows());
  for (std::size_t i = 0; i < y.size(); ++i) {
    double x[3];
    for (std::size_t k = 0; k < 3; ++k) x[k] = factors[k].number(factors[k].value_at(design.points(i, k)));
    const double s2 = std::sin(x[1]);
    y[i] = std::sin(x[0]) + kA * s2 * s2 + kB * std::pow(x[2], 4) * std::sin(x[0]);
  }
  const double pi4 = std::pow(M_PI, 4), pi8 = std::pow(M_PI, 8);
  const double v1 = kB * pi4 / 5 + kB * kB * pi8 / 50 + 0.5, v2 = kA * kA / 8, v13 = kB * kB * pi8 / 18 - kB * kB * pi8 / 50;
  const double v = v1 + v2 + v13;
  const double s1[3] = {v1 / v, v2 / v, 0}, st[3] = {(v1 + v13) / v, v2 / v, v13 / v};
  SobolSettings settings;
  const SobolTable t = sobol_table({"x1", "x2", "x3"}, "f", y, settings, 7);
  REQUIRE(t.failure.empty());
  REQUIRE(t.rows.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const SobolRow& r = t.rows[k];
    CAPTURE(k);
    CAPTURE(r.S1);
    CAPTURE(r.S1_conf);
    CAPTURE(r.ST);
    CAPTURE(r.ST_conf);
    // _conf is SALib's: 1.96 bootstrap standard deviations; the closed form
    // lies within two of them (about 4 standard errors).
    CHECK(r.S1_conf == doctest::Approx(1.959963984540054 * r.s1_interval.std_error));
    CHECK(std::abs(r.S1 - s1[k]) <= 2 * r.S1_conf);
    CHECK(std::abs(r.ST - st[k]) <= 2 * r.ST_conf);
    CHECK(r.S1_conf < 0.05);  // informative
    CHECK(r.ST_conf < 0.05);
  }
  // The CSV carries exactly these numbers under SALib's names.
  SensitivityResult res;
  res.sobol.push_back(t);
  const CompanionStamp stamp{7, "00000000000000a1", "00000000000000b2"};
  const auto rows = csv_rows(indices_csv(res, stamp));
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"output", "factor", "S1", "S1_conf", "ST", "ST_conf", "seed",
                                            "resolved_hash", "identity_hash"});
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(std::vector<std::string>(rows[1 + k].begin() + 6, rows[1 + k].end()) ==
          std::vector<std::string>{"7", "00000000000000a1", "00000000000000b2"});
    CHECK(rows[1 + k][1] == "x" + std::to_string(k + 1));
    CHECK(std::stod(rows[1 + k][2]) == t.rows[k].S1);
    CHECK(std::stod(rows[1 + k][3]) == t.rows[k].S1_conf);
    CHECK(std::stod(rows[1 + k][4]) == t.rows[k].ST);
    CHECK(std::stod(rows[1 + k][5]) == t.rows[k].ST_conf);
  }
  CHECK(z_of(0.95) == doctest::Approx(1.959963984540054).epsilon(1e-12));
}

TEST_CASE("a three-factor study file runs Sobol', Morris and PRIM on the model") {
  const std::string& study = kThreeFactors;
  ExecutionContext ctx;
  ctx.threads = 2;
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = study;
  r.overrides = {{"target.year", "2029"}};  // P(reach) near 0.6: an output that varies
  const DesignStudy sobol = plan_sensitivity(r);
  CHECK(sobol.method == "sobol");
  CHECK(sobol.unit.rows() == 8 * (3 + 2));
  const SensitivityResult sr = run_sensitivity(sobol, std::nullopt, false, ctx);
  REQUIRE(sr.sobol.size() == 2);
  for (const auto& t : sr.sobol) {
    CHECK(t.failure.empty());
    for (const auto& row : t.rows) CHECK((std::isfinite(row.S1) && std::isfinite(row.ST_conf)));
  }
  // Every design row's discrete factor is one of its values; the normal's within its truncation.
  const auto& table = sr.evaluated.run.table;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const std::string& d = table.rows[i][table.column("quota.bonus_per_job_eur")];
    CHECK((d == "1000" || d == "2000" || d == "4000"));
    const double c = table.number(i, table.column("supply.max_working_share"));
    CHECK((c >= 0.6 && c <= 0.95));
  }
  r.method = "morris";
  r.samples = 4;
  const DesignStudy morris = plan_sensitivity(r);
  const SensitivityResult mr = run_sensitivity(morris, std::nullopt, false, ctx);
  REQUIRE(mr.morris.size() == 2);
  for (const auto& row : mr.morris[0].rows) CHECK(row.mu_star >= std::abs(row.mu) - 1e-12);
  r.method.reset();
  r.samples = 32;
  r.threshold = 0.3;
  const DiscoveryResult dr = run_discovery(plan_discovery(r), std::nullopt, false, ctx);
  CHECK(dr.n_interest > 0);
  CHECK(!dr.boxes.empty());
  // A threshold no point reaches: no box, and the message gives the
  // output's range and median over the points (the median recomputed here).
  r.threshold = 0.999;  // a probability's threshold lies in [0, 1] (plan_discovery refuses 1.5)
  const DiscoveryResult none = run_discovery(plan_discovery(r), std::nullopt, false, ctx);
  CHECK(none.n_interest == 0);
  CHECK(none.boxes.empty());
  std::vector<double> y = none.evaluated.outputs[0];
  REQUIRE(y.size() == 32);
  std::sort(y.begin(), y.end());
  CAPTURE(none.stop);
  CHECK(none.stop.find("No point is a case of interest (p_reach >= 0.999)") != std::string::npos);
  CHECK(none.stop.find("ranged from " + banensim::engine::significant(y.front(), 4) + " to " +
                       banensim::engine::significant(y.back(), 4) + ", median " +
                       banensim::engine::significant(0.5 * (y[15] + y[16]), 4)) != std::string::npos);
}

TEST_CASE("PRIM: the reported coverage and density recount exactly from its own CSV files") {
  const Scratch s;
  const std::string& study = kThreeFactors;
  const std::string out = (s.dir / "discover.csv").string();
  ExecutionContext ctx;
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = study;
  r.samples = 128;
  r.paths = 200;
  r.threshold = 0.3;
  r.overrides = {{"target.year", "2029"}};  // P(reach) near 0.6: cases on both sides
  const DesignStudy plan = plan_discovery(r);
  const DiscoveryResult res = run_discovery(plan, out, false, ctx);
  REQUIRE(!res.boxes.empty());
  // The design rows as written, and the trajectory as written: nothing else.
  const auto rows = csv_rows(slurp(out));
  const auto traj = csv_rows(trajectory_csv(plan, res));
  const auto& head = rows[0];
  const auto& th = traj[0];
  const std::size_t c_p = index_of(head, "p_reach");
  std::size_t n_interest = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) n_interest += std::stod(rows[i][c_p]) >= 0.3 ? 1U : 0U;
  CHECK(n_interest == res.n_interest);
  std::size_t checked = 0;
  for (std::size_t b = 1; b < traj.size(); ++b) {
    if (traj[b][index_of(th, "search")] != "1") continue;
    std::size_t inside = 0, interest = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      bool in = true;
      for (const Factor& f : plan.factors) {
        const double x = f.number(rows[i][index_of(head, f.key)]);
        const double lo = std::stod(traj[b][index_of(th, f.key + "_low")]);
        const double hi = std::stod(traj[b][index_of(th, f.key + "_high")]);
        in = in && x >= lo && x <= hi;
      }
      if (!in) continue;
      ++inside;
      interest += std::stod(rows[i][c_p]) >= 0.3 ? 1U : 0U;
    }
    CAPTURE(b);
    CHECK(std::to_string(inside) == traj[b][index_of(th, "n_inside")]);
    CHECK(std::to_string(interest) == traj[b][index_of(th, "n_interest_inside")]);
    CHECK(std::stod(traj[b][index_of(th, "coverage")]) == static_cast<double>(interest) / static_cast<double>(n_interest));
    CHECK(std::stod(traj[b][index_of(th, "density")]) == static_cast<double>(interest) / static_cast<double>(inside));
    CHECK(std::stod(traj[b][index_of(th, "mass")]) ==
          static_cast<double>(inside) / static_cast<double>(rows.size() - 1));
    ++checked;
  }
  CHECK(checked == res.boxes[0].search.trajectory.size());
  // The box shown is one of them, with a quasi-p-value for each side it cut.
  const BoxFinding& f = res.boxes[0];
  for (std::size_t j = 0; j < plan.factors.size(); ++j) {
    if (!f.box().restricted[j]) continue;
    const bool cut_low = f.box().low[j] > f.search.domain_low[j], cut_high = f.box().high[j] < f.search.domain_high[j];
    if (cut_low) CHECK((f.quasi_p.low[j] >= 0 && f.quasi_p.low[j] <= 1));
    if (cut_high) CHECK((f.quasi_p.high[j] >= 0 && f.quasi_p.high[j] <= 1));
  }
}

TEST_CASE("point loop: a result file begun on other data is refused on resume, naming the data file") {
  const Scratch s;
  fs::copy_file(kSource + "/data/monitor-history.csv", s.dir / "history.csv");
  const std::string scenario =
      s.write("s.toml", "extends = \"" + kStatusQuo + "\"\n[history]\nfile = \"history.csv\"\n");
  const std::string out = (s.dir / "sweep.csv").string();
  SweepRequest r;
  r.scenario = scenario;
  r.keys = {range_key("supply.max_working_share", 0.6, 0.9, 4, "test")};
  r.paths = 100;
  // Interrupted after the first point: its row is in the partial file.
  StopAfterFirstPoint stop;
  const PointRun first = run_sweep(plan_sweep(r), out, false, stop.ctx);
  CHECK_FALSE(first.completed);
  REQUIRE(fs::exists(engine::ResultsJournal::partial_path(out)));
  // The data file is edited (one more digit in the last line's last cell).
  std::string history = slurp(s.dir / "history.csv");
  REQUIRE(history.size() > 2);
  history.insert(history.size() - 1, "1");
  std::ofstream(s.dir / "history.csv", std::ios::binary) << history;
  stop.let_run();
  const std::string message = resume_refusal(r, out, stop.ctx);
  INFO(message);
  CHECK(message.find("was begun on other data") != std::string::npos);
  CHECK(message.find("history.file (") != std::string::npos);
  CHECK(message.find("has changed since the file was begun") != std::string::npos);
  // The partial file is untouched: still one row.
  CHECK(csv_rows(slurp(engine::ResultsJournal::partial_path(out))).size() == 2);  // columns and one row
}

TEST_CASE("point loop: files made from an earlier run's rows are removed as the new rows take their place, not before") {
  const Scratch s;
  const std::string out = (s.dir / "sweep.csv").string(), chart = (s.dir / "sweep.svg").string();
  std::ofstream(chart) << "<svg>an earlier run's chart</svg>";
  SweepRequest r;
  r.scenario = kStatusQuo;
  r.keys = {range_key("supply.max_working_share", 0.6, 0.9, 3, "test")};
  r.paths = 100;
  StopAfterFirstPoint stop;
  // Interrupted: the earlier chart stays with the earlier result (here: none yet).
  CHECK_FALSE(run_sweep(plan_sweep(r), out, false, stop.ctx, {chart}).completed);
  CHECK(fs::exists(chart));
  // Complete: removed as the rows are committed, for the caller to write anew.
  stop.let_run();
  CHECK(run_sweep(plan_sweep(r), out, true, stop.ctx, {chart}).completed);
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(chart));
}

TEST_CASE("point loop: a data file a swept key names is fingerprinted too, and an edit to it refuses the resume") {
  const Scratch s;
  for (const char* name : {"law-a.csv", "law-b.csv"}) fs::copy_file(kSource + "/data/law.csv", s.dir / name);
  const std::string out = (s.dir / "sweep.csv").string();
  SweepRequest r;
  r.scenario = kStatusQuo;
  r.keys = {SweepKey{"law.file", {(s.dir / "law-a.csv").string(), (s.dir / "law-b.csv").string()}, "test"},
            range_key("supply.max_working_share", 0.6, 0.9, 2, "test")};
  r.paths = 100;
  StopAfterFirstPoint stop;
  const SweepStudy plan = plan_sweep(r);
  // The base's own law file is in a "# data" line; the two the points name in "# point data" lines.
  CHECK(plan.provenance().find("# point data law.file = " + (s.dir / "law-b.csv").string() + " fnv1a64 ") !=
        std::string::npos);
  const PointRun first = run_sweep(plan, out, false, stop.ctx);
  CHECK_FALSE(first.completed);
  REQUIRE(fs::exists(engine::ResultsJournal::partial_path(out)));
  // law-b.csv edited (its surcharge starts a year later), the resume is refused, naming that file.
  std::string law = slurp(s.dir / "law-b.csv");
  REQUIRE(law.find("\n2026,") != std::string::npos);
  law.replace(law.find("\n2026,"), 6, "\n2027,");
  std::ofstream(s.dir / "law-b.csv", std::ios::binary) << law;
  stop.let_run();
  const std::string message = resume_refusal(r, out, stop.ctx);
  INFO(message);
  CHECK(message.find("was begun on other data") != std::string::npos);
  CHECK(message.find("law.file = " + (s.dir / "law-b.csv").string() + " (a data file the study's points name) "
                     "has changed since the file was begun") != std::string::npos);
  CHECK(csv_rows(slurp(engine::ResultsJournal::partial_path(out))).size() == 2);  // untouched: columns and one row
}

TEST_CASE("given points: the identity hashes a number key's value, not how it is written") {
  // to_numpy() turns 1000 into 1000.0: a file begun from either resumes from the other.
  const auto identity = [](const std::vector<std::vector<std::string>>& rows) {
    SweepRequest r;
    r.scenario = kStatusQuo;
    r.paths = 100;
    GivenPoints g;
    g.keys = {"quota.bonus_per_job_eur", "target.year", "uncertainty.dof.regular"};
    g.rows = rows;
    r.points = g;
    const std::string p = plan_sweep(r).provenance();  // plans (checks every point) without running
    const auto at = p.find("\n# points ");
    REQUIRE(at != std::string::npos);
    return p.substr(at + 1, p.find('\n', at + 1) - at - 1);
  };
  const std::string plain = identity({{"1000", "2027", "3"}, {"0.5", "2030", "5"}});
  CHECK(plain.rfind("# points 2 fnv1a64 ", 0) == 0);
  // Whole floats for the integer keys are accepted (SALib's designs are float) and are the same points.
  CHECK(identity({{"1000.0", "2027.0", "3.0"}, {"0.50", "2030.0", "5.0"}}) == plain);
  CHECK(identity({{"1e3", "2027", "3e0"}, {"5e-1", "2.03e3", "5"}}) == plain);
  CHECK(identity({{"+1000", "2027", "3"}, {".5", "2030", "5"}}) == plain);
  // As the loader reads them (one parser): blanks and line ends around a value, and an integer key's -0.0 as 0.
  CHECK(identity({{" 1000\r", "2027\n", "3"}, {"0.5", "2030", "5"}}) == plain);
  CHECK(identity({{"1000", "2027", "3"}, {"0.5", "2030", "-0.0"}}) ==
        identity({{"1000", "2027", "3"}, {"0.5", "2030", "0"}}));
  // Other values are other points.
  CHECK(identity({{"1001", "2027", "3"}, {"0.5", "2030", "5"}}) != plain);
  CHECK(identity({{"1000", "2028", "3"}, {"0.5", "2030", "5"}}) != plain);
  CHECK(identity({{"1000", "2027", "4"}, {"0.5", "2030", "5"}}) != plain);
  CHECK(identity({{"0.5", "2030", "5"}, {"1000", "2027", "3"}}) != plain);  // the order is the rows'
}

TEST_CASE("sensitivity: a constant output keeps its rows, with undefined Sobol' indices and zero Morris effects") {
  const std::vector<std::string> factors = {"a", "b", "c"};
  const CompanionStamp stamp{7, "0123456789abcdef", "fedcba9876543210"};
  SobolSettings so;
  so.second_order = true;
  SensitivityResult sobol;
  sobol.sobol.push_back(sobol_table(factors, "p_quota", std::vector<double>(4 * (2 * 3 + 2), 0.25), so, 1));
  const SobolTable& t = sobol.sobol[0];
  CHECK(t.failure.find("zero variance: the output is the same at every design row") == 0);
  REQUIRE(t.rows.size() == 3);
  REQUIRE(t.pairs.size() == 3);
  for (const SobolRow& row : t.rows) CHECK((std::isnan(row.S1) && std::isnan(row.S1_conf) && std::isnan(row.ST)));
  // One row per (output, factor) and per (output, pair), the indices' cells empty.
  CHECK(indices_csv(sobol, stamp) ==
        "output,factor,S1,S1_conf,ST,ST_conf,seed,resolved_hash,identity_hash\n"
        "p_quota,a,,,,,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,b,,,,,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,c,,,,,7,0123456789abcdef,fedcba9876543210\n");
  CHECK(second_order_csv(sobol, stamp) ==
        "output,factor_1,factor_2,S2,S2_conf,seed,resolved_hash,identity_hash\n"
        "p_quota,a,b,,,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,a,c,,,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,b,c,,,7,0123456789abcdef,fedcba9876543210\n");
  // Morris: every elementary effect of a constant output is 0, defined, and said so.
  engine::MorrisOptions mo;
  mo.n_trajectories = 4;
  const engine::MorrisDesign design = engine::morris_design(3, mo);
  SensitivityResult morris;
  morris.morris.push_back(
      morris_table(factors, "p_quota", design, std::vector<double>(design.points.rows(), 0.25), MorrisSettings{}, 1));
  CHECK(morris.morris[0].failure.empty());
  CHECK(morris.morris[0].constant);
  CHECK(indices_csv(morris, stamp) ==
        "output,factor,mu,mu_star,mu_star_conf,sigma,seed,resolved_hash,identity_hash\n"
        "p_quota,a,0,0,0,0,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,b,0,0,0,0,7,0123456789abcdef,fedcba9876543210\n"
        "p_quota,c,0,0,0,0,7,0123456789abcdef,fedcba9876543210\n");
}

TEST_CASE("sensitivity: the notes name an output without indices and why, beside the one that has them") {
  ExecutionContext ctx;
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = kThreeFactors;
  r.samples = 4;
  r.paths = 100;
  // Far above any path's total: P(reach) is 0 at every row; the mean total varies.
  r.overrides = {{"target.total_jobs", "10000000"}};
  const SensitivityResult sr = run_sensitivity(plan_sensitivity(r), std::nullopt, false, ctx);
  REQUIRE(sr.sobol.size() == 2);
  CHECK_FALSE(sr.sobol[0].failure.empty());
  CHECK(sr.sobol[1].failure.empty());
  REQUIRE(sr.notes.size() == 1);
  CHECK(sr.notes[0].rfind("p_reach: no Sobol' indices (zero variance: ", 0) == 0);
  r.method = "morris";
  const SensitivityResult mr = run_sensitivity(plan_sensitivity(r), std::nullopt, false, ctx);
  REQUIRE(mr.notes.size() == 1);
  CHECK(mr.notes[0].rfind("p_reach: the same at every design row, so every elementary effect is 0", 0) == 0);
}

TEST_CASE("sensitivity: a run without second order removes an earlier run's FILE.s2.csv as its rows are committed") {
  const Scratch s;
  const std::string study = s.write("s2.toml", slurp(kThreeFactors) + "\n[sobol]\nsecond_order = true\n");
  const std::string out = (s.dir / "st.csv").string(), s2 = (s.dir / "st.s2.csv").string();
  ExecutionContext ctx;
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = study;
  r.samples = 4;
  r.paths = 100;
  const auto run = [&](const DesignRequest& request, bool resume, ExecutionContext& c) {
    const DesignStudy plan = plan_sensitivity(request);
    SensitivityResult res = run_sensitivity(plan, out, resume, c);
    if (res.evaluated.run.completed) write_sensitivity_files(sensitivity_files(plan, out), plan, res);
    return res;
  };
  // The study file asks for second order: the file is written.
  CHECK(run(r, false, ctx).notes.empty());
  REQUIRE(fs::exists(s2));
  const std::string earlier = slurp(s2);
  // false overrides the study file (--no-second-order, Python's second_order=False).
  r.second_order = false;
  CHECK(plan_sensitivity(r).design.find("second_order") == std::string::npos);
  CHECK(plan_sensitivity(r).unit.rows() == 4 * (3 + 2));
  // Interrupted: the earlier result stays whole, its second-order file with it.
  StopAfterFirstPoint stop;
  CHECK_FALSE(run(r, false, stop.ctx).evaluated.run.completed);
  CHECK(slurp(s2) == earlier);
  // Completed: removed as the new rows take st.csv's place, and said so.
  stop.let_run();
  const SensitivityResult done = run(r, true, stop.ctx);
  REQUIRE(done.evaluated.run.completed);
  CHECK_FALSE(fs::exists(s2));
  REQUIRE(done.notes.size() == 1);
  CHECK(done.notes[0] == "removed " + s2 + ", the second-order indices of an earlier run of " + out +
                             ": this run has none, and they would be read as this run's");
  CHECK(fs::exists(s.dir / "st.indices.csv"));
  // A file of that name the program did not write is not its to remove.
  std::ofstream(s2) << "my own notes\n";
  const SensitivityResult again = run(r, false, ctx);
  CHECK(slurp(s2) == "my own notes\n");
  REQUIRE(again.notes.size() == 1);
  CHECK(again.notes[0].rfind("left " + s2 + " as it is: this run writes no second-order indices", 0) == 0);
}

TEST_CASE("sensitivity: an earlier FILE.s2.csv is removed only while it is the file judged, and a failure is said") {
  const Scratch s;
  const std::string out = (s.dir / "rc.csv").string(), s2 = (s.dir / "rc.s2.csv").string();
  const std::string header = "output,factor_1,factor_2,S2,S2_conf,seed,resolved_hash,identity_hash\n";
  const std::string earlier = header + "p_reach,a,b,0.1,0.01,2013,0123456789abcdef,fedcba9876543210\n";
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = kThreeFactors;
  r.samples = 4;
  r.paths = 100;
  const DesignStudy plan = plan_sensitivity(r);  // first order: an earlier FILE.s2.csv is not this run's
  using Outcome = CompanionRemoval::Outcome;
  const auto judged = [&] {
    const SensitivityFiles f = sensitivity_files(plan, out);
    REQUIRE(f.earlier_second_order.has_value());
    CHECK(f.earlier_second_order->path == s2);
    return *f.earlier_second_order;
  };
  // Replaced after it was judged (another run's, with the stamp too): left as it is, saying why.
  s.write("rc.s2.csv", earlier);
  JudgedCompanion j = judged();
  const std::string other = header + "p_reach,a,b,0.2,0.02,7,0123456789abcdef,0000000000000000\n";
  s.write("rc.s2.csv", other);
  CompanionRemoval done = remove_earlier_companion(j);
  CHECK(done.outcome == Outcome::kChanged);
  CHECK(done.detail.rfind("its content changed since this run began (fnv1a64 " + j.digest + " then, ", 0) == 0);
  CHECK(slurp(s2) == other);
  // A link now, even to the very bytes judged: not the file judged, not followed.
  s.write("rc.s2.csv", earlier);
  j = judged();
  const std::string target = s.write("elsewhere.csv", earlier);
  fs::remove(s2);
  fs::create_symlink(target, s2);
  done = remove_earlier_companion(j);
  CHECK(done.outcome == Outcome::kChanged);
  CHECK(done.detail == "it is no longer a regular file that can be read");
  CHECK(fs::is_symlink(s2));
  CHECK(slurp(target) == earlier);
  fs::remove(s2);
  // Still the file judged, but the removal fails: said, with the error, and the file is still there.
  s.write("rc.s2.csv", earlier);
  j = judged();
  done = remove_earlier_companion(j, [](const fs::path&, std::error_code& ec) {
    ec = std::make_error_code(std::errc::permission_denied);
    return false;
  });
  CHECK(done.outcome == Outcome::kFailed);
  CHECK(done.detail == std::make_error_code(std::errc::permission_denied).message());
  CHECK(slurp(s2) == earlier);
  // Unchanged: removed; then nothing left to do.
  done = remove_earlier_companion(j);
  CHECK(done.outcome == Outcome::kRemoved);
  CHECK_FALSE(fs::exists(s2));
  CHECK(remove_earlier_companion(j).outcome == Outcome::kGone);
}

TEST_CASE("sensitivity: an earlier FILE.s2.csv replaced while the run runs is left at the commit, with a note") {
  const Scratch s;
  const std::string out = (s.dir / "mid.csv").string(), s2 = (s.dir / "mid.s2.csv").string();
  const std::string header = "output,factor_1,factor_2,S2,S2_conf,seed,resolved_hash,identity_hash\n";
  s.write("mid.s2.csv", header + "p_reach,a,b,0.1,0.01,2013,0123456789abcdef,fedcba9876543210\n");
  DesignRequest r;
  r.scenario = kStatusQuo;
  r.study_file = kThreeFactors;
  r.samples = 4;
  r.paths = 100;
  const DesignStudy plan = plan_sensitivity(r);
  // Judged at the start of the run; at its first point another process puts its own file there.
  const std::string replaced = "my notes, written while the study ran\n";
  ExecutionContext ctx;
  ctx.on_point = [&](std::uint64_t i, std::uint64_t) {
    if (i == 0) s.write("mid.s2.csv", replaced);
  };
  const SensitivityResult res = run_sensitivity(plan, out, false, ctx);
  REQUIRE(res.evaluated.run.completed);
  CHECK(fs::exists(out));  // the rows are committed all the same
  CHECK(slurp(s2) == replaced);
  CHECK(res.errors.empty());
  REQUIRE(res.notes.size() == 1);
  CHECK(res.notes[0].rfind("left " + s2 + " as it is: when this run began it held the second-order indices of an "
                           "earlier run of " + out + ", but its content changed since this run began (fnv1a64 ",
                           0) == 0);
}
