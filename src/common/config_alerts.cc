#include "common/config_alerts.h"

#include <toml++/toml.h>

#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::KeyError;
using config_internal::TableReader;

namespace {

// A `filter` given as a TOML inline table becomes its JSON text (toml++ writes JSON).
void ReadFilter(const toml::table& table, TableReader& r, std::string& out) {
  const toml::node* node = table.get("filter");
  if (node == nullptr || node->is_string()) return r.Read("filter", out);
  const toml::table* policy = r.Sub("filter");  // not a table: r fails naming the key
  if (policy == nullptr) return;
  std::ostringstream json;
  json << toml::json_formatter{*policy, toml::format_flags::none};
  out = json.str();
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool ValidEmail(std::string_view a) {
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
  for (char c : a)
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == ',' || c == ';') return false;
  return a.find('@', at + 1) == std::string_view::npos;
}

}  // namespace

Status LoadAlertsConfig(const toml::table& t, const std::string& path, AlertsConfig& c) {
  TableReader r(t, "alerts.", path);
  r.Read("max_attempts", c.max_attempts);
  r.Read("initial_backoff_ms", c.initial_backoff_ms);
  r.Read("max_backoff_ms", c.max_backoff_ms);
  r.Read("queue_limit", c.queue_limit);
  r.Read("webhook_timeout_ms", c.webhook_timeout_ms);
  r.Read("drain_timeout_ms", c.drain_timeout_ms);
  r.Read("cooldown_ms", c.cooldown_ms);
  r.Read("outbox_max_bytes", c.outbox_max_bytes);
  r.Read("dead_letter_limit", c.dead_letter_limit);
  if (const toml::table* s = r.Sub("smtp")) {
    TableReader sr(*s, "alerts.smtp.", path);
    sr.Read("host", c.smtp.host);
    sr.Read("port", c.smtp.port);
    sr.Read("from", c.smtp.from);
    sr.Read("starttls", c.smtp.starttls);
    sr.Read("username", c.smtp.username);
    sr.Read("password", c.smtp.password);
    sr.Read("ca_file", c.smtp.ca_file);
    sr.Read("timeout_ms", c.smtp.timeout_ms);
    FG_RETURN_IF_ERROR(sr.Finish());
  }
  FG_RETURN_IF_ERROR(r.ReadTables(
      "subscriptions", c.subscriptions,
      [](TableReader& sr, const toml::table& table, AlertsConfig::Subscription& sub) -> Status {
        sr.Read("topic", sub.topic);
        sr.Read("kind", sub.kind);
        sr.Read("url", sub.url);
        sr.Read("ca_file", sub.ca_file);
        sr.Read("path", sub.path);
        sr.Read("fsync", sub.fsync);
        sr.Read("address", sub.address);
        sr.Read("secret", sub.secret);
        ReadFilter(table, sr, sub.filter);
        return sr.Finish();
      }));
  return r.Finish();
}

// Error messages quote the key, never the URL: webhook URLs often carry a token.
Status ValidateAlertSubscription(const AlertsConfig::Subscription& s,
                                 const AlertsConfig::Smtp& smtp, const std::string& key) {
  if (s.topic.empty()) return Status::InvalidArgument(key + "topic is required");
  if (!config_internal::ValidName(s.topic, 256))
    return Status::InvalidArgument(
        key + "topic must be 1-256 characters of A-Z a-z 0-9 . _ -, got \"" + s.topic + "\"");
  auto only = [&](bool set, const char* field, const char* kinds) -> Status {
    if (set) return Status::InvalidArgument(key + field + " is only for kind = " + kinds);
    return Status::Ok();
  };
  if (s.kind == "webhook") {
    if (s.url.empty())
      return Status::InvalidArgument(key + "url is required for kind = \"webhook\"");
    const bool https = StartsWithNoCase(s.url, "https://");
    if (!https && !StartsWithNoCase(s.url, "http://"))
      return Status::InvalidArgument(key + "url must start with http:// or https://");
    const size_t host_at = https ? 8 : 7;
    const std::string_view authority =
        std::string_view(s.url).substr(host_at, s.url.find_first_of("/?#", host_at) - host_at);
    if (authority.empty()) return Status::InvalidArgument(key + "url has no host");
    if (authority.find('@') != std::string_view::npos)
      return Status::InvalidArgument(key + "url: user info (user:password@) is not supported");
    if (!https && !s.ca_file.empty())
      return Status::InvalidArgument(key + "ca_file is only for https:// urls");
  } else if (s.kind == "file") {
    if (s.path.empty())
      return Status::InvalidArgument(key + "path is required for kind = \"file\"");
    FG_RETURN_IF_ERROR(only(!s.url.empty(), "url", "\"webhook\" or \"mqtt\""));
    FG_RETURN_IF_ERROR(only(!s.ca_file.empty(), "ca_file", "\"webhook\""));
  } else if (s.kind == "email") {
    if (s.address.empty())
      return Status::InvalidArgument(key + "address is required for kind = \"email\"");
    if (!ValidEmail(s.address))
      return Status::InvalidArgument(key + "address must look like user@host, got \"" + s.address +
                                     "\"");
    if (smtp.host.empty())
      return Status::InvalidArgument(key + "kind = \"email\" needs alerts.smtp.host");
    if (smtp.from.empty() || !ValidEmail(smtp.from))
      return Status::InvalidArgument(key + "kind = \"email\" needs alerts.smtp.from (user@host)");
    FG_RETURN_IF_ERROR(only(!s.url.empty(), "url", "\"webhook\" or \"mqtt\""));
    FG_RETURN_IF_ERROR(only(!s.ca_file.empty(), "ca_file", "\"webhook\""));
  } else if (s.kind == "mqtt") {
    if (s.url.empty())
      return Status::InvalidArgument(key +
                                     "url = \"mqtt://HOST:PORT/TOPIC\" is required for kind = "
                                     "\"mqtt\"");
    if (!StartsWithNoCase(s.url, "mqtt://"))
      return Status::InvalidArgument(key + "url must look like mqtt://HOST:PORT/TOPIC");
    const size_t slash = s.url.find('/', 7);
    if (slash == std::string::npos || slash == 7 || slash + 1 >= s.url.size())
      return Status::InvalidArgument(key + "url must look like mqtt://HOST:PORT/TOPIC");
    const std::string topic = s.url.substr(slash + 1);
    if (topic.find_first_of("+#") != std::string::npos)
      return Status::InvalidArgument(key + "url: an MQTT topic to publish to has no wildcards");
    FG_RETURN_IF_ERROR(only(!s.ca_file.empty(), "ca_file", "\"webhook\""));
  } else if (s.kind.empty()) {
    return Status::InvalidArgument(key +
                                   "kind is required (\"webhook\", \"email\", \"mqtt\" or "
                                   "\"file\")");
  } else {
    return Status::InvalidArgument(key +
                                   "kind must be \"webhook\", \"email\", \"mqtt\" or \"file\", "
                                   "got \"" +
                                   s.kind + "\"");
  }
  if (s.kind != "file") FG_RETURN_IF_ERROR(only(!s.path.empty(), "path", "\"file\""));
  if (s.kind != "file") FG_RETURN_IF_ERROR(only(s.fsync, "fsync", "\"file\""));
  if (s.kind != "email") FG_RETURN_IF_ERROR(only(!s.address.empty(), "address", "\"email\""));
  if (s.kind != "webhook") FG_RETURN_IF_ERROR(only(!s.secret.empty(), "secret", "\"webhook\""));
  return Status::Ok();
}

