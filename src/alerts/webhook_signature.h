// The webhook signature a receiver verifies (docs/design/alerts.md "Webhook signature"):
//
//   X-Fluxgate-Timestamp: <unix seconds when the request was sent>
//   X-Fluxgate-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The receiver recomputes the HMAC over the timestamp header, a '.', and the raw body,
// compares in constant time, and refuses timestamps more than 5 minutes from its clock
// (a replayed request carries an old timestamp, and changing it breaks the signature).
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fluxgate::alerts {

inline constexpr char kSignatureHeader[] = "x-fluxgate-signature";
inline constexpr char kTimestampHeader[] = "x-fluxgate-timestamp";

// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// "v1=" + HmacSha256Hex(secret, std::to_string(unix_seconds) + "." + body).
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace fluxgate::alerts
