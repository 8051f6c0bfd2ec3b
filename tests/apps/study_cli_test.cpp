// End-to-end tests of study files, --set/--target-year on the design
// studies, and provenance that cannot lie: the program run as a user would.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "program_runner.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::ProgramResult;
using test_support::slurp;

ProgramResult banensim(const std::string& args) {
  return test_support::run_program(std::string("'") + BANENSIM_BINARY + "' " + args);
}

const test_support::ScratchDir g_scratch("banensim_study_");
fs::path temp_path(const std::string& name) { return g_scratch.path(name); }

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// The three-factor study (one normal, one discrete, one log-uniform factor),
// shared with tests/studies/studies_test.cpp and python/tests/test_banensim.py.
const fs::path kThreeFactors = fs::path(BANENSIM_SOURCE_DIR) / "tests" / "data" / "good" / "study-three-factors.toml";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string hash_of(const std::string& explain_out) {
  const auto at = explain_out.find("hash ");
  REQUIRE(at != std::string::npos);
  return explain_out.substr(at + 5, 16);
}

}  // namespace

TEST_CASE("study file: sensitivity (sobol, morris), discover and sweep run its three factors") {
  const fs::path& study = kThreeFactors;
  const fs::path sob = temp_path("sobol.csv"), svg = temp_path("sobol.svg");
  auto r = banensim("sensitivity scenarios/status-quo.toml --study '" + study.string() + "' --out '" + sob.string() +
                    "' --svg '" + svg.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("3 factors from") != std::string::npos);
  const std::string indices = slurp(temp_path("sobol.indices.csv"));
  CHECK(first_line(indices) == "output,factor,S1,S1_conf,ST,ST_conf,seed,resolved_hash,identity_hash");
  CHECK(indices.find("p_reach,quota.bonus_per_job_eur,") != std::string::npos);
  const std::string rows = slurp(sob);
  CHECK(rows.find("# factor supply.max_working_share normal mean 0.8 sd 0.1 on 0.6:0.95") != std::string::npos);
  CHECK(rows.find("# factor quota.bonus_per_job_eur discrete 1000,2000,4000") != std::string::npos);
  CHECK(rows.find("# factor quota.response_max log-uniform 0.05:0.4") != std::string::npos);
  CHECK(slurp(svg).rfind("<svg", 0) == 0);

  // Second order on request: S2 and S2_conf for each pair, in pair order.
  r = banensim("sensitivity scenarios/status-quo.toml --study '" + study.string() + "' --second-order --samples 4 --out '" +
               temp_path("s2.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("second-order indices") != std::string::npos);
  const std::string s2 = slurp(temp_path("s2.s2.csv"));
  CHECK(s2.rfind("output,factor_1,factor_2,S2,S2_conf,seed,resolved_hash,identity_hash\n"
                 "p_reach,supply.max_working_share,quota.bonus_per_job_eur,", 0) == 0);
  CHECK(s2.find("total_mean,quota.bonus_per_job_eur,quota.response_max,") != std::string::npos);
  CHECK(std::count(s2.begin(), s2.end(), '\n') == 1 + 2 * 3);  // header, 3 pairs per output
  {
    // Every row of both companion files ends with the same stamp: the seed and two hashes.
    std::istringstream ix(slurp(temp_path("s2.indices.csv")));
    std::string line;
    std::getline(ix, line);
    REQUIRE(std::getline(ix, line));
    std::string stamp = line;
    for (int k = 0; k < 3; ++k) stamp = stamp.substr(0, stamp.rfind(','));
    stamp = line.substr(stamp.size());  // ",SEED,RESOLVED,IDENTITY"
    const std::string head = first_line(slurp(temp_path("s2.csv")));  // "# banensim sensitivity; ...; seed N; ..."
    const auto seed_at = head.find("; seed ") + 7;
    const std::string seed = head.substr(seed_at, head.find(';', seed_at) - seed_at);
    REQUIRE(stamp.size() == 1 + seed.size() + 2 * (1 + 16));
    CHECK(stamp.rfind("," + seed + ",", 0) == 0);
    CHECK(stamp.find_first_not_of(",0123456789abcdef", 1 + seed.size()) == std::string::npos);
    std::istringstream pairs(s2);
    std::getline(pairs, line);
    while (std::getline(pairs, line)) CHECK(line.substr(line.size() - stamp.size()) == stamp);
  }

  r = banensim("sensitivity scenarios/status-quo.toml --method morris --study '" + study.string() + "' --out '" +
               temp_path("morris.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(first_line(slurp(temp_path("morris.indices.csv"))) ==
        "output,factor,mu,mu_star,mu_star_conf,sigma,seed,resolved_hash,identity_hash");

  const fs::path disc = temp_path("disc.csv"), trade = temp_path("disc.svg");
  r = banensim("discover scenarios/status-quo.toml --study '" + study.string() + "' --samples 64 --threshold 0.5 --target-year 2029 --out '" +
               disc.string() + "' --svg '" + trade.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("quasi-p") != std::string::npos);
  const std::string t = slurp(temp_path("disc.trajectory.csv"));
  CHECK(first_line(t).rfind("search,box,phase,shown,coverage,density,mass,n_inside,n_interest_inside,n_restricted,", 0) == 0);
  CHECK(first_line(t).find("quota.response_max_qp_low") != std::string::npos);
  const std::string s = slurp(trade);
  CHECK(s.rfind("<svg", 0) == 0);
  CHECK(s.find("coverage") != std::string::npos);
  CHECK(s.find("density") != std::string::npos);

  // sweep: the continuous factors at their two ends, the discrete at its three values.
  r = banensim("sweep scenarios/status-quo.toml --study '" + study.string() + "' --paths 100 --out '" +
               temp_path("sweep.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("12 points") != std::string::npos);
}

TEST_CASE("sensitivity and discover accept --set and --target-year like run, and they change the computation") {
  const fs::path& study = kThreeFactors;
  const std::string base = "sensitivity scenarios/status-quo.toml --study '" + study.string() + "' --samples 4 --out ";
  auto plain = banensim(base + "'" + temp_path("plain.csv").string() + "'");
  auto set = banensim(base + "'" + temp_path("set.csv").string() +
                      "' --set quota.levy_per_job_eur=6000 --target-year 2025");
  INFO(set.err);
  REQUIRE(plain.exit_code == 0);
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.find("in 2025") != std::string::npos);
  CHECK(plain.out.find("in 2026") != std::string::npos);
  // The header records the scenario as run: another hash.
  CHECK(first_line(slurp(temp_path("set.csv"))) != first_line(slurp(temp_path("plain.csv"))));
  auto d = banensim("discover scenarios/status-quo.toml --study '" + study.string() +
                    "' --samples 16 --set quota.levy_per_job_eur=6000 --target-year 2025");
  INFO(d.err);
  CHECK(d.exit_code == 0);
  CHECK(d.out.find("in 2025") != std::string::npos);
  // A bad --set value is an input error naming the key.
  auto bad = banensim(base + "'" + temp_path("bad.csv").string() + "' --set quota.response_max=7");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("quota.response_max") != std::string::npos);
}

TEST_CASE("study file: a bad file is exit 2 with every problem, each naming file, line, key and constraint") {
  const fs::path bad = temp_path("bad-study.toml");
  write(bad, "method = \"sobol\"\nsamples = 4\n[[factors]]\nkey = \"quota.response_max\"\ndistribution = \"gamma\"\n"
             "[[factors]]\nkey = \"nope.key\"\nlow = 1\nhigh = 2\n");
  const auto r = banensim("sensitivity scenarios/status-quo.toml --study '" + bad.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find(bad.string() + ":5:") != std::string::npos);
  CHECK(r.err.find("factors[0].distribution' = gamma: must be uniform, normal, triangular, log-uniform or discrete") !=
        std::string::npos);
  CHECK(r.err.find(bad.string() + ":7:") != std::string::npos);
  CHECK(r.err.find("not a scenario key") != std::string::npos);
}

TEST_CASE("discover: a threshold is in the unit of the study's PRIM output, a probability's from 0 to 1") {
  const std::string factors = "samples = 8\npaths = 50\n[[factors]]\nkey = \"cycle.sd\"\ndistribution = \"uniform\"\n"
                              "low = 0.0\nhigh = 0.5\n";
  const fs::path jobs = temp_path("prim-jobs.toml"), prob = temp_path("prim-prob.toml");
  write(jobs, factors + "[prim]\noutput = \"total_mean\"\nthreshold = 100000\n");
  write(prob, factors + "[prim]\noutput = \"p_reach\"\nthreshold = 5\n");
  // A number of jobs from the command line, as from the file.
  auto r = banensim("discover scenarios/status-quo.toml --threads 1 --study '" + jobs.string() + "' --threshold 105000");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("total_mean >= 105000") != std::string::npos);
  // A probability's threshold outside [0, 1]: refused, naming the file's line and key, or the option.
  r = banensim("discover scenarios/status-quo.toml --threads 1 --study '" + prob.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(prob.string() + ":10:13: key 'prim.threshold' = 5: must be in [0, 1]: the output p_reach is a "
                   "probability") != std::string::npos);
  r = banensim("discover scenarios/status-quo.toml --threads 1 --study '" + jobs.string() + "' --threshold 1.5");
  CHECK(r.exit_code == 0);  // total_mean >= 1.5 jobs: every point
  r = banensim("discover scenarios/status-quo.toml --samples 8 --threshold 1.5");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--threshold 1.5: must be in [0, 1]: the output p_reach is a probability") != std::string::npos);
}

TEST_CASE("a study file's seed is every command's seed unless --seed is given, sweep and compare --assumptions too") {
  const fs::path study = temp_path("seed99.toml");
  write(study, "seed = 99\npaths = 200\n[[factors]]\nkey = \"cycle.sd\"\ndistribution = \"uniform\"\nlow = 0.0\n"
               "high = 0.5\n");
  const fs::path sweep = temp_path("seed99.csv"), rows = temp_path("seed99-rows.csv");
  auto r = banensim("sweep scenarios/status-quo.toml --threads 1 --study '" + study.string() + "' --out '" +
                    sweep.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(first_line(slurp(sweep)).find("; seed 99; paths 200;") != std::string::npos);
  r = banensim("sweep scenarios/status-quo.toml --threads 1 --seed 5 --study '" + study.string() + "' --out '" +
               sweep.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(first_line(slurp(sweep)).find("; seed 5; paths 200;") != std::string::npos);
  r = banensim("compare scenarios/status-quo.toml scenarios/keep-split.toml --threads 1 --assumptions 4 --study '" +
               study.string() + "' --rows '" + rows.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(first_line(slurp(rows)).find("; seed 99; paths 200;") != std::string::npos);
  // Its rows resume under another spelling of the scenarios' paths: no path is part of the header.
  r = banensim("compare ./scenarios/status-quo.toml scenarios/../scenarios/keep-split.toml --threads 1 --assumptions 4 "
               "--study '" + study.string() + "' --rows '" + rows.string() + "' --resume");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("4 of 4 assumption sets done") != std::string::npos);
}

TEST_CASE("provenance: three spellings of one scenario have one hash, and a sweep resumes under any of them") {
  const std::string relative = "scenarios/status-quo.toml";
  const std::string absolute = (fs::path(BANENSIM_SOURCE_DIR) / "scenarios" / "status-quo.toml").string();
  const std::string detour = "data/../scenarios/./status-quo.toml";
  const std::string h = hash_of(banensim("explain " + relative).out);
  CHECK(hash_of(banensim("explain '" + absolute + "'").out) == h);
  CHECK(hash_of(banensim("explain " + detour).out) == h);

  const fs::path out = temp_path("spellings.csv");
  const std::string sweep = " --set supply.max_working_share=0.6,0.9 --paths 100 --out '" + out.string() + "'";
  REQUIRE(banensim("sweep " + relative + sweep).exit_code == 0);
  const std::string bytes = slurp(out);
  for (const std::string& spelling : {absolute, detour}) {
    const auto r = banensim("sweep '" + spelling + "'" + sweep + " --resume");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(slurp(out) == bytes);
  }
}

TEST_CASE("provenance: an edited data file changes the hash, and --resume refuses a file begun on the old data") {
  const fs::path dir = temp_path("edited");
  fs::create_directories(dir);
  fs::copy_file(fs::path(BANENSIM_SOURCE_DIR) / "data" / "monitor-history.csv", dir / "history.csv");
  write(dir / "s.toml", "extends = \"" + (fs::path(BANENSIM_SOURCE_DIR) / "scenarios" / "status-quo.toml").string() +
                            "\"\n[history]\nfile = \"history.csv\"\n");
  const std::string scenario = "'" + (dir / "s.toml").string() + "'";
  const std::string before = hash_of(banensim("explain " + scenario).out);
  const fs::path out = dir / "sweep.csv";
  const std::string sweep = "sweep " + scenario + " --set supply.max_working_share=0.6,0.9 --paths 100 --out '" +
                            out.string() + "'";
  REQUIRE(banensim(sweep).exit_code == 0);
  const std::string bytes = slurp(out);
  // One more character in the last note of the history.
  std::string history = slurp(dir / "history.csv");
  history.insert(history.size() - 1, ".");
  write(dir / "history.csv", history);
  CHECK(hash_of(banensim("explain " + scenario).out) != before);
  const auto r = banensim(sweep + " --resume");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(out.string() + ": was begun on other data, so it cannot be resumed: history.file (") !=
        std::string::npos);
  CHECK(r.err.find("history.csv) has changed since the file was begun (content fnv1a64 ") != std::string::npos);
  CHECK(slurp(out) == bytes);  // nothing appended, nothing mixed
  // Afresh (without --resume) it runs on the new data.
  CHECK(banensim(sweep).exit_code == 0);
}

TEST_CASE("sensitivity: --no-second-order overrides the study file, and the run removes the earlier FILE.s2.csv") {
  const fs::path study = temp_path("second-order.toml"), out = temp_path("so.csv"), s2 = temp_path("so.s2.csv");
  write(study, slurp(kThreeFactors) + "\n[sobol]\nsecond_order = true\n");
  const std::string args = "sensitivity scenarios/status-quo.toml --study '" + study.string() +
                           "' --samples 4 --paths 100 --out '" + out.string() + "'";
  auto r = banensim(args);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(s2));
  CHECK(first_line(slurp(out)).find(" second_order;") != std::string::npos);
  r = banensim(args + " --no-second-order");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(first_line(slurp(out)).find("second_order") == std::string::npos);
  CHECK(r.out.find("second-order indices") == std::string::npos);
  // The earlier run's S2 would be read with the new indices (FILE.*.csv): gone, and said so.
  CHECK_FALSE(fs::exists(s2));
  CHECK(r.err.find("banensim: note: removed " + s2.string() + ", the second-order indices of an earlier run of " +
                   out.string()) != std::string::npos);
  CHECK(banensim(args + " --second-order --no-second-order").exit_code == 2);
}

TEST_CASE("sensitivity: an output the same at every row keeps one row per factor, empty, with a note saying why") {
  const fs::path out = temp_path("zv.csv");
  const auto r = banensim("sensitivity scenarios/status-quo.toml --study '" + kThreeFactors.string() +
                          "' --samples 4 --paths 100 --target 10000000 --output p_reach --output total_mean --out '" +
                          out.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("banensim: note: p_reach: no Sobol' indices (zero variance: the output is the same at every design "
                   "row") != std::string::npos);
  const std::string indices = slurp(temp_path("zv.indices.csv"));
  for (const char* factor : {"supply.max_working_share", "quota.bonus_per_job_eur", "quota.response_max"}) {
    CAPTURE(factor);
    CHECK(indices.find(std::string("\np_reach,") + factor + ",,,,,") != std::string::npos);
    CHECK(indices.find(std::string("\ntotal_mean,") + factor + ",") != std::string::npos);
  }
}
