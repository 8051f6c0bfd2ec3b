// End-to-end tests of `banensim sweep` and `banensim backtest`: run the
// program as a user would, parse what it writes, interrupt it and resume.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "declared_parameters.hpp"
#include "program_runner.hpp"
#include "support/markup_check.hpp"

namespace fs = std::filesystem;

using test_support::ProgramResult;
using test_support::run_program;

namespace {

using Result = ProgramResult;

// Runs banensim with `args` (shell words) from the source directory.
Result banensim(const std::string& args) { return run_program(std::string("'") + BANENSIM_BINARY + "' " + args); }

using test_support::slurp;

const test_support::ScratchDir g_scratch("banensim_research_");
fs::path temp_path(const std::string& name) { return g_scratch.path(name); }

// A sweep CSV: the comment lines, the column names and the rows as text fields.
struct SweepCsv {
  std::vector<std::string> comments;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::size_t col(const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    FAIL("no column " << name);
    return 0;
  }
  double number(std::size_t row, const std::string& name) const { return std::stod(rows.at(row).at(col(name))); }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f(1);
  for (char c : line) {
    if (c == ',') {
      f.emplace_back();
    } else {
      f.back() += c;
    }
  }
  return f;
}

SweepCsv read_sweep(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in.good());
  SweepCsv csv;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      csv.comments.push_back(line);
    } else if (csv.columns.empty()) {
      csv.columns = split(line);
    } else {
      csv.rows.push_back(split(line));
      REQUIRE(csv.rows.back().size() == csv.columns.size());
    }
  }
  return csv;
}

const std::vector<std::string> kResultColumns = {
    "p_reach",         "p_reach_ci_low", "p_reach_ci_high",    "total_p05", "total_p50", "total_p95", "p_quota",
    "p_quota_ci_low",  "p_quota_ci_high", "charge_mean_eur", "charge_std_error_eur", "seed", "paths"};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

using test_support::well_formed_svg;

std::size_t data_lines(const fs::path& p, std::size_t header_lines) {
  const std::string text = slurp(p);
  const auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return n > header_lines ? n - header_lines : 0;
}

}  // namespace

