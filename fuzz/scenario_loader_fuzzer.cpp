// libFuzzer harness for banensim::models::load_scenario (models/scenario_loader.hpp).
//
// Each input is written to <scratch>/case/input.toml and loaded against a
// fixed schema with one key of every ParamType (the schema of
// tests/models/scenario_loader_test.cpp, so the seed corpus from tests/data
// is meaningful). InputError is the only acceptable failure; any other
// exception, a sanitizer report, a timeout or a broken invariant is a finding.
//
// The scratch directory holds fixed neighbours so that `extends` in the input
// reaches every branch of the resolver naturally:
//
//   good/scenario-base.toml     every key, valid (as in tests/data/good)
//   good/scenario-overlay.toml  a partial scenario
//   good/scenario-child.toml    extends scenario-base.toml
//   case/input.toml             THE INPUT (`extends = "input.toml"`: a self cycle)
//   case/scenario-base.toml     same as good/, for a plain `extends = "scenario-base.toml"`
//   case/extends-input.toml     `extends = "input.toml"`: a two-file cycle
//   case/broken.toml            a TOML syntax error: a broken parent
//   case/empty.toml             an empty file
//   case/subdir/                a directory, not a file
//
// Missing files are simply any other name.
//
// An input that loads is also rewritten by rewrite_scenario_values (what
// `calibrate --update` does) with a new value for each of three keys in
// turn: InputError (a key the file does not set itself, a value of another
// type) or a text that loads again with exactly that value changed and every
// other value as it was. A std::logic_error (the function's own check
// failing) is a finding.
//
// The input's first line is also given as command-line text (--set) for an
// integer and a real key: InputError, or exactly the number it writes.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "models/parameter_schema.hpp"
#include "models/problem.hpp"
#include "models/scenario_loader.hpp"

namespace fs = std::filesystem;
using banensim::models::InputError;
using banensim::models::ParamSchema;
using banensim::models::ParamSpec;
using banensim::models::ParamType;
using banensim::models::Problem;
using banensim::models::ResolvedScenario;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const ParamSchema& schema() {
  static const ParamSchema kSchema = {
      ParamSpec{"growth.market.trend", ParamType::kReal, -1, 1, "1/year", "trend growth rate"},
      ParamSpec{"growth.market.volatility", ParamType::kReal, 0, kInf, "1", "shock size"},
      ParamSpec{"quota.levy_per_job_eur", ParamType::kReal, 0, kInf, "EUR per job", "levy"},
      ParamSpec{"run.n_years", ParamType::kInteger, 1, 100, "years", "horizon"},
      ParamSpec{"policy.abolish_split", ParamType::kBoolean, -kInf, kInf, "", "one national target"},
      ParamSpec{"policy.name", ParamType::kString, -kInf, kInf, "", "label"},
      ParamSpec{"data.history", ParamType::kPath, -kInf, kInf, "", "monitor history file"},
  };
  return kSchema;
}

constexpr std::string_view kBase = R"(# every key of the fuzz schema
[growth.market]
trend = 0.05
volatility = 0.2

[quota]
levy_per_job_eur = 5000

[run]
n_years = 14

[policy]
abolish_split = false
name = "status quo"

[data]
history = "history.csv"
)";

constexpr std::string_view kOverlay = R"(run.n_years = 10
growth.market.volatility = 0.3
policy.name = "overlay"
)";

// A cross-key check, so the ScenarioCheck path runs too. The loader promises
// to call it only on a complete scenario whose values are individually valid.
std::vector<Problem> cross_check(const ResolvedScenario& scenario) {
  for (const ParamSpec& spec : schema()) {
    FUZZ_CHECK(scenario.values.count(spec.key) == 1, "check called without key " + spec.key);
  }
  if (scenario.string("policy.name") == "reject me") {
    return {Problem{scenario.where("policy.name"), "policy.name", "\"reject me\"", "rejected by the cross-key check"}};
  }
  return {};
}

struct Fixture {
  banensim::fuzz::ScratchDir scratch{"scenario"};
  fs::path input;
  fs::path roundtrip;

