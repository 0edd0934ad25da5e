// Client: a small blocking HTTP/1.1 client with one keep-alive connection, reconnecting
// transparently when the server closed it. Speaks http:// or https:// (TLS 1.2+, the
// server's certificate verified and its name checked). Used by the simulator, the CLI, the
// alert webhooks and tests.
//
// Thread-safety: one Client per thread; it holds a single connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace fluxgate::http {

struct Url {
  std::string scheme;  // "http" or "https" (lower case)
  std::string host;
  uint16_t port = 80;  // 80 for http, 443 for https when the URL has none
  std::string path;    // "/" when absent
};
// Parses "http://host:port/path" or "https://..."; other schemes are InvalidArgument.
Result<Url> ParseUrl(const std::string& url);

struct ClientOptions {
  int timeout_ms = 30'000;  // per Do(), connecting and the TLS handshake included
  // https only: a PEM file of CA certificates to trust instead of the system store. When
  // empty, the file named by $FLUXGATE_CA_FILE (http/tls.h) if that is set, else the
  // system store (/etc/ssl/certs).
  std::string ca_file;
};

class Client {
 public:
  // Plain HTTP to host:port.
  Client(std::string host, uint16_t port, int timeout_ms = 30'000);
  // HTTP or HTTPS as `url.scheme` says, to url.host:url.port (url.path is not used). A CA
  // file that cannot be loaded makes every Do() fail with InvalidArgument naming the file.
  explicit Client(const Url& url, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and waits for the whole response. The Host and Content-Length
  // headers are added. An IOError if the connection fails (after one reconnect attempt
  // for a connection the server had closed while idle); for https, also when the server's
  // certificate is not trusted or not for this host (the message says why).
  Result<Response> Do(const std::string& method, const std::string& target,
                      const std::vector<Header>& headers, const std::string& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::http