TEST_SUITE("cli") {
TEST_CASE("sweep: one key over 11 points gives 11 rows, the documented columns and a line chart") {
  const fs::path csv = temp_path("one.csv"), svg = temp_path("one.svg");
  const auto r = banensim("sweep scenarios/status-quo.toml --range growth.market.trend_mean=3000:11000:11 --paths 1500 "
                          "--out " + csv.string() + " --svg " + svg.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const SweepCsv c = read_sweep(csv);
  // The provenance line, one line per data file (its content's digest, not its path), the key.
  REQUIRE(c.comments.size() >= 4);
  CHECK(c.comments[0].find("seed 2013") != std::string::npos);
  CHECK(c.comments[0].find("resolved_hash ") != std::string::npos);
  std::string data;
  for (std::size_t i = 1; i + 1 < c.comments.size(); ++i) {
    CHECK(c.comments[i].rfind("# data ", 0) == 0);
    data += c.comments[i] + "\n";
  }
  CHECK(data.find("# data history.file fnv1a64 ") != std::string::npos);
  CHECK(data.find("# data targets.file fnv1a64 ") != std::string::npos);
  CHECK(data.find("# data law.file fnv1a64 ") != std::string::npos);
  CHECK(c.comments.back() == "# key growth.market.trend_mean = 3000,3800,4600,5400,6200,7000,7800,8600,9400,10200,11000");
  std::vector<std::string> expected = {"point", "growth.market.trend_mean"};
  expected.insert(expected.end(), kResultColumns.begin(), kResultColumns.end());
  expected.push_back("check");  // each row's check value, verified by --resume
  CHECK(c.columns == expected);
  REQUIRE(c.rows.size() == 11);
  for (std::size_t i = 0; i < 11; ++i) {
    CHECK(c.rows[i][0] == std::to_string(i));
    CHECK(c.number(i, "growth.market.trend_mean") == doctest::Approx(3000 + 800.0 * static_cast<double>(i)));
    CHECK(c.number(i, "p_reach_ci_low") <= c.number(i, "p_reach"));
    CHECK(c.number(i, "p_reach") <= c.number(i, "p_reach_ci_high"));
    CHECK(c.number(i, "total_p05") <= c.number(i, "total_p50"));
    CHECK(c.number(i, "seed") == 2013);
    CHECK(c.number(i, "paths") == 1500);
  }
  const std::string s = slurp(svg);
  CHECK(well_formed_svg(s));
  CHECK(count(s, "class=\"point\"") == 11);
}

TEST_CASE("sweep: P(reach) is monotone in the market trend at a modest path count (common random numbers)") {
  const fs::path csv = temp_path("monotone.csv");
  const auto r = banensim("sweep scenarios/status-quo.toml --range growth.market.trend_mean=6000:8000:9 --paths 1000 "
                          "--out " + csv.string());
  REQUIRE(r.exit_code == 0);
  const SweepCsv c = read_sweep(csv);
  REQUIRE(c.rows.size() == 9);
  // Steps of 250 jobs/year move P(reach) by about 0.02, below the 95% half-width at 1,000 paths (0.03):
  // independent draws would often reverse the order; paired draws shift every path up together.
  for (std::size_t i = 0; i + 1 < c.rows.size(); ++i) {
    CAPTURE(i);
    CHECK(c.number(i + 1, "p_reach") >= c.number(i, "p_reach"));
    CHECK(c.number(i + 1, "total_p50") >= c.number(i, "total_p50"));
  }
  CHECK(c.number(8, "p_reach") > c.number(0, "p_reach"));
}

TEST_CASE("sweep: a key that does not affect the outcome gives identical numbers at every point") {
  // Lever 2 is off in the status quo, so its procurement gain changes nothing; on the same draws every
  // result column must be equal, bit for bit.
  const fs::path csv = temp_path("crn.csv");
  const auto r = banensim("sweep scenarios/status-quo.toml --set policy.purchase_at_buyer.procurement_gain_per_year=0,500,1000 "
                          "--paths 2000 --out " + csv.string());
  REQUIRE(r.exit_code == 0);
  const SweepCsv c = read_sweep(csv);
  REQUIRE(c.rows.size() == 3);
  for (const auto& name : kResultColumns) {
    CAPTURE(name);
    CHECK(c.rows[1][c.col(name)] == c.rows[0][c.col(name)]);
    CHECK(c.rows[2][c.col(name)] == c.rows[0][c.col(name)]);
  }
}

TEST_CASE("sweep: a two-key grid in row-major order with a heat map") {
  const fs::path csv = temp_path("grid.csv"), svg = temp_path("grid.svg");
  const auto r = banensim("sweep scenarios/status-quo.toml --set growth.market.trend_mean=5000,9000 "
                          "--range supply.shape=1:3:3 --paths 1000 --out " + csv.string() + " --svg " + svg.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const SweepCsv c = read_sweep(csv);
  REQUIRE(c.rows.size() == 6);
  CHECK(c.columns[1] == "growth.market.trend_mean");
  CHECK(c.columns[2] == "supply.shape");
  const char* expected[6][2] = {{"5000", "1"}, {"5000", "2"}, {"5000", "3"}, {"9000", "1"}, {"9000", "2"}, {"9000", "3"}};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(c.rows[i][1] == expected[i][0]);
    CHECK(c.rows[i][2] == expected[i][1]);
  }
  const std::string s = slurp(svg);
  CHECK(well_formed_svg(s));
  CHECK(count(s, "class=\"cell\"") == 6);
}

TEST_CASE("sweep: a tornado over every uncertain parameter the status quo uses") {
  const fs::path csv = temp_path("tornado.csv"), svg = temp_path("tornado.svg");
  const auto r = banensim("sweep scenarios/status-quo.toml --one-at-a-time --range-from-schema --paths 500 --out " +
                          csv.string() + " --svg " + svg.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const SweepCsv c = read_sweep(csv);
  CHECK(c.columns[0] == "point");
  CHECK(c.columns[1] == "varied");
  const std::size_t n_keys = c.columns.size() - 2 - kResultColumns.size() - 1;  // point, varied, keys, results, check
  // The uncertain parameters as declared, in declaration order, without those
  // of the levers the status quo switches off (which cannot change an output).
  const std::vector<std::string> uncertain = declared_uncertain_keys_in_use(std::string(BANENSIM_SOURCE_DIR) + "/scenarios/status-quo.toml");
  REQUIRE(uncertain.size() < declared_uncertain_keys().size());
  REQUIRE(n_keys == uncertain.size());
  for (std::size_t k = 0; k < n_keys; ++k) CHECK(c.columns[2 + k] == uncertain[k]);
  // The output says which were left out, and why.
  for (const std::string& key : declared_uncertain_keys()) {
    if (std::find(uncertain.begin(), uncertain.end(), key) != uncertain.end()) continue;
    CAPTURE(key);
    CHECK(r.err.find("note: " + key + ": left out, a parameter of ") != std::string::npos);
  }
  CHECK(r.err.find("switches off") != std::string::npos);
  REQUIRE(c.rows.size() == 1 + 2 * n_keys);
  CHECK(c.rows[0][1] == "base");
  // Each point differs from the base in at most the varied key.
  for (std::size_t i = 1; i < c.rows.size(); ++i) {
    const std::string& varied = c.rows[i][1];
    for (std::size_t k = 2; k < 2 + n_keys; ++k) {
      if (c.columns[k] != varied) CHECK(c.rows[i][k] == c.rows[0][k]);
    }
  }
  // The register's working share matters (P(reach 2026) is near 0 today: on the median total).
  const auto median = [&](std::size_t i) { return c.number(i, "total_p50"); };
  for (std::size_t i = 1; i < c.rows.size(); ++i) {
    if (c.rows[i][1] == "supply.max_working_share") CHECK(median(i) != median(0));
  }
  const std::string s = slurp(svg);
  CHECK(well_formed_svg(s));
  CHECK(count(s, "class=\"bar\"") == 2 * n_keys);
}

TEST_CASE("sweep: bad keys and values are input errors (exit 2) naming key, value and constraint") {
  const fs::path csv = temp_path("bad.csv");
  auto r = banensim("sweep scenarios/status-quo.toml --set growth.market.trend_mea=5000 --out " + csv.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("did you mean 'growth.market.trend_mean'") != std::string::npos);
  r = banensim("sweep scenarios/status-quo.toml --set quota.response_max=0.1,2,-1 --out " + csv.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'quota.response_max' = 2: must be in [0, 1]") != std::string::npos);
  CHECK(r.err.find("'quota.response_max' = -1") != std::string::npos);
  r = banensim("sweep scenarios/status-quo.toml --range supply.shape=1:x:3 --out " + csv.string());
  CHECK(r.exit_code == 2);
  r = banensim("sweep scenarios/status-quo.toml --range-from-schema --out " + csv.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--one-at-a-time") != std::string::npos);
  r = banensim("sweep scenarios/status-quo.toml --set supply.shape=1,2");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--out") != std::string::npos);
  r = banensim("sweep scenarios/status-quo.toml --set supply.shape=1 --set supply.shape=2 --out " + csv.string());
  CHECK(r.exit_code == 2);
}

// The sweep the resume tests interrupt: 9 points, each long enough to be caught mid-run.
std::string resume_command(const fs::path& out, const fs::path& svg, const std::string& paths = "30000",
                           const std::string& seed = "2013", const std::string& range = "4000:10000:9") {
  return "sweep scenarios/status-quo.toml --range growth.market.trend_mean=" + range + " --paths " + paths +
         " --seed " + seed + " --threads 2 --out " + out.string() + " --svg " + svg.string();
}

TEST_CASE("sweep --resume: after SIGKILL or SIGINT at a random point, the same bytes as an uninterrupted run") {
  const std::size_t n_points = 9;
  const fs::path ref = temp_path("ref.csv"), ref_svg = temp_path("ref.svg");
  REQUIRE(banensim(resume_command(ref, ref_svg)).exit_code == 0);
  const std::string expected = slurp(ref);
  // provenance, one line per data file, the key ("# ..."), then the columns
  const std::size_t header_lines = static_cast<std::size_t>(std::count(expected.begin(), expected.end(), '#')) + 1;
  const std::string expected_svg = slurp(ref_svg);
  REQUIRE(data_lines(ref, header_lines) == n_points);

  std::mt19937 rng(20131);  // seeded: the "random" stopping points are the same on every run
  for (const int sig : {SIGKILL, SIGINT, SIGKILL}) {
    CAPTURE(sig);
    const std::size_t stop_after = std::uniform_int_distribution<std::size_t>(1, n_points - 2)(rng);
    CAPTURE(stop_after);
    const fs::path out = temp_path("killed.csv"), svg = temp_path("killed.svg");
    const fs::path journal = out.string() + ".partial";
    fs::remove(journal);
    fs::remove(svg);
    // An earlier result in the file: it stays until the new sweep is complete.
    std::ofstream(out, std::ios::binary) << "an earlier result\n";
    const pid_t pid = test_support::spawn_banensim(
        {"sweep", "scenarios/status-quo.toml", "--range", "growth.market.trend_mean=4000:10000:9", "--paths", "30000",
         "--seed", "2013", "--threads", "2", "--out", out.string(), "--svg", svg.string()},
        true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline &&
           (!fs::exists(journal) || data_lines(journal, header_lines) < stop_after)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (sig == SIGINT && WIFEXITED(status)) CHECK(WEXITSTATUS(status) == 130);
    const std::size_t done = data_lines(journal, header_lines);
    CHECK(done >= stop_after);
    MESSAGE("interrupted with " << done << " of " << n_points << " points written");
    // What was written is a prefix of the uninterrupted file, beside the earlier result.
    const std::string partial = slurp(journal);
    CHECK(expected.compare(0, partial.size(), partial) == 0);
    CHECK(slurp(out) == "an earlier result\n");
    CHECK_FALSE(fs::exists(svg));  // the chart is written (atomically) only at the end
    const auto r = banensim(resume_command(out, svg) + " --resume");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(slurp(out) == expected);
    CHECK(slurp(svg) == expected_svg);
    CHECK_FALSE(fs::exists(journal));
  }
}

TEST_CASE("sweep --resume: a torn last line, a finished file, and a file of another computation") {
  const fs::path ref = temp_path("ref2.csv"), ref_svg = temp_path("ref2.svg");
  REQUIRE(banensim(resume_command(ref, ref_svg, "2000")).exit_code == 0);
  const std::string expected = slurp(ref);
  // provenance, one line per data file, the key ("# ..."), then the columns
  const std::size_t header_lines = static_cast<std::size_t>(std::count(expected.begin(), expected.end(), '#')) + 1;

  // Torn inside the last row, and torn inside an earlier row (then the rows after it are lost too).
  for (const std::size_t cut : {expected.size() - 40, expected.size() - 700}) {
    CAPTURE(cut);
    const fs::path out = temp_path("torn.csv"), svg = temp_path("torn.svg");
    std::ofstream(out, std::ios::binary) << expected.substr(0, cut);
    const auto r = banensim(resume_command(out, svg, "2000") + " --resume");
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("torn") != std::string::npos);
    CHECK(slurp(out) == expected);
  }
  // A last line of NUL bytes (what delayed allocation can leave after a power cut) is a torn line too.
  const std::size_t last_row = expected.rfind('\n', expected.size() - 2) + 1;
  {
    const fs::path out = temp_path("nul.csv"), svg = temp_path("nul.svg");
    std::ofstream(out, std::ios::binary) << expected.substr(0, last_row) << std::string(16, '\0') << "\n";
    const auto r = banensim(resume_command(out, svg, "2000") + " --resume");
    CHECK(r.exit_code == 0);
    CHECK(slurp(out) == expected);
  }
  // A damaged row is not a torn write: refused at once, exit 2, naming the
  // line, record and column, the file untouched and nothing run. Issue 13:
  // a number edited by hand (also in the last row) used to be kept, and a
  // non-numeric cell ended all remaining points later in "banensim: stod".
  {
    const std::size_t row2 = expected.find("\n2,") + 1;
    const std::size_t last = expected.rfind('\n', expected.size() - 2) + 1;
    const std::size_t p_reach_of_last = expected.find(',', expected.find(',', last) + 1) + 1;
    struct Edit {
      std::size_t at, length;
      std::string text, expected;
    };
    const Edit edits[] = {
        {row2, 2, "7,", "line " + std::to_string(header_lines + 3) + " (record 2): column 'point' = '7': records must be numbered"},
        {p_reach_of_last, 1, "9", "line " + std::to_string(header_lines + 9) + " (record 8): its check value"},
        {p_reach_of_last, 1, "abc", "line " + std::to_string(header_lines + 9) + " (record 8): column 'p_reach' = 'abc"},
    };
    for (const Edit& e : edits) {
      CAPTURE(e.expected);
      const fs::path out = temp_path("edited.csv"), svg = temp_path("edited.svg");
      std::string edited = expected;
      edited.replace(e.at, e.length, e.text);
      std::ofstream(out, std::ios::binary) << edited;
      const auto r = banensim(resume_command(out, svg, "2000") + " --resume");
      CHECK(r.exit_code == 2);
      CHECK(r.err.find(out.string() + ": " + e.expected) != std::string::npos);
      CHECK(r.err.find("stod") == std::string::npos);
      CHECK(r.out.empty());
      CHECK(slurp(out) == edited);
      CHECK_FALSE(fs::exists(out.string() + ".partial"));
    }
  }
  // The thread count is not part of the result.
  {
    const fs::path out = temp_path("threads1.csv"), svg = temp_path("threads1.svg");
    std::string cmd = resume_command(out, svg, "2000");
    cmd.replace(cmd.find("--threads 2"), 11, "--threads 1");
    REQUIRE(banensim(cmd).exit_code == 0);
    CHECK(slurp(out) == expected);
  }
  // Resuming a finished sweep runs nothing and changes nothing.
  auto r = banensim(resume_command(ref, ref_svg, "2000") + " --resume");
  CHECK(r.exit_code == 0);
  CHECK(slurp(ref) == expected);
  // A different seed, path count or grid is refused, and the file is left as it was.
  const fs::path out = temp_path("other.csv"), svg = temp_path("other.svg");
  const std::string half = expected.substr(0, expected.size() / 2);
  std::ofstream(out, std::ios::binary) << half;
  for (const std::string& cmd : {resume_command(out, svg, "2000", "7"), resume_command(out, svg, "3000"),
                                 resume_command(out, svg, "2000", "2013", "4000:10000:5")}) {
    CAPTURE(cmd);
    r = banensim(cmd + " --resume");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("different computation") != std::string::npos);
    CHECK(slurp(out) == half);
  }
}

TEST_CASE("sweep: a second process on the same journal is refused at once, the first finishes undisturbed") {
  const fs::path out = temp_path("locked.csv");
  const fs::path journal = out.string() + ".partial";
  fs::remove(out);
  fs::remove(journal);
  const std::vector<std::string> args = {"sweep", "scenarios/status-quo.toml", "--range",
                                         "growth.market.trend_mean=4000:10000:4", "--paths", "30000", "--threads",
                                         "1", "--out", out.string()};
  const pid_t first = test_support::spawn_banensim(args, true);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(journal) || data_lines(journal, 5) < 1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string command;
  for (const auto& a : args) command += "'" + a + "' ";
  for (const char* resume : {"", " --resume"}) {
    CAPTURE(resume);
    const auto start = std::chrono::steady_clock::now();
    const auto second = banensim(command + resume);
    CHECK(second.exit_code == 2);
    CHECK(second.err.find("another process is writing this journal") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));  // at once, not after its points
  }
  int status = 0;
  ::waitpid(first, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The first run's file is whole: every row verified by a resume that runs nothing.
  const auto check = banensim(command + " --resume");
  CHECK(check.exit_code == 0);
  CHECK(check.err.find("4 of 4 points done") != std::string::npos);
}

TEST_CASE("backtest --fit-until 2021: coverage, PIT and CRPS for 2022 and 2023, beside the two benchmarks") {
  auto r = banensim("backtest scenarios/status-quo.toml --fit-until 2021 --paths 20000");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string table = r.out;  // r is reused for the JSON below
  for (const char* text : {"coverage 50%", "PIT", "CRPS", "RW CRPS", "linear CRPS", "skill vs RW", "RW 50%", "2022",
                           "2023"}) {
    CAPTURE(text);
    CHECK(r.out.find(text) != std::string::npos);
  }
  r = banensim("backtest scenarios/status-quo.toml --fit-until 2021 --paths 20000 --format json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["origins"] == nlohmann::json::array({2021, 2021}));
  CHECK(j["last_observed_year"] == 2023);
  REQUIRE(j["forecasts"].size() == 1);
  const auto& f = j["forecasts"][0];
  CHECK(f["origin"] == 2021);
  CHECK(f["calibration"]["last_year"] == 2021);
  REQUIRE(f["years"].size() == 6);  // total, market, government x 2022, 2023
  for (const auto& y : f["years"]) {
    CHECK(y["year"].get<int>() >= 2022);
    CHECK(y["crps"].get<double>() >= 0);
    CHECK(y["pit"].get<double>() >= 0);
    CHECK(y["pit"].get<double>() <= 1);
    CHECK(y["p05"].get<double>() <= y["p25"].get<double>());
    CHECK(y["p25"].get<double>() <= y["median"].get<double>());
    CHECK(y["median"].get<double>() <= y["p75"].get<double>());
    CHECK(y["p75"].get<double>() <= y["p95"].get<double>());
    // Inside the 50% interval implies inside the 90% one; and the PIT says where.
    if (y["in_50"].get<bool>()) CHECK(y["in_90"].get<bool>());
    if (y["in_90"].get<bool>()) CHECK(std::abs(y["pit"].get<double>() - 0.5) <= 0.45 + 0.01);
    for (const char* b : {"random_walk", "linear_trend"}) {
      CHECK(y[b]["sd"].get<double>() > 0);
      CHECK(y[b]["crps"].get<double>() > 0);
    }
  }
  // The random walk with drift of the total, by hand: increments 2012 -> 2015 (3 years) -> ... -> 2021.
  const std::vector<std::pair<int, double>> total = {{2012, 0},     {2015, 21057}, {2016, 22554}, {2017, 36904},
                                                     {2018, 51957}, {2019, 61615}, {2020, 66097}, {2021, 72809}};
  const double drift = 72809.0 / 9;
  double ss = 0;
  for (std::size_t i = 1; i < total.size(); ++i) {
    const double h = total[i].first - total[i - 1].first;
    const double e = total[i].second - total[i - 1].second - h * drift;
    ss += e * e / h;
  }
  const auto& rw = f["years"][0]["random_walk"];
  CHECK(f["years"][0]["series"] == "total");
  CHECK(f["years"][0]["year"] == 2022);
  CHECK(rw["mean"].get<double>() == doctest::Approx(72809 + drift).epsilon(1e-12));
  CHECK(rw["sd"].get<double>() == doctest::Approx(std::sqrt(ss / 6)).epsilon(1e-12));
  // The benchmarks' coverage table: each series' row holds the counts of its forecasts' in_50 / in_90 flags.
  const auto benchmarks_table = table.find("The benchmarks' coverage of the same forecasts");
  REQUIRE(benchmarks_table != std::string::npos);
  for (const char* series : {"total", "market", "government"}) {
    CAPTURE(series);
    const auto count = [&](const char* who, const char* flag) {
      int k = 0;
      for (const auto& y : f["years"]) {
        if (y["series"] != series) continue;
        k += (*who ? y[who][flag] : y[flag]).get<bool>() ? 1 : 0;
      }
      return std::to_string(k) + "/2";
    };
    const auto row = table.find(std::string("\n") + series + " ", benchmarks_table);
    REQUIRE(row != std::string::npos);
    std::istringstream fields(table.substr(row + 1, table.find('\n', row + 1) - row - 1));
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    // series, forecasts, then six "k/2 = share" cells: model, RW, linear at 50%, then at 90%.
    REQUIRE(words.size() == 2 + 6 * 3);
    CHECK(words[1] == "2");
    CHECK(words[2] == count("", "in_50"));
    CHECK(words[5] == count("random_walk", "in_50"));
    CHECK(words[8] == count("linear_trend", "in_50"));
    CHECK(words[11] == count("", "in_90"));
    CHECK(words[14] == count("random_walk", "in_90"));
    CHECK(words[17] == count("linear_trend", "in_90"));
  }
  REQUIRE(j["summary"].size() == 3);
  CHECK(j["summary"][0]["series"] == "total");
  CHECK(j["summary"][0]["forecasts"] == 2);
  CHECK(j["summary"][0]["pit_histogram"].size() == 10);
  // Same seed, same numbers.
  const auto again = banensim("backtest scenarios/status-quo.toml --fit-until 2021 --paths 20000 --format json --threads 1");
  CHECK(nlohmann::json::parse(again.out)["forecasts"] == j["forecasts"]);
  // CSV, and with --out the pooled summary beside it.
  const fs::path csv = temp_path("backtest.csv");
  r = banensim("backtest scenarios/status-quo.toml --fit-until 2021 --paths 2000 --format csv --out " + csv.string());
  REQUIRE(r.exit_code == 0);
  const std::string rows = slurp(csv);
  CHECK(rows.rfind("origin,series,year,observed,median,p25,p75,p05,p95,in_50,in_90,pit,crps,crps_resolution,rw_mean,"
                   "rw_sd,rw_in_50,rw_in_90,rw_crps,linear_mean,linear_sd,linear_in_50,linear_in_90,linear_crps,seed,"
                   "paths,file,resolved_hash\n", 0) == 0);
  CHECK(count(rows, "\n") == 7);
  // Each row names what it was computed from: the scenario file and the hash of the scenario as run from its
  // origin (the JSON's forecasts[].resolved_hash).
  const std::string from = ",2013,2000,scenarios/status-quo.toml," +
                           j["forecasts"][0]["resolved_hash"].get<std::string>() + "\n";
  CHECK(count(rows, from) == 6);
  const std::string summary = slurp(temp_path("backtest.summary.csv"));
  CHECK(summary.rfind("series,forecasts,in_50,in_90,coverage_50,coverage_90,pit_0,", 0) == 0);
  CHECK(count(summary, "\n") == 4);
  CHECK(count(summary, ",2013,2000,scenarios/status-quo.toml\n") == 3);
}

TEST_CASE("backtest --rolling 2016:2022: one calibrated forecast per origin, pooled per series") {
  const auto r = banensim("backtest scenarios/status-quo.toml --rolling 2016:2022 --paths 2000 --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["forecasts"].size() == 7);
  int origin = 2016;
  for (const auto& f : j["forecasts"]) {
    CAPTURE(origin);
    CHECK(f["origin"] == origin);
    // Calibrated on the data up to its origin only.
    CHECK(f["calibration"]["last_year"] == origin);
    CHECK(f["years"].size() == static_cast<std::size_t>(3 * (2023 - origin)));
    ++origin;
  }
  for (const auto& s : j["summary"]) {
    CHECK(s["forecasts"] == 28);  // 7 + 6 + ... + 1 scored years
    int pit = 0;
    for (const auto& c : s["pit_histogram"]) pit += c.get<int>();
    CHECK(pit == 28);
    CHECK(s["skill_random_walk"].get<double>() ==
          doctest::Approx(1 - s["mean_crps"].get<double>() / s["mean_crps_random_walk"].get<double>()));
  }
  // The benchmarks depend on the data only, not on the paths or the seed.
  const auto other = banensim("backtest scenarios/status-quo.toml --rolling 2016:2022 --paths 1000 --seed 5 --format json");
  REQUIRE(other.exit_code == 0);
  const auto k = nlohmann::json::parse(other.out);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(k["summary"][i]["mean_crps_random_walk"] == j["summary"][i]["mean_crps_random_walk"]);
    CHECK(k["summary"][i]["mean_crps_linear_trend"] == j["summary"][i]["mean_crps_linear_trend"]);
  }
}

TEST_CASE("backtest --rolling: the mean CRPS difference against each benchmark and its interval clustered by "
          "origin, recomputed from the forecasts, the same in JSON, the summary CSV and the table") {
  const std::string args = "backtest scenarios/status-quo.toml --rolling 2016:2022 --paths 2000";
  const auto r = banensim(args + " --format json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  // Per series and benchmark: d = model CRPS - benchmark CRPS per scored year;
  // the mean, and mean +- t(G - 1) x sqrt(G / (G - 1) x sum over origins of
  // (the origin's sum of d - mean)^2) / n, G = 7 origins (CR1, Student t).
  const double t6 = 2.4469118511449692;  // Student t, 6 degrees of freedom, 97.5%
  std::map<std::string, std::map<std::string, std::vector<std::pair<int, double>>>> d;  // benchmark, series
  for (const auto& f : j["forecasts"]) {
    for (const auto& y : f["years"]) {
      for (const char* b : {"random_walk", "linear_trend"}) {
        d[b][y["series"]].emplace_back(f["origin"].get<int>(), y["crps"].get<double>() - y[b]["crps"].get<double>());
      }
    }
  }
  const auto summary_csv = temp_path("bt.csv");
  const auto c = banensim(args + " --format csv --out '" + summary_csv.string() + "'");
  REQUIRE(c.exit_code == 0);
  std::ifstream in(temp_path("bt.summary.csv"));
  std::string header, line;
  std::getline(in, header);
  const auto split = [](const std::string& text) {
    std::vector<std::string> out(1);
    for (char ch : text) {
      if (ch == ',') {
        out.emplace_back();
      } else {
        out.back().push_back(ch);
      }
    }
    return out;
  };
  const std::vector<std::string> cols = split(header);
  const auto table = banensim(args);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("Mean CRPS difference, model - benchmark") != std::string::npos);
  for (const auto& sj : j["summary"]) {
    const std::string series = sj["series"];
    CAPTURE(series);
    REQUIRE(std::getline(in, line));
    const std::vector<std::string> row = split(line);
    REQUIRE(row.size() == cols.size());
    const auto cell = [&](const std::string& name) {
      return std::stod(row.at(static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin())));
    };
    CHECK(row[0] == series);
    for (const char* b : {"random_walk", "linear_trend"}) {
      CAPTURE(b);
      const auto& xs = d[b][series];
      REQUIRE(xs.size() == 28);
      double mean = 0;
      for (const auto& [o, x] : xs) mean += x / 28.0;
      std::map<int, double> cluster;
      for (const auto& [o, x] : xs) cluster[o] += x - mean;
      double ss = 0;
      for (const auto& [o, e] : cluster) ss += e * e;
      const double half = t6 * std::sqrt(7.0 / 6.0 * ss) / 28.0;
      const auto& cd = sj[std::string("crps_difference_") + b];
      CHECK(cd["origins"] == 7);
      CHECK(cd["mean"].get<double>() == doctest::Approx(mean).epsilon(1e-9));
      CHECK(cd["ci_low"].get<double>() == doctest::Approx(mean - half).epsilon(1e-9));
      CHECK(cd["ci_high"].get<double>() == doctest::Approx(mean + half).epsilon(1e-9));
      // The mean difference is the difference of the mean CRPS.
      CHECK(mean == doctest::Approx(sj["mean_crps"].get<double>() -
                                    sj[std::string("mean_crps_") + b].get<double>()).epsilon(1e-9));
      const std::string col = std::string("crps_diff_") + b;
      CHECK(cell(col) == doctest::Approx(mean).epsilon(1e-9));
      CHECK(cell(col + "_ci_low") == doctest::Approx(mean - half).epsilon(1e-9));
      CHECK(cell(col + "_ci_high") == doctest::Approx(mean + half).epsilon(1e-9));
    }
  }
}

TEST_CASE("backtest: origins with nothing after them or too little before them, and bad options, are input errors") {
  auto r = banensim("backtest scenarios/status-quo.toml --fit-until 2023");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("2023") != std::string::npos);
  r = banensim("backtest scenarios/status-quo.toml --fit-until 2013");
  CHECK(r.exit_code == 2);
  r = banensim("backtest scenarios/status-quo.toml --fit-until 2015");  // one observed year: nothing to fit
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("at least two observed years") != std::string::npos);
  r = banensim("backtest scenarios/status-quo.toml --rolling 2015:2020");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("at least two observed years") != std::string::npos);
  r = banensim("backtest scenarios/status-quo.toml");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--fit-until YEAR") != std::string::npos);
  CHECK(r.err.find("--rolling FROM:TO") != std::string::npos);
  r = banensim("backtest scenarios/status-quo.toml --fit-until 2018 --rolling 2016:2022");
  CHECK(r.exit_code == 2);
  for (const char* bad : {"2016", "2022:2016", "x:2020", "2016:2200"}) {
    CAPTURE(bad);
    r = banensim(std::string("backtest scenarios/status-quo.toml --rolling ") + bad);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(std::string("--rolling ") + bad) != std::string::npos);
  }
  // A lever acting at or before an origin: the backtest scores the rules of the past.
  r = banensim("backtest scenarios/2018/abolish-split.toml --rolling 2016:2020");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("policy.abolish_split.year") != std::string::npos);
  CHECK(r.err.find("must act after its origins") != std::string::npos);
}

