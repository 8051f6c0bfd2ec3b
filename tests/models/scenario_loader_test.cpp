#include "models/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "models/banenafspraak_params.hpp"

namespace fs = std::filesystem;
using banensim::models::apply_overrides;
using banensim::models::InputError;
using banensim::models::load_scenario;
using banensim::models::ParamSchema;
using banensim::models::ParamSpec;
using banensim::models::ParamType;
using banensim::models::Problem;
using banensim::models::ResolvedScenario;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A small schema with one key of every type, independent of the real model so
// the loader's tests do not move when the model's parameters do.
ParamSchema test_schema() {
  return {
      ParamSpec{"growth.market.trend", ParamType::kReal, -1, 1, "1/year", "trend growth rate"},
      ParamSpec{"growth.market.volatility", ParamType::kReal, 0, kInf, "1", "shock size"},
      ParamSpec{"quota.levy_per_job_eur", ParamType::kReal, 0, kInf, "EUR per job", "levy"},
      ParamSpec{"run.n_years", ParamType::kInteger, 1, 100, "years", "horizon"},
      ParamSpec{"policy.abolish_split", ParamType::kBoolean, -kInf, kInf, "", "one national target"},
      ParamSpec{"policy.name", ParamType::kString, -kInf, kInf, "", "label"},
      ParamSpec{"data.history", ParamType::kPath, -kInf, kInf, "", "monitor history file"},
  };
}

const fs::path kData = fs::path(BANENSIM_SOURCE_DIR) / "tests" / "data";

std::string good(const std::string& name) { return (kData / "good" / name).string(); }
std::string bad(const std::string& name) { return (kData / "bad" / name).string(); }

// Loads a file that must fail and returns the thrown error's problems.
std::vector<Problem> load_problems(const std::string& file,
                                   const banensim::models::ScenarioCheck& check = {}) {
  try {
    load_scenario(file, test_schema(), check);
  } catch (const InputError& error) {
    return error.problems();
  }
  FAIL("no InputError for " << file);
  return {};
}

std::string error_text(const std::string& file) {
  try {
    load_scenario(file, test_schema());
  } catch (const InputError& error) {
    return error.what();
  }
  return "<no error>";
}

struct BadCase {
  const char* file;
  std::vector<const char*> expected;  // substrings of the error text, besides the file name
};

