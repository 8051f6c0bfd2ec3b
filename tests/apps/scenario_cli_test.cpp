// End-to-end tests of the banensim program: run as a user would, check exit
// codes, messages and output files.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "program_runner.hpp"

namespace fs = std::filesystem;

using test_support::ProgramResult;
using test_support::run_program;

namespace {

using Result = ProgramResult;

// Runs banensim with `args` (shell words) from the source directory.
Result banensim(const std::string& args) { return run_program(std::string("'") + BANENSIM_BINARY + "' " + args); }

const char* kScenarios[] = {"status-quo", "keep-split", "purchase-at-buyer", "exclude-security", "all-three"};
// The cabinet's question of 2018 (scenarios/2018/).
const char* kScenarios2018[] = {"2018/status-quo", "2018/abolish-split", "2018/purchase-at-buyer",
                                "2018/exclude-security", "2018/all-three"};

}  // namespace

TEST_SUITE("cli") {
TEST_CASE("--help and --version") {
  auto r = banensim("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("banensim run SCENARIO") != std::string::npos);
  r = banensim("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("banensim ") == 0);
  r = banensim("run --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--seed") != std::string::npos);
}

TEST_CASE("every scenario key a command's --help names exists (an example a user copies must run)") {
  // The keys a scenario holds, as `explain` prints them ("KEY = VALUE").
  const auto ex = banensim("explain scenarios/status-quo.toml");
  REQUIRE(ex.exit_code == 0);
  const auto is_key = [&](const std::string& k) { return ex.out.find("\n" + k + " = ") != std::string::npos; };
  REQUIRE(is_key("quota.levy_per_job_eur"));
  CHECK_FALSE(is_key("quota.surcharge_per_job_eur"));  // the help's old example: no such key
  // "Fully resolved" says which origin 0 stands for (the shipped history ends in 2023).
  CHECK(ex.out.find("\n# history.origin_year = 0: the history file's last year, here 2023\n") != std::string::npos);
  CHECK(is_key("history.origin_year") == true);
  const std::regex dotted(R"(\b[a-z_]+(\.[a-z_]+)+\b)");
  int named = 0;
  for (const char* command : {"run", "compare", "sweep", "sensitivity", "discover", "backtest", "calibrate",
                              "validate", "explain", "serve"}) {
    const auto h = banensim(std::string(command) + " --help");
    REQUIRE(h.exit_code == 0);
    for (auto it = std::sregex_iterator(h.out.begin(), h.out.end(), dotted); it != std::sregex_iterator(); ++it) {
      const std::string k = it->str();
      const std::string ext = k.substr(k.rfind('.') + 1);
      if (ext == "toml" || ext == "csv" || ext == "html" || ext == "json" || ext == "svg" || k == "e.g" || k == "i.e") {
        continue;  // a file name, an abbreviation
      }
      CAPTURE(command);
      CAPTURE(k);
      CHECK(is_key(k));
      ++named;
    }
  }
  CHECK(named >= 10);
}

TEST_CASE("bad command-line values: one line, exit code 2") {
  const char* cases[][2] = {
      {"run scenarios/status-quo.toml --paths -5", "--paths -5"},
      {"run scenarios/status-quo.toml --paths 1e99", "--paths 1e99"},
      {"run scenarios/status-quo.toml --paths 0", "--paths 0"},
      {"run scenarios/status-quo.toml --threads 0", "--threads 0"},
      {"run scenarios/status-quo.toml --seed abc", "--seed abc"},
      {"run scenarios/status-quo.toml --format xml", "--format xml"},
      {"run scenarios/status-quo.toml --bogus", "bogus"},
      {"run scenarios/status-quo.toml --paths 100 --precision 0.01", "conflict"},
      {"run scenarios/status-quo.toml --precision 2", "--precision 2"},
      {"run scenarios/status-quo.toml --out /nonexistent-dir/x.json", "/nonexistent-dir/x.json"},
      {"run", "no scenario"},
      {"frobnicate", "unknown command"},
      {"compare scenarios/status-quo.toml", "at least two"},
      {"run scenarios/status-quo.toml --set nosuch.key=1", "nosuch.key"},
      {"run scenarios/does-not-exist.toml", "does-not-exist.toml"},
  };
  for (const auto& c : cases) {
    CAPTURE(c[0]);
    const auto r = banensim(c[0]);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c[1]) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("every shipped scenario validates") {
  std::string args = "validate scenarios/base.toml scenarios/2018/base.toml";
  for (const char* s : kScenarios) args += std::string(" scenarios/") + s + ".toml";
  for (const char* s : kScenarios2018) args += std::string(" scenarios/") + s + ".toml";
  const auto r = banensim(args);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("run prints the probability with its interval, per sector, per year, first year, quota and charge") {
  std::vector<std::string> all(std::begin(kScenarios), std::end(kScenarios));
  all.insert(all.end(), std::begin(kScenarios2018), std::end(kScenarios2018));
  for (const std::string& s : all) {
    CAPTURE(s);
    const auto r = banensim("run scenarios/" + s + ".toml --paths 4000 --format table");
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("P(total >= 125,000 in 2026)") != std::string::npos);
    CHECK(r.out.find("95% CI") != std::string::npos);
    // The kind of uncertainty, before the first interval: Monte Carlo, and
    // where the range over plausible assumptions is.
    CHECK(r.out.find("Intervals: 95% Monte Carlo intervals, the noise of 4,000 paths") < r.out.find("95% CI"));
    CHECK(r.out.find("They do not cover the uncertain assumptions") != std::string::npos);
    CHECK(r.out.find("first_year_reached") != std::string::npos);
    CHECK(r.out.find("quota_charge_total_eur") != std::string::npos);
    CHECK(r.out.find("Extra jobs counted: total") != std::string::npos);
    CHECK(r.out.find("P(reached by year)") != std::string::npos);
    CHECK(r.out.find("\n2035 ") != std::string::npos);  // to the horizon
  }
}

TEST_CASE("the status quo forecasts from the end-2023 measurement under the law as enacted, to 2035") {
  const auto r = banensim("run scenarios/status-quo.toml --paths 20000 --format json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& s = j["scenarios"][0];
  CHECK(s["origin_year"] == 2023);
  CHECK(s["horizon_year"] == 2035);
  CHECK(s["law_file"].get<std::string>().find("law.csv") != std::string::npos);
  const auto& steps = s["results"]["series"]["total"]["steps"];
  REQUIRE(steps.size() == 12);
  CHECK(steps.front()["step"] == "2024");
  CHECK(steps.back()["step"] == "2035");
  // P(reached by year) for 2024-2035: exact counts, non-decreasing, with Wilson intervals.
  const auto& by_year = s["results"]["scalars"]["first_year_reached"]["cumulative"];
  REQUIRE(by_year.size() == 12);
  double previous = 0;
  long counted = 0;
  for (std::size_t i = 0; i < by_year.size(); ++i) {
    const auto& p = by_year[i];
    CHECK(p["value"] == 2024 + static_cast<int>(i));
    CHECK(p["paths"] == 20000);
    CHECK(p["probability"].get<double>() >= previous);
    CHECK(p["ci_low"].get<double>() <= p["probability"].get<double>());
    CHECK(p["ci_high"].get<double>() >= p["probability"].get<double>());
    counted += p["paths_at_value"].get<long>();
    CHECK(p["successes"] == counted);
    previous = p["probability"].get<double>();
  }
}

TEST_CASE("JSON output: documented fields, seed recorded, identical at 1 and 2 threads") {
  const auto a = banensim("run scenarios/status-quo.toml --paths 3000 --seed 99 --threads 1 --format json");
  const auto b = banensim("run scenarios/status-quo.toml --paths 3000 --seed 99 --threads 2 --format json");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  auto ja = nlohmann::json::parse(a.out);
  auto jb = nlohmann::json::parse(b.out);
  CHECK(ja["seed"] == 99);
  CHECK(ja["paths"] == 3000);
  CHECK(ja["provenance"]["threads"] == 1);
  const auto& s = ja["scenarios"][0];
  CHECK(s["probability"].get<double>() >= s["ci_low"].get<double>());
  CHECK(s["probability"].get<double>() <= s["ci_high"].get<double>());
  // Everything but provenance (threads, wall time) is bit-identical.
  ja.erase("provenance");
  jb.erase("provenance");
  CHECK(ja.dump() == jb.dump());
}

TEST_CASE("provenance names what changed a scenario's values: --target-year, --set and a variant's settings") {
  const fs::path report = fs::temp_directory_path() / ("banensim_prov_" + std::to_string(::getpid()) + ".html");
  const auto r = banensim("compare scenarios/status-quo.toml --variant \"v=scenarios/status-quo.toml cycle.sd=0.2\" "
                          "--target-year 2030 --set quota.response_max=0.45 --paths 500 --threads 1 --format json "
                          "--report '" + report.string() + "'");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& sc = j["provenance"]["scenarios"];
  REQUIRE(sc.size() == 2);
  const auto pairs = [](const nlohmann::json& o) {
    std::string t;
    for (const auto& e : o) t += e["key"].get<std::string>() + "=" + e["value"].get<std::string>() + ";";
    return t;
  };
  CHECK(pairs(sc[0]["overrides"]) == "target.year=2030;quota.response_max=0.45;");
  CHECK(pairs(sc[1]["overrides"]) == "target.year=2030;quota.response_max=0.45;cycle.sd=0.2;");
  std::ifstream in(report);
  std::stringstream html;
  html << in.rdbuf();
  CHECK(html.str().find("scenarios/status-quo.toml --set target.year=2030 --set quota.response_max=0.45 --set "
                        "cycle.sd=0.2 (resolved hash") != std::string::npos);
  fs::remove(report);
}

TEST_CASE("provenance lists every data file read with the FNV-1a 64 digest of its bytes, the report each once") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_data_prov_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path targets = dir / "targets.csv", report = dir / "r.html";
  const fs::path source = BANENSIM_SOURCE_DIR;
  fs::copy_file(source / "data/targets.csv", targets);
  {
    std::ofstream out(targets, std::ios::app);
    out << "\n";  // another file with other bytes, the same rows
  }
  const auto r = banensim("compare scenarios/status-quo.toml --variant \"t=scenarios/status-quo.toml targets.file=" +
                          targets.string() + "\" --paths 300 --threads 1 --format json --report '" + report.string() +
                          "'");
  REQUIRE(r.exit_code == 0);
  // FNV-1a 64 (offset basis 14695981039346656037, prime 1099511628211) of a file's bytes, 16 hex digits.
  const auto fnv1a64 = [&](const fs::path& file) {
    std::ifstream in(source / file, std::ios::binary);  // relative: as the program, from the source directory
    REQUIRE(in);
    std::uint64_t h = 14695981039346656037ULL;
    for (char c; in.get(c);) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string(buf);
  };
  const auto j = nlohmann::json::parse(r.out);
  const auto& sc = j["provenance"]["scenarios"];
  REQUIRE(sc.size() == 2);
  for (const auto& s : sc) {
    std::vector<std::string> keys;
    for (const auto& d : s["data_files"]) {
      CAPTURE(d.dump());
      keys.push_back(d["key"].get<std::string>());
      CHECK(d["fnv1a64"].get<std::string>() == fnv1a64(d["file"].get<std::string>()));
    }
    CHECK(keys == std::vector<std::string>{"history.file", "history.trend_file", "inleen.key_samples_file", "law.file",
                                           "quota.decisions_file", "targets.file"});
    CHECK(s["data_files"].back()["file"] == (&s == &sc[0] ? std::string("data/targets.csv") : targets.string()));
  }
  CHECK(fnv1a64("data/targets.csv") != fnv1a64(targets));
  std::ifstream in(report);
  std::stringstream html;
  html << in.rdbuf();
  const std::string h = html.str();
  const auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (std::size_t at = h.find(text); at != std::string::npos; at = h.find(text, at + 1)) ++n;
    return n;
  };
  CHECK(count("<tr><td>data history.file</td><td>data/monitor-history.csv (fnv1a64 " +
              fnv1a64("data/monitor-history.csv") + ")</td></tr>") == 1);  // read by both: once, no names
  CHECK(count("data/targets.csv (fnv1a64 " + fnv1a64("data/targets.csv") + ") — read by status quo<") == 1);
  CHECK(count(targets.string() + " (fnv1a64 " + fnv1a64(targets) + ") — read by t<") == 1);
  fs::remove_all(dir);
}

TEST_CASE("first_year_reached quantiles are years that occur, not fractions of a year") {
  // Status quo and a faster market trend, so that the years spread.
  for (const char* extra : {"", " --set growth.market.trend_mean=14000"}) {
    CAPTURE(extra);
    const auto r = banensim(std::string("run scenarios/status-quo.toml --paths 5000 --format json") + extra);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    const auto& f = j["scenarios"][0]["results"]["scalars"]["first_year_reached"];
    double previous = f["min"].get<double>();
    for (const char* q : {"p05", "p25", "p50", "p75", "p95"}) {
      CAPTURE(q);
      const double y = f[q].get<double>();
      CHECK(y == std::floor(y));
      CHECK(y >= previous);  // quantiles do not decrease
      previous = y;
    }
    CHECK(previous <= f["max"].get<double>());
  }
}

TEST_CASE("compare: a scenario against itself differs by exactly zero") {
  const auto r = banensim(
      "compare scenarios/status-quo.toml scenarios/status-quo.toml --paths 3000 --format json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& ref = j["scenarios"][0];
  const auto& same = j["scenarios"][1];
  CHECK(ref["results"].dump() == same["results"].dump());
  const auto& d = same["vs_reference"]["indicators"]["reach_target"];
  CHECK(d["difference"].get<double>() == 0.0);
  CHECK(d["ci_low"].get<double>() == 0.0);
  CHECK(d["ci_high"].get<double>() == 0.0);
  // Said so, with no lever to blame: they set the same levers.
  const std::string note = same["vs_reference"]["note"].get<std::string>();
  CHECK(note.find("on exactly the reference's paths (3,000 of 3,000 paths alike)") != std::string::npos);
  CHECK(note.find("levers act") == std::string::npos);
}

TEST_CASE("compare table: P(only var) and P(only ref) each followed by their 95% Wilson interval, as in the JSON") {
  const std::string args = "compare scenarios/status-quo.toml scenarios/keep-split.toml --paths 4000";
  const auto table = banensim(args);
  const auto json = banensim(args + " --format json");
  REQUIRE(table.exit_code == 0);
  REQUIRE(json.exit_code == 0);
  CHECK(table.out.find("P(only var)            95% CI  P(only ref)            95% CI") != std::string::npos);
  const auto doc = nlohmann::json::parse(json.out);
  const auto& d = doc["scenarios"][1]["vs_reference"]["indicators"]["reach_target"];
  const auto cell = [](const nlohmann::json& p) {  // the table's fmt(…, 4) and fmt_interval(…, 4), by hand
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.4f  [%.4f, %.4f]", p["probability"].get<double>(), p["ci_low"].get<double>(),
                  p["ci_high"].get<double>());
    return std::string(buf);
  };
  CAPTURE(table.out);
  CHECK(d["p_reference_only"]["successes"].get<double>() > 0);  // keep split loses paths: a non-trivial interval
  const std::size_t variant_only = table.out.find(cell(d["p_variant_only"]));
  REQUIRE(variant_only != std::string::npos);
  CHECK(table.out.find(cell(d["p_reference_only"]), variant_only) != std::string::npos);
}

TEST_CASE("compare: an option alike on every path is said to be (and why when its levers act after the target "
          "year), never when a path differs") {
  const std::string early =
      "--variant \"early=scenarios/status-quo.toml policy.purchase_at_buyer.enabled=true "
      "policy.purchase_at_buyer.year=2024 policy.purchase_at_buyer.procurement_gain_per_year=3000\"";
  const std::string options = "scenarios/status-quo.toml scenarios/keep-split.toml scenarios/purchase-at-buyer.toml "
                              "scenarios/all-three.toml " + early + " --paths 4000";
  const auto js = banensim("compare " + options + " --format json");
  REQUIRE(js.exit_code == 0);
  const auto j = nlohmann::json::parse(js.out);
  int with_note = 0;
  for (std::size_t k = 1; k < j["scenarios"].size(); ++k) {
    const auto& s = j["scenarios"][k];
    CAPTURE(s["name"].get<std::string>());
    const auto& d = s["vs_reference"]["indicators"]["reach_target"];
    const bool alike = d["p_variant_only"]["successes"] == 0 && d["p_reference_only"]["successes"] == 0;
    CHECK(s["vs_reference"].contains("note") == alike);  // present exactly when no path differs
    if (!alike) continue;
    ++with_note;
    const std::string note = s["vs_reference"]["note"].get<std::string>();
    CHECK(note.find("its levers act only after the end-2026 measurement") != std::string::npos);
    CHECK(note.find("policy.purchase_at_buyer from 2027") != std::string::npos);
    // What the note promises: alike up to 2026, and the paired difference
    // in P(reached by year) shows the levers later, its interval clear of 0.
    int later_effect = 0;
    for (const auto& c : s["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]) {
      const double year = c["value"].get<double>();
      if (year <= 2026) {
        CHECK(c["difference"].get<double>() == 0.0);
      } else if (c["ci_low"].get<double>() > 0.0 || c["ci_high"].get<double>() < 0.0) {
        ++later_effect;
      }
      if (year == 2030) {  // the note quotes it, as compare's "diff by 2030" column
        std::array<char, 160> quoted{};
        std::snprintf(quoted.data(), quoted.size(),
                      "; by 2030 they change P(reached by 2030) by %+.4f (95%% Monte Carlo interval %+.4f to %+.4f, "
                      "paired on the same paths)",
                      c["difference"].get<double>(), c["ci_low"].get<double>(), c["ci_high"].get<double>());
        CHECK(note.find(quoted.data()) != std::string::npos);
      }
    }
    CHECK(later_effect > 0);
  }
  CHECK(with_note == 2);  // purchase at buyer and all three (levers from 2027); keep split and early differ
  const auto table = banensim("compare " + options);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("\npurchase at buyer reaches the target in 2026 on exactly the reference's paths") !=
        std::string::npos);
  CHECK(table.out.find("\nall three reaches the target in 2026 on exactly the reference's paths") != std::string::npos);
  CHECK(table.out.find("  diff by 2030  ") != std::string::npos);
  CHECK(table.out.find("diff by 2030: its paired difference from the reference on the same paths") !=
        std::string::npos);
  CHECK(table.out.find("\nearly reaches the target") == std::string::npos);
  CHECK(table.out.find("\nkeep split reaches the target") == std::string::npos);
  // An option that also differs in a setting outside the levers: the note
  // names it and credits the later change to the option, not its levers.
  const auto bonus = banensim("compare scenarios/status-quo.toml --variant \"bonus=scenarios/all-three.toml "
                              "quota.bonus_per_job_eur=4000\" --paths 4000");
  REQUIRE(bonus.exit_code == 0);
  CHECK(bonus.out.find("it also differs from the reference in quota.bonus_per_job_eur; by 2030 the option (its "
                       "levers and those settings together) changes P(reached by 2030) by") != std::string::npos);
  CHECK(bonus.out.find("they change P(reached by 2030)") == std::string::npos);
}

TEST_CASE("--precision stops at a block boundary with every half-width <= EPS, at the same count on 1 and 2 threads") {
  const std::string cmd =
      "compare scenarios/status-quo.toml scenarios/keep-split.toml scenarios/all-three.toml --precision 0.005 "
      "--max-paths 400000 --format json --threads ";
  const auto a = banensim(cmd + "1");
  const auto b = banensim(cmd + "2");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  const auto ja = nlohmann::json::parse(a.out);
  const auto jb = nlohmann::json::parse(b.out);
  CHECK(ja["paths"] == jb["paths"]);
  CHECK(ja["paths"].get<long>() < 400000);
  CHECK(ja["paths"].get<long>() % 1024 == 0);
  CHECK(ja["provenance"]["stopping"]["converged"] == true);
  CHECK(a.err.find("converged after " + std::to_string(ja["paths"].get<long>()) + " paths") != std::string::npos);
  for (const auto& s : ja["scenarios"]) {
    CHECK((s["ci_high"].get<double>() - s["ci_low"].get<double>()) / 2 <= 0.005);
    if (s.contains("vs_reference")) {
      const auto& d = s["vs_reference"]["indicators"]["reach_target"];
      CHECK((d["ci_high"].get<double>() - d["ci_low"].get<double>()) / 2 <= 0.005);
    }
  }
}

TEST_CASE("--out writes atomically and leaves no temporary file") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_out_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "r.csv";
  const auto r = banensim("run scenarios/status-quo.toml --paths 2000 --format csv --out '" + out.string() + "'");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  REQUIRE(fs::exists(out));
  std::size_t n_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++n_files;
  }
  CHECK(n_files == 1);
  std::ifstream f(out);
  std::string header;
  std::getline(f, header);
  CHECK(header.rfind("scenario,year,seed,paths,total_mean", 0) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a result that cannot be written to standard output is a failure, not a silent success") {
  // /dev/full accepts the open and fails every write (ENOSPC): a full disk under `> results.json`.
  REQUIRE(fs::exists("/dev/full"));
  for (const std::string args : {"run scenarios/status-quo.toml --paths 200 --threads 1",
                                 "run scenarios/status-quo.toml --paths 200 --threads 1 --format json",
                                 "explain scenarios/status-quo.toml", "--help"}) {
    CAPTURE(args);
    const auto r = banensim(args + " > /dev/full");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cannot write to standard output") != std::string::npos);
    CHECK(banensim(args + " > /dev/null").exit_code == 0);
  }
}
}