// ---------------------------------------------------- sensitivity, discover

// The index table written next to FILE.csv: FILE.indices.csv.
SweepCsv read_indices(const fs::path& out) {
  fs::path p = out;
  p.replace_extension(".indices.csv");
  return read_sweep(p);
}

// A file written beside the result file `rows_file` (its indices, its trajectory) ends every row with
// the computation it came from: the seed and resolved hash of the result file's first line, and the
// FNV-1a 64 (offset basis 14695981039346656037, prime 1099511628211) of its leading '#' lines.
void check_companion_stamp(const fs::path& rows_file, const SweepCsv& companion) {
  std::ifstream in(rows_file, std::ios::binary);
  REQUIRE(in.good());
  std::string identity, line;
  while (std::getline(in, line) && line.rfind("#", 0) == 0) identity += line + "\n";
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : identity) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  const auto field = [&](const std::string& key) {  // "...; KEY VALUE; ..." on the first line
    const auto at = identity.find("; " + key + " ");
    REQUIRE(at != std::string::npos);
    const auto from = at + key.size() + 3;
    return identity.substr(from, identity.find_first_of(";\n", from) - from);
  };
  const std::size_t n = companion.columns.size();
  REQUIRE(n > 3);
  CHECK(std::vector<std::string>(companion.columns.end() - 3, companion.columns.end()) ==
        std::vector<std::string>{"seed", "resolved_hash", "identity_hash"});
  REQUIRE(!companion.rows.empty());
  for (const auto& row : companion.rows) {
    CHECK(row[n - 3] == field("seed"));
    CHECK(row[n - 2] == field("resolved_hash"));
    CHECK(row[n - 1] == std::string(hex));
  }
}

