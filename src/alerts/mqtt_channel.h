// MqttChannel: publishes each alert's JSON document to an MQTT 3.1.1 broker with QoS 1
// (mqtt://HOST:PORT/TOPIC), over one connection kept open between alerts and reopened after
// an error. Delivered means the broker's PUBACK arrived. A refused CONNECT (bad
// credentials, client id) is a permanent refusal; network errors and timeouts are
// transient. Uses the shared codec (src/mqtt/mqtt_codec.h). Client id:
// "fluxgate-alerts-<subscription id>", clean session.
//
// Thread-safety: one thread at a time (the subscription's worker).
#pragma once

#include <memory>
#include <string>

#include "alerts/channel.h"

namespace fluxgate::alerts {

class TcpStream;

class MqttChannel final : public Channel {
 public:
  // InvalidArgument if `url` is not mqtt://HOST:PORT/TOPIC (the broker is not contacted).
  static Result<std::unique_ptr<MqttChannel>> Create(const std::string& url,
                                                     const std::string& client_id,
                                                     int64_t timeout_ms);
  ~MqttChannel() override;

  Status Deliver(const Delivery& delivery) override;
  const std::string& target() const override { return target_; }

 private:
  MqttChannel() = default;
  Status Connect();

  std::string host_;
  uint16_t port_ = 1883;
  std::string topic_;
  std::string client_id_;
  int64_t timeout_ms_ = 5000;
  std::string target_;  // mqtt://host:port/topic
  std::unique_ptr<TcpStream> conn_;
  uint16_t next_packet_id_ = 1;
};

}  // namespace fluxgate::alerts