TEST_SUITE("cli") {
TEST_CASE("SIGINT during a long compare: clean exit 130, no output file, paths done reported") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_sigint_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "long.json";
  const fs::path err = dir / "stderr.txt";
  // Start a run far too long to finish, interrupt it after 2 s, report its exit code.
  const std::string script = std::string("cd '") + BANENSIM_SOURCE_DIR + "' && ('" + BANENSIM_BINARY +
                             "' compare scenarios/status-quo.toml scenarios/all-three.toml --paths 2000000000"
                             " --format json --out '" + out.string() + "' 2>'" + err.string() +
                             "' & pid=$!; sleep 2; kill -INT $pid; wait $pid; echo $?)";
  FILE* pipe = ::popen(script.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[64] = {0};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, pipe);
  ::pclose(pipe);
  const int code = std::atoi(std::string(buf, n).c_str());
  CHECK(code == 130);
  CHECK_FALSE(fs::exists(out));
  std::size_t n_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) n_files += e.path() != err ? 1U : 0U;
  CHECK(n_files == 0);  // no temporary file left behind either
  std::ifstream ef(err);
  std::stringstream es;
  es << ef.rdbuf();
  CHECK(es.str().find("interrupted after") != std::string::npos);
  CHECK(es.str().find("no output written") != std::string::npos);
  fs::remove_all(dir);
}
}

