// banensim serve: the advisers' live page on http://127.0.0.1:PORT/ (see
// apps/serve/live_server.hpp for the API and its limits, README.md "The live
// page" for what an adviser sees).

#include "apps/commands.hpp"

#include <iostream>
#include <optional>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <boost/program_options.hpp>

#include "apps/cli.hpp"
#include "apps/serve/live_model.hpp"
#include "apps/serve/live_server.hpp"
#include "apps/serve/serve_sliders.hpp"
#include "studies/point_runner.hpp"

namespace banensim::app {

namespace po = boost::program_options;

int cmd_serve(const Args& args, studies::ExecutionContext& ctx) {
  if (ctx.cluster->size() > 1) throw UsageError("serve runs in one process: start it with banensim, not under MPI");
  po::options_description d("Options");
  d.add_options()
    ("help,h", "show this help")
    ("port,p", po::value<std::string>(), "TCP port (default 8080; 0: any free port, printed)")
    ("bind", po::value<std::string>(), "address to listen on (default 127.0.0.1, this machine only); "
                                       "any other address lets other machines in and prints a warning")
    ("threads,j", po::value<std::string>(), "worker threads per computation (default: all cores); results do not depend on it")
    ("max-computations", po::value<std::string>(), "computations at once; others wait (default 2)")
    ("paths,n", po::value<std::string>(), "paths per computation when a request names none (default 51,200 = 50 blocks)")
    ("max-paths", po::value<std::string>(), "most paths a request may ask for (default 200,000)")
    ("slider", po::value<std::vector<std::string>>()->composing(),
     "an assumption offered as a slider, by its dotted key (repeatable; replaces the default list)");
  const po::variables_map vm =
      parse_command(args, d,
                    "Usage: banensim serve [SCENARIO] [options]\n"
                    "  Serves the live page on http://127.0.0.1:PORT/: the levers of SCENARIO (default\n"
                    "  scenarios/status-quo.toml, the reference) as switches, the main assumptions as sliders,\n"
                    "  P(reach) and its paired difference against SCENARIO, refined as paths arrive.\n"
                    "  Ctrl-C (or SIGTERM) stops it, with exit code 130.\n");
  std::string scenario = "scenarios/status-quo.toml";
  if (vm.count("scenario")) {
    const auto given = vm["scenario"].as<std::vector<std::string>>();
    if (given.size() != 1) throw UsageError("serve takes one scenario (the reference)");
    scenario = given[0];
  }
  serve::ServerOptions so;
  if (vm.count("port")) so.port = static_cast<int>(parse_count("port", vm["port"].as<std::string>(), 0, 65535));
  if (vm.count("bind")) so.host = vm["bind"].as<std::string>();
  if (vm.count("threads")) so.threads_per_computation = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  if (vm.count("max-computations")) {
    so.max_computations = static_cast<int>(parse_count("max-computations", vm["max-computations"].as<std::string>(), 1, 64));
  }
  serve::RequestLimits limits;
  if (vm.count("max-paths")) limits.max_paths = parse_count("max-paths", vm["max-paths"].as<std::string>(), 1024, 100'000'000);
  if (vm.count("paths")) {
    limits.default_paths = parse_count("paths", vm["paths"].as<std::string>(), 1, limits.max_paths);
  } else {
    limits.default_paths = std::min(limits.default_paths, limits.max_paths);
  }
  limits.default_seed = studies::kDefaultSeed;
  std::vector<std::string> sliders = serve::default_slider_keys();
  if (vm.count("slider")) sliders = vm["slider"].as<std::vector<std::string>>();

  std::optional<serve::LiveModel> model;
  try {
    model.emplace(scenario, sliders, limits);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (const std::string stale = model->calibration_mismatch(); !stale.empty() && ctx.is_root()) {
    std::cerr << "banensim: warning: " << scenario << ": " << stale << "\n";
  }
  if (so.host != "127.0.0.1" && so.host != "localhost" && so.host != "::1") {
    std::cerr << "banensim serve: WARNING: listening on " << so.host
              << ", not only on this machine: anyone who can reach it can run computations (there is no "
                 "login and no encryption)\n";
  }
#ifdef __GLIBC__
  // A long-running server whose requests land on any of its pool threads:
  // glibc gives each thread a malloc arena of its own (up to 8 per core),
  // and each keeps the memory freed in it, so the resident size crept up
  // for minutes as request after request reached a new arena (one client:
  // 49 -> 74 MiB in 60 s). Four arenas hold it flat (bench/README.md).
  mallopt(M_ARENA_MAX, 4);
#endif
  // main's SIGINT/SIGTERM handler sets the context's cancel flag: serve
  // returns once it is set (running computations told so, connections
  // closed), and that is an interrupted command like any other (exit 130).
  static const std::atomic<bool> never{false};
  serve::serve(*model, so, ctx.cancel != nullptr ? *ctx.cancel : never, [&](int port) {
    const std::string host = so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
    std::cout << "banensim serve: http://" << host << ":" << port << "/  (" << model->scenario_file()
              << " as the reference; Ctrl-C stops)" << std::endl;
  });
  std::cerr << "banensim serve: stopped\n";
  return kExitInterrupted;
}

}  // namespace banensim::app
