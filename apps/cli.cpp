#include "apps/cli.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>

#include "engine/atomic_file.hpp"
#include "engine/results_journal.hpp"
#include "engine/text_format.hpp"

namespace po = boost::program_options;

namespace banensim::app {

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max) {
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("--" + option + " " + text + ": must be a whole number " + range);
  }
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    throw UsageError("--" + option + " " + text + ": must be " + range);
  }
  return v;
}

std::string bound_text(double x) {
  char buf[64];
  if (x == std::floor(x) && std::abs(x) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
    return buf;
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // the shortest text that reads back as x
  return std::string(buf, r.ptr);
}

double parse_real(const std::string& option, const std::string& text, double min, double max) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const bool parsed = !text.empty() && end == text.data() + text.size() && ec == std::errc();
  std::string range = "a finite number";
  if (std::isfinite(min) && std::isfinite(max)) range = "a number from " + bound_text(min) + " to " + bound_text(max);
  if (std::isfinite(min) && !std::isfinite(max)) range = "a number >= " + bound_text(min);
  if (!std::isfinite(min) && std::isfinite(max)) range = "a number <= " + bound_text(max);
  if (!parsed || !std::isfinite(v) || v < min || v > max) throw UsageError("--" + option + " " + text + ": must be " + range);
  return v;
}

studies::Sampling parse_design_option(const std::string& text) {
  if (const auto s = studies::parse_sampling(text)) return *s;
  throw UsageError("--design " + text + ": must be " + studies::kSamplingChoices);
}

po::variables_map parse_command(const std::vector<std::string>& args, const po::options_description& options,
                                const std::string& usage, std::vector<po::option>* ordered) {
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description pos;
  pos.add("scenario", -1);
  const po::parsed_options parsed = po::command_line_parser(args).options(all).positional(pos).run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::ostringstream os;
    os << usage << options;
    throw HelpRequested{os.str()};
  }
  if (ordered != nullptr) *ordered = parsed.options;
  return vm;
}

std::string one_scenario(const po::variables_map& vm, const std::string& command) {
  if (!vm.count("scenario")) throw UsageError(command + ": no scenario file given");
  const auto given = vm["scenario"].as<std::vector<std::string>>();
  if (given.size() != 1) throw UsageError(command + " takes one scenario");
  return given[0];
}

void add_scenario_options(po::options_description& d, bool with_set) {
  d.add_options()
    ("target", po::value<std::string>(), "target number of extra jobs (sets target.total_jobs)")
    ("target-year", po::value<std::string>(), "year of the measurement that must reach it (sets target.year)");
  if (with_set) {
    d.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                    "override a parameter of the scenario: KEY=VALUE (repeatable)");
  }
}

studies::Overrides scenario_overrides(const po::variables_map& vm, bool with_set) {
  studies::Overrides ov;
  if (vm.count("target")) {
    parse_real("target", vm["target"].as<std::string>(), 1, 1e7);
    ov.emplace_back("target.total_jobs", vm["target"].as<std::string>());
  }
  if (vm.count("target-year")) {
    parse_count("target-year", vm["target-year"].as<std::string>(), 2013, 2100);
    ov.emplace_back("target.year", vm["target-year"].as<std::string>());
  }
  if (with_set && vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--set " + kv + ": must be KEY=VALUE");
      ov.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  check_each_key_once(ov, "");
  return ov;
}

void check_each_key_once(const studies::Overrides& ov, const std::string& where) {
  for (std::size_t i = 0; i < ov.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (ov[j].first != ov[i].first) continue;
      // --target and --target-year set target.total_jobs and target.year.
      const auto named = [&where](const std::string& key) {
        return key == "target.total_jobs" ? std::string(" (--target or --set)")
               : key == "target.year"     ? std::string(" (--target-year or --set)")
               : where.empty()            ? std::string(" (--set)")
                                          : std::string();
      };
      throw UsageError(where + "key '" + ov[i].first + "' is set twice" + named(ov[i].first) + ", to " + ov[j].second +
                       " and to " + ov[i].second + ": set it once (a scenario file refuses a key given twice too)");
    }
  }
}

void add_run_options(po::options_description& d, const std::string& paths_help) {
  d.add_options()
    ("paths,n", po::value<std::string>(), paths_help.c_str())
    ("seed,s", po::value<std::string>(), "random seed, 0..2^64-1 (default 2013); recorded in every output")
    ("threads,j", po::value<std::string>(), "worker threads (default: all cores); results do not depend on it")
    ("block-size", po::value<std::string>(), "paths per block (default 1024; part of the reproducibility key)");
}

