#pragma once
// The HTTP side of `banensim serve` (cpp-httplib, Debian libcpp-httplib-dev):
//
//   GET  /              the page (HTML, script, style and SVG in one
//                       document, compiled into the program; nothing from
//                       the network)
//   GET  /api/model     what the page offers: levers, sliders, target, the
//                       observed years (LiveModel::describe)
//   POST /api/compute   a computation request (apps/serve/serve_request.hpp);
//                       answered with one JSON line per progressive result
//                       (application/x-ndjson, chunked), the last with
//                       "final": true -- or, cancelled before that,
//                       {"final": false, "cancelled": true, "reason": ...},
//                       or {"error": message}; or 400 and {"error": message}
//   POST /api/report    the same request; answered with the HTML report
//                       `compare --report` writes for those settings
//
// Another method on one of these paths (any other, with a body or without)
// is answered 405 with an Allow header and {"error": message}; another path
// 404; a POST without a body (no Content-Length) 411.
//
// Limits: request bodies up to limits.max_body_bytes (8,192 bytes when sent
// as application/x-www-form-urlencoded: cpp-httplib's own limit for a form,
// and the message says so); paths per request up
// to limits.max_paths; one computation per client (a new request of a client
// cancels its running one at the next block of paths); at most
// `max_computations` computations at once (others wait for a slot, and are
// cancelled while waiting by a newer request of their client); the
// connection threads are a fixed pool. Requests read and write no file.
//
// Bound to loopback, the server also refuses requests whose Host header is
// not a loopback name (a web page elsewhere cannot reach it through DNS
// rebinding) and POSTs from another origin.

#include <atomic>
#include <string>

#include "apps/serve/live_model.hpp"

namespace banensim::app::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads_per_computation = 0;  // 0: all cores
  int max_computations = 2;
  int connection_threads = 48;
};

// Serves until `stop` is set (checked every 100 ms), then returns; calls
// `on_listening` with the bound port once requests are accepted. Throws
// std::runtime_error when the address cannot be bound, or when the server
// stops accepting connections without `stop` (a failure of its socket).
void serve(const LiveModel& model, const ServerOptions& options, const std::atomic<bool>& stop,
           const std::function<void(int port)>& on_listening);

}  // namespace banensim::app::serve