TEST_CASE("sensitivity --method sobol: design rows and finite first-order and total indices, one clearly non-zero") {
  const fs::path out = temp_path("sobol.csv");
  // 16 base rows: at 4 the 95% intervals are too wide for any index to be clearly non-zero.
  const auto r = banensim("sensitivity scenarios/status-quo.toml --method sobol --samples 16 --paths 500 --threads 2 "
                          "--out '" + out.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Sobol' sensitivity") != std::string::npos);
  CHECK(r.out.find("ST") != std::string::npos);
  const SweepCsv rows = read_sweep(out);
  const std::size_t n_factors = rows.columns.size() - 1 - 6 - 1;  // row, factors, 6 result columns, check
  CHECK(n_factors >= 10);
  CHECK(rows.rows.size() == 16 * (n_factors + 2));
  for (const char* c : {"row", "p_reach", "p_reach_ci_low", "p_reach_ci_high", "total_mean", "seed", "paths"}) {
    CHECK_NOTHROW(rows.col(c));
  }
  // SALib's names: S1, S1_conf, ST, ST_conf (half-widths of the 95% intervals).
  const SweepCsv ix = read_indices(out);
  CHECK(ix.columns == std::vector<std::string>{"output", "factor", "S1", "S1_conf", "ST", "ST_conf", "seed",
                                               "resolved_hash", "identity_hash"});
  check_companion_stamp(out, ix);
  CHECK(ix.rows.size() == 2 * n_factors);  // p_reach and total_mean
  bool clearly_nonzero = false;
  for (std::size_t i = 0; i < ix.rows.size(); ++i) {
    for (const char* c : {"S1", "S1_conf", "ST", "ST_conf"}) CHECK(std::isfinite(ix.number(i, c)));
    CHECK(ix.number(i, "S1_conf") >= 0);
    if (ix.number(i, "ST") - ix.number(i, "ST_conf") > 0 && ix.number(i, "ST") > 0.1) clearly_nonzero = true;
  }
  CHECK(clearly_nonzero);
}

TEST_CASE("sensitivity --method morris: mu, mu-star and sigma per factor, the register's working share clearly matters") {
  const fs::path out = temp_path("morris.csv");
  const auto r = banensim("sensitivity scenarios/status-quo.toml --method morris --samples 6 --paths 500 "
                          "--out '" + out.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("mu*") != std::string::npos);
  const SweepCsv rows = read_sweep(out);
  const std::size_t n_factors = rows.columns.size() - 1 - 6 - 1;
  CHECK(rows.rows.size() == 6 * (n_factors + 1));
  const SweepCsv ix = read_indices(out);
  CHECK(ix.columns == std::vector<std::string>{"output", "factor", "mu", "mu_star", "mu_star_conf", "sigma", "seed",
                                               "resolved_hash", "identity_hash"});
  check_companion_stamp(out, ix);
  CHECK(ix.rows.size() == 2 * n_factors);
  bool working_share = false;
  for (std::size_t i = 0; i < ix.rows.size(); ++i) {
    for (const char* c : {"mu", "mu_star", "mu_star_conf", "sigma"}) CHECK(std::isfinite(ix.number(i, c)));
    CHECK(ix.number(i, "mu_star") >= std::abs(ix.number(i, "mu")) - 1e-12);
    // On the mean total in the target year (P(reach 2026) is near 0 today): jobs per whole plausible range.
    if (ix.rows[i][0] == "total_mean" && ix.rows[i][1] == "supply.max_working_share") {
      working_share = ix.number(i, "mu_star") - ix.number(i, "mu_star_conf") > 0 && ix.number(i, "mu_star") > 1000;
    }
  }
  CHECK(working_share);
}

TEST_CASE("sensitivity --resume: after a truncated file, the same bytes as an uninterrupted run") {
  const fs::path ref = temp_path("sens_ref.csv");
  const std::string args = "sensitivity scenarios/status-quo.toml --method morris --samples 3 --paths 300 --out ";
  REQUIRE(banensim(args + "'" + ref.string() + "'").exit_code == 0);
  const std::string expected = slurp(ref);
  fs::path ref_ix = ref;
  ref_ix.replace_extension(".indices.csv");
  const std::string expected_ix = slurp(ref_ix);
  for (const double share : {0.3, 0.75}) {
    CAPTURE(share);
    const fs::path out = temp_path("sens_cut.csv");
    std::ofstream(out, std::ios::binary) << expected.substr(0, static_cast<std::size_t>(share * static_cast<double>(expected.size())));
    const auto r = banensim(args + "'" + out.string() + "' --resume");
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("resuming") != std::string::npos);
    CHECK(slurp(out) == expected);
    CHECK(slurp(temp_path("sens_cut.indices.csv")) == expected_ix);
  }
  // Another seed is another computation: refused, exit 2.
  const auto r = banensim("sensitivity scenarios/status-quo.toml --method morris --samples 3 --paths 300 --seed 7 "
                          "--out '" + ref.string() + "' --resume");
  CHECK(r.exit_code == 2);
  CHECK(slurp(ref) == expected);
}

