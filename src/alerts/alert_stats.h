// Counters and descriptions of alert subscriptions, as AlertHub reports them (for the
// admin API, metrics and tests). Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxgate::alerts {

struct SubscriptionInfo {
  std::string topic;
  std::string kind;    // "webhook" | "file"
  std::string target;  // "http://host:port" (no path or query: may hold a token) or the path
};

// Invariant, at any snapshot: published == delivered + failed + dropped + queued.
struct SubscriptionStats {
  SubscriptionInfo info;
  uint64_t published = 0;  // alerts handed to this subscription
  uint64_t delivered = 0;  // the receiver accepted them (2xx, or the line was written)
  uint64_t failed = 0;     // given up: max_attempts reached or refused for good (4xx)
  uint64_t retried = 0;    // attempts after the first, over all alerts (not in the sum)
  uint64_t dropped = 0;    // pushed out of a full queue, published after Stop, or
                           // still undelivered when Stop's drain time ran out
  uint64_t queued = 0;     // waiting now, including the one being delivered
};

struct AlertHubStats {
  uint64_t published = 0;                        // Publish calls
  uint64_t unrouted = 0;                         // published to a topic with no subscription
  std::vector<SubscriptionStats> subscriptions;  // in config order
};

}  // namespace fluxgate::alerts
