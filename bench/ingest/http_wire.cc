#include "http_wire.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "common/ascii.h"

namespace fluxgate::bench {
namespace {

constexpr size_t kInitialBuffer = 64 * 1024;

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (AsciiEqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Position just after `"key"` and the following ':' in json, or npos.
size_t FindJsonValue(std::string_view json, std::string_view key) {
  std::string quoted;
  quoted.reserve(key.size() + 2);
  quoted.push_back('"');
  quoted.append(key);
  quoted.push_back('"');
  size_t from = 0;
  while (true) {
    const size_t at = json.find(quoted, from);
    if (at == std::string_view::npos) return at;
    size_t p = at + quoted.size();
    while (p < json.size() &&
           (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) {
      ++p;
    }
    if (p < json.size() && json[p] == ':') {
      ++p;
      while (p < json.size() &&
             (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) {
        ++p;
      }
      return p;
    }
    from = at + 1;  // the key text appeared as a value; keep looking
  }
}

}  // namespace

BenchStatus ParseEndpoint(std::string_view url, Endpoint* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return BenchStatus::Error("endpoint must start with http:// (TLS is not supported): " +
                              std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    rest = rest.substr(0, slash);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return BenchStatus::Error("endpoint needs host:port: " + std::string(url));
  }
  unsigned port = 0;
  const auto port_text = rest.substr(colon + 1);
  const auto [ptr, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return BenchStatus::Error("bad port in endpoint: " + std::string(url));
  }
  out->host = std::string(rest.substr(0, colon));
  out->port = static_cast<uint16_t>(port);
  out->host_header = std::string(rest);
  return BenchStatus::Ok();
}

int ConnectTcp(const Endpoint& endpoint, bool nonblocking, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &result); rc != 0) {
    *error = "cannot resolve " + endpoint.host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    last_error = std::strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(result);
  if (fd < 0) {
    *error = "cannot connect to " + endpoint.host_header + ": " + last_error;
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (nonblocking) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// ---------------------------------------------------------------------------------------
// ResponseParser

ResponseParser::ResponseParser() : buffer_(kInitialBuffer) {}

char* ResponseParser::WritableTail(size_t min_free) {
  if (buffer_.size() - size_ < min_free) {
    buffer_.resize(std::max(buffer_.size() * 2, size_ + min_free));
  }
  return buffer_.data() + size_;
}

void ResponseParser::Append(const char* data, size_t n) {
  std::memcpy(WritableTail(n), data, n);
  size_ += n;
}

bool ResponseParser::Parse(std::string* error) {
  if (complete_) return true;
  if (header_len_ == 0 && !ParseHeaders(error)) return false;
  if (header_len_ == 0) return true;  // headers not complete yet
  if (chunked_) return ParseChunked(error);
  if (size_ >= header_len_ + body_len_) complete_ = true;
  return true;
}

bool ResponseParser::ParseHeaders(std::string* error) {
  const std::string_view data(buffer_.data(), size_);
  const size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
  const size_t end = data.find("\r\n\r\n", from);
  if (end == std::string_view::npos) {
    scanned_ = size_;
    if (size_ > 64 * 1024) {
      *error = "response headers longer than 64 KiB";
      return false;
    }
    return true;
  }
  const std::string_view head = data.substr(0, end + 2);
  // Status line: HTTP/1.x NNN reason
  const size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1.") {
    *error = "not an HTTP/1.x response: " + std::string(status_line.substr(0, 80));
    return false;
  }
  keep_alive_ = status_line[7] == '1';  // HTTP/1.0 closes by default
  int status = 0;
  const auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || ptr != status_line.data() + 12) {
    *error = "bad status line: " + std::string(status_line.substr(0, 80));
    return false;
  }
  status_ = status;
  have_length_ = false;
  chunked_ = false;
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimView(line.substr(colon + 1));
    if (AsciiEqualsIgnoreCase(name, "content-length")) {
      size_t length = 0;
      const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc() || p != value.data() + value.size()) {
        *error = "bad Content-Length: " + std::string(value);
        return false;
      }
      body_len_ = length;
      have_length_ = true;
    } else if (AsciiEqualsIgnoreCase(name, "transfer-encoding")) {
      chunked_ = ContainsIgnoreCase(value, "chunked");
    } else if (AsciiEqualsIgnoreCase(name, "connection")) {
      if (ContainsIgnoreCase(value, "close")) keep_alive_ = false;
      if (ContainsIgnoreCase(value, "keep-alive")) keep_alive_ = true;
    }
  }
  header_len_ = end + 4;
  if (chunked_) {
    chunk_pos_ = header_len_;
    dechunked_.clear();
  } else if (!have_length_) {
    if (status_ == 204 || status_ == 304) {
      body_len_ = 0;
    } else {
      *error = "response has neither Content-Length nor chunked encoding";
      return false;
    }
  }
  return true;
}

bool ResponseParser::ParseChunked(std::string* error) {
  const std::string_view data(buffer_.data(), size_);
  while (true) {
    const size_t eol = data.find("\r\n", chunk_pos_);
    if (eol == std::string_view::npos) return true;
    std::string_view size_text = data.substr(chunk_pos_, eol - chunk_pos_);
    if (const auto semi = size_text.find(';'); semi != std::string_view::npos) {
      size_text = size_text.substr(0, semi);
    }
    size_text = TrimView(size_text);
    size_t chunk = 0;
    const auto [p, e] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), chunk, 16);
    if (e != std::errc() || p != size_text.data() + size_text.size()) {
      *error = "bad chunk size: " + std::string(size_text.substr(0, 20));
      return false;
    }
    const size_t data_start = eol + 2;
    if (chunk == 0) {
      // Optional trailers, then an empty line.
      size_t end;
      if (data.substr(data_start, 2) == "\r\n") {
        end = data_start + 2;
      } else {
        const size_t blank = data.find("\r\n\r\n", data_start);
        if (blank == std::string_view::npos) return true;
        end = blank + 4;
      }
      body_len_ = end - header_len_;  // wire length, used to find the response's end
      complete_ = true;
      return true;
    }
    if (size_ < data_start + chunk + 2) return true;
    dechunked_.append(data.data() + data_start, chunk);
    chunk_pos_ = data_start + chunk + 2;
  }
}

