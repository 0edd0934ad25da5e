// EmailChannel: sends each alert as a plain-text e-mail over SMTP ([alerts.smtp]) to the
// subscription's address: subject = the alert's subject, body = its message followed by the
// JSON document. One SMTP session per alert: EHLO, STARTTLS when smtp.starttls (the server's
// certificate is verified; a server that does not offer it fails the attempt), AUTH PLAIN
// (or LOGIN if that is all the server offers) when smtp.username is set, MAIL FROM, RCPT TO,
// DATA (dot-stuffed, CRLF), QUIT. Headers: Message-ID <alert-id@fluxgate> (so mail clients
// thread repeats), X-Fluxgate-Alert-Id, X-Fluxgate-Topic.
//
// Status: a 5xx reply is a permanent refusal (not retried); 4xx replies, network errors
// and timeouts are transient. Credentials never appear in messages or logs.
//
// Thread-safety: one thread at a time (the subscription's worker).
#pragma once

#include <memory>
#include <string>

#include "alerts/channel.h"
#include "common/config.h"

namespace fluxgate::alerts {

class TcpStream;

class EmailChannel final : public Channel {
 public:
  EmailChannel(const ServeConfig::Alerts::Smtp& smtp, std::string address);

  Status Deliver(const Delivery& delivery) override;
  const std::string& target() const override { return address_; }

  // The message (headers and body, CRLF line ends, dot-stuffed, ending "\r\n.\r\n").
  static std::string FormatMessage(const Delivery& d, const std::string& from,
                                   const std::string& to);

 private:
  const ServeConfig::Alerts::Smtp smtp_;
  const std::string address_;
};

}  // namespace fluxgate::alerts