TEST_SUITE("cli") {
TEST_CASE("malformed scenarios and data files: exit 2, a message naming the file and the key or cell, no output") {
  // tests/data/cli-bad/EXPECT.tsv: one case per line, the file (broken in one
  // way) and the substrings its error message must contain.
  const fs::path dir = fs::path(BANENSIM_SOURCE_DIR) / "tests" / "data" / "cli-bad";
  const fs::path out = fs::temp_directory_path() / ("banensim_bad_" + std::to_string(::getpid()) + ".json");
  std::ifstream manifest(dir / "EXPECT.tsv");
  REQUIRE(manifest.good());
  std::string line;
  int n_cases = 0;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) fields.push_back(field);
    const std::string file = "tests/data/cli-bad/" + fields[0];
    CAPTURE(file);
    REQUIRE(fs::exists(fs::path(BANENSIM_SOURCE_DIR) / file));
    const auto r = banensim("run " + file + " --paths 100 --out '" + out.string() + "'");
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(out));
    CHECK(r.err.find(fields[0]) != std::string::npos);
    CHECK(r.err.find("terminate") == std::string::npos);
    for (std::size_t i = 1; i < fields.size(); ++i) {
      CAPTURE(fields[i]);
      CHECK(r.err.find(fields[i]) != std::string::npos);
    }
    // validate reports the same problem, also with exit code 2.
    CHECK(banensim("validate " + file).exit_code == 2);
    ++n_cases;
  }
  CHECK(n_cases >= 40);
}
}

TEST_SUITE("cli") {
TEST_CASE("calibrate prints estimates with standard errors and writes a file a scenario can include") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_cal_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto r = banensim("calibrate --fit-until 2017 --out '" + (dir / "cal.toml").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("years 2015-2017") != std::string::npos);
  CHECK(r.out.find("std. error") != std::string::npos);
  CHECK(r.out.find("growth.market.trend_mean") != std::string::npos);
  {
    std::ofstream s(dir / "s.toml");
    s << "extends = [\"" << BANENSIM_SOURCE_DIR << "/scenarios/status-quo.toml\", \"cal.toml\"]\n";
  }
  const auto e = banensim("explain '" + (dir / "s.toml").string() + "'");
  REQUIRE(e.exit_code == 0);
  // The included file wins over base.toml: the 2015-2017 fit differs from the shipped 2015-2018 one.
  const auto base = banensim("explain scenarios/status-quo.toml");
  auto line_of = [](const std::string& text, const std::string& key) {
    const auto at = text.find("\n" + key + " = ");
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at + 1) - at);
  };
  CHECK(!line_of(e.out, "growth.market.trend_mean").empty());
  CHECK(line_of(e.out, "growth.market.trend_mean") != line_of(base.out, "growth.market.trend_mean"));
  CHECK(banensim("calibrate --fit-until 2015").exit_code == 2);  // one year is not enough
  fs::remove_all(dir);
}
}