  Fixture() {
    const fs::path& root = scratch.path();
    using banensim::fuzz::write_file;
    write_file(root / "good" / "scenario-base.toml", kBase);
    write_file(root / "good" / "scenario-overlay.toml", kOverlay);
    write_file(root / "good" / "scenario-child.toml",
               "extends = \"scenario-base.toml\"\n[growth.market]\ntrend = 0.07\n");
    write_file(root / "case" / "scenario-base.toml", kBase);
    write_file(root / "case" / "extends-input.toml", "extends = \"input.toml\"\nrun.n_years = 3\n");
    write_file(root / "case" / "broken.toml", "[growth.market\ntrend = 0.1\n");
    write_file(root / "case" / "empty.toml", "");
    fs::create_directories(root / "case" / "subdir");
    input = root / "case" / "input.toml";
    roundtrip = root / "roundtrip" / "canonical.toml";
    fs::create_directories(roundtrip.parent_path());
  }
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

// `extends` may name any file on the system. Regular files under /proc and
// /sys can block forever or be endless (e.g. /proc/kmsg when root); reading
// them would be a harness artefact, not a loader bug, so such inputs are
// skipped. (TOML \u escapes could still spell them: improbable, accepted.)
bool names_special_filesystem(std::string_view bytes) {
  for (const std::string_view bad : {"/proc", "/sys", "/dev"}) {
    if (bytes.find(bad) != std::string_view::npos) return true;
  }
  return false;
}

// What a successful load promises: every schema key has exactly one value of
// its declared type, in range, with a location.
void check_resolved(const ResolvedScenario& scenario, const fs::path& file) {
  FUZZ_CHECK(!scenario.files.empty() && scenario.files.front() == file.string(),
             "files does not start with the loaded file");
  FUZZ_CHECK(scenario.values.size() == schema().size(),
             "values has " + std::to_string(scenario.values.size()) + " keys, schema has " +
                 std::to_string(schema().size()));
  for (const ParamSpec& spec : schema()) {
    FUZZ_CHECK(scenario.values.count(spec.key) == 1, "no value for " + spec.key);
    const auto& where = scenario.where(spec.key);
    FUZZ_CHECK(!where.file.empty() && where.line >= 1 && where.column >= 1,
               "value of " + spec.key + " has no location");
    switch (spec.type) {
      case ParamType::kReal: {
        const double value = scenario.real(spec.key);
        FUZZ_CHECK(std::isfinite(value) && value >= spec.min && value <= spec.max,
                   spec.key + " out of range: " + std::to_string(value));
        break;
      }
      case ParamType::kInteger: {
        const auto value = static_cast<double>(scenario.integer(spec.key));
        FUZZ_CHECK(value >= spec.min && value <= spec.max, spec.key + " out of range");
        break;
      }
      case ParamType::kBoolean:
        (void)scenario.boolean(spec.key);
        break;
      case ParamType::kString:
      case ParamType::kPath:
        (void)scenario.string(spec.key);
        break;
    }
  }
}

// canonical_toml() is valid TOML holding every value: loading it again must
// succeed and give the same values, hence the same hash. (Path values are
// already absolute here, because the input is loaded by absolute path.)
void check_round_trip(const ResolvedScenario& scenario) {
  const std::string canonical = scenario.canonical_toml();
  const std::string hash = scenario.hash();
  FUZZ_CHECK(hash.size() == 16, "hash is not 16 hex digits: " + hash);
  const fs::path& file = fixture().roundtrip;
  banensim::fuzz::write_file(file, canonical);
  try {
    const ResolvedScenario again = banensim::models::load_scenario(file, schema());
    FUZZ_CHECK(again.canonical_toml() == canonical,
               "canonical_toml() changes when loaded again:\n--- first\n" + canonical + "--- again\n" +
                   again.canonical_toml());
    FUZZ_CHECK(again.hash() == hash, "hash changes when loaded again");
  } catch (const InputError& error) {
    FUZZ_CHECK(false, "canonical_toml() does not load again:\n" + canonical + "--- error\n" + error.what());
  }
  std::error_code ec;
  fs::remove(file, ec);
}

// The rewrite of a loaded input, one key at a time (a file that sets any of
// them is checked): the new value where the file sets the key, nothing else
// changed.
void check_rewrite(std::string_view bytes, const ResolvedScenario& before) {
  const std::pair<std::string, std::string> values[] = {
      {"growth.market.trend", "0.125"}, {"run.n_years", "7"}, {"policy.name", "\"rewritten\""}};
  const fs::path file = fixture().input.parent_path() / "rewritten.toml";  // beside the input: same `extends`
  for (const auto& kv : values) {
    std::string out;
    try {
      out = banensim::models::rewrite_scenario_values(std::string(bytes), fixture().input.string(), {kv});
    } catch (const InputError& error) {
      banensim::fuzz::check_input_error(error);
      continue;
    }
    banensim::fuzz::write_file(file, out);
    try {
      const ResolvedScenario after = banensim::models::load_scenario(file, schema(), cross_check);
      for (const ParamSpec& spec : schema()) {
        if (spec.key != kv.first) {
          // A path is resolved relative to its file: the same directory here, so the same too.
          FUZZ_CHECK(before.values.at(spec.key).value == after.values.at(spec.key).value,
                     spec.key + " changed in the rewrite of " + kv.first);
        } else if (spec.type == ParamType::kReal) {
          FUZZ_CHECK(after.real(spec.key) == 0.125, "the rewritten trend is not 0.125");
        } else if (spec.type == ParamType::kInteger) {
          FUZZ_CHECK(after.integer(spec.key) == 7, "the rewritten n_years is not 7");
        } else {
          FUZZ_CHECK(after.string(spec.key) == "rewritten", "the rewritten name is not \"rewritten\"");
        }
      }
    } catch (const InputError& error) {
      // The input loaded (its name is not the one the cross-key check refuses), so this must too.
      FUZZ_CHECK(false, std::string("the rewritten text does not load:\n") + out + "--- error\n" + error.what());
    }
    std::error_code ec;
    fs::remove(file, ec);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixture();
  return 0;
}

// The input's first line, as command-line text, for the Integer key and a
// Real key (apply_overrides: --set, --variant, a points file). InputError
// or the value the text denotes: an integer key's value is a whole number in
// range, and when the text reads as a double below 2^53 in size, that number.
void check_overrides(std::string_view bytes) {
  const std::string text(bytes.substr(0, std::min(bytes.find('\n'), std::size_t{64})));
  static const ResolvedScenario base =
      banensim::models::load_scenario(fixture().scratch.path() / "good" / "scenario-base.toml", schema());
  for (const char* key : {"run.n_years", "growth.market.trend"}) {
    ResolvedScenario s = base;
    try {
      banensim::models::apply_overrides(s, schema(), {{key, text}}, "--set", cross_check);
    } catch (const InputError& error) {
      banensim::fuzz::check_input_error(error);
      continue;
    }
    char* end = nullptr;
    const double x = std::strtod(text.c_str(), &end);
    const bool plain = end != text.c_str() && *end == '\0' && std::isfinite(x) && std::abs(x) < 9007199254740992.0;
    if (std::string_view(key) == "run.n_years") {
      const std::int64_t v = s.integer(key);
      FUZZ_CHECK(v >= 1 && v <= 100, "--set run.n_years=" + text + " gave " + std::to_string(v) + ", out of range");
      if (plain) {
        FUZZ_CHECK(static_cast<double>(v) == x,
                   "--set run.n_years=" + text + " gave " + std::to_string(v) + ", not the number it writes");
      }
    } else if (plain) {
      FUZZ_CHECK(s.real(key) == x, "--set growth.market.trend=" + text + " gave another number");
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (names_special_filesystem(bytes)) return -1;  // -1: do not add to the corpus
  check_overrides(bytes);
  const fs::path& file = fixture().input;
  banensim::fuzz::write_file(file, bytes);
  try {
    const ResolvedScenario scenario = banensim::models::load_scenario(file, schema(), cross_check);
    check_resolved(scenario, file);
    check_round_trip(scenario);
    check_rewrite(bytes, scenario);
  } catch (const InputError& error) {
    banensim::fuzz::check_input_error(error);
  }
  return 0;
}
