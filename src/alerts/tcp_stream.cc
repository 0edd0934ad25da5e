#include "alerts/tcp_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "http/tls.h"

namespace fluxgate::alerts {
namespace {

std::string SslError(const char* what) {
  const unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(what) + ": " + (e ? buf : "connection closed or timed out");
}

}  // namespace

Result<std::unique_ptr<TcpStream>> TcpStream::Connect(const std::string& host, uint16_t port,
                                                      int64_t timeout_ms) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    return Status::Unavailable("cannot resolve " + where + ": " + gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout_ms));
      int err = 0;
      socklen_t len = sizeof err;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        rc = 0;
      } else {
        last = rc == 0 ? "connect timed out" : std::string(strerror(err ? err : errno));
        rc = -1;
      }
    } else if (rc != 0) {
      last = strerror(errno);
    }
    if (rc != 0) {
      ::close(fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval tv{static_cast<time_t>(timeout_ms / 1000),
               static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(res);
    return std::unique_ptr<TcpStream>(new TcpStream(fd, where));
  }
  ::freeaddrinfo(res);
  return Status::Unavailable("cannot connect to " + where + ": " + last);
}

TcpStream::~TcpStream() {
  if (ssl_ != nullptr) SSL_free(static_cast<SSL*>(ssl_));
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) ::close(fd_);
}

Status TcpStream::StartTls(const std::string& host, const std::string& ca_file_arg) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Status::Internal(SslError("SSL_CTX_new"));
  ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  std::string ca_file = ca_file_arg;
  if (ca_file.empty())
    if (const char* env = std::getenv(http::kCaFileEnv)) ca_file = env;
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                     : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (loaded != 1)
    return Status::InvalidArgument("cannot load CA certificates" +
                                   (ca_file.empty() ? std::string() : " from " + ca_file));
  SSL* ssl = SSL_new(ctx);
  ssl_ = ssl;
  SSL_set_tlsext_host_name(ssl, host.c_str());
  SSL_set1_host(ssl, host.c_str());
  SSL_set_fd(ssl, fd_);
  if (!buf_.empty()) return Status::Unavailable(where_ + " sent data before the TLS handshake");
  if (SSL_connect(ssl) != 1) return Status::Unavailable(SslError(("TLS with " + where_).c_str()));
  return Status::Ok();
}

Status TcpStream::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n;
    if (ssl_ != nullptr) {
      n = SSL_write(static_cast<SSL*>(ssl_), data.data(), static_cast<int>(data.size()));
      if (n <= 0) return Status::Unavailable(SslError(("write to " + where_).c_str()));
    } else {
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return Status::Unavailable("write to " + where_ + ": " +
                                   (errno == EAGAIN ? "timed out" : strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status TcpStream::ReadSome(std::string& out) {
  char buf[4096];
  for (;;) {
    ssize_t n;
    if (ssl_ != nullptr) {
      n = SSL_read(static_cast<SSL*>(ssl_), buf, sizeof buf);
      if (n <= 0) return Status::Unavailable(SslError(("read from " + where_).c_str()));
    } else {
      n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return Status::Unavailable("read from " + where_ + ": " +
                                   (errno == EAGAIN ? "timed out" : strerror(errno)));
      if (n == 0) return Status::Unavailable(where_ + " closed the connection");
    }
    out.append(buf, static_cast<size_t>(n));
    return Status::Ok();
  }
}

Result<std::string> TcpStream::ReadLine() {
  for (;;) {
    const size_t eol = buf_.find("\r\n");
    if (eol != std::string::npos) {
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      return line;
    }
    if (buf_.size() > 64 * 1024) return Status::Unavailable(where_ + " sent an over-long line");
    FG_RETURN_IF_ERROR(ReadSome(buf_));
  }
}

Result<std::string> TcpStream::ReadExact(size_t n) {
  while (buf_.size() < n) FG_RETURN_IF_ERROR(ReadSome(buf_));
  std::string out = buf_.substr(0, n);
  buf_.erase(0, n);
  return out;
}

}  // namespace fluxgate::alerts
