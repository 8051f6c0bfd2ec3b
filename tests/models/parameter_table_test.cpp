// Each parameter and each lever is declared once (models/parameter_table.hpp,
// models/banenafspraak_params.hpp), and everything else follows from that
// declaration or is checked against it:
//   - the declarations are sound (defaults and plausible ranges inside the
//     accepted ranges, no key twice, ...);
//   - docs/MODEL.md §6 has a row for exactly the declared keys, with the
//     declared unit, default, accepted range, kind and plausible range -- and
//     a declaration changed without its row fails;
//   - scenarios/base.toml holds every declared default;
//   - a lever with one behavioural parameter, declared in a test-only table,
//     is picked up by the loader, the reading into the struct, the horizon
//     check, the studies' plausible ranges and the docs check alike.

#include "models/parameter_table.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"
#include "parameter_doc_check.hpp"

namespace fs = std::filesystem;
using namespace banensim::models;
using banensim::test::base_file_problems;
using banensim::test::doc_number;
using banensim::test::doc_table_problems;
using banensim::test::DocRow;
using banensim::test::markdown_section;
using banensim::test::parameter_rows;

namespace {

const fs::path kSource = BANENSIM_SOURCE_DIR;
const fs::path kBaseFile = kSource / "scenarios" / "base.toml";

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<DocRow> model_md_rows() {
  return parameter_rows(markdown_section(read_file(kSource / "docs" / "MODEL.md"), "## 6. Parameters"));
}

ResolvedScenario base_scenario() { return load_scenario(kBaseFile, banenafspraak_schema(), banenafspraak_check); }

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += p + "\n";
  return text;
}

ParamSpec& spec_of(ParamSchema& schema, const std::string& key) {
  for (auto& s : schema) {
    if (s.key == key) return s;
  }
  FAIL("no key " << key);
  throw;
}

}  // namespace

