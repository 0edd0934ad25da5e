#include "alerts/cooldown_folder.h"

#include <simdjson.h>

#include <climits>

namespace fluxgate::alerts {

std::string CooldownFolder::DeviceId(const std::string& attributes) {
  if (attributes.find("\"device_id\"") == std::string::npos) return "";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(attributes)).get(root)) return "";
  std::string_view id;
  if (root["device_id"].get(id)) return "";
  return std::string(id);
}

bool CooldownFolder::Admit(const Alert& alert, int64_t now_ms) {
  if (cooldown_ms_ <= 0) return true;
  std::string key = alert.topic;
  key.push_back('\0');
  key += alert.rule;
  key.push_back('\0');
  key += DeviceId(alert.attributes);
  auto it = windows_.find(key);
  if (it == windows_.end() || now_ms >= it->second.end_ms) {
    if (it == windows_.end()) {
      if (windows_.size() >= max_keys_) {
        ++overflow_;
        return true;
      }
      it = windows_.emplace(std::move(key), Window{}).first;
    } else if (it->second.repeats > 0) {
      return true;  // Expire has not run yet for this window: send rather than lose order
    }
    it->second.end_ms = now_ms + cooldown_ms_;
    it->second.repeats = 0;
    return true;
  }
  Window& w = it->second;
  if (w.repeats == 0) w.first_repeat_ms = alert.event_time_ms;
  ++w.repeats;
  w.last = alert;
  ++folded_;
  return false;
}

std::vector<Alert> CooldownFolder::Expire(int64_t now_ms) {
  std::vector<Alert> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    if (now_ms < w.end_ms) {
      ++it;
      continue;
    }
    if (w.repeats == 0) {
      it = windows_.erase(it);
      continue;
    }
    Alert summary = std::move(w.last);
    summary.count = w.repeats;
    summary.first_time_ms = w.first_repeat_ms;
    out.push_back(std::move(summary));
    w.repeats = 0;
    w.last = Alert{};
    w.end_ms = now_ms + cooldown_ms_;
    ++it;
  }
  return out;
}

int64_t CooldownFolder::NextDeadline() const {
  int64_t next = INT64_MAX;
  for (const auto& [_, w] : windows_) next = std::min(next, w.end_ms);
  return next;
}

}  // namespace fluxgate::alerts
