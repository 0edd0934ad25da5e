// Transport: the byte stream under one MQTT connection — a TCP socket, or TLS over it
// (mqtts://) with the broker's certificate and host name verified unless turned off.
// Kept apart so the protocol code in mqtt_source.cc reads the same for both.
//
// Thread-safety: not thread-safe; used only from its io_context's thread.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>

namespace fluxgate::ingest {

class Transport {
 public:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<tcp::socket>;

  // `tls` null = plain TCP. Not owned; must outlive the transport.
  Transport(boost::asio::io_context& io, boost::asio::ssl::context* tls, bool verify)
      : verify_(verify) {
    if (tls) {
      tls_ = std::make_unique<TlsStream>(io, *tls);
    } else {
      tcp_ = std::make_unique<tcp::socket>(io);
    }
  }

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *tcp_; }
  bool is_tls() const { return tls_ != nullptr; }

  // TLS only: SNI and (when verifying) RFC 6125 host name checks for `host`, then the
  // handshake.
  template <typename Handler>
  void AsyncHandshake(const std::string& host, Handler&& handler) {
    SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
    if (verify_) tls_->set_verify_callback(boost::asio::ssl::host_name_verification(host));
    tls_->async_handshake(boost::asio::ssl::stream_base::client, std::forward<Handler>(handler));
  }

  template <typename Buffer, typename Handler>
  void AsyncReadSome(const Buffer& buffer, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffer, std::forward<Handler>(handler));
    } else {
      tcp_->async_read_some(buffer, std::forward<Handler>(handler));
    }
  }

  template <typename Buffer, typename Handler>
  void AsyncWrite(const Buffer& buffer, Handler&& handler) {
    if (tls_) {
      boost::asio::async_write(*tls_, buffer, std::forward<Handler>(handler));
    } else {
      boost::asio::async_write(*tcp_, buffer, std::forward<Handler>(handler));
    }
  }

  // Closes the socket; pending operations complete with operation_aborted. (No TLS
  // close_notify: the MQTT DISCONNECT, when sent, already ends the session cleanly.)
  void Close() {
    boost::system::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

 private:
  bool verify_;
  std::unique_ptr<tcp::socket> tcp_;
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace fluxgate::ingest
