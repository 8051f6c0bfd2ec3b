#pragma once
// The body of a `banensim serve` computation request (POST /api/compute and
// /api/report), parsed and checked before any work is done:
//
//   {"client": "a1b2", "seed": 2013, "paths": 51200,
//    "set": {"policy.keep_split.enabled": true, "quota.response_max": 0.45}}
//
//   client  1..64 characters [A-Za-z0-9_-]: the page's id; a new request of a
//           client cancels that client's running computation.
//   seed    whole number 0..2^64-1 (default 2013, as on the command line).
//   paths   whole number 1..limits.max_paths (default limits.default_paths).
//           Either may be written with a fraction or exponent when its value
//           is exactly whole (2048.0, 2.048e3: 2048), decided on the digits
//           as written, not on the nearest double; 2048.5 and 1e300 are
//           refused, naming the field, the value and the constraint.
//   set     parameter values by dotted key, as `--set KEY=VALUE`: a number or
//           true/false. Only numeric and true/false parameters: the keys that
//           name files or labels are refused, so a request never makes the
//           server read a file of its choosing.
//
// Everything else -- unknown fields, wrong types, a body that is not one JSON
// object, a key given twice in one object (at any depth), a body longer than
// limits.max_body_bytes, more than limits.max_settings keys -- is a
// RequestError with a one-line message.
// The values themselves (range, type, cross-key checks) are checked later by
// the scenario loader's apply_overrides, the same validator as --set.
//
// Pure function of its inputs; no I/O; thread-safe.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/parameter_schema.hpp"

namespace banensim::app::serve {

struct RequestLimits {
  std::size_t max_body_bytes = 16 * 1024;
  std::size_t max_settings = 256;
  std::uint64_t max_paths = 200'000;
  std::uint64_t default_paths = 51'200;
  std::uint64_t default_seed = 2013;
};

struct ComputeRequest {
  std::string client;
  std::uint64_t seed = 0;
  std::uint64_t paths = 0;
  // KEY=VALUE overrides in the order given, values as `--set` would read them.
  std::vector<std::pair<std::string, std::string>> settings;
};

// A request the server refuses with HTTP 400; what() is the message.
struct RequestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws RequestError. `schema` decides which keys are refused for their type
// (files, labels); unknown keys pass through to apply_overrides, which names
// them with its "did you mean".
ComputeRequest parse_compute_request(std::string_view body, const RequestLimits& limits,
                                     const models::ParamSchema& schema);

// `text` quoted for a message: printable ASCII as is, anything else as \xNN,
// cut after 80 characters.
std::string quoted_for_message(std::string_view text);

}  // namespace banensim::app::serve
