#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "http/server_core.h"

namespace fluxgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// What a plain-HTTP request on a TLS port gets: readable in a browser or curl, so the
// mistake is obvious instead of a hang or an opaque reset.
constexpr std::string_view kPlainOnTls =
    "HTTP/1.1 400 Bad Request\r\n"
    "Server: fluxgate\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 62\r\n"
    "Connection: close\r\n"
    "\r\n"
    "this port speaks HTTPS (TLS); use an https:// URL to reach it\n";
static_assert(kPlainOnTls.size() - kPlainOnTls.find("\r\n\r\n") - 4 == 62);
// A closing connection drains at most this much, for at most kLingerTime, before the
// socket is closed anyway.
constexpr uint64_t kMaxDrainBytes = 64ull << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kBodyReadChunk = 64 * 1024;

std::string FormatRemote(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  auto addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

void LowerInto(std::string_view in, std::string* out) {
  out->resize(in.size());
  std::transform(in.begin(), in.end(), out->begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
}

// The Responder's shared state. std::function must be copyable, so the Responder holds
// it through a shared_ptr; whichever copy is destroyed last runs the destructor, which
// answers 500 if nobody responded, so a lost Responder never hangs the client.
class ResponseGuard {
 public:
  explicit ResponseGuard(std::shared_ptr<Connection> conn, spdlog::logger* log)
      : conn_(std::move(conn)), log_(log) {}
  ~ResponseGuard() {
    if (sent_.load(std::memory_order_acquire)) return;
    log_->error("handler dropped its Responder without responding; answering 500");
    Response r;
    r.status = 500;
    r.body = "internal error: request was not answered\n";
    conn_->Deliver(std::move(r));
  }
  void Send(Response r) {
    if (sent_.exchange(true, std::memory_order_acq_rel)) {
      log_->error("Responder called twice; the second response is dropped (status {})", r.status);
      return;
    }
    conn_->Deliver(std::move(r));
  }

 private:
  std::shared_ptr<Connection> conn_;
  spdlog::logger* log_;  // owned by the core, which the connection keeps alive
  std::atomic<bool> sent_{false};
};

// The connection over one stream type: PlainStream, or TlsStream (a TLS session over the
// same tcp_stream, whose timers and socket are reached through Tcp()).
template <typename Stream>
class StreamConnection final : public Connection {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  StreamConnection(std::shared_ptr<ServerCore> core, Strand strand, tcp::socket socket)
      : Connection(std::move(core)), strand_(std::move(strand)), stream_(MakeStream(socket)) {
    remote_ = FormatRemote(Tcp().socket());
    beast::error_code ec;
    // Responses are written whole; Nagle would only delay the last segment.
    Tcp().socket().set_option(tcp::no_delay(true), ec);
  }

  void Start() override {
    if constexpr (kTls) {
      net::dispatch(strand_, beast::bind_front_handler(&StreamConnection::Detect, Self()));
    } else {
      net::dispatch(strand_, beast::bind_front_handler(&StreamConnection::ReadHeader, Self()));
    }
  }

  void Close() override {
    net::post(strand_, [self = Self()] { self->CloseNow(); });
  }

  void Deliver(Response response) override {
    if (strand_.running_in_this_thread()) return Write(std::move(response));
    std::lock_guard<std::mutex> lock(core_->mu);
    // After Stop() the I/O threads are gone or going: posting would park the write in a
    // queue nobody runs, keeping this connection (and the core) alive forever.
    if (core_->stopped) return;
    net::post(strand_,
              [self = Self(), r = std::move(response)]() mutable { self->Write(std::move(r)); });
  }

 private:
  Stream MakeStream(tcp::socket& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core_->tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<StreamConnection> Self() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // TLS only: reads the first bytes and tells a TLS ClientHello from anything else.
  void Detect() {
    Tcp().expires_after(std::chrono::seconds(core_->options.handshake_timeout_secs));
    beast::async_detect_ssl(Tcp(), buffer_, [self = Self()](beast::error_code ec, bool is_tls) {
      self->OnDetect(ec, is_tls);
    });
  }

  void OnDetect(beast::error_code ec, bool is_tls) {
    if (ec) return OnHandshakeError(ec);
    if (!is_tls) {
      // Plain HTTP (or anything else) on a TLS port: say so in plain text and close.
      core_->bad_requests.fetch_add(1, std::memory_order_relaxed);
      core_->log->debug("{}: {} sent plain data to the TLS port", core_->options.name, remote_);
      net::async_write(Tcp(), net::buffer(kPlainOnTls.data(), kPlainOnTls.size()),
                       [self = Self()](beast::error_code ec, std::size_t) {
                         if (ec) return self->CloseNow();
                         self->buffer_.clear();
                         self->DrainAndClose();
                       });
      return;
    }
    if constexpr (kTls) {
      // The detector's bytes are the start of the ClientHello: hand them to the handshake.
      stream_.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                              [self = Self()](beast::error_code ec, std::size_t used) {
                                self->buffer_.consume(used);
                                if (ec) return self->OnHandshakeError(ec);
                                self->ReadHeader();
                              });
    }
  }

  void OnHandshakeError(beast::error_code ec) {
    if (ec != net::error::operation_aborted) {
      core_->tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      // Debug: scanners and clients that distrust our certificate would flood a busier level.
      core_->log->debug("{}: TLS handshake with {} failed: {}", core_->options.name, remote_,
                        ec == beast::error::timeout ? std::string("timed out") : ec.message());
    }
    CloseNow();
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

  void ReadHeader() {
    if (closed_) return;
    const auto& opt = core_->options;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<uint64_t>(opt.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(opt.max_body_bytes);
    Tcp().expires_after(std::chrono::seconds(opt.idle_timeout_secs));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = Self()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  // Called with a read error: rejects the request or closes quietly.
  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Reject(431, "request header too large\n");
    if (ec == bhttp::error::body_limit) return Reject(413, "request body too large\n");
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::bad_descriptor || ec == net::error::broken_pipe ||
        ec == net::ssl::error::stream_truncated) {
      return CloseNow();  // the peer left, went idle, or the server is stopping
    }
    if (ec.category() == beast::error_code(bhttp::error::bad_target).category()) {
      core_->log->debug("{}: bad request from {}: {}", core_->options.name, remote_, ec.message());
      return Reject(400, "bad request\n");
    }
    core_->log->debug("{}: read from {} failed: {}", core_->options.name, remote_, ec.message());
    CloseNow();
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    if (version_ != 10 && version_ != 11) {
      version_ = 11;
      return Reject(505, "only HTTP/1.0 and HTTP/1.1 are supported\n");
    }
    if (parser_->is_done()) return Dispatch();
    // Beast reads at most the buffer's free capacity (but >= 512 bytes) per recv, and a
    // flat_buffer only grows when asked for more; without this a 100 KB body takes ~100
    // small reads. The capacity then stays with the connection for later requests.
    if (buffer_.capacity() < kBodyReadChunk) buffer_.reserve(kBodyReadChunk);
    // HTTP/1.1 clients that ask wait (curl: up to a second) for "100 Continue" before
    // sending the body; Beast leaves this interim response to the application.
    if (version_ == 11 && beast::iequals(req[bhttp::field::expect], "100-continue")) {
      Tcp().expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = Self()](beast::error_code ec, std::size_t) {
                         if (ec) return self->CloseNow();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Tcp().expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = Self()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void Dispatch() {
    // The handler may take its time (group commit); the idle timer restarts after the write.
    Tcp().expires_never();
    auto& msg = parser_->get();
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.headers.reserve(std::distance(msg.begin(), msg.end()));
    for (const auto& field : msg) {
      Header& h = request.headers.emplace_back();
      const auto name = field.name_string();
      LowerInto(std::string_view(name.data(), name.size()), &h.name);
      h.value = std::string(field.value());
    }
    // The body was read straight into this string (reserved from Content-Length); move it.
    request.body = std::move(msg.body());
    request.remote = remote_;
    parser_.reset();
    core_->requests.fetch_add(1, std::memory_order_relaxed);

    auto guard = std::make_shared<ResponseGuard>(shared_from_this(), core_->log.get());
    Responder respond = [guard](Response r) { guard->Send(std::move(r)); };
    guard.reset();
    // Nothing below may touch connection state: the handler can respond inline, which
    // starts the write (and possibly the next read) before it returns.
    try {
      core_->handler(std::move(request), std::move(respond));
    } catch (const std::exception& e) {
      core_->log->error("{}: handler threw: {}", core_->options.name, e.what());
    } catch (...) {
      core_->log->error("{}: handler threw a non-std exception", core_->options.name);
    }
  }

  void Write(Response r) {
    if (closed_) return;
    int status = r.status;
    if (status < 200 || status > 999) {
      core_->log->error("{}: handler answered invalid status {}; sending 500", core_->options.name,
                        status);
      status = 500;
      r.body.clear();
    }
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(core_->mu);
      stopping = core_->stopped;
    }
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(status));
    response_.set(bhttp::field::server, "fluxgate");
    for (const auto& h : r.headers) {
      // Framing is the server's job; a handler's copy could contradict the real body.
      if (beast::iequals(h.name, "content-length") || beast::iequals(h.name, "connection") ||
          beast::iequals(h.name, "transfer-encoding"))
        continue;
      response_.insert(h.name, h.value);
    }
    const bool bodiless = status == 204 || status == 304;
    if (!bodiless) {
      if (!r.content_type.empty()) response_.set(bhttp::field::content_type, r.content_type);
      // A HEAD response carries the length a GET would have, and no body.
      response_.content_length(r.body.size());
      if (!head_) response_.body() = std::move(r.body);
    }
    response_.keep_alive(keep_alive_ && !stopping);
    Tcp().expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
    bhttp::async_write(stream_, response_,
                       [self = Self()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) {
      core_->log->debug("{}: write to {} failed: {}", core_->options.name, remote_, ec.message());
      return CloseNow();
    }
    if (!response_.keep_alive()) return LingeringClose();
    response_.body().clear();
    response_.body().shrink_to_fit();  // don't hold a large response while idle
    ReadHeader();
  }

  // Answers a request the server itself rejects, then closes.
  void Reject(int status, const char* text) {
    core_->bad_requests.fetch_add(1, std::memory_order_relaxed);
    keep_alive_ = false;
    head_ = false;
    parser_.reset();
    Response r;
    r.status = status;
    r.body = text;
    Write(std::move(r));
  }

  // Closes after the last response without destroying it in flight.
  void LingeringClose() {
    if constexpr (kTls) {
      // close_notify tells the client the response is complete; the shutdown then waits
      // (bounded) for the client's own close_notify or its close, and the socket goes.
      Tcp().expires_after(kLingerTime);
      stream_.async_shutdown([self = Self()](beast::error_code) { self->CloseNow(); });
    } else {
      DrainAndClose();
    }
  }

  // Half-closes the TCP connection and drains what the client still sends, so the kernel
  // does not answer unread bytes with a reset that would destroy the response before the
  // client read it.
  void DrainAndClose() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return CloseNow();
    drained_ = 0;
    Tcp().expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    Tcp().async_read_some(buffer_.prepare(64 * 1024),
                          [self = Self()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) return self->CloseNow();
                            self->Drain();
                          });
  }

  Strand strand_;
  Stream stream_;
  beast::flat_buffer buffer_;  // reused across requests; may hold pipelined bytes
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::string remote_;
  // Strand-only state of the current request.
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool closed_ = false;
  uint64_t drained_ = 0;
};

}  // namespace

Connection::~Connection() {
  std::lock_guard<std::mutex> lock(core_->mu);
  core_->connections.erase(this);
}

std::shared_ptr<Connection> Connection::Make(std::shared_ptr<ServerCore> core, Strand strand,
                                             tcp::socket socket) {
  if (core->tls)
    return std::make_shared<StreamConnection<TlsStream>>(std::move(core), std::move(strand),
                                                         std::move(socket));
  return std::make_shared<StreamConnection<PlainStream>>(std::move(core), std::move(strand),
                                                         std::move(socket));
}

}  // namespace fluxgate::http