// One fixture per defect: file -> what the message must say (position, key,
// constraint). Adding a defect class is adding a row and a file.
const std::vector<BadCase> kBadScenarios = {
    {"scenario-unknown-key.toml",
     {":4:1: key 'growth.market.trnd' = 0.1: ", "unknown key (did you mean 'growth.market.trend'?)"}},
    {"scenario-unknown-key-wrong-table.toml",
     {":4:1: key 'quota.volatility'", "unknown key (did you mean 'growth.market.volatility'?)"}},
    {"scenario-unknown-key-no-suggestion.toml", {":2:1: key 'completely_unrelated_setting' = 1: unknown key"}},
    {"scenario-negative.toml", {":2:28: key 'growth.market.volatility' = -0.1: must be >= 0"}},
    {"scenario-out-of-interval.toml", {":2:23: key 'growth.market.trend' = 2.0: must be in [-1, 1]"}},
    {"scenario-integer-out-of-range.toml", {":2:15: key 'run.n_years' = 0: must be in [1, 100]"}},
    {"scenario-integer-as-float.toml", {":2:15: key 'run.n_years' = 3.0: must be an integer"}},
    {"scenario-string-for-number.toml",
     {":2:28: key 'growth.market.volatility' = 'high': must be a number, not a string"}},
    {"scenario-array-for-number.toml", {":2:28: key 'growth.market.volatility'", "must be a number, not an array"}},
    {"scenario-table-for-number.toml", {":3:1: key 'growth.market.trend'", "must be a number, not a table"}},
    {"scenario-string-for-boolean.toml", {":2:24: key 'policy.abolish_split' = 'yes': must be true or false"}},
    {"scenario-number-for-string.toml", {":2:15: key 'policy.name' = 3: must be a string, not an integer"}},
    {"scenario-date-for-string.toml", {":2:15: key 'policy.name'", "must be a string, not a date"}},
    {"scenario-nan.toml", {":2:28: key 'growth.market.volatility' = nan: must be finite"}},
    {"scenario-inf.toml", {":2:26: key 'quota.levy_per_job_eur' = inf: must be finite"}},
    {"scenario-syntax-error.toml", {":3:", "TOML syntax error"}},
    {"scenario-duplicate-key.toml", {":3:", "TOML syntax error", "run.n_years"}},
    {"scenario-empty.toml", {"file is empty"}},
    {"scenario-binary.toml", {":2:16: ", "NUL byte"}},
    {"scenario-not-utf8.toml", {":2:6: ", "not valid UTF-8"}},
    {"scenario-extends-missing.toml",
     {":2:11: key 'extends' = '../good/scenario-bsae.toml': file not found", "scenario-bsae.toml"}},
    {"scenario-extends-array-missing.toml",
     {":1:42: key 'extends' = 'no-such-overlay.toml': file not found"}},
    {"scenario-extends-wrong-type.toml", {":1:11: key 'extends' = 3: must be a file name string"}},
    {"scenario-extends-self.toml",
     {":1:11: key 'extends'", "extends cycle: ", "scenario-extends-self.toml -> ", "scenario-extends-self.toml"}},
    {"scenario-extends-cycle-a.toml",
     {":1:11: key 'extends'", "extends cycle: ", "scenario-extends-cycle-a.toml -> ",
      "scenario-extends-cycle-b.toml -> "}},
    {"scenario-missing-values.toml",
     {"key 'growth.market.volatility': no value: add it to the base scenario", "key 'data.history': no value"}},
    {"scenario-multiple-problems.toml",
     {":2:28: key 'growth.market.volatility' = -1: must be >= 0", ":3:15: key 'run.n_years' = 2.5",
      ":4:8: key 'policy.nmae' = 'x': unknown key (did you mean 'policy.name'?)"}},
};

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("a base scenario loads every key with its type") {
  const ResolvedScenario scenario = load_scenario(good("scenario-base.toml"), test_schema());
  CHECK(scenario.values.size() == test_schema().size());
  CHECK(scenario.real("growth.market.trend") == doctest::Approx(0.05));
  CHECK(scenario.real("quota.levy_per_job_eur") == 5000.0);  // TOML integer accepted as Real
  CHECK(scenario.integer("run.n_years") == 14);
  CHECK(scenario.real("run.n_years") == 14.0);
  CHECK_FALSE(scenario.boolean("policy.abolish_split"));
  CHECK(scenario.string("policy.name") == "status quo");
  // Paths are relative to the file that sets them.
  CHECK(scenario.string("data.history") == good("history.csv"));
  REQUIRE(scenario.files.size() == 1);
  CHECK(scenario.files[0] == good("scenario-base.toml"));
  CHECK(scenario.where("run.n_years").file == good("scenario-base.toml"));
  CHECK(scenario.where("run.n_years").line == 10);
}

TEST_CASE("extends with a string: the child overrides the base and where points at the winner") {
  const ResolvedScenario scenario = load_scenario(good("scenario-child.toml"), test_schema());
  CHECK(scenario.real("growth.market.trend") == doctest::Approx(0.07));
  CHECK(scenario.where("growth.market.trend").file == good("scenario-child.toml"));
  CHECK(scenario.where("growth.market.trend").line == 5);
  CHECK(scenario.where("growth.market.trend").column == 9);
  CHECK(scenario.real("growth.market.volatility") == doctest::Approx(0.2));
  CHECK(scenario.where("growth.market.volatility").file == good("scenario-base.toml"));
  CHECK(scenario.where("growth.market.volatility").line == 4);
  REQUIRE(scenario.files.size() == 2);
  CHECK(scenario.files[0] == good("scenario-child.toml"));
  CHECK(scenario.files[1] == good("scenario-base.toml"));
}

