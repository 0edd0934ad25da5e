// Connection: one accepted HTTP/1.1 connection of a Server. Internal to src/http.
//
// A connection handles one request at a time: read header, maybe send "100 Continue",
// read body, call the Handler, wait for the Responder, write the response, and only then
// read the next request (pipelined bytes wait in the read buffer). All socket work runs on
// the connection's strand; Deliver() and Close() may be called from any thread.
//
// Owned through shared_ptr: the pending asynchronous operation and any outstanding
// Responder each hold a reference, and whichever finishes last frees the connection.
// There is no other owner (the core's registry holds a raw pointer, removed in ~Connection).
#pragma once

#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/message.h"

namespace fluxgate::http {

struct ServerCore;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // `socket` must have been accepted on `strand`.
  Connection(std::shared_ptr<ServerCore> core, Strand strand, boost::asio::ip::tcp::socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // Closes the socket (from any thread); the pending operation ends with an error.
  void Close();
  // Writes `response` for the request being handled. Any thread; at most once per request.
  void Deliver(Response response);

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Dispatch();
  void Write(Response response);
  void OnWrite(boost::beast::error_code ec);
  // Answers a request the server itself rejects, then closes.
  void Reject(int status, const char* text);
  // Called with a read error: rejects the request or closes quietly.
  void OnReadError(boost::beast::error_code ec);
  // Half-closes and drains what the client still sends, so the kernel does not answer
  // unread bytes with a reset that would destroy the response before the client read it.
  void LingeringClose();
  void Drain();
  void CloseNow();

  // Declared first so it is destroyed last: the stream's executor lives in core_->ioc.
  std::shared_ptr<ServerCore> core_;
  Strand strand_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;  // reused across requests; may hold pipelined bytes
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::string remote_;
  // Strand-only state of the current request.
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool closed_ = false;
  uint64_t drained_ = 0;
};

}  // namespace fluxgate::http