TEST_SUITE("cli") {
// Issue 13, class 2: with these values (each inside docs/MODEL.md's plausible
// ranges) the 2060 totals leave the first histogram range [-100,000,
// 400,000). The median, 75% and 95% quantiles used to be the single largest
// path. Now the range grows; every format must give the same, honest
// quantiles: a share of about p of the paths lies above the p-quantile.
TEST_CASE("totals beyond the first histogram range: every format reports quantiles that hold") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_range_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string scenario =
      "scenarios/status-quo.toml --set supply.max_working_share=1 --set growth.market.trend_mean=11000 "
      "--target-year 2060 --paths 20000 --seed 11";
  const auto r = banensim("run " + scenario + " --format json --report '" + (dir / "r.html").string() + "'");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& last = j["scenarios"][0]["results"]["series"]["total"]["steps"].back();
  REQUIRE(last["step"] == "2060");
  const double max = last["max"].get<double>();
  REQUIRE(max > 400000);  // the case: paths beyond the first range
  CHECK(last["outside_histogram"] == 0);
  CHECK(last["quantile_bounds"].empty());
  CHECK(last["bin_width"].get<double>() > 250);
  const double p50 = last["p50"].get<double>(), p75 = last["p75"].get<double>(), p95 = last["p95"].get<double>();
  CHECK(p50 < p75);
  CHECK(p75 < p95);
  CHECK(p95 < max);
  // P(total >= q_p) is about 1 - p: the target set to the reported quantile.
  // Tolerance: a few standard errors (0.0035 at 20,000 paths) plus the
  // mass of a bin (interpolation within it).
  for (const auto& [q, level] : {std::pair{p50, 0.5}, std::pair{p95, 0.95}}) {
    CAPTURE(level);
    const auto t = banensim("run " + scenario + " --target " + std::to_string(std::llround(q)) + " --format json");
    REQUIRE(t.exit_code == 0);
    const double above = nlohmann::json::parse(t.out)["scenarios"][0]["probability"].get<double>();
    CHECK(std::abs(above - (1 - level)) < 0.015);
  }
  auto thousands = [](double x) {
    std::string digits = std::to_string(std::llround(x)), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  // Table: the 2060 row of the total series holds the same median and 95%.
  const auto table = banensim("run " + scenario);
  REQUIRE(table.exit_code == 0);
  const auto at = table.out.find("\n2060 ", table.out.find("Extra jobs counted: total"));
  REQUIRE(at != std::string::npos);
  const std::string row = table.out.substr(at + 1, table.out.find('\n', at + 1) - at - 1);
  CAPTURE(row);
  CHECK(row.find(" " + thousands(p50) + " ") != std::string::npos);
  CHECK(row.size() >= thousands(p95).size());
  CHECK(row.substr(row.size() - thousands(p95).size()) == thousands(p95));
  CHECK(row.find(thousands(max)) == std::string::npos);
  // CSV: the same numbers (10 significant digits).
  const auto csv = banensim("run " + scenario + " --format csv");
  REQUIRE(csv.exit_code == 0);
  const std::string csv_row = csv.out.substr(csv.out.find("\nstatus quo,2060,") + 1);
  std::vector<std::string> cells;
  std::stringstream cs(csv_row.substr(0, csv_row.find('\n')));
  for (std::string c; std::getline(cs, c, ',');) cells.push_back(c);
  REQUIRE(cells.size() >= 11);  // scenario, year, seed, paths, total_mean, total_std_error, p05 ... p95
  CHECK(std::stod(cells[8]) == doctest::Approx(p50).epsilon(1e-9));
  CHECK(std::stod(cells[10]) == doctest::Approx(p95).epsilon(1e-9));
  // HTML report: the comparison table's median and 90% interval.
  const std::string html = test_support::slurp(dir / "r.html");
  CHECK(html.find("\">" + thousands(p50) + "</td>") != std::string::npos);  // <td data-label="...">
  CHECK(html.find(", " + thousands(p95) + "]</td>") != std::string::npos);
  // Sweep row of the same run (same seed, paths and block size): the same quantiles.
  const auto sweep = banensim("sweep scenarios/status-quo.toml --set supply.max_working_share=1 --set "
                              "growth.market.trend_mean=11000 --target-year 2060 --paths 20000 --seed 11 --out '" +
                              (dir / "s.csv").string() + "'");
  REQUIRE(sweep.exit_code == 0);
  const std::string s = test_support::slurp(dir / "s.csv");
  const std::string srow = s.substr(s.find("\n0,") + 1);
  std::vector<std::string> f;
  std::stringstream ss(srow.substr(0, srow.find('\n')));
  for (std::string c; std::getline(ss, c, ',');) f.push_back(c);
  // point, 2 keys, p_reach, ci_low, ci_high, total_p05, total_p50, total_p95
  REQUIRE(f.size() > 8);
  CHECK(std::stod(f[7]) == p50);
  CHECK(std::stod(f[8]) == p95);
  fs::remove_all(dir);
}
}

