// Channel: how one subscription hands an alert to its receiver (a webhook, an e-mail, an
// MQTT publish, a file). A channel only delivers; queueing, retries and backoff belong to the
// SubscriptionWorker that owns it, so every channel kind gets them the same way.
//
// Thread-safety: a channel is used by one thread at a time (its worker's).
#pragma once

#include <memory>
#include <string>

#include "alerts/alert.h"
#include "common/config.h"
#include "common/status.h"

namespace fluxgate::alerts {

// One alert ready to deliver: the alert and its JSON document, encoded once per Publish.
struct Delivery {
  Alert alert;
  std::string json;  // AppendAlertJson(alert), no trailing newline
  uint64_t seq = 0;  // its outbox sequence number; 0: not in an outbox
};

class Channel {
 public:
  virtual ~Channel() = default;
  // Delivers one alert. OK: delivered. InvalidArgument: the receiver refused this alert
  // for good (retrying cannot help). Any other error: transient, the worker retries.
  // Messages must not contain secrets (no URL paths or queries).
  [[nodiscard]] virtual Status Deliver(const Delivery& delivery) = 0;
  // What the channel delivers to, safe to log: "http://host:port", the e-mail address,
  // "mqtt://host:port/topic" or the file path.
  virtual const std::string& target() const = 0;
};

// Builds the channel for `sub` (already validated by ValidateAlertsConfig). Opens files
// now, so a path that cannot be written fails at startup; webhooks connect lazily.
Result<std::unique_ptr<Channel>> MakeChannel(const ServeConfig::Alerts::Subscription& sub,
                                             const ServeConfig::Alerts& settings);

}  // namespace fluxgate::alerts