Status ValidateAlertsConfig(const AlertsConfig& a) {
  if (a.max_attempts < 1 || a.max_attempts > 100)
    return Status::InvalidArgument("alerts.max_attempts must be between 1 and 100");
  if (a.initial_backoff_ms < 1)
    return Status::InvalidArgument("alerts.initial_backoff_ms must be at least 1");
  if (a.max_backoff_ms < a.initial_backoff_ms)
    return Status::InvalidArgument("alerts.max_backoff_ms must be at least initial_backoff_ms");
  if (a.queue_limit < 1 || a.queue_limit > 10'000'000)
    return Status::InvalidArgument("alerts.queue_limit must be between 1 and 10000000");
  if (a.webhook_timeout_ms < 1)
    return Status::InvalidArgument("alerts.webhook_timeout_ms must be at least 1");
  if (a.drain_timeout_ms < 0)
    return Status::InvalidArgument("alerts.drain_timeout_ms must not be negative");
  if (a.cooldown_ms < 0 || a.cooldown_ms > 7LL * 24 * 3600 * 1000)
    return Status::InvalidArgument("alerts.cooldown_ms must be between 0 and 604800000 (7 days)");
  if (a.outbox_max_bytes < (64u << 10))
    return Status::InvalidArgument("alerts.outbox_max_bytes must be at least 65536");
  if (a.dead_letter_limit < 1 || a.dead_letter_limit > 1'000'000)
    return Status::InvalidArgument("alerts.dead_letter_limit must be between 1 and 1000000");
  if (a.smtp.port < 1 || a.smtp.port > 65535)
    return Status::InvalidArgument("alerts.smtp.port must be between 1 and 65535");
  if (a.smtp.timeout_ms < 1)
    return Status::InvalidArgument("alerts.smtp.timeout_ms must be at least 1");
  if (!a.smtp.username.empty() && a.smtp.password.empty())
    return Status::InvalidArgument("alerts.smtp.password is required with alerts.smtp.username");
  const bool loopback =
      a.smtp.host == "localhost" || a.smtp.host == "::1" || a.smtp.host.rfind("127.", 0) == 0;
  if (!a.smtp.username.empty() && !a.smtp.starttls && !loopback)
    return Status::InvalidArgument(
        "alerts.smtp.username needs alerts.smtp.starttls = true (the password would cross the "
        "network in clear text)");
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (size_t i = 0; i < a.subscriptions.size(); ++i) {
    const auto& s = a.subscriptions[i];
    const std::string key = "alerts.subscriptions[" + std::to_string(i) + "].";
    FG_RETURN_IF_ERROR(ValidateAlertSubscription(s, a.smtp, key));
    const std::string& target = s.kind == "file" ? s.path : s.kind == "email" ? s.address : s.url;
    if (!seen.emplace(s.topic, s.kind, target + "\n" + s.filter).second)
      return Status::InvalidArgument("alerts.subscriptions[" + std::to_string(i) +
                                     "] repeats an earlier subscription (same topic, kind, "
                                     "target and filter): every alert would be delivered twice");
  }
  return Status::Ok();
}

}  // namespace fluxgate
