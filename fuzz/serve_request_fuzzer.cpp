// libFuzzer harness for the request parser of `banensim serve`
// (apps/serve/serve_request.hpp) and the validation behind it.
//
// Each input is a request body. parse_compute_request reads it with the
// banenafspraak parameter declarations; when it is accepted, its settings go
// through models::apply_overrides -- with the model's cross-key checks -- on
// scenarios/status-quo.toml, loaded once, exactly as the server does for
// the variant of a request. RequestError (among others for a key given twice
// in one object) and InputError are the only acceptable failures. Invariants
// (FUZZ_CHECK):
//
// - a RequestError has a non-empty message without control characters (it
//   goes into a JSON answer and onto the page);
// - an accepted request has a client of 1..64 characters [A-Za-z0-9_-],
//   paths in 1..max_paths, at most max_settings settings, no setting of a
//   file or label key, and no value with a control character;
// - a seed or path count written with a fraction or exponent is accepted
//   only when it is whole, and then is that number (checked against the
//   double nlohmann::json reads, which is exact below 2^53);
// - an InputError has problems, each naming "request" as where and a
//   constraint;
// - settings that apply leave every key with a value of its declared type
//   and within its accepted range.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "apps/serve/serve_request.hpp"
#include "fuzz_support.hpp"
#include "models/banenafspraak_params.hpp"
#include "models/scenario_loader.hpp"

using namespace banensim;

namespace {

const models::ResolvedScenario& status_quo() {
  static const models::ResolvedScenario r = models::load_scenario(
      std::string(BANENSIM_ROOT_DIR) + "/scenarios/status-quo.toml", models::banenafspraak_schema(),
      models::banenafspraak_check);
  return r;
}

bool printable(const std::string& s, bool allow_newline) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && !(allow_newline && c == '\n')) || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& schema = models::banenafspraak_schema();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  app::serve::RequestLimits limits;
  limits.max_body_bytes = 4096;  // small, so libFuzzer also explores the limit
  app::serve::ComputeRequest request;
  try {
    request = app::serve::parse_compute_request(body, limits, schema);
  } catch (const app::serve::RequestError& e) {
    const std::string what = e.what();
    FUZZ_CHECK(!what.empty() && printable(what, false), "RequestError message: " + what);
    return 0;
  }
  FUZZ_CHECK(!request.client.empty() && request.client.size() <= 64, "client length");
  for (const char c : request.client) {
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-',
               "client character");
  }
  FUZZ_CHECK(request.paths >= 1 && request.paths <= limits.max_paths, "paths in range");
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  for (const auto& [field, got] : {std::pair<const char*, std::uint64_t>{"seed", request.seed},
                                   std::pair<const char*, std::uint64_t>{"paths", request.paths}}) {
    if (!doc.is_object() || !doc.contains(field) || !doc.at(field).is_number_float()) continue;
    const double read = doc.at(field).get<double>();
    FUZZ_CHECK(read >= 0 && std::floor(read) == read,
               std::string("a decimal ") + field + " that is not whole accepted");
    FUZZ_CHECK(read >= 9007199254740992.0 || static_cast<double>(got) == read,
               std::string("a decimal ") + field + " accepted as another number");
  }
  FUZZ_CHECK(request.settings.size() <= limits.max_settings, "settings count");
  for (const auto& [key, text] : request.settings) {
    FUZZ_CHECK(!key.empty(), "empty key accepted");
    FUZZ_CHECK(printable(text, false), "value with a control character: " + key);
    if (const auto* spec = models::find_param(schema, key)) {
      FUZZ_CHECK(spec->type != models::ParamType::kPath && spec->type != models::ParamType::kString,
                 "a file or label key accepted: " + key);
    }
  }
  models::ResolvedScenario r = status_quo();
  try {
    models::apply_overrides(r, schema, request.settings, "request", models::banenafspraak_check);
  } catch (const models::InputError& e) {
    FUZZ_CHECK(!e.problems().empty(), "InputError without problems");
    for (const auto& p : e.problems()) {
      FUZZ_CHECK(!p.constraint.empty(), "problem without a constraint");
      FUZZ_CHECK(p.where.file == "request" || p.where.line > 0, "problem names neither the request nor a file line: " +
                                                                   p.message());
    }
    return 0;
  }
  for (const auto& spec : schema) {
    const auto it = r.values.find(spec.key);
    FUZZ_CHECK(it != r.values.end(), "key without a value: " + spec.key);
    if (spec.type == models::ParamType::kReal || spec.type == models::ParamType::kInteger) {
      const double v = spec.type == models::ParamType::kReal ? r.real(spec.key) : static_cast<double>(r.integer(spec.key));
      FUZZ_CHECK(v >= spec.min && v <= spec.max, "value out of its range after apply_overrides: " + spec.key);
    }
  }
  return 0;
}
