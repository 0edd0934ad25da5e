#include "mqtt/mqtt_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace fluxgate::mqtt {
namespace {

// Frames `wire` as one packet and returns its header and body.
std::pair<FixedHeader, std::string_view> Frame(const std::string& wire) {
  FixedHeader h;
  auto size = DecodeFixedHeader(wire, kMaxRemainingLength, &h);
  EXPECT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, wire.size());
  return {h, std::string_view(wire).substr(h.header_bytes)};
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(MqttCodec, RemainingLengthBoundaries) {
  for (uint32_t v : {0u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u, kMaxRemainingLength}) {
    std::string wire(1, static_cast<char>(0xd0));  // PINGRESP type byte
    EncodeRemainingLength(v, &wire);
    const size_t varint = wire.size() - 1;
    EXPECT_EQ(varint, v < 128 ? 1u : v < 16384 ? 2u : v < 2097152 ? 3u : 4u) << v;
    FixedHeader h;
    auto size = DecodeFixedHeader(wire, kMaxRemainingLength + 5, &h);
    ASSERT_TRUE(size.ok()) << v;
    EXPECT_EQ(h.remaining_length, v);
    EXPECT_EQ(h.header_bytes, 1 + varint);
    EXPECT_EQ(*size, 1 + varint + v);
  }
}

TEST(MqttCodec, IncompleteHeaderNeedsMoreBytes) {
  FixedHeader h;
  EXPECT_EQ(*DecodeFixedHeader("", 1000, &h), 0u);
  EXPECT_EQ(*DecodeFixedHeader(Bytes({0x30}), 1000, &h), 0u);
  EXPECT_EQ(*DecodeFixedHeader(Bytes({0x30, 0x80}), 1000, &h), 0u);
  EXPECT_EQ(*DecodeFixedHeader(Bytes({0x30, 0x80, 0x80, 0x80}), kMaxRemainingLength, &h), 0u);
}

TEST(MqttCodec, MalformedFixedHeaders) {
  FixedHeader h;
  auto bad = [&](const std::string& wire, const char* needle) {
    auto r = DecodeFixedHeader(wire, kMaxRemainingLength, &h);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  bad(Bytes({0x00, 0x00}), "reserved packet type 0");
  bad(Bytes({0xf0, 0x00}), "reserved packet type 15");
  bad(Bytes({0x80, 0x00}), "SUBSCRIBE with flags");  // SUBSCRIBE needs flags 0x2
  bad(Bytes({0x41, 0x02}), "PUBACK with flags");
  bad(Bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01}), "longer than 4 bytes");
  bad(Bytes({0x30, 0x80, 0x00}), "not minimally encoded");
  auto too_big = DecodeFixedHeader(Bytes({0x30, 0xff, 0x7f}), 1000, &h);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), Status::Code::kLimitExceeded);
}

TEST(MqttCodec, ConnectRoundTrip) {
  Connect c;
  c.client_id = "fluxgate-0123";
  c.clean_session = false;
  c.keepalive_secs = 30;
  c.has_username = true;
  c.username = "ingest";
  c.has_password = true;
  c.password = std::string_view("s\0cret", 6);
  std::string wire;
  EncodeConnect(c, &wire);
  auto [h, body] = Frame(wire);
  EXPECT_EQ(h.type, PacketType::kConnect);
  auto d = DecodeConnect(h, body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->client_id, "fluxgate-0123");
  EXPECT_FALSE(d->clean_session);
  EXPECT_EQ(d->keepalive_secs, 30);
  EXPECT_EQ(d->username, "ingest");
  EXPECT_EQ(d->password, std::string_view("s\0cret", 6));
  // Byte 9 of the packet is the connect flags: user, password, clean session off.
  EXPECT_EQ(static_cast<uint8_t>(wire[9]), 0xc0);
}