TEST_CASE("extends with an array: later entries override earlier, own keys override all") {
  const ResolvedScenario scenario = load_scenario(good("scenario-multi.toml"), test_schema());
  CHECK(scenario.integer("run.n_years") == 10);  // overlay beats base
  CHECK(scenario.where("run.n_years").file == good("scenario-overlay.toml"));
  CHECK(scenario.where("run.n_years").line == 2);
  CHECK(scenario.real("growth.market.volatility") == doctest::Approx(0.3));
  CHECK(scenario.string("policy.name") == "multi");  // own beats overlay
  CHECK(scenario.where("policy.name").file == good("scenario-multi.toml"));
  CHECK(scenario.where("policy.name").line == 4);
  CHECK(scenario.boolean("policy.abolish_split"));
  CHECK(scenario.real("growth.market.trend") == doctest::Approx(0.05));  // base only
  CHECK(scenario.files.size() == 3);
}

TEST_CASE("extends and paths resolve relative to the file that names them") {
  const ResolvedScenario scenario = load_scenario(good("subdir/scenario-subdir.toml"), test_schema());
  CHECK(scenario.real("growth.market.trend") == doctest::Approx(0.07));  // via the chain
  CHECK(scenario.string("data.history") == good("data/history.csv"));
  CHECK(scenario.files.size() == 3);
}

TEST_CASE("every malformed scenario fixture is rejected with file, position, key and constraint") {
  for (const BadCase& bad_case : kBadScenarios) {
    CAPTURE(bad_case.file);
    const std::string text = error_text(bad(bad_case.file));
    CAPTURE(text);
    CHECK(text.find(bad_case.file) != std::string::npos);
    for (const char* expected : bad_case.expected) {
      CAPTURE(expected);
      CHECK(text.find(expected) != std::string::npos);
    }
  }
}

TEST_CASE("every scenario fixture under tests/data/bad is listed in the table") {
  // A fixture without a row would be dead weight; a row without a file fails above.
  for (const auto& entry : fs::directory_iterator(kData / "bad")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".toml") continue;
    // The other half of cycle-a, and a case tested on its own below.
    if (name == "scenario-extends-cycle-b.toml" || name == "scenario-extends-broken-parent.toml") continue;
    bool listed = false;
    for (const BadCase& bad_case : kBadScenarios) listed = listed || name == bad_case.file;
    CAPTURE(name);
    CHECK(listed);
  }
}

TEST_CASE("a problem in an extended file names that file, not the one the user gave") {
  const std::string text = error_text(bad("scenario-extends-broken-parent.toml"));
  CHECK(text == bad("scenario-negative.toml") + ":2:28: key 'growth.market.volatility' = -0.1: must be >= 0");
}

TEST_CASE("all problems are reported at once, in line order") {
  const std::vector<Problem> problems = load_problems(bad("scenario-multiple-problems.toml"));
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].key == "growth.market.volatility");
  CHECK(problems[0].where.line == 2);
  CHECK(problems[1].key == "run.n_years");
  CHECK(problems[1].where.line == 3);
  CHECK(problems[2].key == "policy.nmae");
  CHECK(problems[2].where.line == 4);

  const std::vector<Problem> missing = load_problems(bad("scenario-missing-values.toml"));
  CHECK(missing.size() == test_schema().size() - 1);
}

TEST_CASE("a missing scenario file is reported") {
  const std::string text = error_text(bad("no-such-scenario.toml"));
  CHECK(text.find("no-such-scenario.toml: file not found") != std::string::npos);
}