std::string_view ResponseParser::Body() const {
  if (chunked_) return dechunked_;
  return std::string_view(buffer_.data() + header_len_, body_len_);
}

void ResponseParser::Reset() {
  const size_t end = complete_ ? header_len_ + body_len_ : size_;
  const size_t leftover = size_ > end ? size_ - end : 0;
  if (leftover > 0) std::memmove(buffer_.data(), buffer_.data() + end, leftover);
  size_ = leftover;
  scanned_ = 0;
  header_len_ = 0;
  body_len_ = 0;
  chunked_ = false;
  have_length_ = false;
  complete_ = false;
  keep_alive_ = true;
  status_ = 0;
  chunk_pos_ = 0;
  dechunked_.clear();
}

// ---------------------------------------------------------------------------------------
// BlockingClient

BlockingClient::BlockingClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

BlockingClient::~BlockingClient() {
  if (fd_ >= 0) close(fd_);
}

BenchStatus BlockingClient::Call(const std::string& request, int timeout_ms, int* status,
                                 std::string* body) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string error;
  // A kept-alive connection the server has since closed fails on first use; retry once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = fd_ < 0;
    if (fd_ < 0) {
      fd_ = ConnectTcp(endpoint_, /*nonblocking=*/false, &error);
      if (fd_ < 0) return BenchStatus::Error(error);
    }
    parser_.Reset();
    size_t sent = 0;
    bool io_failed = false;
    while (sent < request.size()) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = std::string("send failed: ") + std::strerror(errno);
        io_failed = true;
        break;
      }
      sent += static_cast<size_t>(n);
    }
    size_t received = 0;
    while (!io_failed && !parser_.Complete()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        close(fd_);
        fd_ = -1;
        return BenchStatus::Error("timed out after " + std::to_string(timeout_ms) +
                                  " ms waiting for " + endpoint_.host_header);
      }
      pollfd pfd{fd_, POLLIN, 0};
      const int ready = poll(&pfd, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char* tail = parser_.WritableTail(16 * 1024);
      const ssize_t n = recv(fd_, tail, parser_.TailCapacity(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n == 0 ? "connection closed by server"
                       : std::string("recv failed: ") + std::strerror(errno);
        io_failed = true;
        break;
      }
      received += static_cast<size_t>(n);
      parser_.Commit(static_cast<size_t>(n));
      if (!parser_.Parse(&error)) {
        close(fd_);
        fd_ = -1;
        return BenchStatus::Error(error);
      }
    }
    if (io_failed) {
      close(fd_);
      fd_ = -1;
      if (!fresh && received == 0) continue;  // stale keep-alive connection
      return BenchStatus::Error(error);
    }
    *status = parser_.status();
    body->assign(parser_.Body());
    if (!parser_.keep_alive()) {
      close(fd_);
      fd_ = -1;
    }
    return BenchStatus::Ok();
  }
  return BenchStatus::Error(error);
}

// ---------------------------------------------------------------------------------------
// JSON peeking

bool FindJsonString(std::string_view json, std::string_view key, std::string* value) {
  size_t p = FindJsonValue(json, key);
  if (p == std::string_view::npos || p >= json.size() || json[p] != '"') return false;
  ++p;
  value->clear();
  while (p < json.size() && json[p] != '"') {
    if (json[p] == '\\' && p + 1 < json.size()) ++p;  // keep the escaped char as is
    value->push_back(json[p]);
    ++p;
  }
  return p < json.size();
}

bool FindJsonInt(std::string_view json, std::string_view key, int64_t* value) {
  const size_t p = FindJsonValue(json, key);
  if (p == std::string_view::npos || p >= json.size()) return false;
  const auto [ptr, ec] = std::from_chars(json.data() + p, json.data() + json.size(), *value);
  return ec == std::errc() && ptr != json.data() + p;
}

}  // namespace fluxgate::bench
