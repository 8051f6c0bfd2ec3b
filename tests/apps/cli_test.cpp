// End-to-end tests of the banensim program: run as a user would, check exit
// codes, messages, numbers and output files.

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/random_stream.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs banensim with `args` (shell words).
Result run_cli(const std::string& args) {
  const fs::path err_file = fs::temp_directory_path() / ("banensim_cli_err_" + std::to_string(::getpid()));
  const std::string cmd = std::string("'") + BANENSIM_BINARY + "' " + args + " 2>'" + err_file.string() + "'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  const std::string err = slurp(err_file);
  fs::remove(err_file);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

}  // namespace

TEST_SUITE("cli") {
TEST_CASE("--help and --version") {
  auto r = run_cli("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("banensim run") != std::string::npos);
  r = run_cli("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("banensim ", 0) == 0);
  r = run_cli("run --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--seed") != std::string::npos);
}

TEST_CASE("bad command-line values: one line naming the value, exit code 2, nothing on stdout") {
  const char* cases[][2] = {
      {"run --paths -5", "--paths -5"},
      {"run --paths 1e99", "--paths 1e99"},
      {"run --paths 0", "--paths 0"},
      {"run --threads 0", "--threads 0"},
      {"run --seed abc", "--seed abc"},
      {"run --seed 99999999999999999999", "--seed"},
      {"run --format xml", "--format xml"},
      {"run --volatility nan", "--volatility nan"},
      {"run --bogus", "bogus"},
      {"run --out /nonexistent-dir/x.json", "/nonexistent-dir/x.json"},
      {"frobnicate", "unknown command"},
  };
  for (const auto& c : cases) {
    CAPTURE(c[0]);
    const auto r = run_cli(c[0]);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c[1]) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("run: probability with its Wilson interval, within 4.5 s.e. of the closed form") {
  const auto r = run_cli("run --paths 200000 --steps 10 --drift 0.05 --volatility 1.5 --threshold 1 --format json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const double p = j["probability"].get<double>();
  const double lo = j["ci_low"].get<double>();
  const double hi = j["ci_high"].get<double>();
  const double exact = 1.0 - banensim::engine::normal_cdf((1.0 - 10 * 0.05) / (1.5 * std::sqrt(10.0)));
  CHECK(j["exact_probability"].get<double>() == doctest::Approx(exact).epsilon(1e-12));
  CHECK(std::fabs(p - exact) < 4.5 * std::sqrt(exact * (1 - exact) / 200000.0));
  CHECK(lo < p);
  CHECK(p < hi);
  CHECK(j["seed"] == 2013);  // the documented default, never the clock
  CHECK(j["paths"] == 200000);
}

TEST_CASE("JSON: same seed, identical numbers at 1 and 2 threads and the seed is recorded") {
  const auto a = run_cli("run --paths 30000 --seed 99 --threads 1 --format json");
  const auto b = run_cli("run --paths 30000 --seed 99 --threads 2 --format json");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  auto ja = nlohmann::json::parse(a.out);
  auto jb = nlohmann::json::parse(b.out);
  CHECK(ja["seed"] == 99);
  CHECK(ja["provenance"]["threads"] == 1);
  CHECK(jb["provenance"]["threads"] == 2);
  ja.erase("provenance");
  jb.erase("provenance");
  CHECK(ja.dump() == jb.dump());
  const auto c = run_cli("run --paths 30000 --seed 100 --format json");
  auto jc = nlohmann::json::parse(c.out);
  jc.erase("provenance");
  CHECK(jc.dump() != ja.dump());
}

TEST_CASE("table output names the interval method and the closed form") {
  const auto r = run_cli("run --paths 5000");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("95% CI") != std::string::npos);
  CHECK(r.out.find("Wilson") != std::string::npos);
  CHECK(r.out.find("seed 2013") != std::string::npos);
}

TEST_CASE("--out writes atomically: the file, no temporary left, previous file replaced whole") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_out_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "r.json";
  { std::ofstream(out) << "previous"; }
  const auto r = run_cli("run --paths 2000 --format json --out '" + out.string() + "'");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  std::size_t n_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) if (e.is_regular_file()) ++n_files;
  CHECK(n_files == 1);
  CHECK(nlohmann::json::parse(slurp(out))["paths"] == 2000);
  fs::remove_all(dir);
}

TEST_CASE("SIGINT during a long run: exit 130, no output file, paths done reported") {
  const fs::path dir = fs::temp_directory_path() / ("banensim_sigint_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "long.json";
  const fs::path err = dir / "stderr.txt";
  const std::string script = std::string("('") + BANENSIM_BINARY + "' run --paths 100000000000 --format json --out '" +
                             out.string() + "' 2>'" + err.string() +
                             "' & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo $?)";
  FILE* pipe = ::popen(script.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[64] = {0};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, pipe);
  ::pclose(pipe);
  CHECK(std::atoi(std::string(buf, n).c_str()) == 130);
  CHECK_FALSE(fs::exists(out));
  std::size_t n_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) if (e.path() != err) ++n_files;
  CHECK(n_files == 0);
  const std::string msg = slurp(err);
  CHECK(msg.find("interrupted after") != std::string::npos);
  CHECK(msg.find("no output written") != std::string::npos);
  fs::remove_all(dir);
}
}