TEST_SUITE("cli") {
// Issue 13, classes 1 and 7: an output replaces only a regular file it is
// allowed to replace, and every output is checked before any path runs.
TEST_CASE("outputs: inputs, special files, links, read-only files and clashes are refused before the run") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_outputs_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  const std::string d = "'" + dir.string();
  // A scenario that extends the shipped status quo, and a copy of the history it reads.
  const fs::path source = BANENSIM_SOURCE_DIR;
  fs::copy_file(source / "data" / "monitor-history.csv", dir / "history.csv");
  {
    std::ofstream s(dir / "s.toml");
    s << "extends = \"" << (source / "scenarios" / "status-quo.toml").string() << "\"\n"
      << "[history]\nfile = \"history.csv\"\n";
  }
  fs::create_hard_link(dir / "s.toml", dir / "hard-link.toml");
  ::mkfifo((dir / "fifo").c_str(), 0644);
  fs::create_symlink(dir / "target.txt", dir / "link.txt");
  { std::ofstream(dir / "read-only.json") << "keep me\n"; }
  fs::permissions(dir / "read-only.json", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const std::string s = d + "/s.toml' --paths 100";
  struct Case {
    std::string args;
    std::string message;
  };
  const Case cases[] = {
      {"run " + s + " --out " + d + "/s.toml'", "it is an input of this run"},
      {"run " + s + " --out " + d + "/sub/../s.toml'", "an input of this run"},
      {"run " + s + " --out " + d + "/hard-link.toml'", "the same file as the input"},
      {"run " + s + " --out scenarios/base.toml", "the same file as the input"},
      {"run " + s + " --out " + d + "/history.csv'", "it is an input of this run"},
      {"run " + s + " --out " + d + "/fifo'", "FIFO (named pipe), not a regular file"},
      {"run " + s + " --out /dev/null", "character device, not a regular file"},
      {"run " + s + " --out " + d + "/link.txt'", "symbolic link"},
      {"run " + s + " --out " + d + "/sub'", "directory"},
      {"run " + s + " --out " + d + "/read-only.json'", "read-only (mode 0444)"},
      {"run " + s + " --out " + d + "/a.json' --report " + d + "/sub/../a.json'", "name the same file"},
      {"run " + s + " --out " + d + "/" + std::string(260, 'x') + "'", "260 bytes long"},
      {"run " + s + " --out " + d + "/no-such-dir/a.json'", "does not exist"},
      {"compare " + s + " " + d + "/s.toml' --report " + d + "/s.toml'", "an input of this run"},
      {"explain " + d + "/s.toml' --out " + d + "/history.csv'", "an input of this run"},
      {"calibrate " + d + "/s.toml' --out " + d + "/history.csv'", "an input of this run"},
      {"backtest " + s + " --fit-until 2016 --out " + d + "/fifo'", "FIFO"},
      {"sweep " + s + " --set growth.market.trend_mean=5000,6000 --out " + d + "/s.toml'", "input"},
      {"sweep " + s + " --set growth.market.trend_mean=5000,6000 --out " + d + "/a.csv' --svg " + d +
           "/a.csv.partial'",
       "the journal of --out name the same file"},
      {"sweep " + s + " --set growth.market.trend_mean=5000,6000 --out " + d + "/link.txt'", "symbolic link"},
      {"sensitivity " + s + " --method morris --samples 2 --out " + d + "/read-only.json'", "read-only"},
      {"discover " + s + " --samples 4 --out " + d + "/history.csv'", "an input of this run"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    const auto r = banensim(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.empty());
  }
  // Everything is as it was: the inputs, the FIFO, the link (and no file behind it), the read-only file.
  CHECK(test_support::slurp(dir / "history.csv") == test_support::slurp(source / "data" / "monitor-history.csv"));
  CHECK(fs::is_fifo(fs::symlink_status(dir / "fifo")));
  CHECK(fs::is_symlink(fs::symlink_status(dir / "link.txt")));
  CHECK_FALSE(fs::exists(dir / "target.txt"));
  CHECK(test_support::slurp(dir / "read-only.json") == "keep me\n");
  CHECK(test_support::slurp(dir / "s.toml").find("extends") == 0);

  // sensitivity writes FILE.indices.csv at the very end: it is checked before the design runs.
  { std::ofstream(dir / "sens.indices.csv") << "keep\n"; }
  fs::permissions(dir / "sens.indices.csv", fs::perms::owner_read);
  const auto sens = banensim("sensitivity " + s + " --method morris --samples 2 --out " + d + "/sens.csv'");
  CHECK(sens.exit_code == 2);
  CHECK(sens.err.find("the indices file of --out") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "sens.csv.partial"));  // no design row ran
  CHECK_FALSE(fs::exists(dir / "sens.csv"));

  // A new file follows the umask; an existing file keeps its mode; a long name works.
  const auto umask_run = run_program("umask 077 && '" + std::string(BANENSIM_BINARY) + "' run " + s + " --out " + d +
                                     "/private.json'");
  CHECK(umask_run.exit_code == 0);
  CHECK((fs::status(dir / "private.json").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  { std::ofstream(dir / "shared.json") << "old\n"; }
  fs::permissions(dir / "shared.json", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                           fs::perms::group_write);
  CHECK(banensim("run " + s + " --out " + d + "/shared.json'").exit_code == 0);
  CHECK((fs::status(dir / "shared.json").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write));
  const std::string long_name = std::string(250, 'y') + ".csv";
  CHECK(banensim("run " + s + " --format csv --out " + d + "/" + long_name + "'").exit_code == 0);
  CHECK(fs::file_size(dir / long_name) > 0);
  fs::remove_all(dir);
}
}

TEST_SUITE("cli") {
// Issue 13, class 5: a FIFO given to validate, named by extends or by
// history.file is refused by its kind, without opening it (opening a FIFO
// waits for a writer: `validate` hung). `timeout` turns a hang into exit 124.
TEST_CASE("inputs that are FIFOs are refused by their kind at once, never opened") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_fifo_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  REQUIRE(::mkfifo((dir / "fifo.toml").c_str(), 0644) == 0);
  REQUIRE(::mkfifo((dir / "fifo.csv").c_str(), 0644) == 0);
  const std::string base = std::string(BANENSIM_SOURCE_DIR) + "/scenarios/status-quo.toml";
  { std::ofstream(dir / "extends-fifo.toml") << "extends = \"fifo.toml\"\n"; }
  { std::ofstream(dir / "history-fifo.toml") << "extends = \"" << base << "\"\nhistory.file = \"fifo.csv\"\n"; }
  { std::ofstream(dir / "targets-fifo.toml") << "extends = \"" << base << "\"\ntargets.file = \"fifo.csv\"\n"; }
  const std::string d = "'" + dir.string();
  const std::pair<std::string, std::string> cases[] = {
      {"validate " + d + "/fifo.toml'", "fifo.toml: is a FIFO (named pipe), not a regular file"},
      {"validate " + d + "/extends-fifo.toml'", "fifo.toml is a FIFO (named pipe), not a scenario file"},
      {"run " + d + "/history-fifo.toml' --paths 100", "fifo.csv: is a FIFO (named pipe), not a regular file"},
      {"validate " + d + "/targets-fifo.toml'", "fifo.csv: is a FIFO (named pipe), not a regular file"},
      {"calibrate --history " + d + "/fifo.csv'", "fifo.csv: is a FIFO"},
  };
  for (const auto& [args, message] : cases) {
    CAPTURE(args);
    const auto r = run_program("timeout 20 '" + std::string(BANENSIM_BINARY) + "' " + args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(message) != std::string::npos);
  }
  fs::remove_all(dir);
}

// Issue 13, class 4: the 2015-2023 history (whose 2017 and 2021 totals differ
// from their sums by a job) runs; a history that disagrees with itself does not.
TEST_CASE("the 2015-2023 history runs and backtests, with or without a byte-order mark") {
  for (const char* file : {"tests/data/good/history-2015-2023.csv", "tests/data/good/history-bom-2015-2023.csv"}) {
    CAPTURE(file);
    const auto r = banensim(std::string("run scenarios/status-quo.toml --paths 2000 --format json --set history.file=") + file);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["scenarios"][0]["origin_year"] == 2023);
    const fs::path scenario = fs::temp_directory_path() / ("banensim_2023_" + std::to_string(::getpid()) + ".toml");
    std::ofstream(scenario) << "extends = \"" << BANENSIM_SOURCE_DIR << "/scenarios/status-quo.toml\"\n"
                            << "history.file = \"" << BANENSIM_SOURCE_DIR << "/" << file << "\"\n";
    const auto b = banensim("backtest '" + scenario.string() + "' --fit-until 2020 --paths 2000 --format json");
    fs::remove(scenario);
    REQUIRE(b.exit_code == 0);
    const auto bj = nlohmann::json::parse(b.out);
    CHECK(bj["origins"] == nlohmann::json::array({2020, 2020}));
    CHECK(bj["last_observed_year"] == 2023);
    CHECK(bj["forecasts"][0]["years"][0]["year"] == 2021);
    CHECK(bj["forecasts"][0]["years"][0]["observed"] == 72809);
  }
  const auto bad = banensim("run scenarios/status-quo.toml --paths 100 --set history.file=tests/data/bad/history-total-not-sum.csv");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("history-total-not-sum.csv:4:6: column 'total_counted' = 369040") != std::string::npos);
}
}

TEST_SUITE("cli") {
TEST_CASE("hostile command lines (tests/data/cli-bad/COMMANDS.tsv): the exit code and the true message") {
  const fs::path manifest = fs::path(BANENSIM_SOURCE_DIR) / "tests" / "data" / "cli-bad" / "COMMANDS.tsv";
  std::ifstream in(manifest);
  REQUIRE(in.good());
  const fs::path tmp = fs::temp_directory_path() / ("banensim_commands_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::string line;
  int n_cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) fields.push_back(f);
    REQUIRE(fields.size() >= 2);
    std::string args = fields[0];
    for (auto at = args.find("@TMP@"); at != std::string::npos; at = args.find("@TMP@")) args.replace(at, 5, tmp.string());
    CAPTURE(args);
    const auto r = banensim(args);
    CHECK(r.exit_code == std::stoi(fields[1]));
    const std::string all = r.out + r.err;
    CAPTURE(all.substr(0, 2000));
    for (std::size_t i = 2; i < fields.size(); ++i) {
      CAPTURE(fields[i]);
      if (fields[i][0] == '!') {
        CHECK(all.find(fields[i].substr(1)) == std::string::npos);
      } else {
        CHECK(all.find(fields[i]) != std::string::npos);
      }
    }
    if (r.exit_code == 2) CHECK(r.out.empty());
    CHECK(r.err.find("terminate") == std::string::npos);
    ++n_cases;
  }
  CHECK(n_cases >= 30);
  // explain --out wrote the resolved scenario, with the override, instead of printing it.
  CHECK(test_support::slurp(tmp / "resolved.toml").find("\ncycle.sd = 0.25\n") != std::string::npos);
  fs::remove_all(tmp);
}

TEST_CASE("compare --variant: an option defined on the command line, its settings for it alone, named in every format") {
  // The variant is the status quo with lever 2 from 2027: the same model as
  // scenarios/purchase-at-buyer.toml, so the same numbers under another name.
  const std::string sq = "scenarios/status-quo.toml", pab = "scenarios/purchase-at-buyer.toml";
  const auto file = banensim("compare " + sq + " " + pab + " --paths 2048 --format json");
  const auto var = banensim("compare " + sq +
                            " --variant 'lever2=scenarios/status-quo.toml policy.purchase_at_buyer.enabled=true "
                            "policy.purchase_at_buyer.year=2027' --paths 2048 --format json");
  REQUIRE(file.exit_code == 0);
  REQUIRE(var.exit_code == 0);
  const auto a = nlohmann::json::parse(file.out), b = nlohmann::json::parse(var.out);
  CHECK(b["scenarios"][1]["name"] == "lever2");
  CHECK(b["scenarios"][1]["probability"] == a["scenarios"][1]["probability"]);
  CHECK(b["scenarios"][1]["vs_reference"]["indicators"]["reach_target"]["difference"] ==
        a["scenarios"][1]["vs_reference"]["indicators"]["reach_target"]["difference"]);
  // The reference is untouched by the variant's settings.
  CHECK(b["scenarios"][0]["probability"] == a["scenarios"][0]["probability"]);
  CHECK(b["provenance"]["scenarios"][0]["resolved_hash"] == a["provenance"]["scenarios"][0]["resolved_hash"]);
  CHECK(b["provenance"]["scenarios"][1]["resolved_hash"] != b["provenance"]["scenarios"][0]["resolved_hash"]);
  // --set applies to every option, the variant's own settings after it.
  const auto both = banensim("compare " + sq + " --variant 'rich=" + sq +
                             " quota.bonus_per_job_eur=4000' --set quota.bonus_per_job_eur=1500 --paths 1024 --format json");
  REQUIRE(both.exit_code == 0);
  const auto c = nlohmann::json::parse(both.out);
  CHECK(c["scenarios"][1]["name"] == "rich");
  const auto explain_ref = banensim("explain " + sq + " --set quota.bonus_per_job_eur=1500");
  REQUIRE(explain_ref.exit_code == 0);
  CHECK(explain_ref.out.find(c["provenance"]["scenarios"][0]["resolved_hash"].get<std::string>()) != std::string::npos);
  const auto explain_var = banensim("explain " + sq + " --set quota.bonus_per_job_eur=4000");
  CHECK(explain_var.out.find(c["provenance"]["scenarios"][1]["resolved_hash"].get<std::string>()) != std::string::npos);
  // The table names it.
  const auto table = banensim("compare " + sq + " --variant 'late-levy=" + sq + " quota.bonus_per_job_eur=3000' --paths 1024");
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("late-levy") != std::string::npos);
}