TEST_CASE("sensitivity --resume: after SIGINT or SIGKILL mid-design, the same bytes as an uninterrupted run") {
  const std::vector<std::string> args = {"sensitivity", "scenarios/status-quo.toml", "--method", "morris",
                                         "--samples", "4", "--paths", "3000", "--threads", "2", "--out"};
  auto command = [&](const fs::path& out) {
    std::string c;
    for (const auto& a : args) c += a + " ";
    return c + "'" + out.string() + "'";
  };
  const fs::path ref = temp_path("sens_sig_ref.csv");
  REQUIRE(banensim(command(ref)).exit_code == 0);
  const std::string expected = slurp(ref);
  const std::size_t header_lines = static_cast<std::size_t>(std::count(expected.begin(), expected.end(), '#')) + 1;
  for (const int sig : {SIGINT, SIGKILL}) {
    CAPTURE(sig);
    const fs::path out = temp_path("sens_sig.csv");
    const fs::path journal = out.string() + ".partial";
    fs::remove(out);
    fs::remove(journal);
    std::vector<std::string> a = args;
    a.push_back(out.string());
    const pid_t pid = test_support::spawn_banensim(a, true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline &&
           (!fs::exists(journal) || data_lines(journal, header_lines) < 20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (sig == SIGINT && WIFEXITED(status)) CHECK(WEXITSTATUS(status) == 130);
    const std::string partial = slurp(journal);
    CHECK(expected.compare(0, partial.size(), partial) == 0);
    CHECK_FALSE(fs::exists(out));
    const auto r = banensim(command(out) + " --resume");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(slurp(out) == expected);
  }
}

TEST_CASE("discover: PRIM prints a box with coverage, density and mass in [0, 1] and the peeling trajectory") {
  const fs::path out = temp_path("discover.csv");
  // P(reach 2026) is about 0.02 today: the cases of interest are those at or above 0.02.
  const auto r = banensim("discover scenarios/status-quo.toml --samples 64 --paths 500 --threshold 0.02 --out '" +
                          out.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("the target is reached (P >= 0.020)") != std::string::npos);
  CHECK(r.out.find("Peeling trajectory") != std::string::npos);
  for (const char* measure : {"coverage ", "density ", "mass "}) {
    CAPTURE(measure);
    const auto pos = r.out.find(std::string(measure), r.out.find("the target is reached"));
    REQUIRE(pos != std::string::npos);
    const double v = std::stod(r.out.substr(pos + std::string(measure).size(), 5));
    CHECK(v >= 0.0);
    CHECK(v <= 1.0);
  }
  CHECK(read_sweep(out).rows.size() == 64);
  fs::path trajectory = out;
  trajectory.replace_extension(".trajectory.csv");
  check_companion_stamp(out, read_sweep(trajectory));
  // Resuming the finished file runs nothing and prints the same box.
  const auto again = banensim("discover scenarios/status-quo.toml --samples 64 --paths 500 --threshold 0.02 --out '" +
                              out.string() + "' --resume");
  CHECK(again.exit_code == 0);
  CHECK(again.out == r.out);
}

// The factor columns of a design's rows, as u in [0, 1] of each uniform
// factor's range (the "# factor KEY uniform LO:HI" header lines).
std::vector<std::vector<double>> unit_columns(const SweepCsv& rows) {
  std::vector<std::vector<double>> u;
  for (const std::string& line : rows.comments) {
    const std::string tag = "# factor ";
    if (line.rfind(tag, 0) != 0) continue;
    const auto sp = line.find(' ', tag.size());
    const std::string key = line.substr(tag.size(), sp - tag.size());
    REQUIRE(line.substr(sp + 1, 8) == "uniform ");
    const std::string range = line.substr(sp + 9);
    const double lo = std::stod(range.substr(0, range.find(':'))), hi = std::stod(range.substr(range.find(':') + 1));
    std::vector<double> col;
    for (std::size_t i = 0; i < rows.rows.size(); ++i) col.push_back((rows.number(i, key) - lo) / (hi - lo));
    u.push_back(col);
  }
  return u;
}

TEST_CASE("discover and compare --assumptions --design lhs: a Latin hypercube, one point per stratum of each factor") {
  const fs::path lhs = temp_path("lhs.csv"), sobol = temp_path("lhs_sobol.csv");
  const std::string base = "discover scenarios/status-quo.toml --samples 40 --paths 300 --threshold 0.02 --out ";
  auto r = banensim(base + "'" + lhs.string() + "' --design lhs");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("40 points of a Latin hypercube sample over") != std::string::npos);
  const SweepCsv rows = read_sweep(lhs);
  REQUIRE(!rows.comments.empty());
  CHECK(rows.comments[0].find("; design latin_hypercube points 40; ") != std::string::npos);
  const auto stratified = [](const std::vector<std::vector<double>>& u) {
    bool all = !u.empty();
    for (const auto& col : u) {
      std::vector<int> hits(col.size(), 0);
      for (const double x : col) {
        const auto k = static_cast<long>(std::floor(x * static_cast<double>(col.size())));
        if (k < 0 || k >= static_cast<long>(col.size())) return false;
        ++hits[static_cast<std::size_t>(k)];
      }
      all = all && std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; });
    }
    return all;
  };
  const auto u = unit_columns(rows);
  CHECK(u.size() >= 10);
  CHECK(stratified(u));
  // The default is the randomised Sobol' design: other points (40 is not a power of two, so not stratified).
  r = banensim(base + "'" + sobol.string() + "'");
  REQUIRE(r.exit_code == 0);
  const SweepCsv sobol_rows = read_sweep(sobol);
  CHECK(sobol_rows.comments[0].find("; design randomized_sobol points 40; ") != std::string::npos);
  CHECK_FALSE(stratified(unit_columns(sobol_rows)));
  // Resuming the Sobol' rows as a Latin hypercube is another computation: refused.
  r = banensim(base + "'" + sobol.string() + "' --design lhs --resume");
  CHECK(r.exit_code == 2);
  // A study file's design applies unless --design says otherwise; a bad one names file, line, key and value.
  const fs::path study = temp_path("lhs_study.toml");
  std::ofstream(study) << "design = \"lhs\"\n[[factors]]\nkey = \"supply.shape\"\nlow = 1.0\nhigh = 4.0\n";
  r = banensim("discover scenarios/status-quo.toml --samples 8 --paths 200 --threshold 0.02 --study '" +
               study.string() + "' --out '" + temp_path("lhs_study.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(read_sweep(temp_path("lhs_study.csv")).comments.at(0).find("design latin_hypercube points 8") !=
        std::string::npos);
  r = banensim("discover scenarios/status-quo.toml --samples 8 --paths 200 --threshold 0.02 --design monte_carlo "
               "--study '" + study.string() + "' --out '" + temp_path("lhs_mc.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(read_sweep(temp_path("lhs_mc.csv")).comments.at(0).find("design monte_carlo points 8") != std::string::npos);
  std::ofstream(study) << "samples = 8\ndesign = \"latin\"\n[[factors]]\nkey = \"supply.shape\"\n";
  r = banensim("discover scenarios/status-quo.toml --study '" + study.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(study.string() + ":2:") != std::string::npos);
  CHECK(r.err.find("key 'design' = latin: must be sobol, lhs or monte_carlo") != std::string::npos);
  r = banensim("discover scenarios/status-quo.toml --samples 8 --design latin");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--design latin: must be sobol, lhs or monte_carlo") != std::string::npos);

  // compare --assumptions draws its sets the same way; --design needs --assumptions.
  const fs::path sets = temp_path("lhs_sets.csv");
  r = banensim("compare scenarios/status-quo.toml scenarios/keep-split.toml --assumptions 16 --paths 300 --design lhs "
               "--format json --rows '" + sets.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["assumptions"]["design"] == "latin_hypercube points 16");
  CHECK(stratified(unit_columns(read_sweep(sets))));
  r = banensim("compare scenarios/status-quo.toml scenarios/keep-split.toml --paths 300 --design lhs");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--design needs --assumptions N") != std::string::npos);
}

TEST_CASE("sweep --samples N: N points of a design over the plausible ranges or a study's factors, resumable") {
  const fs::path out = temp_path("sampled.csv");
  const std::string args = "sweep scenarios/status-quo.toml --samples 24 --design lhs --paths 300 --out ";
  auto r = banensim(args + "'" + out.string() + "'");
  REQUIRE(r.exit_code == 0);
  const std::string expected = slurp(out);
  const SweepCsv rows = read_sweep(out);
  CHECK(rows.rows.size() == 24);
  CHECK(rows.comments.at(0).find("; mode sample; points 24; ") != std::string::npos);
  CHECK(std::find(rows.comments.begin(), rows.comments.end(), "# design latin_hypercube points 24") !=
        rows.comments.end());
  // Every declared plausible range the scenario uses, each column one point per stratum.
  const auto u = unit_columns(rows);
  CHECK(u.size() >= 10);
  for (const auto& col : u) {
    std::vector<int> hits(col.size(), 0);
    for (const double x : col) ++hits.at(static_cast<std::size_t>(std::floor(x * static_cast<double>(col.size()))));
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
  // Cut short and resumed: the same bytes.
  std::ofstream(out, std::ios::binary) << expected.substr(0, expected.size() * 2 / 3);
  r = banensim(args + "'" + out.string() + "' --resume");
  CHECK(r.exit_code == 0);
  CHECK(slurp(out) == expected);
  // Another design is another computation: refused on resume.
  r = banensim("sweep scenarios/status-quo.toml --samples 24 --paths 300 --out '" + out.string() + "' --resume");
  CHECK(r.exit_code == 2);
  CHECK(slurp(out) == expected);
  // A study file's factors, discrete ones included, and its outputs.
  r = banensim("sweep scenarios/status-quo.toml --samples 6 --study tests/data/good/study-three-factors.toml "
               "--paths 200 --out '" + temp_path("sampled_study.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  const SweepCsv study_rows = read_sweep(temp_path("sampled_study.csv"));
  CHECK(study_rows.rows.size() == 6);
  CHECK(study_rows.columns == std::vector<std::string>{"point", "supply.max_working_share", "quota.bonus_per_job_eur",
                                                       "quota.response_max", "p_reach", "p_reach_ci_low",
                                                       "p_reach_ci_high", "total_mean", "seed", "paths", "check"});
  for (std::size_t i = 0; i < 6; ++i) {
    const double bonus = study_rows.number(i, "quota.bonus_per_job_eur");
    CHECK((bonus == 1000 || bonus == 2000 || bonus == 4000));
  }
  // --svg: P(reach) against each of the three keys, one scatter each, a point and a whisker per row.
  const fs::path svg = temp_path("sampled.svg");
  r = banensim("sweep scenarios/status-quo.toml --samples 6 --study tests/data/good/study-three-factors.toml "
               "--paths 200 --out '" + temp_path("sampled_study_svg.csv").string() + "' --svg '" + svg.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(slurp(temp_path("sampled_study_svg.csv")) == slurp(temp_path("sampled_study.csv")));
  const std::string chart = slurp(svg);
  const auto count = [&chart](const std::string& what) {
    std::size_t n = 0;
    for (auto at = chart.find(what); at != std::string::npos; at = chart.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("<svg") == 4);  // the stack and three charts
  CHECK(count("class=\"point\"") == 18);
  for (const char* key : {"supply.max_working_share", "quota.bonus_per_job_eur", "quota.response_max"}) {
    CHECK(chart.find(std::string("against ") + key) != std::string::npos);
  }
  // Not with a grid's options; --design needs --samples.
  for (const std::string& bad : {std::string(" --range supply.shape=1:2:2"), std::string(" --one-at-a-time")}) {
    CAPTURE(bad);
    r = banensim("sweep scenarios/status-quo.toml --samples 4 --paths 100 --out '" + temp_path("bad.csv").string() +
                 "'" + bad);
    CHECK(r.exit_code == 2);
  }
  r = banensim("sweep scenarios/status-quo.toml --range supply.shape=1:2:2 --design lhs --out '" +
               temp_path("bad.csv").string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--design needs --samples N") != std::string::npos);
}

TEST_CASE("sweep --points FILE: the points of a file (any sampler's), checked and named by file and line") {
  const fs::path points = temp_path("points.csv"), out = temp_path("given.csv");
  std::ofstream(points) << "supply.max_working_share,quota.bonus_per_job_eur,law.file\n"
                        << "0.7,1000,data/law.csv\n0.95,4000,data/law.csv\n\n0.8,2000,data/law.csv\n";
  const std::string args = "sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 400 --out '" +
                           out.string() + "'";
  auto r = banensim(args);
  REQUIRE(r.exit_code == 0);
  const std::string expected = slurp(out);
  const SweepCsv rows = read_sweep(out);
  REQUIRE(rows.rows.size() == 3);
  CHECK(rows.comments.at(0).find("; mode points; points 3; ") != std::string::npos);
  CHECK(rows.comments.at(0).find(points.string()) == std::string::npos);  // the identity holds no path
  {
    // --svg draws against the two numeric keys (law.file is a path); points of booleans alone have no chart.
    const fs::path svg = temp_path("given.svg"), bools = temp_path("bools.csv");
    auto c = banensim("sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 400 --out '" +
                      temp_path("given_svg.csv").string() + "' --svg '" + svg.string() + "'");
    REQUIRE(c.exit_code == 0);
    const std::string chart = slurp(svg);
    CHECK(chart.find("against supply.max_working_share") != std::string::npos);
    CHECK(chart.find("against quota.bonus_per_job_eur") != std::string::npos);
    CHECK(chart.find("against law.file") == std::string::npos);
    std::ofstream(bools) << "quota.deactivate_when_met\ntrue\nfalse\n";
    c = banensim("sweep scenarios/status-quo.toml --points '" + bools.string() + "' --paths 100 --out '" +
                 temp_path("bools_out.csv").string() + "' --svg '" + temp_path("bools.svg").string() + "'");
    CHECK(c.exit_code == 2);
    CHECK(c.err.find("these points have none") != std::string::npos);
    CHECK_FALSE(fs::exists(temp_path("bools_out.csv")));
  }
  const std::vector<double> share = {0.7, 0.95, 0.8}, bonus = {1000, 4000, 2000};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(rows.number(i, "supply.max_working_share") == share[i]);
    CHECK(rows.number(i, "quota.bonus_per_job_eur") == bonus[i]);
  }
  // More working share, more reach, on the same draws.
  CHECK(rows.number(1, "p_reach") > rows.number(0, "p_reach"));
  // The same points as a grid point: the same row cells (common random numbers, same seed and paths).
  r = banensim("sweep scenarios/status-quo.toml --set supply.max_working_share=0.7 --set quota.bonus_per_job_eur=1000 "
               "--set law.file=data/law.csv --paths 400 --out '" + temp_path("grid1.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  const SweepCsv grid = read_sweep(temp_path("grid1.csv"));
  for (const char* c : {"p_reach", "total_p50", "charge_mean_eur"}) CHECK(grid.number(0, c) == rows.number(0, c));
  // Resumed after a cut: the same bytes; other points: refused.
  std::ofstream(out, std::ios::binary) << expected.substr(0, expected.size() * 3 / 4);
  r = banensim(args + " --resume");
  CHECK(r.exit_code == 0);
  CHECK(slurp(out) == expected);
  std::ofstream(points, std::ios::app) << "0.9,1000,data/law.csv\n";
  r = banensim(args + " --resume");
  CHECK(r.exit_code == 2);
  CHECK(slurp(out) == expected);
  // Bad values: every one, by file, line and point, key, value and constraint.
  std::ofstream(points) << "supply.max_working_share,quota.bonus_per_job_eur\n0.7,1000\n1.9,4000\n0.8,-2\n";
  r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(points.string() + ":3 (point 1): key 'supply.max_working_share' = 1.9: must be in") !=
        std::string::npos);
  CHECK(r.err.find(points.string() + ":4 (point 2): key 'quota.bonus_per_job_eur' = -2: must be in") !=
        std::string::npos);
  std::ofstream(points) << "supply.max_workin_share\n0.7\n";
  r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("did you mean 'supply.max_working_share'") != std::string::npos);
  std::ofstream(points) << "supply.shape,cycle.sd\n2\n";
  r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(points.string() + ":2:") != std::string::npos);
  std::ofstream(points) << "supply.shape\n";
  r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no points") != std::string::npos);
  // Not with a grid's options or --samples.
  std::ofstream(points) << "supply.shape\n2\n";
  for (const std::string& extra : {std::string(" --range cycle.sd=0:0.5:2"), std::string(" --samples 4")}) {
    CAPTURE(extra);
    CHECK(banensim(args + extra).exit_code == 2);
  }
}

TEST_CASE("sweep --points: '#' comment lines are skipped, not points, every line number the file's own") {
  const fs::path plain = temp_path("plain-points.csv"), noted = temp_path("noted-points.csv"),
                 out = temp_path("noted.csv");
  std::ofstream(plain) << "supply.max_working_share,quota.bonus_per_job_eur\n0.7,1000\n0.9,4000\n";
  // Provenance lines as banensim writes them above a result, a note between the rows, an indented one.
  const std::string head = "# banensim sweep; scenario status-quo; seed 2013\n# drawn by SALib's saltelli.sample\n";
  std::ofstream(noted) << head << "supply.max_working_share,quota.bonus_per_job_eur\n0.7,1000\n# batch 2\n"
                       << "  # more\n0.9,4000\n";
  const auto args = [&](const fs::path& points) {
    return "sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 200 --out '" + out.string() +
           "'";
  };
  auto r = banensim(args(plain));
  REQUIRE(r.exit_code == 0);
  const std::string expected = slurp(out);
  r = banensim(args(noted));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(slurp(out) == expected);  // the same points: the same identity and rows, byte for byte
  // A file begun from the plain points resumes from the noted ones: comments are not the points' identity.
  std::ofstream(out, std::ios::binary) << expected.substr(0, expected.find('\n', expected.find("\n0,") + 1) + 1);
  r = banensim(args(noted) + " --resume");
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("resuming") != std::string::npos);
  CHECK(slurp(out) == expected);
  // A bad value is named by its physical line (7: after two comments, the header, a row and two comments).
  std::ofstream(noted) << head << "supply.max_working_share,quota.bonus_per_job_eur\n0.7,1000\n# batch 2\n"
                       << "  # more\n1.9,4000\n";
  r = banensim(args(noted));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(noted.string() + ":7 (point 1): key 'supply.max_working_share' = 1.9: must be in") !=
        std::string::npos);
  std::ofstream(noted) << head << "supply.max_working_share\n# 0.7\n";
  r = banensim(args(noted));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no points") != std::string::npos);
  std::ofstream(noted) << head;
  r = banensim(args(noted));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(noted.string() + ": no header row: file has only blank and '#' comment lines") !=
        std::string::npos);
}

TEST_CASE("sweep --points: a column that is not a key a point sets is named at the header's line, every one at once") {
  const fs::path points = temp_path("header-points.csv");
  const std::string args = "sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 100 --out '" +
                           temp_path("header.csv").string() + "'";
  std::ofstream(points) << "supply.max_workin_share,cycle.sd,vyvle.sd\n0.7,0.2,0.1\n";
  auto r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(points.string() + ":1:1: column 'supply.max_workin_share': unknown key (did you mean "
                   "'supply.max_working_share'?); the header, line 1, names the scenario key each column sets "
                   "(docs/MODEL.md §6") != std::string::npos);
  CHECK(r.err.find(points.string() + ":1:3: column 'vyvle.sd': unknown key (did you mean 'cycle.sd'?); the header, "
                   "line 1,") != std::string::npos);
  CHECK(r.err.find("= 0.7") == std::string::npos);  // a point's value is not the header's problem
  // After two comment lines the header is line 3; the path count is no column.
  std::ofstream(points) << "# note\n# another\ncycle.sd,simulation.paths\n0.2,100\n";
  r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(points.string() + ":3:2: column 'simulation.paths': the path count is not a swept parameter "
                   "(every point runs --paths paths on the same random draws): drop the column from the header, "
                   "line 3, and give --paths N") != std::string::npos);
}

TEST_CASE("sweep --points: a relative data-file path in a cell is read from the working directory, and said so") {
  // law-beside.csv lies beside the points file, not in the working directory (the program runs in the source tree).
  const fs::path points = temp_path("path-points.csv"), beside = temp_path("law-beside.csv");
  const std::string cwd = fs::canonical(BANENSIM_SOURCE_DIR).string();
  fs::copy_file(cwd + "/data/law.csv", beside, fs::copy_options::overwrite_existing);
  const std::string args = "sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 100 --out '" +
                           temp_path("path.csv").string() + "'";
  std::ofstream(points) << "law.file,cycle.sd\nlaw-beside.csv,0.2\n";
  auto r = banensim(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("law-beside.csv: file not found") != std::string::npos);
  CHECK(r.err.find(points.string() + ":2 (point 0): key 'law.file' = law-beside.csv: the file it names has the "
                   "problems above; a relative path given as text (on the command line, in a points file, as a study "
                   "file's factor value or from Python) is read from the working directory, " + cwd +
                   ", not from the directory of a file it is written in, so this is " + cwd + "/law-beside.csv") !=
        std::string::npos);
  // Written relative to the working directory, or absolute, it is read.
  std::ofstream(points) << "law.file,cycle.sd\n" << fs::relative(beside, cwd).string() << ",0.2\n"
                        << beside.string() << ",0.3\n";
  r = banensim(args);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // A scenario file's relative path is its own directory's, shown resolved: no such note.
  const fs::path scenario = temp_path("path-scenario.toml");
  std::ofstream(scenario) << "extends = \"" << cwd << "/scenarios/status-quo.toml\"\n[law]\nfile = \"no-law.csv\"\n";
  r = banensim("run '" + scenario.string() + "' --paths 100");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find((scenario.parent_path() / "no-law.csv").string() + ": file not found") != std::string::npos);
  CHECK(r.err.find("the file it names has the problems above\n") != std::string::npos);
  CHECK(r.err.find("working directory") == std::string::npos);
}

