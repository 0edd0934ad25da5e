// CooldownFolder: folds repeats of one rule for one device so a stuck sensor sends one
// notification per cooldown, not one per reading (docs/design/alerts.md "Cooldown folding").
//
// Key: topic, rule and attributes.device_id (alerts without a device_id fold by rule).
// The first alert of a key goes out at once and opens a window of cooldown_ms. Repeats
// inside the window are counted, not sent. When the window ends (Expire), a key that
// folded n >= 1 repeats yields one summary: the last repeat (its own deterministic id,
// message and attributes) with count = n and first_time = the first repeat's time; a new
// window opens, so a sensor stuck for an hour with a 5-minute cooldown sends 1 + 12
// notifications. A window that ends without repeats forgets its key.
//
// Bounded: at most max_keys keys; beyond, alerts of new keys are not folded (sent at once)
// and counted in overflow().
//
// Thread-safety: none; AlertHub calls it under its fold mutex.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/alert.h"

namespace fluxgate::alerts {

class CooldownFolder {
 public:
  CooldownFolder(int64_t cooldown_ms, size_t max_keys)
      : cooldown_ms_(cooldown_ms), max_keys_(max_keys) {}

  // True: send `alert` now. False: it was folded (counted in folded()).
  bool Admit(const Alert& alert, int64_t now_ms);
  // Summaries of the windows that ended by now_ms, to send.
  std::vector<Alert> Expire(int64_t now_ms);
  // The earliest window end, or INT64_MAX if none.
  int64_t NextDeadline() const;

  size_t keys() const { return windows_.size(); }
  uint64_t folded() const { return folded_; }
  uint64_t overflow() const { return overflow_; }

  // attributes.device_id of an attribute object text, or "" (not a string / absent).
  static std::string DeviceId(const std::string& attributes);

 private:
  struct Window {
    int64_t end_ms = 0;
    uint32_t repeats = 0;
    int64_t first_repeat_ms = 0;
    Alert last;  // valid when repeats > 0
  };
  const int64_t cooldown_ms_;
  const size_t max_keys_;
  std::map<std::string, Window> windows_;
  uint64_t folded_ = 0;
  uint64_t overflow_ = 0;
};

}  // namespace fluxgate::alerts
