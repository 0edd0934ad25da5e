// Counters and descriptions of alert subscriptions, as AlertHub reports them (for the
// admin API, metrics and tests). Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxgate::alerts {

struct SubscriptionInfo {
  std::string id;  // "sub-" + 16 hex digits, derived from topic, kind, target and filter
  std::string topic;
  std::string kind;    // "webhook" | "email" | "mqtt" | "file"
  std::string target;  // "http://host:port" (no path or query: may hold a token), the
                       // e-mail address, "mqtt://host:port/topic" or the file path
  std::string filter;  // the filter policy's JSON, "" for none
  std::string origin;  // "config" (the TOML file) or "api" (added at run time, persisted)
};

// Invariant, at any snapshot: published == delivered + failed + dropped + queued.
struct SubscriptionStats {
  SubscriptionInfo info;
  uint64_t published = 0;  // alerts handed to this subscription
  uint64_t delivered = 0;  // the receiver accepted them (2xx, or the line was written)
  uint64_t failed = 0;     // given up: max_attempts reached or refused for good (4xx);
                           // each one is a dead letter
  uint64_t retried = 0;    // attempts after the first, over all alerts (not in the sum)
  uint64_t dropped = 0;    // pushed out of a full queue, published after Stop, or
                           // still undelivered when Stop's drain time ran out
  uint64_t queued = 0;     // waiting now, including the one being delivered
  uint64_t filtered = 0;   // alerts of the topic its filter policy excluded (not in the sum)
  std::string last_error;  // of the last failed attempt, "" if none yet
};

struct AlertHubStats {
  uint64_t published = 0;       // Publish calls
  uint64_t unrouted = 0;        // published to a topic with no subscription
  uint64_t folded = 0;          // held back by cooldown folding (summaries carry the count)
  uint64_t summaries = 0;       // cooldown summaries sent
  uint64_t fold_overflow = 0;   // not folded: the fold table was full
  uint64_t filtered_out = 0;    // matched no subscription's filter policy
  uint64_t outbox_refused = 0;  // refused: outbox full (alerts.outbox_max_bytes) or failing
  uint64_t outbox_bytes = 0;    // outbox file size now
  uint64_t outbox_pending = 0;  // alerts in the outbox with a subscription not done
  uint64_t replayed = 0;        // (alert, subscription) pairs recovered from the outbox at Start
  uint64_t dead_letters = 0;    // dead letters kept now (alerts.dead_letter_limit)
  uint64_t retried = 0;         // sum of the subscriptions' retried
  uint64_t failed = 0;          // sum of the subscriptions' failed (dead-lettered)
  std::vector<SubscriptionStats> subscriptions;  // in config order
};

}  // namespace fluxgate::alerts