TEST_CASE("discover --boxes: covering reports each box and what the boxes hold together, or why it stopped") {
  const std::string base = "discover scenarios/status-quo.toml --samples 64 --paths 500 --threshold 0.02";
  const auto one = banensim(base);
  const auto same = banensim(base + " --boxes 1");
  REQUIRE(one.exit_code == 0);
  CHECK(same.out == one.out);  // one box is the default
  const auto r = banensim(base + " --boxes 3");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Box 1 (trajectory box ") != std::string::npos);
  CHECK(r.out.find("Peeling trajectory of box 1") != std::string::npos);
  CHECK(r.out.find("Box 1 holds ") != std::string::npos);
  // Either a second box, or the reason there is none.
  const bool second = r.out.find("Box 2 (trajectory box ") != std::string::npos;
  const bool stopped = r.out.find("no box 2.") != std::string::npos ||
                       r.out.find("No case of interest is left outside the 1 box above") != std::string::npos;
  CHECK(second != stopped);
  if (second) CHECK(r.out.find("Boxes 1-2 together hold ") != std::string::npos);
  for (const char* bad : {" --boxes 0", " --boxes 11", " --boxes x"}) {
    CAPTURE(bad);
    CHECK(banensim(base + bad).exit_code == 2);
  }
}

TEST_CASE("sensitivity and discover: a bad method, zero samples or a missing option is an input error (exit 2)") {
  for (const char* cmd : {"sensitivity scenarios/status-quo.toml --method sobel --samples 4",
                                 "sensitivity scenarios/status-quo.toml --method sobol --samples 0",
                                 "sensitivity scenarios/status-quo.toml --method morris --samples 0",
                                 "sensitivity scenarios/status-quo.toml --samples 4",
                                 "sensitivity scenarios/status-quo.toml --method sobol",
                                 "sensitivity scenarios/status-quo.toml --method morris --samples 3 --resume",
                                 "discover scenarios/status-quo.toml --samples 0",
                                 "discover scenarios/status-quo.toml --samples 8 --threshold 1.5"}) {
    CAPTURE(cmd);
    const auto r = banensim(cmd);
    CHECK(r.exit_code == 2);
    CHECK(!r.err.empty());
  }
}
}

