// WebhookChannel: POSTs each alert's JSON document to an http:// URL with the blocking
// client (src/http/client.h), over one keep-alive connection.
//
// Status mapping (see Channel::Deliver): 2xx is delivered; 408, 425, 429 and 5xx and
// network errors are transient; any other status (3xx: redirects are not followed, 4xx)
// is a permanent refusal. Requests carry X-Fluxgate-Alert-Id so receivers can drop
// repeats without parsing the body.
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
  // `url` must be http:// (InvalidArgument otherwise; the message never quotes the URL,
  // which may carry a token).
  static Result<std::unique_ptr<WebhookChannel>> Create(const std::string& url, int timeout_ms);

  Status Deliver(const Delivery& delivery) override;
  const std::string& target() const override { return target_; }

 private:
  WebhookChannel(http::Url url, int timeout_ms);

  const std::string request_target_;  // path and query: may hold a secret, never logged
  const std::string target_;          // "http://host:port"
  http::Client client_;
};

// "http://host:port" of a URL with everything after the authority removed, for logs.
std::string RedactUrl(const http::Url& url);

}  // namespace fluxgate::alerts