RunOptions run_options(const po::variables_map& vm) {
  RunOptions o;
  if (vm.count("paths")) o.paths = parse_count("paths", vm["paths"].as<std::string>(), 1, 1'000'000'000'000ULL);
  if (vm.count("seed")) o.seed = parse_count("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  if (vm.count("threads")) o.threads = static_cast<int>(parse_count("threads", vm["threads"].as<std::string>(), 1, 1024));
  if (vm.count("block-size")) o.block_size = parse_count("block-size", vm["block-size"].as<std::string>(), 1, 1'000'000);
  return o;
}

void CommandFiles::add_scenario(const models::ResolvedScenario& r) {
  for (const auto& f : r.files) files_.add_input(f);
  add_inputs(studies::data_file_names(r));
}

void warn_calibration(const studies::ExecutionContext& ctx, const std::vector<const studies::Scenario*>& scenarios) {
  if (!ctx.is_root()) return;
  for (const auto& stale : studies::stale_calibrations(scenarios)) {
    std::cerr << "banensim: warning: ";
    for (std::size_t i = 0; i < stale.files.size(); ++i) std::cerr << (i ? ", " : "") << stale.files[i];
    std::cerr << ": " << stale.reason << "\n";
  }
}

void CommandFiles::add_inputs(const std::vector<std::string>& files) {
  for (const auto& f : files) files_.add_input(f);
}

void CommandFiles::add_output(const std::optional<std::string>& file, const std::string& role) {
  if (file) files_.add_output(*file, role);
}

void CommandFiles::add_journal(const std::optional<std::string>& file, const std::string& role) {
  if (!file) return;
  files_.add_output(*file, role);
  files_.add_output(engine::ResultsJournal::partial_path(*file), "the journal of " + role);
}

void CommandFiles::check() const {
  try {
    files_.check();
  } catch (const engine::OutputRefused& e) {
    throw UsageError(e.what());
  }
}

namespace {

class PathBar {
 public:
  void update(std::uint64_t done, std::uint64_t planned) {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (elapsed < 1.0 || std::chrono::duration<double>(now - last_).count() < 0.2) return;
    last_ = now;
    const double frac = static_cast<double>(done) / static_cast<double>(planned);
    const double rate = static_cast<double>(done) / elapsed;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%s%s] %s/%s paths  %s paths/s  %s s left ",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                 engine::fmt_int(static_cast<double>(done)).c_str(), engine::fmt_int(static_cast<double>(planned)).c_str(),
                 engine::fmt_int(rate).c_str(),
                 engine::fmt(rate > 0 ? static_cast<double>(planned - done) / rate : 0.0, 0).c_str());
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// A study's points: a bar, the point started, and the time left at the
// pace of the points run so far in this process (a resume's rows excluded).
class PointBar {
 public:
  explicit PointBar(std::string noun) : noun_(std::move(noun)) {}
  void update(std::uint64_t i, std::uint64_t n) {
    const auto now = std::chrono::steady_clock::now();
    if (!started_) {
      started_ = true;
      first_ = i;
      start_ = now;
    }
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const std::uint64_t done = i - first_;
    const int width = 30;
    const int filled = n > 0 ? static_cast<int>(static_cast<double>(i) / static_cast<double>(n) * width) : 0;
    const std::string eta =
        done > 0 ? engine::fmt(elapsed / static_cast<double>(done) * static_cast<double>(n - i), 0) + " s left" : "";
    std::fprintf(stderr, "\r[%s%s] %s %llu/%llu  %s ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), noun_.c_str(),
                 static_cast<unsigned long long>(i + 1), static_cast<unsigned long long>(n), eta.c_str());
  }

 private:
  std::string noun_;
  bool started_ = false;
  std::uint64_t first_ = 0;
  std::chrono::steady_clock::time_point start_{};
};

bool on_terminal(const studies::ExecutionContext& ctx) { return ctx.is_root() && ::isatty(STDERR_FILENO) == 1; }

}  // namespace

void show_progress(studies::ExecutionContext& ctx, const std::string& noun) {
  const bool tty = on_terminal(ctx);
  ctx.on_note = [tty](const std::string& text) {
    if (tty) std::fprintf(stderr, "\r%80s\r", "");
    std::cerr << "banensim: " << text << "\n";
  };
  if (!tty) return;
  auto bar = std::make_shared<PathBar>();
  ctx.on_paths = [bar](std::uint64_t done, std::uint64_t planned) { bar->update(done, planned); };
  auto points = std::make_shared<PointBar>(noun);
  ctx.on_point = [points](std::uint64_t i, std::uint64_t n) { points->update(i, n); };
}

void clear_progress(const studies::ExecutionContext& ctx) {
  if (on_terminal(ctx)) std::fprintf(stderr, "\r%80s\r", "");
}

}  // namespace banensim::app
