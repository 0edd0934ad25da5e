// Fuzzes the MQTT 3.1.1 codec (mqtt/mqtt_codec.h) the way the MQTT source reads a
// broker's byte stream: fixed header, then the packet's decoder, packet after packet.
//
// Invariants: no crash or sanitizer report; a complete fixed header accounts for the
// bytes it claims; every packet that decodes re-encodes to a packet that decodes to the
// same fields (PUBLISH, CONNECT, SUBSCRIBE, SUBACK, CONNACK, PUBACK). Topic filters from
// SUBSCRIBE are matched against the PUBLISH topics seen.
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "mqtt/mqtt_codec.h"
#include "ingest/topic_match.h"

namespace fluxgate::mqtt {
namespace {

constexpr uint32_t kMaxPacketBytes = 16u << 20;  // what mqtt_source.cc allows

// Decodes one whole encoded packet (as the encoders produce) and returns its body.
std::string_view Reparse(const std::string& packet, FixedHeader* h) {
  auto size = DecodeFixedHeader(packet, kMaxPacketBytes, h);
  FUZZ_CHECK(size.ok());
  FUZZ_CHECK(*size == packet.size());
  return std::string_view(packet).substr(h->header_bytes);
}

void RoundTrip(const FixedHeader& h, std::string_view body, std::vector<std::string>* topics,
               std::vector<std::string>* filters) {
  std::string again;
  FixedHeader h2;
  switch (h.type) {
    case PacketType::kPublish: {
      auto p = DecodePublish(h, body);
      if (!p.ok()) return;
      FUZZ_CHECK(ValidateTopicName(p->topic).ok());
      FUZZ_CHECK(p->qos <= 2);
      topics->emplace_back(p->topic);
      EncodePublish(*p, &again);
      auto q = DecodePublish(h2, Reparse(again, &h2));
      FUZZ_CHECK(q.ok());
      FUZZ_CHECK(q->topic == p->topic && q->payload == p->payload);
      FUZZ_CHECK(q->qos == p->qos && q->packet_id == p->packet_id);
      FUZZ_CHECK(q->dup == p->dup && q->retain == p->retain);
      return;
    }
    case PacketType::kConnect: {
      auto c = DecodeConnect(h, body);
      if (!c.ok()) return;
      EncodeConnect(*c, &again);
      auto d = DecodeConnect(h2, Reparse(again, &h2));
      FUZZ_CHECK(d.ok());
      FUZZ_CHECK(d->client_id == c->client_id && d->clean_session == c->clean_session);
      FUZZ_CHECK(d->keepalive_secs == c->keepalive_secs);
      FUZZ_CHECK(d->has_username == c->has_username && d->username == c->username);
      FUZZ_CHECK(d->has_password == c->has_password && d->password == c->password);
      return;
    }
    case PacketType::kConnack: {
      auto c = DecodeConnack(h, body);
      if (!c.ok()) return;
      (void)ConnackReason(c->return_code);
      EncodeConnack(*c, &again);
      auto d = DecodeConnack(h2, Reparse(again, &h2));
      FUZZ_CHECK(d.ok());
      FUZZ_CHECK(d->session_present == c->session_present && d->return_code == c->return_code);
      return;
    }
    case PacketType::kPuback: {
      auto id = DecodePuback(h, body);
      if (!id.ok()) return;
      FUZZ_CHECK(*id != 0);
      EncodePuback(*id, &again);
      auto id2 = DecodePuback(h2, Reparse(again, &h2));
      FUZZ_CHECK(id2.ok() && *id2 == *id);
      return;
    }
    case PacketType::kSubscribe: {
      auto s = DecodeSubscribe(h, body);
      if (!s.ok()) return;
      FUZZ_CHECK(!s->filters.empty());
      for (const auto& [filter, qos] : s->filters) filters->emplace_back(filter);
      EncodeSubscribe(*s, &again);
      auto t = DecodeSubscribe(h2, Reparse(again, &h2));
      FUZZ_CHECK(t.ok());
      FUZZ_CHECK(t->packet_id == s->packet_id && t->filters == s->filters);
      return;
    }
    case PacketType::kSuback: {
      auto s = DecodeSuback(h, body);
      if (!s.ok()) return;
      EncodeSuback(*s, &again);
      auto t = DecodeSuback(h2, Reparse(again, &h2));
      FUZZ_CHECK(t.ok());
      FUZZ_CHECK(t->packet_id == s->packet_id && t->return_codes == s->return_codes);
      return;
    }
    case PacketType::kPingreq:
    case PacketType::kPingresp:
    case PacketType::kDisconnect:
      (void)DecodeEmpty(h, body);
      return;
    default:
      (void)PacketTypeName(h.type);
      return;
  }
}

}  // namespace
}  // namespace fluxgate::mqtt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::mqtt;
  std::string_view in = fluxgate::fuzz::AsView(data, size);
  std::vector<std::string> topics, filters;
  while (!in.empty()) {
    FixedHeader h;
    auto total = DecodeFixedHeader(in, kMaxPacketBytes, &h);
    if (!total.ok() || *total == 0 || *total > in.size()) break;
    FUZZ_CHECK(*total == h.packet_bytes());
    FUZZ_CHECK(h.header_bytes >= 2 && h.header_bytes <= 5);
    RoundTrip(h, in.substr(h.header_bytes, h.remaining_length), &topics, &filters);
    in.remove_prefix(*total);
  }
  for (const std::string& filter : filters)
    for (const std::string& topic : topics) (void)fluxgate::ingest::TopicMatches(filter, topic);
  return 0;
}