TEST_CASE("sweep --points: whole floats for integer keys, and a resume from the same numbers written otherwise") {
  // Python's to_numpy() and SALib's samplers write every value as a float.
  const fs::path ints = temp_path("ints.csv"), floats = temp_path("floats.csv"), out = temp_path("whole.csv");
  std::ofstream(ints) << "quota.bonus_per_job_eur,target.year,uncertainty.dof.regular\n1000,2027,3\n2000,2030,5\n"
                         "4000,2029,4\n";
  std::ofstream(floats) << "quota.bonus_per_job_eur,target.year,uncertainty.dof.regular\n1000.0,2027.0,3.0\n"
                           "2e3,2030.0,5.0\n4000.0,2029.0,4e0\n";
  const auto args = [&](const fs::path& points) {
    return "sweep scenarios/status-quo.toml --points '" + points.string() + "' --paths 200 --out '" + out.string() +
           "'";
  };
  auto r = banensim(args(ints));
  REQUIRE(r.exit_code == 0);
  const std::string expected = slurp(out);
  r = banensim(args(floats));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The same points, identity and numbers; each row keeps the values' text as given.
  const SweepCsv a = read_sweep(temp_path("whole.csv"));
  CHECK(slurp(out).substr(0, slurp(out).find("\npoint,")) == expected.substr(0, expected.find("\npoint,")));
  // A file begun from the integers resumes from the floats.
  std::ofstream(out, std::ios::binary) << expected.substr(0, expected.find('\n', expected.find("\n0,") + 1) + 1);
  r = banensim(args(floats) + " --resume");
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("resuming") != std::string::npos);
  const SweepCsv resumed = read_sweep(out);
  REQUIRE(resumed.rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    for (const char* c : {"p_reach", "total_p50", "charge_mean_eur"}) CHECK(resumed.number(i, c) == a.number(i, c));
  }
  // Other numbers are other points; a fraction for an integer key is refused, naming it.
  std::ofstream(floats) << "quota.bonus_per_job_eur,target.year,uncertainty.dof.regular\n1000.0,2027.0,3.5\n";
  r = banensim(args(floats) + " --resume");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("key 'uncertainty.dof.regular' = 3.5: must be an integer") != std::string::npos);
}
