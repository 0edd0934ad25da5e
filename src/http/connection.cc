#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <limits>

#include "http/server_core.h"

namespace fluxgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
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

}  // namespace

Connection::Connection(std::shared_ptr<ServerCore> core, Strand strand, tcp::socket socket)
    : core_(std::move(core)), strand_(std::move(strand)), stream_(std::move(socket)) {
  remote_ = FormatRemote(stream_.socket());
  beast::error_code ec;
  // Responses are written whole; Nagle would only delay the last segment.
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() {
  std::lock_guard<std::mutex> lock(core_->mu);
  core_->connections.erase(this);
}

void Connection::Start() {
  net::dispatch(strand_, beast::bind_front_handler(&Connection::ReadHeader, shared_from_this()));
}

void Connection::Close() {
  net::post(strand_, [self = shared_from_this()] { self->CloseNow(); });
}

void Connection::CloseNow() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void Connection::ReadHeader() {
  if (closed_) return;
  const auto& opt = core_->options;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(
      std::min<uint64_t>(opt.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser_->body_limit(opt.max_body_bytes);
  stream_.expires_after(std::chrono::seconds(opt.idle_timeout_secs));
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

void Connection::OnReadError(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) return Reject(431, "request header too large\n");
  if (ec == bhttp::error::body_limit) return Reject(413, "request body too large\n");
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::bad_descriptor || ec == net::error::broken_pipe) {
    return CloseNow();  // the peer left, went idle, or the server is stopping
  }
  if (ec.category() == beast::error_code(bhttp::error::bad_target).category()) {
    core_->log->debug("{}: bad request from {}: {}", core_->options.name, remote_, ec.message());
    return Reject(400, "bad request\n");
  }
  core_->log->debug("{}: read from {} failed: {}", core_->options.name, remote_, ec.message());
  CloseNow();
}

void Connection::OnHeader(beast::error_code ec) {
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
    stream_.expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->CloseNow();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  stream_.expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void Connection::Dispatch() {
  // The handler may take its time (group commit); the idle timer restarts after the write.
  stream_.expires_never();
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
  // Nothing below may touch connection state: the handler can respond inline, which starts
  // the write (and possibly the next read) before it returns.
  try {
    core_->handler(std::move(request), std::move(respond));
  } catch (const std::exception& e) {
    core_->log->error("{}: handler threw: {}", core_->options.name, e.what());
  } catch (...) {
    core_->log->error("{}: handler threw a non-std exception", core_->options.name);
  }
}

void Connection::Deliver(Response response) {
  if (strand_.running_in_this_thread()) return Write(std::move(response));
  std::lock_guard<std::mutex> lock(core_->mu);
  // After Stop() the I/O threads are gone or going: posting would park the write in a
  // queue nobody runs, keeping this connection (and the core) alive forever.
  if (core_->stopped) return;
  net::post(strand_, [self = shared_from_this(), r = std::move(response)]() mutable {
    self->Write(std::move(r));
  });
}

void Connection::Write(Response r) {
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
  stream_.expires_after(std::chrono::seconds(core_->options.idle_timeout_secs));
  bhttp::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
}

void Connection::OnWrite(beast::error_code ec) {
  if (ec) {
    core_->log->debug("{}: write to {} failed: {}", core_->options.name, remote_, ec.message());
    return CloseNow();
  }
  if (!response_.keep_alive()) return LingeringClose();
  response_.body().clear();
  response_.body().shrink_to_fit();  // don't hold a large response while idle
  ReadHeader();
}

void Connection::Reject(int status, const char* text) {
  core_->bad_requests.fetch_add(1, std::memory_order_relaxed);
  keep_alive_ = false;
  head_ = false;
  parser_.reset();
  Response r;
  r.status = status;
  r.body = text;
  Write(std::move(r));
}

void Connection::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return CloseNow();
  drained_ = 0;
  stream_.expires_after(kLingerTime);
  Drain();
}

void Connection::Drain() {
  stream_.async_read_some(buffer_.prepare(64 * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) return self->CloseNow();
                            self->Drain();
                          });
}

}  // namespace fluxgate::http
