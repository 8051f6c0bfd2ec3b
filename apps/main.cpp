// banensim: the command-line program (interim). The banenafspraak model has
// not landed yet (issue 3), so `run` simulates the engine's reference model
// -- a Gaussian random walk whose answer is known in closed form -- and
// prints the engine's estimate beside the exact value. The scenario commands
// are in scenario_commands.cpp, built once the model exists.
//
// Exit codes: 0 success; 1 run-time failure; 2 bad command line;
// 130 interrupted (SIGINT/SIGTERM), nothing written.

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "engine/atomic_file.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/reference_model.hpp"
#include "engine/run_summary.hpp"

namespace po = boost::program_options;
using namespace banensim;

namespace {

constexpr std::uint64_t kDefaultSeed = 2013;  // the year of the agreement; never the clock
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) { g_interrupted.store(true); }

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max) {
  // Digits only: rejects "-5", "1e99", "abc", "12x" and anything that overflows.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19 ||
      std::stoull(text) < min || std::stoull(text) > max) {
    throw UsageError("--" + option + " " + text + ": must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max));
  }
  return std::stoull(text);
}

double parse_real(const std::string& option, const std::string& text, double min, double max) {
  std::size_t used = 0;
  double v = std::nan("");
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !std::isfinite(v) || v < min || v > max) {
    throw UsageError("--" + option + " " + text + ": must be a finite number in [" + engine::fmt(min, 2) + ", " +
                     engine::fmt(max, 2) + "]");
  }
  return v;
}

std::string version_string() {
  return std::string("banensim ") + BANENSIM_VERSION + " (commit " + BANENSIM_GIT_COMMIT + ")";
}

const char* kMainHelp = R"(banensim - Monte Carlo scenarios for the Dutch banenafspraak

Usage:
  banensim run [options]      probability that the model's outcome reaches a threshold, with its interval
  banensim --help | --version

This interim build runs the engine's reference model (a Gaussian random walk
with a closed-form answer); the banenafspraak scenarios follow with the model.
Run 'banensim run --help' for the options.
Exit codes: 0 ok, 1 run-time failure, 2 bad input, 130 interrupted.
)";

int cmd_run(const std::vector<std::string>& args) {
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("paths,n", po::value<std::string>()->default_value("100000"), "number of paths")
    ("seed,s", po::value<std::string>(), "random seed, 0..2^64-1 (default 2013); recorded in every output")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("format,f", po::value<std::string>()->default_value("table"), "table | json")
    ("out,o", po::value<std::string>(), "write the output to FILE (atomically) instead of stdout")
    ("steps", po::value<std::string>()->default_value("14"), "reference model: number of steps T")
    ("drift", po::value<std::string>()->default_value("0.1"), "reference model: drift per step mu")
    ("volatility", po::value<std::string>()->default_value("1"), "reference model: sd per step sigma")
    ("threshold", po::value<std::string>()->default_value("2"), "threshold c: outcome is x_T >= c")
    ("block-size", po::value<std::string>()->default_value("1024"), "paths per block (part of the reproducibility key)");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: banensim run [options]\n" << d;
    return 0;
  }
  const std::uint64_t n_paths = parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  const std::uint64_t seed = vm.count("seed") ? parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX) : kDefaultSeed;
  const int threads = vm.count("threads") ? static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024)) : 0;
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") throw UsageError("--format " + format + ": must be table or json");
  const auto steps = parse_count("steps", vm["steps"].as<std::string>(), 1, 1000);
  const double mu = parse_real("drift", vm["drift"].as<std::string>(), -1e6, 1e6);
  const double sigma = parse_real("volatility", vm["volatility"].as<std::string>(), 1e-12, 1e6);
  const double c = parse_real("threshold", vm["threshold"].as<std::string>(), -1e9, 1e9);
  std::optional<std::string> out;
  if (vm.count("out")) {
    out = vm["out"].as<std::string>();
    try {
      engine::check_writable(*out);  // fail before a long run, not after it
    } catch (const std::runtime_error& e) {
      throw UsageError(std::string("--out: ") + e.what());
    }
  }

  const engine::RandomWalkModel model(steps, mu, sigma, c);
  engine::RunConfig cfg;
  cfg.seed = seed;
  cfg.n_paths = n_paths;
  cfg.n_threads = threads;
  cfg.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  cfg.cancel = &g_interrupted;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const engine::RunResult r = engine::run(model, cfg);
  if (r.cancelled) {
    std::cerr << "banensim: interrupted after " << r.n_paths << " of " << n_paths << " paths; no output written\n";
    return kExitInterrupted;
  }
  const auto& reach = r.tally.variant(0).indicator(0);
  const auto ci = reach.wilson();
  const double t = static_cast<double>(steps);
  const double exact = 1.0 - engine::normal_cdf((c - t * mu) / (sigma * std::sqrt(t)));

  std::string text;
  if (format == "json") {
    nlohmann::json j;
    j["model"] = {{"name", "reference random walk"}, {"steps", steps}, {"drift", mu}, {"volatility", sigma},
                  {"threshold", c}};
    j["probability"] = reach.estimate();
    j["ci_low"] = ci.low;
    j["ci_high"] = ci.high;
    j["exact_probability"] = exact;
    j["seed"] = seed;
    j["paths"] = r.n_paths;
    j["provenance"] = {{"program", "banensim"}, {"version", BANENSIM_VERSION}, {"git_commit", BANENSIM_GIT_COMMIT},
                       {"seed", seed}, {"paths", r.n_paths}, {"block_size", cfg.block_size}, {"threads", r.n_threads},
                       {"wall_seconds", r.wall_seconds},
                       {"interval_method", "Wilson score 95%"},
                       {"rng", "Philox4x64-10 keyed by (seed, purpose), counter (path, substream, block)"}};
    j["results"] = engine::tally_json(r.tally.variant(0), model.layout());
    text = j.dump(2) + "\n";
  } else {
    std::ostringstream os;
    os << version_string() << "\nseed " << seed << ", " << engine::fmt_int(static_cast<double>(r.n_paths))
       << " paths, " << r.n_threads << " threads, " << engine::fmt(r.wall_seconds, 2) << " s\n"
       << "Reference model: x_t = x_(t-1) + " << mu << " + " << sigma << " Z_t over " << steps << " steps\n\n"
       << "P(x_T >= " << c << ") = " << engine::fmt(reach.estimate(), 4) << "  95% CI [" << engine::fmt(ci.low, 4)
       << ", " << engine::fmt(ci.high, 4) << "] (Wilson)\n"
       << "closed form 1 - Phi((c - T mu) / (sigma sqrt T)) = " << engine::fmt(exact, 4) << "\n";
    text = os.str();
  }
  if (out) {
    engine::write_file_atomically(*out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kMainHelp;
      return args.empty() ? kExitUsage : 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
      std::cout << version_string() << "\n";
      return 0;
    }
    if (args[0] == "run") return cmd_run(std::vector<std::string>(args.begin() + 1, args.end()));
    throw UsageError("unknown command '" + args[0] + "' (try 'banensim --help')");
  } catch (const UsageError& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitUsage;
  } catch (const po::error& e) {
    std::cerr << "banensim: " << e.what() << " (try 'banensim --help')\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "banensim: " << e.what() << "\n";
    return kExitRuntime;
  }
}
