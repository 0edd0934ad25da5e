// WebhookChannel: POSTs each alert's JSON document to an http:// or https:// URL with the
// blocking client (src/http/client.h), over one keep-alive connection. An https receiver's
// certificate is verified (chain and host name) against the subscription's ca_file, else
// $FLUXGATE_CA_FILE, else the system store; a receiver that fails verification is treated
// like an unreachable one (transient: retried with backoff).
//
// Status mapping (see Channel::Deliver): 2xx is delivered; 408, 425, 429 and 5xx and
// network errors are transient; any other status (3xx: redirects are not followed, 4xx)
// is a permanent refusal. Requests carry X-Fluxgate-Alert-Id so receivers can drop
// repeats without parsing the body, and with a `secret` X-Fluxgate-Timestamp and
// X-Fluxgate-Signature (webhook_signature.h).
//
// Thread-safety: one thread at a time (the subscription's worker).
#pragma once

#include <memory>
#include <string>

#include "alerts/channel.h"
#include "http/client.h"

namespace fluxgate::alerts {

class WebhookChannel final : public Channel {
 public:
  // `url` must be http:// or https:// (InvalidArgument otherwise; the message never quotes
  // the URL, which may carry a token). `ca_file` (https only; empty: $FLUXGATE_CA_FILE, else
  // the system store) is checked now, so a missing or non-PEM file fails at startup with
  // InvalidArgument naming it rather than failing every delivery.
  static Result<std::unique_ptr<WebhookChannel>> Create(const std::string& url, int timeout_ms,
                                                        const std::string& ca_file = "",
                                                        std::string secret = "");

  Status Deliver(const Delivery& delivery) override;
  const std::string& target() const override { return target_; }

 private:
  WebhookChannel(const http::Url& url, http::ClientOptions options, std::string secret);

  const std::string request_target_;  // path and query: may hold a secret, never logged
  const std::string target_;          // "http://host:port" or "https://host:port"
  const std::string secret_;          // HMAC key; empty: requests are not signed
  http::Client client_;
};

// "scheme://host:port" of a URL with everything after the authority removed, for logs.
std::string RedactUrl(const http::Url& url);

}  // namespace fluxgate::alerts
