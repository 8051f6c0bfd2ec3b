#include "apps/serve/live_server.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "serve_page.h"  // generated from apps/serve/page.html (cmake/embed_text.cmake)
#include "models/problem.hpp"

namespace banensim::app::serve {

namespace {

// At most `n` computations at once, handed out first come, first served (so
// no waiting request starves behind newer ones); a waiter gives up when its
// cancel flag is set.
class Slots {
 public:
  explicit Slots(int n) : free_(n) {}
  bool acquire(const std::atomic<bool>& cancel) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t ticket = next_ticket_++;
    waiting_.push_back(ticket);
    while (free_ == 0 || waiting_.front() != ticket) {
      if (cancel.load()) {
        waiting_.erase(std::find(waiting_.begin(), waiting_.end(), ticket));
        cv_.notify_all();  // the next in line may be first now
        return false;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
    waiting_.pop_front();
    --free_;
    cv_.notify_all();  // the next in line may take another free slot
    return true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++free_;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int free_;
  std::uint64_t next_ticket_ = 0;
  std::deque<std::uint64_t> waiting_;
};

// Holds a slot until destroyed.
class SlotHold {
 public:
  explicit SlotHold(Slots& slots) : slots_(&slots) {}
  SlotHold(const SlotHold&) = delete;
  SlotHold& operator=(const SlotHold&) = delete;
  ~SlotHold() { slots_->release(); }

 private:
  Slots* slots_;
};

// Why a computation was cancelled (the first reason set wins).
enum class CancelReason : int { kNone = 0, kSuperseded, kStopping, kClientGone };

const char* cancel_text(CancelReason why) {
  switch (why) {
    case CancelReason::kSuperseded:
      return "a newer request of this client replaced it";
    case CancelReason::kStopping:
      return "the server is stopping";
    case CancelReason::kClientGone:
      return "the client went away";
    case CancelReason::kNone:
      break;
  }
  return "cancelled";
}

struct Job {
  std::atomic<bool> cancel{false};
  std::atomic<CancelReason> why{CancelReason::kNone};
  void cancel_for(CancelReason reason) {
    CancelReason none = CancelReason::kNone;
    why.compare_exchange_strong(none, reason);
    cancel.store(true);
  }
};

// The running (or waiting) computation of each client. A new one cancels the
// old one; a finished one removes itself unless replaced.
class Clients {
 public:
  std::shared_ptr<Job> start(const std::string& client) {
    auto job = std::make_shared<Job>();
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = jobs_[client];
    if (slot) slot->cancel_for(CancelReason::kSuperseded);
    slot = job;
    return job;
  }
  void finish(const std::string& client, const std::shared_ptr<Job>& job) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = jobs_.find(client);
    if (it != jobs_.end() && it->second == job) jobs_.erase(it);
  }
  void cancel_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [client, job] : jobs_) job->cancel_for(CancelReason::kStopping);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
};

// Ends a job's registration when the response that owns it is destroyed.
class JobLease {
 public:
  JobLease(Clients& clients, std::string client)
      : clients_(&clients), client_(std::move(client)), job(clients.start(client_)) {}
  JobLease(const JobLease&) = delete;
  JobLease& operator=(const JobLease&) = delete;
  ~JobLease() { clients_->finish(client_, job); }

 private:
  Clients* clients_;
  std::string client_;

 public:
  const std::shared_ptr<Job> job;
};

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump() + "\n", "application/json");
}

// Every problem of an InputError, one per line, as the command line prints them.
std::string problems_text(const models::InputError& e) {
  std::string text;
  for (const auto& p : e.problems()) text += (text.empty() ? "" : "\n") + p.message();
  return text;
}

bool is_loopback_host(const std::string& host_header, int port) {
  const std::string p = ":" + std::to_string(port);
  for (const char* name : {"127.0.0.1", "localhost", "[::1]"}) {
    if (host_header == std::string(name) + p) return true;
  }
  return false;
}

bool is_loopback_address(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// The paths the server answers, each with the methods it takes (the GET
// handlers also answer HEAD).
struct Route {
  const char* path;
  bool post;  // takes POST; otherwise GET and HEAD
  const char* allow() const { return post ? "POST" : "GET, HEAD"; }
};
constexpr Route kRoutes[] = {{"/", false}, {"/api/model", false}, {"/api/compute", true}, {"/api/report", true}};

const Route* find_route(const std::string& path) {
  for (const Route& route : kRoutes) {
    if (path == route.path) return &route;
  }
  return nullptr;
}

bool takes(const Route& route, const std::string& method) {
  return route.post ? method == "POST" : method == "GET" || method == "HEAD";
}

// A method the path does not take: 405 with the methods it takes in Allow
// (RFC 9110 15.5.6), not httplib's 404 ("no such page" for a page that exists).
void method_not_allowed(const httplib::Request& req, httplib::Response& res, const Route& route) {
  res.set_header("Allow", route.allow());
  send_error(res, 405, req.method + " " + route.path + ": method not allowed (" + route.path + " takes " +
                           route.allow() + ")");
}

void no_such_page(httplib::Response& res) {
  send_error(res, 404, "no such page (the page is /, the API /api/model, /api/compute, /api/report)");
}

// Whether the request says a body follows its headers. With neither
// Transfer-Encoding nor Content-Length a request has none (RFC 9112 6.3).
bool announces_body(const httplib::Request& req) {
  return req.has_header("Transfer-Encoding") || req.get_header_value<std::uint64_t>("Content-Length") > 0;
}

}  // namespace

