// ServerCore: the state a Server shares with its connections. Internal to src/http.
//
// Thread-safety: `options`, `handler`, `log` and `tls` are immutable after construction
// (OpenSSL allows concurrent sessions on one context); the counters are atomics; `stopped` and
// `connections` are guarded by `mu`. The io_context is run by the server's I/O threads.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "http/server.h"

namespace spdlog {
class logger;
}
namespace boost::asio::ssl {
class context;
}

namespace fluxgate::http {

class Connection;

struct ServerCore {
  // `tls_context` is null for a plain-HTTP server.
  ServerCore(const ServerOptions& opts, Handler h,
             std::unique_ptr<boost::asio::ssl::context> tls_context);
  ~ServerCore();  // out of line: ssl::context is incomplete here

  boost::asio::io_context ioc;
  const ServerOptions options;
  const Handler handler;
  const std::shared_ptr<spdlog::logger> log;
  const std::unique_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bad_requests{0};
  std::atomic<uint64_t> tls_handshake_failures{0};

  std::mutex mu;
  // Set once by Stop(). After it is set no Responder posts onto `ioc` and no connection
  // is registered, so every connection Stop() closes is in `connections`.
  bool stopped = false;                         // GUARDED_BY(mu)
  std::unordered_set<Connection*> connections;  // GUARDED_BY(mu); non-owning
};

}  // namespace fluxgate::http