TEST_SUITE("unit") {

TEST_CASE("parameter declarations: the banenafspraak table is sound") {
  const auto& table = banenafspraak_parameters();
  CHECK_MESSAGE(table.declaration_problems().empty(), joined(table.declaration_problems()));
  // The key is the member path: a member's key names it.
  BanenafspraakParams p;
  CHECK(table.key_of(p, &p.inleen.government_share_sd) == "inleen.government_share_sd");
  CHECK(table.key_of(p, &p.uncertainty.dof.inleen) == "uncertainty.dof.inleen");
  CHECK(table.key_of(p, &p.policy.abolish_split.enabled) == "policy.abolish_split.enabled");
  CHECK(table.key_of(p, &p.policy.exclude_security.year) == "policy.exclude_security.year");
  CHECK(table.key_of(p, &p.growth[kGovOther].volatility) == "growth.government_other.volatility");
  CHECK_THROWS_AS((void)table.key_of(p, &p.origin_year), std::logic_error);  // derived, not a key
  // The levers (the three of the brief among them) with their switch and year keys.
  std::vector<std::string> levers;
  for (const auto& lever : table.levers()) {
    levers.push_back(lever.key);
    CHECK(lever.enabled_key == lever.key + ".enabled");
    CHECK(lever.year_key == lever.key + ".year");
    CHECK(find_param(table.schema(), lever.enabled_key)->type == ParamType::kBoolean);
    CHECK(find_param(table.schema(), lever.year_key)->type == ParamType::kInteger);
  }
  REQUIRE(levers.size() >= 4);
  CHECK(levers[0] == "policy.abolish_split");
  CHECK(levers[1] == "policy.purchase_at_buyer");
  CHECK(levers[2] == "policy.exclude_security");
  CHECK(levers[3] == "policy.keep_split");
}

TEST_CASE("parameter declarations: the reading puts every key's value at its member") {
  const ResolvedScenario r = base_scenario();
  const BanenafspraakParams p = params_from_scenario(r);
  const auto& table = banenafspraak_parameters();
  CHECK(p.inleen.government_share_sd == r.real("inleen.government_share_sd"));
  CHECK(p.growth.market.trend_mean == r.real("growth.market.trend_mean"));
  CHECK(p.growth[kInleen].volatility == r.real("growth.inleen.volatility"));
  CHECK(p.cycle.loading.government == r.real("cycle.loading.government"));
  CHECK(p.shocks.correlation.security_other == r.real("shocks.correlation.security_other"));
  CHECK(p.uncertainty.dof.regular == r.integer("uncertainty.dof.regular"));
  CHECK(p.law.file == r.string("law.file"));
  CHECK(p.policy.purchase_at_buyer.stop_insourcing == r.boolean("policy.purchase_at_buyer.stop_insourcing"));
  CHECK(p.policy.exclude_security.year == r.integer("policy.exclude_security.year"));
  CHECK(p.history.file == r.string("history.file"));
  CHECK(p.simulation.paths == r.integer("simulation.paths"));
  // Every member the table names holds what the scenario says for its key.
  for (const auto& lever : table.levers()) {
    CAPTURE(lever.key);
    CHECK(lever.get(p).enabled == r.boolean(lever.enabled_key));
    CHECK(lever.get(p).year == r.integer(lever.year_key));
  }
}

TEST_CASE("parameter declarations: declaration mistakes are reported") {
  struct Params {
    struct {
      double a = 0, b = 0, c = 0, d = 0;
      int n = 0;
      std::string s;
    } x;
  };
  ParamTable<Params> t;
  t.param(BANENSIM_MEMBER(x.a)).unit("1").range(0, 1).assumption(2).means("default outside the accepted range");
  t.param(BANENSIM_MEMBER(x.b)).unit("1").range(0, 1).assumption(0.5).plausible(0.2, 1.5).means("plausible too wide");
  t.param(BANENSIM_MEMBER(x.c)).range(0, 1).assumption(0.5).means("no unit");
  t.param(BANENSIM_MEMBER(x.d)).unit("1").range(0, 1).means("no kind");
  t.param(BANENSIM_MEMBER(x.n)).unit("years").range(0, 1e12).setting(1).means("range wider than int");
  t.param(BANENSIM_MEMBER(x.s)).setting("");
  t.param(BANENSIM_MEMBER(x.a)).unit("1").range(0, 1).assumption(0.5).means("twice");
  const auto problems = t.declaration_problems();
  CAPTURE(joined(problems));
  CHECK(mentions(problems, "x.a: the default is outside the accepted range"));
  CHECK(mentions(problems, "x.b: the plausible range must be a non-empty part of the accepted range"));
  CHECK(mentions(problems, "x.c: no unit"));
  CHECK(mentions(problems, "x.d: no kind"));
  CHECK(mentions(problems, "x.n: the accepted range does not fit the int member"));
  CHECK(mentions(problems, "x.s: no meaning"));
  CHECK(mentions(problems, "x.a: declared twice"));
}

TEST_CASE("docs/MODEL.md section 6 agrees with the declarations: keys, units, defaults, ranges, kinds") {
  const auto problems = doc_table_problems(banenafspraak_schema(), model_md_rows(), base_scenario());
  CHECK_MESSAGE(problems.empty(), joined(problems));
}

TEST_CASE("scenarios/base.toml holds every declared default") {
  const auto problems = base_file_problems(banenafspraak_schema(), base_scenario(), kBaseFile);
  CHECK_MESSAGE(problems.empty(), joined(problems));
}

TEST_CASE("a declaration changed without docs/MODEL.md fails the docs check") {
  const auto rows = model_md_rows();
  const ResolvedScenario base = base_scenario();
  const auto problems_after = [&](auto change) {
    ParamSchema schema = banenafspraak_schema();
    change(schema);
    return doc_table_problems(schema, rows, base);
  };
  SUBCASE("a unit") {
    const auto problems = problems_after([](ParamSchema& s) { spec_of(s, "quota.levy_per_job_eur").unit = "EUR/job"; });
    CHECK(mentions(problems, "quota.levy_per_job_eur: the unit is 'EUR/job/year' in the table"));
  }
  SUBCASE("the upper end of the accepted range") {
    const auto problems = problems_after([](ParamSchema& s) { spec_of(s, "supply.shape").max = 20; });
    CHECK(mentions(problems, "supply.shape: the accepted range is '0.5\xE2\x80\x93" "10' in the table"));
  }
  SUBCASE("the lower end of an accepted range written as \xC2\xB1X") {
    const auto problems = problems_after([](ParamSchema& s) { spec_of(s, "growth.market.trend_mean").min = 0; });
    CHECK(mentions(problems, "growth.market.trend_mean: the accepted range"));
  }
  SUBCASE("a plausible range") {
    const auto problems = problems_after([](ParamSchema& s) { spec_of(s, "cycle.sd").plausible->high = 0.6; });
    CHECK(mentions(problems, "cycle.sd: the plausible range is '0\xE2\x80\x93" "0.5' in the table"));
  }
  SUBCASE("a parameter made uncertain") {
    const auto problems =
        problems_after([](ParamSchema& s) { spec_of(s, "cycle.loading.market").plausible = PlausibleRange{0.5, 1.5}; });
    CHECK(mentions(problems, "cycle.loading.market: the plausible range is '(none)' in the table"));
  }
  SUBCASE("a default") {
    const auto problems =
        problems_after([](ParamSchema& s) { spec_of(s, "quota.response_max").default_value = ParamScalar{0.2}; });
    CHECK(mentions(problems, "quota.response_max: the default is '0.3' in the table"));
  }
  SUBCASE("a kind") {
    const auto problems =
        problems_after([](ParamSchema& s) { spec_of(s, "supply.baseline_jobs").kind = ParamKind::kAssumption; });
    CHECK(mentions(problems, "supply.baseline_jobs: the kind is 'stated' in the table"));
  }
  SUBCASE("a new key") {
    const auto problems = problems_after([](ParamSchema& s) {
      ParamSpec extra = s.back();
      extra.key = "policy.exclude_security.new_effect";
      s.push_back(extra);
    });
    CHECK(mentions(problems, "policy.exclude_security.new_effect: declared but the table has no row for it"));
  }
  SUBCASE("a key removed") {
    const auto problems = problems_after([](ParamSchema& s) {
      s.erase(std::find_if(s.begin(), s.end(), [](const ParamSpec& p) { return p.key == "supply.shape"; }));
    });
    CHECK(mentions(problems, "supply.shape: the table documents a key that is not declared"));
  }
}

TEST_CASE("docs numbers: 1,000, 10\xE2\x81\xB5, \xE2\x88\x92" "1 and 0.25 read as numbers") {
  CHECK(doc_number("1,000") == 1000.0);
  CHECK(doc_number("10\xE2\x81\xB5") == 1e5);
  CHECK(doc_number("10\xE2\x81\xB9") == 1e9);
  CHECK(doc_number("\xE2\x88\x92" "1") == -1.0);
  CHECK(doc_number("-0.5") == -0.5);
  CHECK(doc_number("0.25") == 0.25);
  CHECK_FALSE(doc_number("origin+1").has_value());
  CHECK_FALSE(doc_number("").has_value());
}

// A fourth lever with one behavioural parameter, declared in a test-only
// table: what a model gains by declaring it, with no other list to keep in step.
struct DummyParams {
  struct Growth {
    double trend = 0;
  } growth;
  struct Policy {
    struct Dummy : Lever {
      double strength = 0;
    } dummy;
  } policy;
};

ParamTable<DummyParams> dummy_table() {
  ParamTable<DummyParams> t;
  t.param(BANENSIM_MEMBER(growth.trend)).unit("jobs/year").range(-1e5, 1e5).calibrated().means("trend growth");
  t.lever(BANENSIM_MEMBER(policy.dummy)).from(2020).years(2013, 2100).means("lever 4: a dummy lever");
  t.param(BANENSIM_MEMBER(policy.dummy.strength)).unit("1").range(0, 1).assumption(0.2).plausible(0, 0.5)
      .means("how strongly the dummy lever acts");
  return t;
}

// A scenario file for the dummy table.
fs::path write_dummy_scenario(const std::string& name, const std::string& policy_table) {
  const fs::path file = fs::temp_directory_path() /
                        ("banensim-parameter-table-test-" + std::to_string(::getpid()) + "-" + name + ".toml");
  std::ofstream(file) << "[growth]\ntrend = 1200.5\n\n[policy.dummy]\n" << policy_table;
  return file;
}

const char* kDummyDocs =
    "| key | unit | default | accepted range | meaning; source |\n"
    "|---|---|---|---|---|\n"
    "| `growth.trend` | jobs/year | 1200.5 | \xC2\xB1" "10\xE2\x81\xB5 | calibrated |\n"
    "| `policy.dummy.enabled` | bool | false | \xE2\x80\x94 | lever 4 switch |\n"
    "| `policy.dummy.year` | year | 2020 | 2013\xE2\x80\x93" "2100, origin+1 \xE2\x80\x93 target year when enabled | first year lever 4 acts |\n"
    "| `policy.dummy.strength` | 1 | 0.2 | 0\xE2\x80\x93" "1 | assumption: plausible 0\xE2\x80\x93" "0.5 |\n";

TEST_CASE("a lever declared once is picked up by the loader, reading, horizon check, studies and docs check") {
  const ParamTable<DummyParams> t = dummy_table();
  REQUIRE(t.declaration_problems().empty());
  const ParamSchema& schema = t.schema();

  // The schema: the switch and the year come with the lever.
  std::vector<std::string> keys;
  for (const auto& s : schema) keys.push_back(s.key);
  CHECK(keys == std::vector<std::string>{"growth.trend", "policy.dummy.enabled", "policy.dummy.year",
                                         "policy.dummy.strength"});

  // The loader checks files against it.
  const fs::path good = write_dummy_scenario("good", "enabled = true\nyear = 2022\nstrength = 0.35\n");
  const ResolvedScenario r = load_scenario(good, schema);
  const fs::path out_of_range = write_dummy_scenario("bad", "enabled = true\nyear = 2022\nstrength = 1.5\n");
  try {
    (void)load_scenario(out_of_range, schema);
    FAIL("strength = 1.5 was accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("key 'policy.dummy.strength' = 1.5: must be in [0, 1]") != std::string::npos);
  }
  const fs::path missing = write_dummy_scenario("missing", "enabled = true\nstrength = 0.35\n");
  try {
    (void)load_scenario(missing, schema);
    FAIL("a scenario without policy.dummy.year was accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("key 'policy.dummy.year': no value") != std::string::npos);
  }

  // The reading into the struct.
  DummyParams p;
  t.read(p, r);
  CHECK(p.growth.trend == 1200.5);
  CHECK(p.policy.dummy.enabled);
  CHECK(p.policy.dummy.year == 2022);
  CHECK(p.policy.dummy.strength == 0.35);
  CHECK(p.policy.dummy.active(2022));
  CHECK_FALSE(p.policy.dummy.active(2021));

  // The horizon check (and the backtest, which reads levers() the same way).
  REQUIRE(t.levers().size() == 1);
  CHECK(t.levers()[0].get(p).year == 2022);
  CHECK(t.lever_horizon_problems(r, 2018, 2026).empty());
  const auto late = t.lever_horizon_problems(r, 2018, 2021);
  REQUIRE(late.size() == 1);
  CHECK(late[0].key == "policy.dummy.year");
  CHECK(late[0].message().find("key 'policy.dummy.year' = 2022: an enabled lever must take effect inside the "
                               "simulated horizon 2019-2021") != std::string::npos);
  ResolvedScenario off = r;
  apply_overrides(off, schema, {{"policy.dummy.enabled", "false"}}, "test");
  CHECK(t.lever_horizon_problems(off, 2018, 2021).empty());

  // The studies' plausible ranges.
  const auto uncertain = uncertain_parameters(schema);
  REQUIRE(uncertain.size() == 1);
  CHECK(uncertain[0]->key == "policy.dummy.strength");
  CHECK(uncertain[0]->plausible->low == 0);
  CHECK(uncertain[0]->plausible->high == 0.5);
  CHECK(uncertain[0]->plausible->distribution == Distribution::kUniform);

  // The docs check: the rows above agree; without the behavioural parameter's
  // row, or with another unit, they do not.
  const ResolvedScenario defaults = load_scenario(
      write_dummy_scenario("defaults", "enabled = false\nyear = 2020\nstrength = 0.2\n"), schema);
  CHECK(joined(doc_table_problems(schema, parameter_rows(kDummyDocs), defaults)) == "");
  CHECK(joined(base_file_problems(schema, defaults, good)) == "");
  CHECK(mentions(base_file_problems(schema, r, good), "policy.dummy.strength: "));
  std::vector<DocRow> rows = parameter_rows(kDummyDocs);
  rows.pop_back();
  CHECK(mentions(doc_table_problems(schema, rows, defaults),
                 "policy.dummy.strength: declared but the table has no row for it"));
  rows = parameter_rows(kDummyDocs);
  rows.back().unit = "jobs";
  CHECK(mentions(doc_table_problems(schema, rows, defaults), "policy.dummy.strength: the unit is 'jobs'"));

  for (const char* name : {"good", "bad", "missing", "defaults"}) fs::remove(write_dummy_scenario(name, ""));
}

}  // TEST_SUITE