TEST_CASE("cross-key checks run after resolution and their problems are reported") {
  const banensim::models::ScenarioCheck check = [](const ResolvedScenario& scenario) {
    std::vector<Problem> problems;
    if (scenario.real("growth.market.trend") > scenario.real("growth.market.volatility")) {
      problems.push_back(Problem{scenario.where("growth.market.trend"), "growth.market.trend", "",
                                 "must not exceed growth.market.volatility"});
    }
    return problems;
  };
  CHECK_NOTHROW(load_scenario(good("scenario-child.toml"), test_schema(), check));
  const fs::path dir = fs::temp_directory_path() / "banensim-loader-test-check";
  fs::create_directories(dir);
  write_file(dir / "base.toml", "extends = \"" + good("scenario-base.toml") + "\"\n");
  write_file(dir / "steep.toml", "extends = \"base.toml\"\ngrowth.market.trend = 0.5\n");
  const std::vector<Problem> problems = load_problems((dir / "steep.toml").string(), check);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message().find("steep.toml:2:23: key 'growth.market.trend': must not exceed") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("apply_overrides sets values with the origin as their source") {
  ResolvedScenario scenario = load_scenario(good("scenario-base.toml"), test_schema());
  apply_overrides(scenario, test_schema(),
                  {{"growth.market.trend", "-0.25"},
                   {"run.n_years", "20"},
                   {"policy.abolish_split", "true"},
                   {"policy.name", "swept"},
                   {"quota.levy_per_job_eur", "1e4"},
                   {"data.history", "other.csv"}},
                  "--set");
  CHECK(scenario.real("growth.market.trend") == -0.25);
  CHECK(scenario.integer("run.n_years") == 20);
  CHECK(scenario.boolean("policy.abolish_split"));
  CHECK(scenario.string("policy.name") == "swept");
  CHECK(scenario.real("quota.levy_per_job_eur") == 10000.0);
  CHECK(scenario.string("data.history") == "other.csv");
  CHECK(scenario.where("run.n_years").file == "--set");
  CHECK(scenario.where("run.n_years").line == 0);
}

TEST_CASE("apply_overrides reports every bad override at once and leaves the scenario untouched") {
  ResolvedScenario scenario = load_scenario(good("scenario-base.toml"), test_schema());
  const std::string before = scenario.canonical_toml();
  std::vector<Problem> problems;
  try {
    apply_overrides(scenario, test_schema(),
                    {{"growth.market.trnd", "0.1"},
                     {"growth.market.volatility", "abc"},
                     {"growth.market.trend", "0.1x"},
                     {"run.n_years", "1.5"},
                     {"policy.abolish_split", "yes"},
                     {"quota.levy_per_job_eur", "-5"},
                     {"growth.market.volatility", "nan"},
                     {"run.n_years", "1000"},
                     {"growth.market.trend", "0.5"}},  // fine, but the batch fails
                    "--set");
    FAIL("no InputError");
  } catch (const InputError& error) {
    problems = error.problems();
    const std::string text = error.what();
    CHECK(text.find("--set: key 'growth.market.trnd' = 0.1: unknown key (did you mean 'growth.market.trend'?)") !=
          std::string::npos);
    CHECK(text.find("--set: key 'growth.market.volatility' = abc: must be a number") != std::string::npos);
    CHECK(text.find("--set: key 'growth.market.trend' = 0.1x: must be a number") != std::string::npos);
    CHECK(text.find("--set: key 'run.n_years' = 1.5: must be an integer") != std::string::npos);
    CHECK(text.find("--set: key 'policy.abolish_split' = yes: must be true or false") != std::string::npos);
    CHECK(text.find("--set: key 'quota.levy_per_job_eur' = -5: must be >= 0") != std::string::npos);
    CHECK(text.find("--set: key 'growth.market.volatility' = nan: must be finite") != std::string::npos);
    CHECK(text.find("--set: key 'run.n_years' = 1000: must be in [1, 100]") != std::string::npos);
  }
  CHECK(problems.size() == 8);
  CHECK(scenario.canonical_toml() == before);
}

TEST_CASE("an integer key's override takes a decimal number whose value is exactly whole, as the integer") {
  // NumPy designs are float (SALib's samplers', np.round's), so evaluate() and
  // a points file written from one give "3.0": it is 3, to the same hash.
  const ResolvedScenario base = load_scenario(good("scenario-base.toml"), test_schema());
  ResolvedScenario as_integer = base;
  apply_overrides(as_integer, test_schema(), {{"run.n_years", "20"}}, "--set");
  for (const char* text : {"20.0", "20.", "+20.000", "2e1", "2E+1", "200e-1", "0.2e2", "020.0", " 20.0 "}) {
    CAPTURE(text);
    ResolvedScenario r = base;
    apply_overrides(r, test_schema(), {{"run.n_years", text}}, "--set");
    CHECK(r.integer("run.n_years") == 20);
    CHECK(r.hash() == as_integer.hash());
    CHECK(r.canonical_toml() == as_integer.canonical_toml());
  }
  const auto problem = [&](const std::string& text) {
    ResolvedScenario r = base;
    try {
      apply_overrides(r, test_schema(), {{"run.n_years", text}}, "--set");
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  // Whole by its digits, not by the nearest double (which 20.0000000000000001 rounds to 20).
  for (const char* text : {"20.5", "20.0000000000000001", "2.05e1", "1e-1", "inf", "nan", "20.0x", "0x14", "."}) {
    CAPTURE(text);
    CHECK(problem(text) == "--set: key 'run.n_years' = " + std::string(text) + ": must be an integer");
  }
  CHECK(problem("1000.0") == "--set: key 'run.n_years' = 1000.0: must be in [1, 100]");
  CHECK(problem("1e30") == "--set: key 'run.n_years' = 1e30: must be in [1, 100]");
  CHECK(problem("-0.0") == "--set: key 'run.n_years' = -0.0: must be in [1, 100]");
  CHECK(problem("1.0e2") == "accepted");
}

TEST_CASE("apply_overrides re-runs the cross-key check") {
  const banensim::models::ScenarioCheck check = [](const ResolvedScenario& scenario) {
    std::vector<Problem> problems;
    if (scenario.integer("run.n_years") > 50 && scenario.boolean("policy.abolish_split")) {
      problems.push_back(Problem{scenario.where("run.n_years"), "run.n_years", "", "too long with one target"});
    }
    return problems;
  };
  ResolvedScenario scenario = load_scenario(good("scenario-base.toml"), test_schema(), check);
  CHECK_NOTHROW(apply_overrides(scenario, test_schema(), {{"run.n_years", "60"}}, "--set", check));
  CHECK_THROWS_WITH_AS(apply_overrides(scenario, test_schema(), {{"policy.abolish_split", "true"}}, "sweep", check),
                       "--set: key 'run.n_years': too long with one target", InputError);
}

TEST_CASE("canonical_toml is sorted, typed, and loads back to the same values and hash") {
  const ResolvedScenario scenario = load_scenario(good("scenario-multi.toml"), test_schema());
  const std::string text = scenario.canonical_toml();
  CHECK(text.find("growth.market.trend = 0.05\n") != std::string::npos);  // shortest round-trip text
  CHECK(text.find("quota.levy_per_job_eur = 5000.0\n") != std::string::npos);  // stays a float
  CHECK(text.find("run.n_years = 10\n") != std::string::npos);
  CHECK(text.find("policy.name = \"multi\"\n") != std::string::npos);
  CHECK(text.find("data.history = ") < text.find("growth.market.trend = "));

  const fs::path dir = fs::temp_directory_path() / "banensim-loader-test-canonical";
  fs::create_directories(dir);
  write_file(dir / "canonical.toml", text);
  // The test's paths are absolute, so the Path value re-resolves to itself.
  const ResolvedScenario again = load_scenario(dir / "canonical.toml", test_schema());
  fs::remove_all(dir);
  CHECK(again.canonical_toml() == text);
  CHECK(again.hash() == scenario.hash());
  for (const auto& [key, value] : scenario.values) {
    CAPTURE(key);
    CHECK(again.values.at(key).value == value.value);
  }
}

TEST_CASE("hash is 16 hex digits and changes with any value") {
  ResolvedScenario scenario = load_scenario(good("scenario-base.toml"), test_schema());
  const std::string hash = scenario.hash();
  CHECK(hash.size() == 16);
  CHECK(hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(scenario.hash() == hash);
  apply_overrides(scenario, test_schema(), {{"growth.market.trend", "0.050000000000000010"}}, "--set");
  CHECK(scenario.hash() != hash);
}

TEST_CASE("Problem::message omits unknown parts") {
  CHECK(Problem{{"f.toml", 3, 7}, "a.b", "1", "must be >= 2"}.message() == "f.toml:3:7: key 'a.b' = 1: must be >= 2");
  CHECK(Problem{{"f.toml", 3, 0}, "a.b", "", "no value"}.message() == "f.toml:3: key 'a.b': no value");
  CHECK(Problem{{"--set", 0, 0}, "a.b", "x", "unknown key"}.message() == "--set: key 'a.b' = x: unknown key");
  CHECK(Problem{{"h.csv", 2, 4}, "year", "x", "must be a number"}.message() ==
        "h.csv:2:4: column 'year' = x: must be a number");
  CHECK(Problem{{"f.toml", 0, 0}, "", "", "file is empty"}.message() == "f.toml: file is empty");
  const InputError error({Problem{{"a", 1, 1}, "k", "", "c1"}, Problem{{"b", 0, 0}, "", "", "c2"}});
  CHECK(std::string(error.what()) == "a:1:1: key 'k': c1\nb: c2");
}

namespace {
// A scratch directory for generated scenario files, removed at the end of the test.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("banensim_loader_" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
};
}  // namespace

TEST_CASE("extends: a diamond 30 levels deep resolves once per file, the last parent winning") {
  // Each level extends both files of the level below: 2^30 routes to the
  // base. Resolving every route (as before issue 13) would never finish.
  const Scratch s;
  s.write("l0a.toml", "extends = \"" + good("scenario-base.toml") + "\"\n[growth.market]\ntrend = 0.01\n");
  s.write("l0b.toml", "extends = \"" + good("scenario-base.toml") + "\"\n[growth.market]\ntrend = 0.02\n");
  const int depth = 30;
  for (int i = 1; i < depth; ++i) {
    for (const char* side : {"a", "b"}) {
      s.write("l" + std::to_string(i) + side + ".toml", "extends = [\"l" + std::to_string(i - 1) + "a.toml\", \"l" +
                                                            std::to_string(i - 1) + "b.toml\"]\n");
    }
  }
  const ResolvedScenario r =
      load_scenario(s.dir / ("l" + std::to_string(depth - 1) + "a.toml"), test_schema());
  CHECK(r.real("growth.market.trend") == 0.02);  // l0b comes last in every list
  CHECK(r.files.size() == 2 * depth);             // every file once (the base included, the other top file not)
}

TEST_CASE("extends: a chain deeper than 64 files is refused with a clear message, not a crash") {
  const Scratch s;
  s.write("c0.toml", "extends = \"" + good("scenario-base.toml") + "\"\n");
  const int n = 3000;
  for (int i = 1; i < n; ++i) s.write("c" + std::to_string(i) + ".toml", "extends = \"c" + std::to_string(i - 1) + ".toml\"\n");
  const std::string text = [&] {
    try {
      load_scenario(s.dir / ("c" + std::to_string(n - 1) + ".toml"), test_schema());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  }();
  CHECK(text.find("the extends chain is more than 64 files deep") != std::string::npos);
  CHECK(text.find("c" + std::to_string(n - 1) + ".toml") != std::string::npos);  // where it started
  // 64 files are fine.
  CHECK_NOTHROW(load_scenario(s.dir / "c62.toml", test_schema()));
}

TEST_CASE("a quoted key with dots that names the same parameter as a table key is a duplicate key") {
  const Scratch s;
  s.write("dup.toml", "extends = \"" + good("scenario-base.toml") +
                          "\"\n\"growth.market.trend\" = 0.5\n\n[growth.market]\ntrend = 0.3\n");
  const std::vector<Problem> problems = load_problems((s.dir / "dup.toml").string());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "growth.market.trend");
  CHECK(problems[0].where.line == 5);
  CHECK(problems[0].value == "0.3");
  CHECK(problems[0].constraint.find("duplicate key") != std::string::npos);
  CHECK(problems[0].constraint.find("line 2") != std::string::npos);
  // Alone, a quoted dotted key is still a way to write the key.
  s.write("quoted.toml", "extends = \"" + good("scenario-base.toml") + "\"\n\"growth.market.trend\" = 0.5\n");
  CHECK(load_scenario(s.dir / "quoted.toml", test_schema()).real("growth.market.trend") == 0.5);
}

TEST_CASE("provenance: one scenario reached by three spellings of its path has one hash") {
  // Relative, absolute, and with a detour through ../: the Path values differ
  // as text, the hash does not (it covers the data file's content instead).
  const Scratch s;
  fs::create_directories(s.dir / "data");
  fs::create_directories(s.dir / "scenarios");
  s.write("data/history.csv", "year,total\n2013,1\n");
  s.write("scenarios/s.toml", "extends = \"" + good("scenario-base.toml") +
                                  "\"\n[data]\nhistory = \"../data/history.csv\"\n");
  const fs::path absolute = s.dir / "scenarios" / "s.toml";
  const fs::path detour = s.dir / "data" / ".." / "scenarios" / "." / "s.toml";
  const fs::path relative = fs::relative(absolute, fs::current_path());
  const ResolvedScenario a = load_scenario(absolute, test_schema());
  const ResolvedScenario b = load_scenario(detour, test_schema());
  const ResolvedScenario c = load_scenario(relative, test_schema());
  CHECK(a.string("data.history") != c.string("data.history"));  // spelled differently...
  CHECK(a.hash() == b.hash());                                   // ... one hash
  CHECK(a.hash() == c.hash());
  CHECK(a.data_file("data.history").digest != "unreadable");
  CHECK(a.path_keys == std::set<std::string>{"data.history"});
  CHECK(a.provenance_text().find("data.history = \"content fnv1a64 " + a.data_file("data.history").digest + "\"") !=
        std::string::npos);
}

TEST_CASE("provenance: editing a data file changes the hash, and a loaded scenario keeps the bytes it read") {
  const Scratch s;
  s.write("history.csv", "year,total\n2013,1\n");
  s.write("s.toml", "extends = \"" + good("scenario-base.toml") + "\"\n[data]\nhistory = \"history.csv\"\n");
  const ResolvedScenario before = load_scenario(s.dir / "s.toml", test_schema());
  const std::string hash = before.hash();
  const banensim::models::DataFile first = before.data_file("data.history");
  REQUIRE(first.bytes != nullptr);
  CHECK(*first.bytes == "year,total\n2013,1\n");
  s.write("history.csv", "year,total\n2013,2\n");
  // The loaded scenario (and every copy of it) keeps the snapshot it read...
  const ResolvedScenario copy = before;
  CHECK(before.hash() == hash);
  CHECK(*copy.data_file("data.history").bytes == "year,total\n2013,1\n");
  // ... a new load sees the new content, and a new hash.
  const ResolvedScenario after = load_scenario(s.dir / "s.toml", test_schema());
  CHECK(after.hash() != hash);
  CHECK(after.canonical_toml() == before.canonical_toml());  // the parameters are the same
  // An unreadable data file has a digest that says so.
  fs::remove(s.dir / "history.csv");
  const ResolvedScenario missing = load_scenario(s.dir / "s.toml", test_schema());
  CHECK(missing.data_file("data.history").digest == "unreadable");
  CHECK(missing.data_file("data.history").problems.at(0).constraint == "file not found");
}

TEST_CASE("provenance: a data file is read once for a scenario and every scenario derived from it") {
  const Scratch s;
  s.write("history.csv", "year,total\n2013,1\n");
  s.write("s.toml", "extends = \"" + good("scenario-base.toml") + "\"\n[data]\nhistory = \"history.csv\"\n");
  ResolvedScenario r = load_scenario(s.dir / "s.toml", test_schema());
  const auto bytes = r.data_file("data.history").bytes;
  // Another spelling of the same file, given as an override: the same snapshot.
  apply_overrides(r, test_schema(), {{"data.history", (s.dir / "." / "history.csv").string()}}, "--set");
  CHECK(r.data_file("data.history").bytes == bytes);
  CHECK(r.data_file("data.history").path == (s.dir / "." / "history.csv").string());
}

TEST_CASE("rewrite_scenario_values: the values change where the file sets them, every other byte stays") {
  using banensim::models::rewrite_scenario_values;
  const std::string text =
      "# a comment: x = 1\n"
      "extends = \"base.toml\"\n"
      "[growth.market]\n"
      "trend_mean = 8940.3          # calibrated, s.e. 1408\n"
      "trend_sd = 1408.52\n"
      "[uncertainty]\n"
      "dof.regular = 10\n"
      "\"cycle.sd\" = 9000   # a quoted key with dots; an integer where a real goes\n"
      "[calibrated]\n"
      "data_fingerprint = \"fnv1a64 f4476a0cef6473ee\" # é before nothing\n"
      "[scenario]\n"
      "\"naïve\" = 1.5\n";
  const std::string out = rewrite_scenario_values(text, "t.toml",
                                                  {{"growth.market.trend_mean", "8734.19"},
                                                   {"uncertainty.dof.regular", "11"},
                                                   {"uncertainty.cycle.sd", "0.25"},
                                                   {"calibrated.data_fingerprint", "\"fnv1a64 8fd3e1778492832c\""},
                                                   {"scenario.naïve", "2.0"}});
  CHECK(out ==
        "# a comment: x = 1\n"
        "extends = \"base.toml\"\n"
        "[growth.market]\n"
        "trend_mean = 8734.19          # calibrated, s.e. 1408\n"
        "trend_sd = 1408.52\n"
        "[uncertainty]\n"
        "dof.regular = 11\n"
        "\"cycle.sd\" = 0.25   # a quoted key with dots; an integer where a real goes\n"
        "[calibrated]\n"
        "data_fingerprint = \"fnv1a64 8fd3e1778492832c\" # é before nothing\n"
        "[scenario]\n"
        "\"naïve\" = 2.0\n");
  // The values it holds already: the same bytes.
  CHECK(rewrite_scenario_values(text, "t.toml", {{"growth.market.trend_sd", "1408.52"}}) == text);
  // A key the file does not set itself: one problem, naming the first and counting the rest; nothing returned.
  try {
    (void)rewrite_scenario_values(text, "t.toml",
                                  {{"growth.market.volatility", "1.0"}, {"growth.inleen.trend_sd", "2.0"}});
    FAIL("no error for keys the file does not set");
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].key == "growth.market.volatility");
    CHECK(e.problems()[0].constraint.find("nor 1 more of them") != std::string::npos);
  }
  // A value of another type than the file holds there.
  CHECK_THROWS_AS((void)rewrite_scenario_values(text, "t.toml", {{"growth.market.trend_sd", "\"x\""}}), InputError);
}

TEST_CASE("rewrite_scenario_values on the shipped base scenario with its own values gives it back byte for byte") {
  const fs::path base = fs::path(BANENSIM_SOURCE_DIR) / "scenarios" / "base.toml";
  std::ifstream in(base);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ResolvedScenario r = load_scenario(base, banensim::models::banenafspraak_schema());
  std::vector<std::pair<std::string, std::string>> values;
  for (const char* key : {"growth.market.trend_mean", "uncertainty.dof.regular", "shocks.correlation.market_government",
                          "calibrated.fit_year", "calibrated.data_fingerprint"}) {
    values.emplace_back(key, banensim::models::value_text(r.values.at(key).value));
  }
  values.back().second = "\"" + values.back().second + "\"";
  CHECK(banensim::models::rewrite_scenario_values(text, base.string(), values) == text);
}
