// Connection: one accepted HTTP/1.1 connection of a Server, over plain TCP or TLS.
// Internal to src/http.
//
// A connection handles one request at a time: read header, maybe send "100 Continue",
// read body, call the Handler, wait for the Responder, write the response, and only then
// read the next request (pipelined bytes wait in the read buffer). A TLS connection first
// completes its handshake (within ServerOptions::handshake_timeout_secs); bytes that are not
// a TLS handshake get a plain-text 400 and the connection closes. All socket work runs on the
// connection's strand; Deliver() and Close() may be called from any thread.
//
// The socket code is a template over the stream type (connection.cc), so the plain-TCP path
// compiles to what it was before TLS existed; this base is what the server and the Responder
// see. Owned through shared_ptr: the pending asynchronous operation and any outstanding
// Responder each hold a reference, and whichever finishes last frees the connection. There
// is no other owner (the core's registry holds a raw pointer, removed in ~Connection).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

#include "http/message.h"

namespace fluxgate::http {

struct ServerCore;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // A connection speaking TLS when `core->tls` is set, plain HTTP otherwise. `socket` must
  // have been accepted on `strand`. The caller registers it in `core->connections`.
  static std::shared_ptr<Connection> Make(std::shared_ptr<ServerCore> core, Strand strand,
                                          boost::asio::ip::tcp::socket socket);

  // Unregisters from the core.
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual void Start() = 0;
  // Closes the socket (from any thread); the pending operation ends with an error.
  virtual void Close() = 0;
  // Writes `response` for the request being handled. Any thread; at most once per request.
  virtual void Deliver(Response response) = 0;

 protected:
  explicit Connection(std::shared_ptr<ServerCore> core) : core_(std::move(core)) {}

  // Declared in the base so it is destroyed last: the stream's executor lives in core_->ioc.
  std::shared_ptr<ServerCore> core_;
};

}  // namespace fluxgate::http