TEST_CASE("compare --variant: bad variants are refused as --set is (exit 2), naming the variant, key, value and constraint") {
  const std::string sq = "scenarios/status-quo.toml";
  const char* cases[][2] = {
      {"--variant 'x=scenarios/status-quo.toml nosuch.key=1'", "nosuch.key"},
      {"--variant 'x=scenarios/status-quo.toml quota.bonus_per_job_eur=abc'", "abc"},
      {"--variant 'x=scenarios/status-quo.toml quota.liable_share=2'", "quota.liable_share"},
      {"--variant 'x=scenarios/status-quo.toml quota.bonus_per_job_eur'", "must be KEY=VALUE"},
      {"--variant 'scenarios/status-quo.toml'", "NAME=FILE"},
      {"--variant 'x=scenarios/nope.toml'", "nope.toml"},
      {"--variant 'bad,name=scenarios/status-quo.toml'", "may hold only"},
      {"--variant 'x=scenarios/status-quo.toml' --variant 'x=scenarios/all-three.toml'", "another option is named x"},
  };
  for (const auto& c : cases) {
    CAPTURE(c[0]);
    const auto r = banensim("compare " + sq + " " + c[0] + " --paths 1024");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c[1]) != std::string::npos);
    CHECK(r.out.empty());
  }
  // The constraint broken is stated as --set states it, with the variant as the origin.
  const auto r = banensim("compare " + sq + " --variant 'x=" + sq + " quota.liable_share=2' --paths 1024");
  const auto s = banensim("compare " + sq + " scenarios/all-three.toml --set quota.liable_share=2 --paths 1024");
  CHECK(r.err.find("--variant x") != std::string::npos);
  const auto tail = [](const std::string& e) { return e.substr(e.find("quota.liable_share")); };
  CHECK(tail(r.err) == tail(s.err));
}

TEST_CASE("compare --format csv carries every column of the table, equal to the JSON's figures") {
  const auto csv = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --paths 2048 --format csv");
  const auto json = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --paths 2048 --format json");
  REQUIRE(csv.exit_code == 0);
  REQUIRE(json.exit_code == 0);
  std::istringstream in(csv.out);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> cols;
  {
    std::stringstream hs(header);
    for (std::string c; std::getline(hs, c, ',');) cols.push_back(c);
  }
  for (const char* c : {"p_reach", "p_reach_ci_low", "p_reach_ci_high", "diff", "diff_ci_low", "diff_ci_high",
                        "p_only_variant", "p_only_reference", "median_first_year", "p_quota", "p_quota_ci_low",
                        "p_quota_ci_high", "charge_mean_eur", "charge_std_error_eur", "total_p50", "total_p05",
                        "total_p95", "p_reached_by", "p_reached_by_diff", "p_reached_by_diff_ci_low",
                        "p_reached_by_diff_ci_high", "charge_diff_eur", "charge_diff_ci_low_eur",
                        "charge_diff_ci_high_eur", "p_only_variant_ci_low", "p_only_variant_ci_high",
                        "p_only_reference_ci_low", "p_only_reference_ci_high", "file", "resolved_hash"}) {
    CAPTURE(c);
    CHECK(std::find(cols.begin(), cols.end(), c) != cols.end());
  }
  const auto at = [&](const std::vector<std::string>& row, const std::string& name) {
    return row.at(static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin()));
  };
  const auto doc = nlohmann::json::parse(json.out);
  std::size_t n_rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) row.push_back(c);
    if (row.size() < cols.size()) row.resize(cols.size());  // trailing empty fields
    REQUIRE(row.size() == cols.size());
    const std::size_t k = at(row, "scenario") == doc["scenarios"][0]["name"] ? 0 : 1;
    const auto& sc = doc["scenarios"][k];
    // What the row was computed from, as the JSON's provenance says.
    CHECK(at(row, "file") == doc["provenance"]["scenarios"][k]["file"].get<std::string>());
    CHECK(at(row, "resolved_hash") == doc["provenance"]["scenarios"][k]["resolved_hash"].get<std::string>());
    CHECK(std::stod(at(row, "p_reach")) == doctest::Approx(sc["probability"].get<double>()).epsilon(1e-9));
    CHECK(std::stod(at(row, "p_reach_ci_low")) == doctest::Approx(sc["ci_low"].get<double>()).epsilon(1e-9));
    if (k == 0) {
      CHECK(at(row, "diff").empty());
      CHECK(at(row, "p_only_variant_ci_low").empty());
      CHECK(at(row, "p_only_reference_ci_high").empty());
    } else {
      const auto& d = sc["vs_reference"]["indicators"]["reach_target"];
      CHECK(std::stod(at(row, "diff")) == doctest::Approx(d["difference"].get<double>()).epsilon(1e-9));
      CHECK(std::stod(at(row, "diff_ci_high")) == doctest::Approx(d["ci_high"].get<double>()).epsilon(1e-9));
      // P(only one of the two reaches the target), each with its Wilson interval, as in the JSON.
      for (const auto& [column, key] : {std::pair{"p_only_variant", "p_variant_only"},
                                        std::pair{"p_only_reference", "p_reference_only"}}) {
        CAPTURE(column);
        const auto& only = d[key];
        CHECK(std::stod(at(row, column)) == doctest::Approx(only["probability"].get<double>()).epsilon(1e-9));
        CHECK(std::stod(at(row, std::string(column) + "_ci_low")) ==
              doctest::Approx(only["ci_low"].get<double>()).epsilon(1e-9));
        CHECK(std::stod(at(row, std::string(column) + "_ci_high")) ==
              doctest::Approx(only["ci_high"].get<double>()).epsilon(1e-9));
        CHECK(std::stod(at(row, std::string(column) + "_ci_high")) > 0.0);  // a Wilson interval, even at 0 of n
      }
      // The paired difference of P(reached by this year): the JSON's, and
      // exactly the difference of the two scenarios' own P(reached by year).
      const double year = std::stod(at(row, "year"));
      for (const auto& c : sc["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]) {
        if (c["value"].get<double>() != year) continue;
        CHECK(std::stod(at(row, "p_reached_by_diff")) == doctest::Approx(c["difference"].get<double>()).epsilon(1e-9));
        CHECK(std::stod(at(row, "p_reached_by_diff_ci_low")) ==
              doctest::Approx(c["ci_low"].get<double>()).epsilon(1e-9));
        for (const auto& r : sc["results"]["scalars"]["first_year_reached"]["cumulative"]) {
          if (r["value"].get<double>() != year) continue;
          for (const auto& q : doc["scenarios"][0]["results"]["scalars"]["first_year_reached"]["cumulative"]) {
            if (q["value"].get<double>() == year) {
              CHECK(c["difference"].get<double>() ==
                    doctest::Approx(r["probability"].get<double>() - q["probability"].get<double>()).epsilon(1e-12));
            }
          }
        }
      }
    }
    CHECK(std::stod(at(row, "charge_mean_eur")) ==
          doctest::Approx(sc["results"]["scalars"]["quota_charge_total_eur"]["mean"].get<double>()).epsilon(1e-9));
    if (k == 0) {
      CHECK(at(row, "charge_diff_eur").empty());
    } else {
      // The paired difference of the charge: the JSON's, and exactly the difference of the two means.
      const auto& c = sc["vs_reference"]["scalars"]["quota_charge_total_eur"];
      CHECK(std::stod(at(row, "charge_diff_eur")) == doctest::Approx(c["difference"].get<double>()).epsilon(1e-9));
      CHECK(std::stod(at(row, "charge_diff_ci_low_eur")) == doctest::Approx(c["ci_low"].get<double>()).epsilon(1e-9));
      CHECK(std::stod(at(row, "charge_diff_ci_high_eur")) == doctest::Approx(c["ci_high"].get<double>()).epsilon(1e-9));
      const auto& mean = [&](std::size_t j) {
        return doc["scenarios"][j]["results"]["scalars"]["quota_charge_total_eur"]["mean"].get<double>();
      };
      CHECK(c["difference"].get<double>() == doctest::Approx(mean(k) - mean(0)).epsilon(1e-9));
    }
    ++n_rows;
  }
  CHECK(n_rows == 2 * doc["scenarios"][0]["results"]["series"]["total"]["steps"].size());
}

