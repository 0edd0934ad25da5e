#include "alerts/webhook_channel.h"

#include <chrono>
#include <fstream>
#include <iterator>

#include "alerts/webhook_signature.h"

namespace fluxgate::alerts {
namespace {

// A cheap startup check of a CA file: readable and holding a PEM certificate. The client
// parses it for real on first use; this only moves the common mistakes (wrong path, a key
// or DER file) from every delivery to startup.
Status CheckCaFile(const std::string& ca_file) {
  std::ifstream in(ca_file, std::ios::binary);
  if (!in) return Status::InvalidArgument("ca_file: cannot read '" + ca_file + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return Status::InvalidArgument("ca_file: '" + ca_file + "' holds no PEM certificate");
  return Status::Ok();
}

}  // namespace

std::string RedactUrl(const http::Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

Result<std::unique_ptr<WebhookChannel>> WebhookChannel::Create(const std::string& url,
                                                               int timeout_ms,
                                                               const std::string& ca_file,
                                                               std::string secret) {
  auto parsed = http::ParseUrl(url);
  if (!parsed.ok()) {
    // ParseUrl quotes the URL; say what is wrong without it.
    std::string why = parsed.status().message();
    for (auto at = why.find(url); at != std::string::npos; at = why.find(url))
      why.replace(at, url.size(), "<url>");
    return Status::InvalidArgument("webhook url: " + why);
  }
  if (!ca_file.empty()) {
    if (parsed->scheme != "https")
      return Status::InvalidArgument("webhook ca_file is only for https:// urls");
    FG_RETURN_IF_ERROR(CheckCaFile(ca_file));
  }
  http::ClientOptions options;
  options.timeout_ms = timeout_ms;
  options.ca_file = ca_file;
  return std::unique_ptr<WebhookChannel>(
      new WebhookChannel(*parsed, std::move(options), std::move(secret)));
}

WebhookChannel::WebhookChannel(const http::Url& url, http::ClientOptions options,
                               std::string secret)
    : request_target_(url.path),
      target_(RedactUrl(url)),
      secret_(std::move(secret)),
      client_(url, std::move(options)) {}

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
  if (!secret_.empty()) {
    // Signed per attempt: a retry gets a fresh timestamp, so receivers may keep their
    // replay window short.
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    headers.push_back({kTimestampHeader, std::to_string(now)});
    headers.push_back({kSignatureHeader, WebhookSignature(secret_, now, d.json)});
  }
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
