#include "http/client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>

namespace fluxgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Beast's synchronous operations have no timeouts, so every operation runs asynchronously
// on a private io_context that this thread drives until the operation completes; the
// tcp_stream's deadline closes the socket when it passes.
struct Client::Impl {
  Impl(std::string h, uint16_t p, int timeout_ms)
      : host(std::move(h)), port(p), timeout(std::chrono::milliseconds(timeout_ms)) {
    host_header = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                  std::to_string(port);
    // Beast reads at most the buffer's free capacity per recv; a small buffer would read
    // large responses 512 bytes at a time.
    buffer.reserve(64 * 1024);
  }

  const std::string host;
  const uint16_t port;
  const std::chrono::milliseconds timeout;
  std::string host_header;
  net::io_context ioc{1};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Disconnect() {
    if (!connected) return;
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    buffer.clear();
    connected = false;
  }

  // True if the server closed the idle connection (or sent something unasked).
  bool PeerClosed() {
    if (buffer.size() > 0) return true;
    auto& s = stream.socket();
    beast::error_code ec;
    s.non_blocking(true, ec);
    char c;
    s.receive(net::buffer(&c, 1), tcp::socket::message_peek, ec);
    beast::error_code ignored;
    s.non_blocking(false, ignored);
    return ec != net::error::would_block;
  }

  Status Connect(Clock::time_point deadline) {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Status::IOError("cannot resolve " + host_header + ": " + ec.message());
    stream.expires_at(deadline);
    ec = Run([&](auto handler) { stream.async_connect(results, handler); });
    if (ec) {
      beast::error_code ignored;
      stream.close();
      return Status::IOError("cannot connect to " + host_header + ": " + Describe(ec));
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    connected = true;
    return Status::Ok();
  }

  std::string Describe(beast::error_code ec) const {
    if (ec == beast::error::timeout)
      return "timed out after " + std::to_string(timeout.count()) + " ms";
    return ec.message();
  }

  // One request/response on the open connection. `*retryable` says whether the failure
  // happened before the server could have seen the request (a connection it had closed).
  template <typename Req>
  Result<Response> Exchange(Req& req, bool head, Clock::time_point deadline, bool* retryable) {
    *retryable = false;
    stream.expires_at(deadline);
    auto ec = Run([&](auto handler) { bhttp::async_write(stream, req, handler); });
    if (ec) {
      *retryable = ec != beast::error::timeout;
      return Status::IOError("sending to " + host_header + " failed: " + Describe(ec));
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(64 * 1024);
    parser.skip(head);  // a HEAD response has Content-Length but no body
    ec = Run([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); });
    if (ec) {
      *retryable = !parser.got_some() &&
                   (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                    ec == net::error::connection_reset || ec == net::error::broken_pipe);
      return Status::IOError("reading response from " + host_header + " failed: " + Describe(ec));
    }
    auto& msg = parser.get();
    Response out;
    out.status = static_cast<int>(msg.result_int());
    out.content_type.clear();
    for (const auto& f : msg) {
      Header& h = out.headers.emplace_back();
      h.name = std::string(f.name_string());
      std::transform(h.name.begin(), h.name.end(), h.name.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      });
      h.value = std::string(f.value());
      if (h.name == "content-type") out.content_type = h.value;
    }
    out.body = std::move(msg.body());
    if (!msg.keep_alive()) Disconnect();
    return out;
  }
};

Client::Client(std::string host, uint16_t port, int timeout_ms)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout_ms)) {}

Client::~Client() { impl_->Disconnect(); }

Result<Response> Client::Do(const std::string& method, const std::string& target,
                            const std::vector<Header>& headers, const std::string& body) {
  Impl& im = *impl_;
  const auto deadline = Clock::now() + im.timeout;
  // span_body points at the caller's string: a 100 KB PutRecords body is not copied.
  bhttp::request<bhttp::span_body<const char>> req;
  const bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, im.host_header);
  for (const auto& h : headers) {
    if (beast::iequals(h.name, "host") || beast::iequals(h.name, "content-length")) continue;
    req.insert(h.name, h.value);
  }
  req.body() = beast::span<const char>(body.data(), body.size());
  if (!body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
      verb == bhttp::verb::patch)
    req.content_length(body.size());
  const bool head = verb == bhttp::verb::head;

  if (im.connected && im.PeerClosed()) im.Disconnect();
  bool reused = im.connected;
  for (;;) {
    if (!im.connected) FG_RETURN_IF_ERROR(im.Connect(deadline));
    bool retryable = false;
    auto result = im.Exchange(req, head, deadline, &retryable);
    if (result.ok()) return result;
    im.Disconnect();
    // Only a reused connection is retried, and only once: the server may have closed it
    // while idle just as we sent. A fresh connection failing is a real error.
    if (!reused || !retryable) return result;
    reused = false;
  }
}

}  // namespace fluxgate::http