TEST_CASE("compare --assumptions: per option the share of sets it beats, ties and loses, the regret and the rule, "
          "in the table, CSV and JSON, and bad use refused") {
  const auto r = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --assumptions 8 --paths 1024");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Intervals: 95% Monte Carlo intervals, the noise of 1,024 paths") != std::string::npos);
  CHECK(r.out.find("The range over plausible assumptions follows the table.") != std::string::npos);
  CHECK(r.out.find("They do not cover the uncertain assumptions") == std::string::npos);
  CHECK(r.out.find("Across plausible assumptions: 8 assumption sets") != std::string::npos);
  CHECK(r.out.find("Monte Carlo 95%") != std::string::npos);
  CHECK(r.out.find("assumption range 5-95%") != std::string::npos);
  CHECK(r.out.find("worst regret  Monte Carlo range") != std::string::npos);
  CHECK(r.out.find("as estimates of the share of the whole plausible range, their 95% Wilson intervals reach at "
                   "most ") != std::string::npos);
  // all three's levers act from 2027: in 2026 both options are alike at every set, so both have regret 0
  // and neither is named above the other.
  CHECK(r.out.find("For P(reach) the smallest is shared by status quo and all three (0.000, Monte Carlo range "
                   "[0.000, 0.000]);\n") != std::string::npos);
  CHECK(r.out.find("all three beats status quo by more than its Monte Carlo noise in") != std::string::npos);
  const auto csv = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --assumptions 8 --paths 1024 --format csv");
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("option,file,sets,seed,paths,p_reach,p_reach_ci_low,p_reach_ci_high,diff,diff_ci_low,diff_ci_high,"
                      "p_reach_median,p_reach_p05,p_reach_p95,diff_median,diff_p05,diff_p95,diff_min,diff_max,share_beats,"
                      "share_ties,share_loses,worst_case_regret,rule,rule_coverage,rule_density,rule_box_coverage,"
                      "rule_box_density,by_year,p_reached_by,"
                      "p_reached_by_ci_low,p_reached_by_ci_high,p_reached_by_diff,p_reached_by_diff_ci_low,"
                      "p_reached_by_diff_ci_high,p_reached_by_median,p_reached_by_p05,p_reached_by_p95,"
                      "p_reached_by_diff_median,p_reached_by_diff_p05,p_reached_by_diff_p95,p_reached_by_diff_min,"
                      "p_reached_by_diff_max,by_share_beats,by_share_ties,by_share_loses,by_worst_case_regret,"
                      "by_rule,by_rule_coverage,by_rule_density,by_rule_box_coverage,by_rule_box_density,resolved_hash,"
                      "worst_case_regret_mc_low,worst_case_regret_mc_high,by_worst_case_regret_mc_low,"
                      "by_worst_case_regret_mc_high,share_beats_ci_low,share_beats_ci_high,share_ties_ci_low,"
                      "share_ties_ci_high,share_loses_ci_low,share_loses_ci_high,by_share_beats_ci_low,"
                      "by_share_beats_ci_high,by_share_ties_ci_low,by_share_ties_ci_high,by_share_loses_ci_low,"
                      "by_share_loses_ci_high\n",
                      0) == 0);
  const auto js = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --assumptions 8 --paths 1024 --format json");
  REQUIRE(js.exit_code == 0);
  const auto doc = nlohmann::json::parse(js.out);
  // Each option's row ends with what it was computed from: its resolved hash, as the provenance gives it.
  for (const auto& sc : doc["provenance"]["scenarios"]) {
    CHECK(csv.out.find("," + sc["resolved_hash"].get<std::string>() + ",") != std::string::npos);
  }
  const auto& o = doc["assumptions"]["options"][1];
  CHECK(o["beats"]["sets"].get<int>() + o["ties"]["sets"].get<int>() + o["loses"]["sets"].get<int>() == 8);
  CHECK(doc["assumptions"]["sets"] == 8);
  CHECK(doc["assumptions"]["minimax_regret_tied"] == nlohmann::json::array({"status quo", "all three"}));
  CHECK(doc["assumptions"]["minimax_regret_not_told_apart"] == nlohmann::json::array());
  // The sets' own run time, as the table's line gives it (the provenance's is the central comparison's).
  CHECK(doc["provenance"]["assumption_sets_wall_seconds"].get<double>() > 0);
  // "By when" over the same sets: P(reached by 2030), where all three's
  // levers (from 2027) act. The CSV's by-year columns are the JSON's, and
  // the central figure is compare's own P(by 2030) and its paired difference.
  CHECK(doc["assumptions"]["by_year"] == 2030);
  // With two options the regret by 2030 is the other's lead: the status
  // quo's worst case is all three's largest gain, all three's the largest loss.
  const auto& ref_by = doc["assumptions"]["options"][0]["by_year"];
  const double gain = o["by_year"]["difference"]["max"].get<double>();
  const double loss = -o["by_year"]["difference"]["min"].get<double>();
  CHECK(ref_by["worst_case_regret"].get<double>() == doctest::Approx(std::max(0.0, gain)).epsilon(1e-9));
  CHECK(o["by_year"]["worst_case_regret"].get<double>() == doctest::Approx(std::max(0.0, loss)).epsilon(1e-9));
  CHECK(doc["assumptions"]["minimax_regret_by_year"] == (std::max(0.0, loss) <= std::max(0.0, gain) ? "all three"
                                                                                                      : "status quo"));
  const auto& b = o["by_year"];
  CHECK(b["beats"]["sets"].get<int>() + b["ties"]["sets"].get<int>() + b["loses"]["sets"].get<int>() == 8);
  CHECK(b["beats"]["sets"].get<int>() > 0);
  CHECK(b["difference"]["max"].get<double>() > 0.0);
  CHECK(b["p_reached_by"]["median"].get<double>() > o["p_reach"]["median"].get<double>());
  CHECK(b["sentence"].get<std::string>().rfind("On P(reached by 2030), all three beats status quo", 0) == 0);
  // 8 sets cannot say which of the factors sizes the change; the JSON has every factor, none named.
  CHECK(b["sentence"].get<std::string>().find("; too few sets to say what sizes the difference") != std::string::npos);
  CHECK(b["drivers"].size() == doc["assumptions"]["factors"].size());
  for (const auto& d : b["drivers"]) CHECK_FALSE(d["in_words"].get<bool>());
  CHECK(r.out.find("On P(reached by 2030), all three beats status quo by more than its Monte Carlo noise in") !=
        std::string::npos);
  {
    // RFC 4180 fields: the rule texts are quoted and hold commas.
    const auto fields = [](const std::string& line) {
      std::vector<std::string> out(1);
      bool quoted = false;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '"') {
          if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
            out.back() += '"';
            ++i;
          } else {
            quoted = !quoted;
          }
        } else if (line[i] == ',' && !quoted) {
          out.emplace_back();
        } else {
          out.back() += line[i];
        }
      }
      return out;
    };
    std::istringstream in(csv.out);
    std::string line;
    std::getline(in, line);
    const auto cols = fields(line);
    std::getline(in, line);
    std::getline(in, line);  // all three
    const auto row = fields(line);
    REQUIRE(row.size() == cols.size());
    const auto at = [&](const std::string& name) {
      return std::stod(row.at(static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin())));
    };
    CHECK(at("by_year") == 2030);
    CHECK(at("p_reached_by_diff_median") == doctest::Approx(b["difference"]["median"].get<double>()).epsilon(1e-9));
    CHECK(at("p_reached_by_p95") == doctest::Approx(b["p_reached_by"]["p95"].get<double>()).epsilon(1e-9));
    CHECK(at("by_share_beats") == doctest::Approx(b["beats"]["share"].get<double>()).epsilon(1e-9));
    CHECK(at("by_worst_case_regret") == doctest::Approx(b["worst_case_regret"].get<double>()).epsilon(1e-9));
    // The rule's figures: the stated region's and PRIM's whole box's, as the JSON has them.
    REQUIRE(b["rule"]["found"].get<bool>());
    CHECK(at("by_rule_box_coverage") == doctest::Approx(b["rule"]["coverage"].get<double>()).epsilon(1e-9));
    CHECK(at("by_rule_box_density") == doctest::Approx(b["rule"]["density"].get<double>()).epsilon(1e-9));
    if (!b["rule"]["stated"].is_null()) {
      CHECK(at("by_rule_coverage") == doctest::Approx(b["rule"]["stated"]["coverage"].get<double>()).epsilon(1e-9));
      CHECK(at("by_rule_density") == doctest::Approx(b["rule"]["stated"]["density"].get<double>()).epsilon(1e-9));
    }
    // Each beats / ties / loses share with its Wilson interval over the 8 sets, written out by hand, the
    // CSV's columns the JSON's.
    for (const auto& [prefix, j] : {std::pair<std::string, nlohmann::json>{"", o}, {"by_", b}}) {
      for (const char* what : {"beats", "ties", "loses"}) {
        CAPTURE(prefix + what);
        const double z = 1.959963984540054, n = 8, p = j[what]["sets"].get<double>() / n;
        const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        CHECK(j[what]["ci_low"].get<double>() == doctest::Approx(std::max(0.0, centre - half)).epsilon(1e-12));
        CHECK(j[what]["ci_high"].get<double>() == doctest::Approx(std::min(1.0, centre + half)).epsilon(1e-12));
        const std::string c = prefix + "share_" + what;
        CHECK(at(c + "_ci_low") == doctest::Approx(j[what]["ci_low"].get<double>()).epsilon(1e-9));
        CHECK(at(c + "_ci_high") == doctest::Approx(j[what]["ci_high"].get<double>()).epsilon(1e-9));
      }
    }
    // The worst regret's Monte Carlo range: the CSV's columns are the JSON's, and it holds the estimate.
    for (const auto& [prefix, j] : {std::pair<std::string, nlohmann::json>{"", o}, {"by_", b}}) {
      CAPTURE(prefix);
      const auto& mc = j["worst_case_regret_monte_carlo"];
      CHECK(at(prefix + "worst_case_regret_mc_low") == doctest::Approx(mc["low"].get<double>()).epsilon(1e-9));
      CHECK(at(prefix + "worst_case_regret_mc_high") == doctest::Approx(mc["high"].get<double>()).epsilon(1e-9));
      CHECK(mc["low"].get<double>() <= j["worst_case_regret"].get<double>() + 1e-12);
      CHECK(j["worst_case_regret"].get<double>() <= mc["high"].get<double>() + 1e-12);
    }
    const auto& central = doc["scenarios"][1];
    for (const auto& c : central["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]) {
      if (c["value"].get<double>() != 2030) continue;
      CHECK(at("p_reached_by_diff") == doctest::Approx(c["difference"].get<double>()).epsilon(1e-9));
      CHECK(at("p_reached_by_diff_ci_high") == doctest::Approx(c["ci_high"].get<double>()).epsilon(1e-9));
    }
    for (const auto& c : central["results"]["scalars"]["first_year_reached"]["cumulative"]) {
      if (c["value"].get<double>() == 2030) {
        CHECK(at("p_reached_by") == doctest::Approx(c["probability"].get<double>()).epsilon(1e-9));
      }
    }
  }
  for (const char* c : {"--study studies/example.toml", "--rows x.csv", "--resume", "--min-density 0.5"}) {
    CAPTURE(c);
    const auto bad = banensim(std::string("compare scenarios/status-quo.toml scenarios/all-three.toml ") + c);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("needs --assumptions") != std::string::npos);
  }
  const auto one = banensim("compare scenarios/status-quo.toml scenarios/all-three.toml --assumptions 1");
  CHECK(one.exit_code == 2);
  // Today's all-three acts from 2027: alike at every set in 2026, which the
  // rule says with the figure that judges what it changes; with a later
  // target year it is not alike.
  const std::string later =
      "its levers act only after the end-2026 measurement (policy.purchase_at_buyer from 2027, "
      "policy.exclude_security from 2027), so they cannot change P(reach) in 2026: what they change is judged "
      "on P(reached by 2030) over the same sets";
  CHECK(o["difference"]["max"].get<double>() == 0.0);
  CHECK(o["rule"]["text"].get<std::string>().find(later) != std::string::npos);
  CHECK(r.out.find(later) != std::string::npos);
  const auto at_2030 = banensim(
      "compare scenarios/status-quo.toml scenarios/all-three.toml --assumptions 8 --paths 1024 --target-year 2030 "
      "--format json");
  REQUIRE(at_2030.exit_code == 0);
  const auto doc_2030 = nlohmann::json::parse(at_2030.out);
  const auto& o2 = doc_2030["assumptions"]["options"][1];
  CHECK(o2["difference"]["max"].get<double>() > 0.0);
  CHECK(o2["rule"]["text"].get<std::string>().find("its levers act only after") == std::string::npos);
}