void serve(const LiveModel& model, const ServerOptions& options, const std::atomic<bool>& stop,
           const std::function<void(int port)>& on_listening) {
  httplib::Server svr;
  Slots slots(options.max_computations);  // whole runs
  Slots quick_slots(1);                    // quick estimates (4 blocks, one thread)
  Clients clients;
  const int n_pool = options.connection_threads;
  svr.new_task_queue = [n_pool] { return new httplib::ThreadPool(static_cast<std::size_t>(n_pool)); };
  // Bodies a little longer than the parser takes are still read, so that
  // the parser's message answers them; longer ones get the error handler's.
  const std::size_t max_read = model.limits().max_body_bytes * 4;
  svr.set_payload_max_length(max_read);
  svr.set_read_timeout(5, 0);
  svr.set_write_timeout(5, 0);
  svr.set_keep_alive_timeout(2);
  // cpp-httplib's default sets SO_REUSEPORT, with which a second server binds
  // the same port and the kernel deals the connections between the two (the
  // page would answer from either scenario). SO_REUSEADDR alone still allows
  // a restart while old connections linger in TIME_WAIT, and a port in use
  // fails to bind, as the message below says.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});

  const bool loopback = is_loopback_address(options.host);
  int bound_port = 0;
  svr.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (loopback && !is_loopback_host(req.get_header_value("Host"), bound_port)) {
      send_error(res, 403, "Host header '" + quoted_for_message(req.get_header_value("Host")) +
                               "' is not this server's loopback address");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "POST" && req.has_header("Origin") &&
        req.get_header_value("Origin") != "http://" + req.get_header_value("Host")) {
      send_error(res, 403, "a request from another origin ('" + quoted_for_message(req.get_header_value("Origin")) +
                               "') is refused");
      return httplib::Server::HandlerResponse::Handled;
    }
    // A request without a body that no handler takes is answered here:
    // httplib 0.11 reads the body of a POST, PUT or PATCH without
    // Content-Length to the end of the connection (where HTTP/1.1 says there
    // is none), so it answered 400 after its 5 s read timeout, and TRACE or
    // CONNECT it answers 400 on every path. A request with a body goes on, so
    // that httplib reads the body off the connection (what is left would be
    // read as the next request), and the error handler answers it below.
    if (!announces_body(req)) {
      const Route* route = find_route(req.path);
      if (route == nullptr) {
        no_such_page(res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!takes(*route, req.method)) {
        method_not_allowed(req, res, *route);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "POST" && !req.has_header("Content-Length")) {  // (Content-Length: 0 is an empty body)
        send_error(res, 411, "POST " + std::string(route->path) + ": no request body (a JSON object, sent with its "
                                                                  "Content-Length)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([&](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // our own message stands
    if (const Route* route = find_route(req.path); route != nullptr && !takes(*route, req.method)) {
      // With a body (read, skipped as too long, or left unread by httplib
      // for a method it takes none with): 405 all the same.
      method_not_allowed(req, res, *route);
    } else if (res.status == 413) {
      // httplib refused the body before the parser saw it: over max_read
      // bytes, or, sent as a form (a Content-Type that starts as below, as
      // httplib tests it), over CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH
      // (8,192 bytes, compiled into libcpp-httplib) -- below the parser's
      // own limit, so the message names the one that applied.
      const std::size_t json_limit = model.limits().max_body_bytes;
      const std::size_t form_limit = std::min<std::size_t>(CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH, json_limit);
      if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
        send_error(res, 400, "request body too long: sent as application/x-www-form-urlencoded, it must be at most " +
                                 std::to_string(form_limit) + " bytes (sent as application/json, at most " +
                                 std::to_string(json_limit) + ")");
      } else {
        send_error(res, 400, "request body too long: must be at most " + std::to_string(json_limit) + " bytes of JSON");
      }
    } else if (res.status == 404) {
      no_such_page(res);
    } else {
      send_error(res, res.status, "HTTP status " + std::to_string(res.status) +
                                      (res.status == 405 ? " (method not allowed)" : ""));
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    res.set_content(kServePage.data(), kServePage.size(), "text/html; charset=utf-8");
  });
  const std::string model_json = model.describe().dump() + "\n";
  svr.Get("/api/model", [&model_json](const httplib::Request&, httplib::Response& res) {
    res.set_content(model_json, "application/json");
  });

  // Parses and validates a request: the prepared run, or false after a 400.
  const auto prepare = [&model](const httplib::Request& req, httplib::Response& res, PreparedRun& run) {
    try {
      run = model.prepare(parse_compute_request(req.body, model.limits(), models::banenafspraak_schema()));
      return true;
    } catch (const RequestError& e) {
      send_error(res, 400, e.what());
    } catch (const models::InputError& e) {
      send_error(res, 400, problems_text(e));
    }
    return false;
  };

  svr.Post("/api/compute", [&](const httplib::Request& req, httplib::Response& res) {
    auto run = std::make_shared<PreparedRun>();
    if (!prepare(req, res, *run)) return;
    auto lease = std::make_shared<JobLease>(clients, run->request.client);
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [&, run, lease](std::size_t, httplib::DataSink& sink) {
          Job& job = *lease->job;
          bool final_sent = false;
          const auto send = [&](const nlohmann::json& snapshot) {
            const std::string line = snapshot.dump() + "\n";
            if (!sink.write(line.data(), line.size())) {
              job.cancel_for(CancelReason::kClientGone);
            } else if (snapshot.at("final").get<bool>()) {
              final_sent = true;
            }
          };
          try {
            // The quick estimate first, in its own lane: a new request is not
            // kept waiting behind other clients' refinements.
            bool more = false;
            if (quick_slots.acquire(job.cancel)) {
              const SlotHold hold(quick_slots);
              const engine::RunResult quick = model.run_quick(*run, 1, &job.cancel, send);
              more = !quick.cancelled && !job.cancel.load() && run->request.paths > quick.n_paths;
            }
            if (more && slots.acquire(job.cancel)) {
              const SlotHold hold(slots);
              model.run(*run, options.threads_per_computation, &job.cancel, send, 2 * kFirstReportBlocks);
            }
            // Cancelled before its final figures (while waiting or running):
            // a last line says so and why, so that a client can tell this
            // from a cut connection (a stream that just stops). A client
            // that went away reads nothing more.
            const CancelReason why = job.why.load();
            if (!final_sent && job.cancel.load() && why != CancelReason::kClientGone) {
              const std::string line =
                  nlohmann::json{{"final", false}, {"cancelled", true}, {"reason", cancel_text(why)}}.dump() + "\n";
              sink.write(line.data(), line.size());
            }
          } catch (const std::exception& e) {
            // After the 200 header: the failure travels as the last line.
            const std::string line = nlohmann::json{{"error", e.what()}}.dump() + "\n";
            sink.write(line.data(), line.size());
          }
          sink.done();
          return true;
        });
  });

  svr.Post("/api/report", [&](const httplib::Request& req, httplib::Response& res) {
    PreparedRun run;
    if (!prepare(req, res, run)) return;
    // A report is a computation of its own: it does not cancel the client's live one.
    JobLease lease(clients, run.request.client + ":report");
    const auto cancelled = [&lease] {
      const CancelReason why = lease.job->why.load();
      return why == CancelReason::kSuperseded ? std::string("cancelled by a newer report request of this client")
                                              : std::string("cancelled: ") + cancel_text(why);
    };
    if (!slots.acquire(lease.job->cancel)) {
      send_error(res, 409, cancelled());
      return;
    }
    const SlotHold hold(slots);
    try {
      const engine::RunResult result = model.run(run, options.threads_per_computation, &lease.job->cancel,
                                                 [](const nlohmann::json&) {});
      if (result.cancelled) {
        send_error(res, 409, cancelled());
        return;
      }
      res.set_header("Content-Disposition", "attachment; filename=\"banensim-report-seed" +
                                                std::to_string(run.request.seed) + ".html\"");
      res.set_content(model.report_html(run, result), "text/html; charset=utf-8");
    } catch (const std::exception& e) {
      send_error(res, 500, e.what());
    }
  });

  // A path asked with a method it does not take has no handler: the
  // pre-routing handler answers it 405 when it has no body, the error
  // handler when it has one (httplib's 404 or 400, or 413 for a long body).

  if (options.port == 0) {
    bound_port = svr.bind_to_any_port(options.host);
    if (bound_port <= 0) throw std::runtime_error("cannot bind to " + options.host + " (any port)");
  } else {
    if (!svr.bind_to_port(options.host, options.port)) {
      throw std::runtime_error("cannot bind to " + options.host + ":" + std::to_string(options.port) +
                               " (in use? try --port 0 for any free port)");
    }
    bound_port = options.port;
  }
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!stop.load() && !done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    clients.cancel_all();
    svr.stop();
  });
  on_listening(bound_port);
  svr.listen_after_bind();
  // listen_after_bind returns when stopped (or on a socket failure): make
  // sure the watcher ends either way.
  done.store(true);
  watcher.join();
  if (!stop.load()) throw std::runtime_error("the server stopped accepting connections (its socket failed)");
}

}  // namespace banensim::app::serve
