#include "alerts/webhook_channel.h"

namespace fluxgate::alerts {

std::string RedactUrl(const http::Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

Result<std::unique_ptr<WebhookChannel>> WebhookChannel::Create(const std::string& url,
                                                               int timeout_ms) {
  auto parsed = http::ParseUrl(url);
  if (!parsed.ok()) {
    // ParseUrl quotes the URL; say what is wrong without it.
    std::string why = parsed.status().message();
    for (auto at = why.find(url); at != std::string::npos; at = why.find(url))
      why.replace(at, url.size(), "<url>");
    return Status::InvalidArgument("webhook url: " + why);
  }
  return std::unique_ptr<WebhookChannel>(new WebhookChannel(std::move(parsed).value(), timeout_ms));
}

WebhookChannel::WebhookChannel(http::Url url, int timeout_ms)
    : request_target_(url.path), target_(RedactUrl(url)), client_(url.host, url.port, timeout_ms) {}

namespace {

// A caller-supplied id goes into a header only if it cannot break the header line.
bool SafeHeaderValue(const std::string& v) {
  if (v.empty() || v.size() > 200) return false;
  for (char c : v)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

Status WebhookChannel::Deliver(const Delivery& d) {
  std::vector<http::Header> headers = {
      {"content-type", "application/json"},
      {"user-agent", "fluxgate-alerts"},
  };
  if (SafeHeaderValue(d.alert.id)) headers.push_back({"x-fluxgate-alert-id", d.alert.id});
  if (SafeHeaderValue(d.alert.topic)) headers.push_back({"x-fluxgate-topic", d.alert.topic});
  auto res = client_.Do("POST", request_target_, headers, d.json);
  if (!res.ok()) return Status::Unavailable(res.status().message());
  const int code = res->status;
  if (code >= 200 && code < 300) return Status::Ok();
  // The receiver's first words help whoever reads the log; cut them short and printable.
  std::string said;
  for (char c : res->body.substr(0, 100)) said.push_back((c >= 0x20 && c < 0x7f) ? c : ' ');
  const std::string what =
      "HTTP " + std::to_string(code) + " from " + target_ + (said.empty() ? "" : ": " + said);
  if (code == 408 || code == 425 || code == 429 || code >= 500) return Status::Unavailable(what);
  return Status::InvalidArgument(what);
}

}  // namespace fluxgate::alerts