TEST_CASE("a newer measurement in the history: the run goes on and says in every format that the keys leave it out") {
  // A copy of the scenarios and data with the end-2024 measurement added
  // (made-up figures: only the year matters here).
  const fs::path dir = fs::temp_directory_path() / ("banensim_stamp_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(BANENSIM_SOURCE_DIR) / "scenarios", dir / "scenarios", fs::copy_options::recursive);
  fs::copy(fs::path(BANENSIM_SOURCE_DIR) / "data", dir / "data", fs::copy_options::recursive);
  std::ofstream(dir / "data" / "monitor-history.csv", std::ios::app) << "2024,80000,25000,77000,12000,89000,test\n";
  const std::string scenario = "'" + (dir / "scenarios" / "status-quo.toml").string() + "'";
  const std::string report = (dir / "report.html").string();

  const auto r = banensim("run " + scenario + " --paths 500 --format json --report '" + report + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("banensim: warning: ") != std::string::npos);
  CHECK(r.err.find("fitted on the data up to 2023, but the forecast starts from the end-2024 measurement") !=
        std::string::npos);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["scenarios"][0]["origin_year"] == 2024);
  CHECK(j["scenarios"][0]["calibration"]["fit_year"] == 2023);
  REQUIRE(j["scenarios"][0]["calibration"]["mismatch"].is_string());
  CHECK(j["scenarios"][0]["calibration"]["mismatch"].get<std::string>().find("leave out 2024") != std::string::npos);
  std::ifstream in(report);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(html.find("<p class=\"warning calibration\"><strong>Warning (status quo):</strong>") != std::string::npos);
  const auto table = banensim("run " + scenario + " --paths 500");
  CHECK(table.out.find("WARNING (status quo): the calibrated keys were fitted on the data up to 2023") !=
        std::string::npos);
  // validate: the scenario is valid (exit 0), and the warning is given.
  const auto v = banensim("validate " + scenario);
  CHECK(v.exit_code == 0);
  CHECK(v.err.find("leave out 2024") != std::string::npos);

  // calibrate on the new data, its keys in the scenario: no warning.
  const fs::path keys = dir / "scenarios" / "calibrated-2024.toml";
  REQUIRE(banensim("calibrate " + scenario + " --out '" + keys.string() + "'").exit_code == 0);
  std::ofstream(dir / "scenarios" / "today.toml") << "extends = [\"status-quo.toml\", \"calibrated-2024.toml\"]\n";
  const auto again = banensim("run '" + (dir / "scenarios" / "today.toml").string() + "' --paths 500 --format json");
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("warning") == std::string::npos);
  const auto ja = nlohmann::json::parse(again.out);
  CHECK(ja["scenarios"][0]["calibration"]["fit_year"] == 2024);
  CHECK(ja["scenarios"][0]["calibration"]["mismatch"].is_null());

  // Or in place: --update puts the keys into the base file, changing their values only.
  const std::string base = "'" + (dir / "scenarios" / "base.toml").string() + "'";
  const auto outside = banensim("calibrate " + base + " --update '" + keys.string() + "'");
  CHECK(outside.exit_code == 2);
  CHECK(outside.err.find("not a file of") != std::string::npos);
  std::ifstream old_in(dir / "scenarios" / "base.toml");
  const std::string old_text((std::istreambuf_iterator<char>(old_in)), std::istreambuf_iterator<char>());
  const auto updated = banensim("calibrate " + base + " --update " + base);
  REQUIRE(updated.exit_code == 0);
  CHECK(updated.out.find("updated the calibrated keys in") != std::string::npos);
  std::ifstream new_in(dir / "scenarios" / "base.toml");
  const std::string new_text((std::istreambuf_iterator<char>(new_in)), std::istreambuf_iterator<char>());
  CHECK(new_text != old_text);
  CHECK(new_text.find("fit_year = 2024\n") != std::string::npos);
  CHECK(new_text.find("# Calibrated: written by `banensim calibrate`") != std::string::npos);  // comments kept
  const auto in_place = banensim("run " + scenario + " --paths 500 --format json");
  REQUIRE(in_place.exit_code == 0);
  CHECK(in_place.err.find("warning") == std::string::npos);
  // The same keys as --out wrote: the same numbers.
  CHECK(nlohmann::json::parse(in_place.out)["scenarios"][0]["results"] == ja["scenarios"][0]["results"]);
  const auto again_update = banensim("calibrate " + base + " --update " + base);
  CHECK(again_update.out.find("holds these values already: unchanged") != std::string::npos);
  fs::remove_all(dir);

  // The shipped scenarios: stamped with their data, nothing to say.
  const auto shipped = banensim("run scenarios/status-quo.toml --paths 500 --format json");
  REQUIRE(shipped.exit_code == 0);
  CHECK(shipped.err.find("warning") == std::string::npos);
  const auto js = nlohmann::json::parse(shipped.out);
  CHECK(js["scenarios"][0]["calibration"]["fit_year"] == 2023);
  CHECK(js["scenarios"][0]["calibration"]["mismatch"].is_null());
}
}
