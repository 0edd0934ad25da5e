#include "alerts/channel.h"

#include "alerts/file_channel.h"
#include "alerts/webhook_channel.h"

namespace fluxgate::alerts {

Result<std::unique_ptr<Channel>> MakeChannel(const ServeConfig::Alerts::Subscription& sub,
                                             const ServeConfig::Alerts& settings) {
  if (sub.kind == "webhook") {
    FG_ASSIGN_OR_RETURN(
        auto ch, WebhookChannel::Create(sub.url, static_cast<int>(settings.webhook_timeout_ms),
                                        sub.ca_file));
    return std::unique_ptr<Channel>(std::move(ch));
  }
  if (sub.kind == "file") {
    FG_ASSIGN_OR_RETURN(auto ch, FileChannel::Open(sub.path, sub.fsync));
    return std::unique_ptr<Channel>(std::move(ch));
  }
  return Status::InvalidArgument("unknown subscription kind \"" + sub.kind + "\"");
}

}  // namespace fluxgate::alerts
