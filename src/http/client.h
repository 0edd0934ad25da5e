// Client: a small blocking HTTP/1.1 client with one keep-alive connection, reconnecting
// transparently when the server closed it. Used by the simulator, the CLI and tests.
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
  std::string scheme;  // "http"
  std::string host;
  uint16_t port = 80;
  std::string path;  // "/" when absent
};
// Parses "http://host:port/path". Only http is supported for now (InvalidArgument else).
Result<Url> ParseUrl(const std::string& url);

class Client {
 public:
  Client(std::string host, uint16_t port, int timeout_ms = 30'000);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and waits for the whole response. The Host and Content-Length
  // headers are added. An IOError if the connection fails (after one reconnect attempt
  // for a connection the server had closed while idle).
  Result<Response> Do(const std::string& method, const std::string& target,
                      const std::vector<Header>& headers, const std::string& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxgate::http