TEST(MqttCodec, ConnectMalformed) {
  Connect c;
  c.client_id = "x";
  std::string wire;
  EncodeConnect(c, &wire);
  {
    std::string bad = wire;
    bad[8] = 3;  // protocol level 3 (MQTT 3.1)
    auto [h, body] = Frame(bad);
    auto d = DecodeConnect(h, body);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find("protocol level 3"), std::string::npos);
  }
  {
    std::string bad = wire;
    bad[9] |= 0x01;  // reserved flag
    auto [h, body] = Frame(bad);
    EXPECT_FALSE(DecodeConnect(h, body).ok());
  }
  {
    std::string bad = wire;
    bad[9] = 0x40;  // password without user name
    auto [h, body] = Frame(bad);
    auto d = DecodeConnect(h, body);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find("password without user name"), std::string::npos);
  }
}

TEST(MqttCodec, ConnackRoundTripAndErrors) {
  std::string wire;
  EncodeConnack(Connack{true, 0}, &wire);
  auto [h, body] = Frame(wire);
  auto d = DecodeConnack(h, body);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->session_present);
  EXPECT_EQ(d->return_code, 0);

  auto check_bad = [](const std::string& w) {
    FixedHeader h;
    ASSERT_TRUE(DecodeFixedHeader(w, 100, &h).ok());
    EXPECT_FALSE(DecodeConnack(h, std::string_view(w).substr(h.header_bytes)).ok());
  };
  check_bad(Bytes({0x20, 0x02, 0x02, 0x00}));        // reserved ack flag
  check_bad(Bytes({0x20, 0x02, 0x00, 0x06}));        // return code 6
  check_bad(Bytes({0x20, 0x02, 0x01, 0x05}));        // refused but session present
  check_bad(Bytes({0x20, 0x03, 0x00, 0x00, 0x00}));  // length 3
  EXPECT_STREQ(ConnackReason(4), "bad user name or password");
}

TEST(MqttCodec, PublishRoundTripQos0And1) {
  for (uint8_t qos : {0, 1}) {
    Publish p;
    p.topic = "sites/berlin/sensors/t-1";
    p.payload = std::string_view("{\"v\":1}\0x", 9);
    p.qos = qos;
    p.packet_id = qos ? 4242 : 0;
    p.dup = qos == 1;
    p.retain = true;
    std::string wire;
    EncodePublish(p, &wire);
    auto [h, body] = Frame(wire);
    auto d = DecodePublish(h, body);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->topic, p.topic);
    EXPECT_EQ(d->payload, p.payload);
    EXPECT_EQ(d->qos, qos);
    EXPECT_EQ(d->packet_id, p.packet_id);
    EXPECT_EQ(d->dup, p.dup);
    EXPECT_TRUE(d->retain);
  }
}

TEST(MqttCodec, PublishLargePayloadUsesMultiByteLength) {
  Publish p;
  p.topic = "t";
  std::string payload(300'000, 'x');
  p.payload = payload;
  p.qos = 1;
  p.packet_id = 1;
  std::string wire;
  EncodePublish(p, &wire);
  auto [h, body] = Frame(wire);
  EXPECT_EQ(h.header_bytes, 4u);
  auto d = DecodePublish(h, body);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->payload.size(), payload.size());
}

