#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "http/connection.h"
#include "http/server_core.h"
#include "http/tls.h"

namespace fluxgate::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

ServerCore::ServerCore(const ServerOptions& opts, Handler h,
                       std::unique_ptr<boost::asio::ssl::context> tls_context)
    : ioc(opts.threads),
      options(opts),
      handler(std::move(h)),
      log(GetLogger("http")),
      tls(std::move(tls_context)) {}

ServerCore::~ServerCore() = default;

namespace {

// How long Stop() lets closed connections finish their cancelled operations before it
// stops the io_context outright.
constexpr auto kStopGrace = std::chrono::seconds(3);

std::string FormatAddress(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(std::shared_ptr<ServerCore> core)
      : core_(std::move(core)),
        accept_strand_(net::make_strand(core_->ioc)),
        acceptor_(accept_strand_),
        retry_timer_(accept_strand_),
        work_(net::make_work_guard(core_->ioc)) {}

  ~ServerImpl() override { Stop(); }

  Status Listen() {
    const auto& opt = core_->options;
    const std::string addr = FormatAddress(opt.host, opt.port);
    boost::system::error_code ec;
    tcp::resolver resolver(core_->ioc);
    auto results = resolver.resolve(opt.host, std::to_string(opt.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
      return Status::IOError("cannot resolve listen address " + addr + ": " + ec.message());
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor_.open(ep.protocol(), ec);
    // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT;
    // on Linux it does not let two listeners share a port.
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + addr + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    core_->log->info("{}: listening on {}{}", opt.name, FormatAddress(opt.host, port_),
                     core_->tls ? " (TLS)" : "");
    return Status::Ok();
  }

  void Run() {
    net::dispatch(accept_strand_, [this] { Accept(); });
    for (int i = 0; i < core_->options.threads; ++i) {
      threads_.emplace_back([this] {
        core_->ioc.run();
        std::lock_guard<std::mutex> lock(exit_mu_);
        ++exited_;
        exit_cv_.notify_all();
      });
    }
  }

  uint16_t port() const override { return port_; }

  ServerStats stats() const override {
    ServerStats s;
    s.connections_accepted = core_->accepted.load(std::memory_order_relaxed);
    s.connections_rejected = core_->rejected.load(std::memory_order_relaxed);
    s.requests = core_->requests.load(std::memory_order_relaxed);
    s.bad_requests = core_->bad_requests.load(std::memory_order_relaxed);
    s.tls_handshake_failures = core_->tls_handshake_failures.load(std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(core_->mu);
    s.connections_open = core_->connections.size();
    return s;
  }

  void Stop() override {
    std::lock_guard<std::mutex> stop_lock(stop_mu_);
    if (threads_.empty()) return;
    std::vector<std::shared_ptr<Connection>> open;
    {
      std::lock_guard<std::mutex> lock(core_->mu);
      core_->stopped = true;
      for (Connection* c : core_->connections) {
        // Null when that connection is already in its destructor, waiting for `mu`.
        if (auto sp = c->weak_from_this().lock()) open.push_back(std::move(sp));
      }
    }
    net::post(accept_strand_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      retry_timer_.cancel();
    });
    for (auto& c : open) c->Close();
    open.clear();
    // With the work guard gone, run() returns once the cancelled operations have finished.
    work_.reset();
    {
      std::unique_lock<std::mutex> lock(exit_mu_);
      if (!exit_cv_.wait_for(lock, kStopGrace,
                             [this] { return exited_ == static_cast<int>(threads_.size()); })) {
        core_->log->warn("{}: connections did not close within {}s; stopping anyway",
                         core_->options.name, kStopGrace.count());
        core_->ioc.stop();
      }
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
    core_->log->info("{}: stopped", core_->options.name);
  }

 private:
  void Accept() {
    auto strand = net::make_strand(core_->ioc);
    acceptor_.async_accept(
        strand, [this, strand](boost::system::error_code ec, tcp::socket socket) mutable {
          OnAccept(ec, std::move(strand), std::move(socket));
        });
  }

  void OnAccept(boost::system::error_code ec, Connection::Strand strand, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // E.g. EMFILE: back off briefly instead of spinning on the same error.
      core_->log->warn("{}: accept failed: {}; retrying", core_->options.name, ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(50));
      retry_timer_.async_wait([this](boost::system::error_code e) {
        if (!e) Accept();
      });
      return;
    }
    core_->accepted.fetch_add(1, std::memory_order_relaxed);
    std::shared_ptr<Connection> conn;
    {
      std::lock_guard<std::mutex> lock(core_->mu);
      if (core_->stopped) return;  // `socket` closes as it goes out of scope
      if (core_->connections.size() >= core_->options.max_connections) {
        core_->rejected.fetch_add(1, std::memory_order_relaxed);
      } else {
        conn = Connection::Make(core_, std::move(strand), std::move(socket));
        core_->connections.insert(conn.get());
      }
    }
    if (conn) {
      conn->Start();
    } else {
      core_->log->warn("{}: max_connections ({}) reached; closing a new connection",
                       core_->options.name, core_->options.max_connections);
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    Accept();
  }

  // shared_ptr: connections keep the core (and so the io_context their sockets use) alive
  // when a Responder outlives the Server, e.g. one held by a storage thread during Stop().
  std::shared_ptr<ServerCore> core_;
  Connection::Strand accept_strand_;
  tcp::acceptor acceptor_;         // used on accept_strand_ only, after Listen()
  net::steady_timer retry_timer_;  // accept_strand_ only
  net::executor_work_guard<net::io_context::executor_type> work_;
  uint16_t port_ = 0;

  std::mutex stop_mu_;                // serializes Stop()
  std::vector<std::thread> threads_;  // GUARDED_BY(stop_mu_) after Run()
  std::mutex exit_mu_;
  std::condition_variable exit_cv_;
  int exited_ = 0;  // GUARDED_BY(exit_mu_): I/O threads whose run() returned
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (options.threads < 1) return Status::InvalidArgument("http server needs threads >= 1");
  if (options.idle_timeout_secs < 1)
    return Status::InvalidArgument("http server needs idle_timeout_secs >= 1");
  if (!handler) return Status::InvalidArgument("http server needs a handler");
  if (options.handshake_timeout_secs < 1)
    return Status::InvalidArgument("http server needs handshake_timeout_secs >= 1");
  std::unique_ptr<boost::asio::ssl::context> tls;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto made = MakeServerTlsContext(options.tls_cert_file, options.tls_key_file);
    if (!made.ok()) return Status::InvalidArgument(options.name + ": " + made.status().message());
    tls = std::move(made).value();
  }
  auto server = std::make_unique<ServerImpl>(
      std::make_shared<ServerCore>(options, std::move(handler), std::move(tls)));
  FG_RETURN_IF_ERROR(server->Listen());
  server->Run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace fluxgate::http
