#include "http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>

#include "http/tls.h"

namespace fluxgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Beast's synchronous operations have no timeouts, so every operation runs asynchronously
// on a private io_context that this thread drives until the operation completes; the
// tcp_stream's deadline closes the socket when it passes.
//
// With TLS, each connection gets a fresh ssl_stream (a session cannot be reused after its
// socket closed); `stream` is then unused and `tls_stream` holds the TCP connection.
struct Client::Impl {
  Impl(std::string h, uint16_t p, int timeout_ms)
      : host(std::move(h)), port(p), timeout(std::chrono::milliseconds(timeout_ms)) {
    host_header = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                  std::to_string(port);
    // Beast reads at most the buffer's free capacity per recv; a small buffer would read
    // large responses 512 bytes at a time.
    buffer.reserve(64 * 1024);
  }

  // Makes this an https client; a CA file that cannot be loaded is kept as `tls_error`.
  void EnableTls(const std::string& ca_file_option) {
    std::string ca_file = ca_file_option;
    if (ca_file.empty()) {
      if (const char* env = std::getenv(kCaFileEnv); env != nullptr) ca_file = env;
    }
    auto ctx = MakeClientTlsContext(ca_file);
    if (!ctx.ok()) {
      tls_error = ctx.status();
    } else {
      tls_context = std::move(ctx).value();
    }
    use_tls = true;
  }

  const std::string host;
  const uint16_t port;
  const std::chrono::milliseconds timeout;
  std::string host_header;
  net::io_context ioc{1};
  beast::tcp_stream stream{ioc};  // plain HTTP only
  bool use_tls = false;
  std::unique_ptr<net::ssl::context> tls_context;  // with use_tls, unless tls_error
  Status tls_error;
  std::optional<TlsStream> tls_stream;  // the current https connection
  beast::flat_buffer buffer;
  bool connected = false;

  beast::tcp_stream& Tcp() { return use_tls ? beast::get_lowest_layer(*tls_stream) : stream; }

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
    // No TLS close_notify: the server only learns of the close, which is all it needs.
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
    buffer.clear();
    connected = false;
  }

  // True if the server closed the idle connection (or sent something unasked; over TLS
  // that is its close_notify).
  bool PeerClosed() {
    if (buffer.size() > 0) return true;
    auto& s = Tcp().socket();
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
    if (use_tls) tls_stream.emplace(ioc, *tls_context);
    Tcp().expires_at(deadline);
    ec = Run([&](auto handler) { Tcp().async_connect(results, handler); });
    if (ec) {
      Tcp().close();
      return Status::IOError("cannot connect to " + host_header + ": " + Describe(ec));
    }
    Tcp().socket().set_option(tcp::no_delay(true), ec);
    if (use_tls) FG_RETURN_IF_ERROR(Handshake());
    connected = true;
    return Status::Ok();
  }

  // The client side of the TLS handshake, checking that the certificate names `host`
  // (a DNS name, or an IP address in the certificate's IP SANs).
  Status Handshake() {
    SSL* ssl = tls_stream->native_handle();
    beast::error_code not_ip;
    (void)net::ip::make_address(host, not_ip);
    bool set;
    if (not_ip) {
      // SNI for servers with several certificates; IP literals are not sent (RFC 6066).
      set =
          SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
    } else {
      set = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    }
    beast::error_code ec;
    if (!set) {
      Tcp().close();
      return Status::InvalidArgument("cannot check a TLS certificate against host '" + host + "'");
    }
    ec = Run(
        [&](auto handler) { tls_stream->async_handshake(net::ssl::stream_base::client, handler); });
    if (!ec) return Status::Ok();
    std::string why = Describe(ec);
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      why = std::string("server certificate not trusted: ") +
            X509_verify_cert_error_string(verify) + " (trust a private CA with " + kCaFileEnv +
            "=FILE)";
    } else if (ec.category() == net::error::get_ssl_category() &&
               why.find("wrong version number") != std::string::npos) {
      why += " (does the server speak plain HTTP? then use http://)";
    }
    Tcp().close();
    return Status::IOError("TLS handshake with " + host_header + " failed: " + why);
  }

  std::string Describe(beast::error_code ec) const {
    if (ec == beast::error::timeout)
      return "timed out after " + std::to_string(timeout.count()) + " ms";
    return ec.message();
  }

  // One request/response on the open connection. `*retryable` says whether the failure
  // happened before the server could have seen the request (a connection it had closed).
  template <typename Stream, typename Req>
  Result<Response> Exchange(Stream& stream, Req& req, bool head, Clock::time_point deadline,
                            bool* retryable) {
    *retryable = false;
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto ec = Run([&](auto handler) { bhttp::async_write(stream, req, handler); });
    if (ec) {
      *retryable = ec != beast::error::timeout;
      return Status::IOError("sending to " + host_header + " failed: " + Describe(ec));
    }
    bhttp::response_parser<bhttp::string_body> parser;
    // No limit, spelled as the largest one: Boost 1.74's parser compares Content-Length
    // against boost::none as "greater" and fails with body_limit whenever the header
    // arrives in a read of its own (always over TLS, sometimes over TCP).
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(64 * 1024);
    parser.skip(head);  // a HEAD response has Content-Length but no body
    ec = Run([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); });
    if (ec) {
      *retryable = !parser.got_some() &&
                   (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                    ec == net::error::connection_reset || ec == net::error::broken_pipe ||
                    ec == net::ssl::error::stream_truncated);
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

Client::Client(const Url& url, ClientOptions options)
    : impl_(std::make_unique<Impl>(url.host, url.port, options.timeout_ms)) {
  if (url.scheme == "https") impl_->EnableTls(options.ca_file);
}

Client::~Client() { impl_->Disconnect(); }

Result<Response> Client::Do(const std::string& method, const std::string& target,
                            const std::vector<Header>& headers, const std::string& body) {
  Impl& im = *impl_;
  if (!im.tls_error.ok()) return im.tls_error;
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
    auto result = im.use_tls ? im.Exchange(*im.tls_stream, req, head, deadline, &retryable)
                             : im.Exchange(im.stream, req, head, deadline, &retryable);
    if (result.ok()) return result;
    im.Disconnect();
    // Only a reused connection is retried, and only once: the server may have closed it
    // while idle just as we sent. A fresh connection failing is a real error.
    if (!reused || !retryable) return result;
    reused = false;
  }
}

}  // namespace fluxgate::http
