// AlertsConfig: the [alerts] table of the serve config — alert delivery settings, the
// [alerts.smtp] server e-mail subscriptions use, and [[alerts.subscriptions]]
// (docs/configuration.md "[alerts]", docs/design/alerts.md). ServeConfig::Alerts names it.
// Plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct AlertsConfig {
  struct Subscription {
    std::string topic;   // 'topic' of the SQL 'alert' sink; [A-Za-z0-9._-], 1..256 chars
    std::string kind;    // "webhook" | "email" | "mqtt" | "file"
    std::string url;     // webhook: http(s)://HOST[:PORT]/PATH (may hold a token: never logged)
                         // mqtt: mqtt://HOST:PORT/TOPIC
    std::string path;    // file: JSON Lines file, appended to (created 0640 if absent)
    bool fsync = false;  // file: fsync after every alert (slower; survives power loss)
    // webhook, https only: PEM CA certificates to trust for the receiver; empty:
    // $FLUXGATE_CA_FILE if set, else the system store
    std::string ca_file;
    std::string address;  // email: the recipient, user@host
    // webhook: HMAC-SHA256 key for the X-Fluxgate-Signature header; empty: unsigned.
    // Never logged or returned by the admin API.
    std::string secret;
    // SNS-style filter policy on the alert's attributes, as JSON text (a TOML inline table
    // is converted to it); empty: every alert of the topic (alerts/filter_policy.h).
    std::string filter;
  };
  // [alerts.smtp]: the server e-mail subscriptions send through.
  struct Smtp {
    std::string host;             // required by email subscriptions
    uint32_t port = 25;           // 25 / 587 (STARTTLS); implicit TLS (465) is not supported
    std::string from;             // envelope and From: address; required by email subscriptions
    bool starttls = false;        // require STARTTLS (the certificate is verified)
    std::string username;         // AUTH PLAIN (or LOGIN) when set; needs starttls unless
    std::string password;         //   the server is on a loopback address. Never logged.
    std::string ca_file;          // PEM CAs for STARTTLS; empty: $FLUXGATE_CA_FILE or system
    int64_t timeout_ms = 10'000;  // one e-mail, connect to QUIT
  };
  uint32_t max_attempts = 5;           // deliveries tried per alert and subscription
  int64_t initial_backoff_ms = 500;    // wait before the 2nd attempt; doubles each time
  int64_t max_backoff_ms = 30'000;     // cap of that wait (jitter is applied below it)
  uint32_t queue_limit = 10'000;       // alerts waiting per subscription; oldest dropped
  int64_t webhook_timeout_ms = 5'000;  // one webhook POST / MQTT publish, connect to ack
  int64_t drain_timeout_ms = 5'000;    // how long shutdown waits for queues to empty
  // Repeats of one rule for one device (attributes.device_id) within this many ms fold into
  // one summary notification with a count; 0: no folding.
  int64_t cooldown_ms = 0;
  uint64_t outbox_max_bytes = 64ull << 20;  // undelivered alerts on disk; beyond: refused
  uint32_t dead_letter_limit = 10'000;      // dead letters kept (oldest forgotten)
  Smtp smtp;
  std::vector<Subscription> subscriptions;
};

// Reads the [alerts] table into `out` (keys present override; a [[alerts.subscriptions]]
// list replaces any earlier one).
Status LoadAlertsConfig(const toml::table& alerts, const std::string& file, AlertsConfig& out);

// Checks the [alerts] settings and every subscription (kind, url/path, duplicates).
// Errors name the key, e.g. "alerts.subscriptions[1].url: ...", never the URL itself.
Status ValidateAlertsConfig(const AlertsConfig& alerts);

// Checks one subscription (also those added at run time); `key` prefixes the errors
// ("alerts.subscriptions[1]." or "subscription: "). `smtp` is checked for email ones.
Status ValidateAlertSubscription(const AlertsConfig::Subscription& s,
                                 const AlertsConfig::Smtp& smtp, const std::string& key);

}  // namespace fluxgate