TEST(MqttCodec, PublishMalformed) {
  auto decode = [](const std::string& wire) {
    FixedHeader h;
    auto size = DecodeFixedHeader(wire, kMaxRemainingLength, &h);
    EXPECT_TRUE(size.ok());
    return DecodePublish(h, std::string_view(wire).substr(h.header_bytes));
  };
  auto expect_error = [&](const std::string& wire, const char* needle) {
    auto d = decode(wire);
    ASSERT_FALSE(d.ok()) << needle;
    EXPECT_NE(d.status().message().find(needle), std::string::npos) << d.status().message();
  };
  expect_error(Bytes({0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01}), "QoS 3");
  expect_error(Bytes({0x38, 0x03, 0x00, 0x01, 'a'}), "QoS 0 and the DUP flag");
  expect_error(Bytes({0x32, 0x05, 0x00, 0x01, 'a', 0x00, 0x00}), "packet identifier 0");
  expect_error(Bytes({0x32, 0x04, 0x00, 0x01, 'a', 0x00}), "two-byte integer");
  expect_error(Bytes({0x30, 0x03, 0x00, 0x05, 'a'}), "runs past the end");
  expect_error(Bytes({0x30, 0x02, 0x00, 0x00}), "topic name is empty");
  expect_error(Bytes({0x30, 0x05, 0x00, 0x03, 'a', '/', '+'}), "wildcard");
  expect_error(Bytes({0x30, 0x04, 0x00, 0x02, 0xc3, 0x28}), "UTF-8");
  expect_error(Bytes({0x30, 0x03, 0x00, 0x01, 0x00}), "UTF-8");
  expect_error(Bytes({0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80}), "UTF-8");  // surrogate
  expect_error(Bytes({0x30, 0x04, 0x00, 0x02, 0xc0, 0x80}), "UTF-8");        // overlong NUL
}

TEST(MqttCodec, PubackRoundTripAndErrors) {
  std::string wire;
  EncodePuback(0xbeef, &wire);
  EXPECT_EQ(wire, Bytes({0x40, 0x02, 0xbe, 0xef}));
  auto [h, body] = Frame(wire);
  auto id = DecodePuback(h, body);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 0xbeef);
  FixedHeader h0;
  std::string zero = Bytes({0x40, 0x02, 0x00, 0x00});
  ASSERT_TRUE(DecodeFixedHeader(zero, 100, &h0).ok());
  EXPECT_FALSE(DecodePuback(h0, std::string_view(zero).substr(2)).ok());
}

TEST(MqttCodec, SubscribeAndSubackRoundTrip) {
  Subscribe s;
  s.packet_id = 7;
  s.filters = {{"sites/+/sensors/#", 1}, {"$SYS/broker/uptime", 0}};
  std::string wire;
  EncodeSubscribe(s, &wire);
  EXPECT_EQ(static_cast<uint8_t>(wire[0]), 0x82);
  auto [h, body] = Frame(wire);
  auto d = DecodeSubscribe(h, body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->packet_id, 7);
  ASSERT_EQ(d->filters.size(), 2u);
  EXPECT_EQ(d->filters[0].first, "sites/+/sensors/#");
  EXPECT_EQ(d->filters[0].second, 1);

  std::string ack;
  EncodeSuback(Suback{7, {1, 0x80}}, &ack);
  auto [ah, abody] = Frame(ack);
  auto a = DecodeSuback(ah, abody);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->packet_id, 7);
  EXPECT_EQ(a->return_codes, (std::vector<uint8_t>{1, 0x80}));

  std::string bad = Bytes({0x90, 0x03, 0x00, 0x07, 0x03});  // return code 3
  auto [bh, bbody] = Frame(bad);
  EXPECT_FALSE(DecodeSuback(bh, bbody).ok());
}

TEST(MqttCodec, EmptyPackets) {
  std::string wire;
  EncodePingreq(&wire);
  EncodePingresp(&wire);
  EncodeDisconnect(&wire);
  EXPECT_EQ(wire, Bytes({0xc0, 0x00, 0xd0, 0x00, 0xe0, 0x00}));
  FixedHeader h;
  ASSERT_TRUE(DecodeFixedHeader(wire.substr(2), 100, &h).ok());
  EXPECT_EQ(h.type, PacketType::kPingresp);
  EXPECT_TRUE(DecodeEmpty(h, "").ok());
  EXPECT_FALSE(DecodeEmpty(h, "x").ok());
}

TEST(MqttCodec, Utf8Rules) {
  EXPECT_TRUE(IsMqttUtf8("plain/ascii"));
  EXPECT_TRUE(IsMqttUtf8("caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsMqttUtf8(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsMqttUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsMqttUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsMqttUtf8("\xff"));
}

}  // namespace
}  // namespace fluxgate::mqtt
