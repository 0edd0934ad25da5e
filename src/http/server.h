// Server: an HTTP/1.1 server (Boost.Beast over Asio) with keep-alive and pipelining-safe
// sequential handling per connection, speaking plain HTTP or, with a certificate and key in
// ServerOptions, HTTPS only.
//
// Thread-safety: Start() runs `threads` I/O threads. The Handler is called on an I/O thread
// and must not block; it may complete the request later from any thread by calling the
// Responder exactly once (e.g. from the log's group-commit thread). Stop() is idempotent,
// closes the listener, and joins the threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace fluxgate::http {

using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Responder)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = pick a free port (see Server::port())
  int threads = 2;
  uint64_t max_body_bytes = 8ull << 20;  // larger bodies get 413 and the connection closes
  uint64_t max_header_bytes = 64ull << 10;
  int idle_timeout_secs = 120;      // keep-alive connections idle longer are closed
  uint32_t max_connections = 4096;  // further connections are accepted and closed
  std::string name = "http";        // for log lines
  // TLS: with both files set the server speaks only HTTPS (TLS 1.2 or 1.3, see http/tls.h).
  // PEM files: the certificate chain (leaf first) and its unencrypted private key, read once
  // by Start(), which fails naming the file when one cannot be loaded or they do not match.
  std::string tls_cert_file;
  std::string tls_key_file;
  int handshake_timeout_secs = 10;  // a TLS client that has not finished by then is closed
};

// Counters for tests and the metrics page; read with relaxed ordering, so a snapshot taken
// while traffic flows may be a few events behind.
struct ServerStats {
  uint64_t connections_accepted = 0;  // every accepted socket, rejected ones included
  uint64_t connections_rejected = 0;  // closed at once because max_connections was reached
  uint64_t connections_open = 0;
  uint64_t requests = 0;      // complete requests handed to the Handler
  uint64_t bad_requests = 0;  // answered 4xx/5xx by the server itself (400, 413, 431, 505);
                              // includes plain HTTP sent to a TLS server
  uint64_t tls_handshake_failures = 0;  // TLS handshakes that failed or timed out
};

class Server {
 public:
  // Binds, listens and starts the I/O threads. A bind failure (address in use, unknown
  // host) is an IOError naming the address; a TLS certificate or key that cannot be loaded
  // is InvalidArgument naming the file.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);
  // Stops the server (see Stop()). Must not be called from an I/O thread.
  virtual ~Server() = default;
  virtual uint16_t port() const = 0;
  // Stops accepting, closes every connection (responses not yet written are dropped),
  // and joins the I/O threads. Responders called afterwards do nothing. Idempotent;
  // must not be called from an I/O thread (it would wait for itself).
  virtual void Stop() = 0;
  virtual ServerStats stats() const = 0;
};

// Parses "HOST:PORT" (IPv4, "[v6]" or a name); InvalidArgument if malformed.
Result<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& s);

}  // namespace fluxgate::http
