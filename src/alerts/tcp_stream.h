// TcpStream: a blocking TCP connection with per-call timeouts and optional TLS (upgraded in
// place, as SMTP's STARTTLS needs), for the alert channels that speak their own protocol
// (e-mail, MQTT). Keeps OpenSSL out of the channel headers.
//
// Thread-safety: one thread at a time (the subscription's worker).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::alerts {

class TcpStream {
 public:
  // Connects to host:port within timeout_ms; reads and writes then time out after
  // timeout_ms each. Unavailable on failure (names host:port).
  static Result<std::unique_ptr<TcpStream>> Connect(const std::string& host, uint16_t port,
                                                    int64_t timeout_ms);
  ~TcpStream();

  // Starts TLS on the connection, verifying the peer's certificate for `host` against
  // `ca_file` (empty: $FLUXGATE_CA_FILE, else the system store).
  Status StartTls(const std::string& host, const std::string& ca_file);
  bool tls() const { return ssl_ != nullptr; }

  Status Write(std::string_view data);
  // Reads some bytes (appended to `out`); Unavailable on EOF, timeout or error.
  Status ReadSome(std::string& out);
  // Reads up to and including "\r\n"; the line is returned without it.
  Result<std::string> ReadLine();
  // Reads exactly `n` bytes.
  Result<std::string> ReadExact(size_t n);

 private:
  TcpStream(int fd, std::string where) : fd_(fd), where_(std::move(where)) {}
  int fd_;
  std::string where_;    // "host:port", for errors
  void* ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;  // SSL*
  std::string buf_;      // read but not yet returned
};

}  // namespace fluxgate::alerts
