#include "alerts/channel.h"

#include "alerts/alert_hub.h"
#include "alerts/email_channel.h"
#include "alerts/file_channel.h"
#include "alerts/mqtt_channel.h"
#include "alerts/webhook_channel.h"

namespace fluxgate::alerts {

Result<std::unique_ptr<Channel>> MakeChannel(const ServeConfig::Alerts::Subscription& sub,
                                             const ServeConfig::Alerts& settings) {
  if (sub.kind == "webhook") {
    FG_ASSIGN_OR_RETURN(
        auto ch, WebhookChannel::Create(sub.url, static_cast<int>(settings.webhook_timeout_ms),
                                        sub.ca_file, sub.secret));
    return std::unique_ptr<Channel>(std::move(ch));
  }
  if (sub.kind == "file") {
    FG_ASSIGN_OR_RETURN(auto ch, FileChannel::Open(sub.path, sub.fsync));
    return std::unique_ptr<Channel>(std::move(ch));
  }
  if (sub.kind == "email") {
    return std::unique_ptr<Channel>(std::make_unique<EmailChannel>(settings.smtp, sub.address));
  }
  if (sub.kind == "mqtt") {
    FG_ASSIGN_OR_RETURN(auto ch, MqttChannel::Create(sub.url, "fluxgate-" + SubscriptionId(sub),
                                                     settings.webhook_timeout_ms));
    return std::unique_ptr<Channel>(std::move(ch));
  }
  return Status::InvalidArgument("unknown subscription kind \"" + sub.kind + "\"");
}

}  // namespace fluxgate::alerts
