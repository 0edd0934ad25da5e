#include "alerts/mqtt_channel.h"

#include <charconv>

#include "alerts/tcp_stream.h"
#include "mqtt/mqtt_codec.h"

namespace fluxgate::alerts {
namespace {

// Reads one packet: its fixed header and body.
Result<std::pair<mqtt::FixedHeader, std::string>> ReadPacket(TcpStream& conn) {
  std::string head;
  mqtt::FixedHeader h;
  for (;;) {
    FG_ASSIGN_OR_RETURN(std::string b, conn.ReadExact(1));
    head += b;
    auto n = mqtt::DecodeFixedHeader(head, 1 << 20, &h);
    if (!n.ok()) return Status::Unavailable("broker sent a bad packet: " + n.status().message());
    if (*n > 0) break;
    if (head.size() > 5) return Status::Unavailable("broker sent a bad packet header");
  }
  FG_ASSIGN_OR_RETURN(std::string body, conn.ReadExact(h.remaining_length));
  return std::make_pair(h, std::move(body));
}

}  // namespace

Result<std::unique_ptr<MqttChannel>> MqttChannel::Create(const std::string& url,
                                                         const std::string& client_id,
                                                         int64_t timeout_ms) {
  const std::string_view u(url);
  if (u.substr(0, 7) != "mqtt://")
    return Status::InvalidArgument("mqtt url must look like mqtt://HOST:PORT/TOPIC");
  const size_t slash = u.find('/', 7);
  if (slash == std::string_view::npos || slash + 1 >= u.size())
    return Status::InvalidArgument("mqtt url must look like mqtt://HOST:PORT/TOPIC");
  std::unique_ptr<MqttChannel> ch(new MqttChannel());
  std::string_view authority = u.substr(7, slash - 7);
  const size_t close = authority.find(']');  // [v6]:port
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
    unsigned port = 0;
    const std::string_view p = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535)
      return Status::InvalidArgument("mqtt url: bad port");
    ch->port_ = static_cast<uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return Status::InvalidArgument("mqtt url has no host");
  ch->host_ = std::string(authority);
  ch->topic_ = std::string(u.substr(slash + 1));
  if (Status st = mqtt::ValidateTopicName(ch->topic_); !st.ok())
    return Status::InvalidArgument("mqtt url topic: " + st.message());
  ch->client_id_ = client_id.substr(0, 23 + 40);
  ch->timeout_ms_ = timeout_ms;
  ch->target_ = "mqtt://" + ch->host_ + ":" + std::to_string(ch->port_) + "/" + ch->topic_;
  return ch;
}

MqttChannel::~MqttChannel() {
  if (conn_) {
    std::string bye;
    mqtt::EncodeDisconnect(&bye);
    (void)conn_->Write(bye);
  }
}

Status MqttChannel::Connect() {
  conn_.reset();
  FG_ASSIGN_OR_RETURN(auto conn, TcpStream::Connect(host_, port_, timeout_ms_));
  mqtt::Connect c;
  c.client_id = client_id_;
  c.clean_session = true;
  c.keepalive_secs = 0;  // the connection may idle between alerts; we reconnect on error
  std::string out;
  mqtt::EncodeConnect(c, &out);
  FG_RETURN_IF_ERROR(conn->Write(out));
  FG_ASSIGN_OR_RETURN(auto packet, ReadPacket(*conn));
  if (packet.first.type != mqtt::PacketType::kConnack)
    return Status::Unavailable("broker " + target_ + " answered CONNECT with " +
                               mqtt::PacketTypeName(packet.first.type));
  FG_ASSIGN_OR_RETURN(auto ack, mqtt::DecodeConnack(packet.first, packet.second));
  if (ack.return_code != 0)
    return Status::InvalidArgument(
        "broker " + target_ + " refused the connection: " + mqtt::ConnackReason(ack.return_code));
  conn_ = std::move(conn);
  return Status::Ok();
}

Status MqttChannel::Deliver(const Delivery& d) {
  if (!conn_) FG_RETURN_IF_ERROR(Connect());
  mqtt::Publish p;
  p.topic = topic_;
  p.payload = d.json;
  p.qos = 1;
  p.packet_id = next_packet_id_;
  next_packet_id_ = next_packet_id_ == 65535 ? 1 : next_packet_id_ + 1;
  std::string out;
  mqtt::EncodePublish(p, &out);
  Status st = conn_->Write(out);
  while (st.ok()) {
    auto packet = ReadPacket(*conn_);
    if (!packet.ok()) {
      st = packet.status();
      break;
    }
    if (packet->first.type != mqtt::PacketType::kPuback) continue;  // e.g. PINGRESP
    auto id = mqtt::DecodePuback(packet->first, packet->second);
    if (id.ok() && *id == p.packet_id) return Status::Ok();
  }
  conn_.reset();  // the next attempt reconnects (and resends: QoS 1 is at least once)
  return Status::Unavailable(st.message());
}

}  // namespace fluxgate::alerts
