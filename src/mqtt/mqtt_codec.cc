#include "mqtt/mqtt_codec.h"

#include <fmt/format.h>

#include <algorithm>

namespace fluxgate::mqtt {

namespace {

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(fmt::format("malformed MQTT packet: {}", what));
}

// Reads big-endian fields from a packet body, remembering the first failure.
class BodyReader {
 public:
  BodyReader(const char* packet, std::string_view body) : packet_(packet), body_(body) {}

  bool U8(uint8_t* out) {
    if (body_.size() < 1) return Short("a byte");
    *out = static_cast<uint8_t>(body_[0]);
    body_.remove_prefix(1);
    return true;
  }
  bool U16(uint16_t* out) {
    if (body_.size() < 2) return Short("a two-byte integer");
    *out = static_cast<uint16_t>((static_cast<uint8_t>(body_[0]) << 8) |
                                 static_cast<uint8_t>(body_[1]));
    body_.remove_prefix(2);
    return true;
  }
  // A length-prefixed string (2-byte length), checked as MQTT UTF-8 when `utf8`.
  bool String(const char* what, bool utf8, std::string_view* out) {
    uint16_t len = 0;
    if (!U16(&len)) return false;
    if (body_.size() < len) {
      return Fail(fmt::format("{} {} length {} runs past the end of the packet ({} bytes left)",
                              packet_, what, len, body_.size()));
    }
    *out = body_.substr(0, len);
    body_.remove_prefix(len);
    if (utf8 && !IsMqttUtf8(*out)) {
      return Fail(
          fmt::format("{} {} is not well-formed UTF-8 (or contains U+0000)", packet_, what));
    }
    return true;
  }
  std::string_view Rest() {
    std::string_view r = body_;
    body_ = {};
    return r;
  }
  bool empty() const { return body_.empty(); }
  size_t left() const { return body_.size(); }
  bool Fail(std::string message) {
    if (status_.ok()) status_ = Malformed(message);
    return false;
  }
  const Status& status() const { return status_; }

 private:
  bool Short(const char* what) {
    return Fail(fmt::format("{} ends where {} was expected", packet_, what));
  }
  const char* packet_;
  std::string_view body_;
  Status status_;
};

void PutU16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void PutString(std::string_view s, std::string* out) {
  s = s.substr(0, 65535);
  PutU16(static_cast<uint16_t>(s.size()), out);
  out->append(s);
}

void PutHeader(PacketType type, uint8_t flags, size_t remaining, std::string* out) {
  out->push_back(static_cast<char>((static_cast<uint8_t>(type) << 4) | (flags & 0x0f)));
  EncodeRemainingLength(static_cast<uint32_t>(std::min<size_t>(remaining, kMaxRemainingLength)),
                        out);
}

// The flags the spec fixes for each packet type (PUBLISH's are free).
int RequiredFlags(PacketType t) {
  switch (t) {
    case PacketType::kPubrel:
    case PacketType::kSubscribe:
    case PacketType::kUnsubscribe:
      return 0x2;
    case PacketType::kPublish:
      return -1;
    default:
      return 0;
  }
}

Status CheckType(const FixedHeader& h, PacketType want) {
  if (h.type != want) {
    return Status::Internal(
        fmt::format("decoder for {} given a {}", PacketTypeName(want), PacketTypeName(h.type)));
  }
  return Status::Ok();
}

}  // namespace

const char* PacketTypeName(PacketType type) {
  switch (type) {
    case PacketType::kConnect:
      return "CONNECT";
    case PacketType::kConnack:
      return "CONNACK";
    case PacketType::kPublish:
      return "PUBLISH";
    case PacketType::kPuback:
      return "PUBACK";
    case PacketType::kPubrec:
      return "PUBREC";
    case PacketType::kPubrel:
      return "PUBREL";
    case PacketType::kPubcomp:
      return "PUBCOMP";
    case PacketType::kSubscribe:
      return "SUBSCRIBE";
    case PacketType::kSuback:
      return "SUBACK";
    case PacketType::kUnsubscribe:
      return "UNSUBSCRIBE";
    case PacketType::kUnsuback:
      return "UNSUBACK";
    case PacketType::kPingreq:
      return "PINGREQ";
    case PacketType::kPingresp:
      return "PINGRESP";
    case PacketType::kDisconnect:
      return "DISCONNECT";
  }
  return "UNKNOWN";
}

const char* ConnackReason(uint8_t code) {
  switch (code) {
    case 0:
      return "accepted";
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client identifier rejected";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorized";
  }
  return "unknown return code";
}

bool IsMqttUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c == 0) return false;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    p += n + 1;
  }
  return true;
}

Status ValidateTopicName(std::string_view topic) {
  if (topic.empty()) return Malformed("PUBLISH topic name is empty");
  if (topic.find_first_of("+#") != std::string_view::npos) {
    return Malformed("PUBLISH topic name contains a wildcard ('+' or '#')");
  }
  if (!IsMqttUtf8(topic)) return Malformed("PUBLISH topic name is not well-formed UTF-8");
  return Status::Ok();
}

void EncodeRemainingLength(uint32_t value, std::string* out) {
  do {
    uint8_t b = value & 0x7f;
    value >>= 7;
    if (value > 0) b |= 0x80;
    out->push_back(static_cast<char>(b));
  } while (value > 0);
}

Result<size_t> DecodeFixedHeader(std::string_view in, uint32_t max_packet_bytes, FixedHeader* h) {
  if (in.empty()) return size_t{0};
  const uint8_t b0 = static_cast<uint8_t>(in[0]);
  const uint8_t type = b0 >> 4;
  if (type == 0 || type == 15) {
    return Malformed(fmt::format("reserved packet type {}", type));
  }
  h->type = static_cast<PacketType>(type);
  h->flags = b0 & 0x0f;
  const int required = RequiredFlags(h->type);
  if (required >= 0 && h->flags != required) {
    return Malformed(fmt::format("{} with flags {:#x} (must be {:#x})", PacketTypeName(h->type),
                                 h->flags, required));
  }
  uint32_t value = 0;
  for (uint32_t i = 0; i < 4; ++i) {
    if (in.size() < 2 + i) return size_t{0};
    const uint8_t b = static_cast<uint8_t>(in[1 + i]);
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) {
        // 3.1.1 does not forbid non-minimal encodings outright, but no correct encoder
        // writes one; refusing them keeps a single canonical form (and fuzzing honest).
        return Malformed("remaining length is not minimally encoded");
      }
      h->remaining_length = value;
      h->header_bytes = 2 + i;
      if (h->packet_bytes() > max_packet_bytes) {
        return Status::LimitExceeded(
            fmt::format("{} of {} bytes is larger than the limit of {} bytes",
                        PacketTypeName(h->type), h->packet_bytes(), max_packet_bytes));
      }
      return h->packet_bytes();
    }
  }
  return Malformed("remaining length longer than 4 bytes");
}

// --- CONNECT / CONNACK --------------------------------------------------------------------

void EncodeConnect(const Connect& c, std::string* out) {
  size_t len = 10 + 2 + std::min<size_t>(c.client_id.size(), 65535);
  if (c.has_username) len += 2 + std::min<size_t>(c.username.size(), 65535);
  if (c.has_password) len += 2 + std::min<size_t>(c.password.size(), 65535);
  PutHeader(PacketType::kConnect, 0, len, out);
  PutString("MQTT", out);
  out->push_back(4);  // protocol level 3.1.1
  uint8_t flags = 0;
  if (c.has_username) flags |= 0x80;
  if (c.has_password) flags |= 0x40;
  if (c.clean_session) flags |= 0x02;
  out->push_back(static_cast<char>(flags));
  PutU16(c.keepalive_secs, out);
  PutString(c.client_id, out);
  if (c.has_username) PutString(c.username, out);
  if (c.has_password) PutString(c.password, out);
}

Result<Connect> DecodeConnect(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kConnect));
  BodyReader r("CONNECT", body);
  Connect c;
  std::string_view protocol;
  uint8_t level = 0, flags = 0;
  if (!r.String("protocol name", true, &protocol) || !r.U8(&level) || !r.U8(&flags) ||
      !r.U16(&c.keepalive_secs)) {
    return r.status();
  }
  if (protocol != "MQTT") return Malformed(fmt::format("CONNECT protocol name '{}'", protocol));
  if (level != 4) return Malformed(fmt::format("CONNECT protocol level {} (3.1.1 is 4)", level));
  if (flags & 0x01) return Malformed("CONNECT reserved flag set");
  const bool will = flags & 0x04;
  const uint8_t will_qos = (flags >> 3) & 0x3;
  if (!will && (will_qos != 0 || (flags & 0x20))) {
    return Malformed("CONNECT will QoS or retain set without a will");
  }
  if (will_qos == 3) return Malformed("CONNECT will QoS 3");
  c.clean_session = flags & 0x02;
  c.has_username = flags & 0x80;
  c.has_password = flags & 0x40;
  if (c.has_password && !c.has_username) return Malformed("CONNECT password without user name");
  if (!r.String("client identifier", true, &c.client_id)) return r.status();
  if (will) {
    std::string_view topic, message;
    if (!r.String("will topic", true, &topic) || !r.String("will message", false, &message)) {
      return r.status();
    }
  }
  if (c.has_username && !r.String("user name", true, &c.username)) return r.status();
  if (c.has_password && !r.String("password", false, &c.password)) return r.status();
  if (!r.empty()) return Malformed(fmt::format("CONNECT has {} trailing bytes", r.left()));
  return c;
}

void EncodeConnack(const Connack& c, std::string* out) {
  PutHeader(PacketType::kConnack, 0, 2, out);
  out->push_back(c.session_present ? 1 : 0);
  out->push_back(static_cast<char>(c.return_code));
}

Result<Connack> DecodeConnack(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kConnack));
  if (body.size() != 2) {
    return Malformed(fmt::format("CONNACK remaining length {} (must be 2)", body.size()));
  }
  const uint8_t ack_flags = static_cast<uint8_t>(body[0]);
  if (ack_flags & 0xfe) return Malformed("CONNACK reserved acknowledge flags set");
  Connack c;
  c.session_present = ack_flags & 1;
  c.return_code = static_cast<uint8_t>(body[1]);
  if (c.return_code > 5) {
    return Malformed(fmt::format("CONNACK return code {} (0-5 are defined)", c.return_code));
  }
  if (c.return_code != 0 && c.session_present) {
    return Malformed("CONNACK refuses the connection but says a session is present");
  }
  return c;
}

// --- PUBLISH / PUBACK ---------------------------------------------------------------------

void EncodePublish(const Publish& p, std::string* out) {
  const size_t topic = std::min<size_t>(p.topic.size(), 65535);
  const size_t len = 2 + topic + (p.qos > 0 ? 2 : 0) + p.payload.size();
  uint8_t flags = static_cast<uint8_t>((p.qos & 0x3) << 1);
  if (p.dup) flags |= 0x08;
  if (p.retain) flags |= 0x01;
  PutHeader(PacketType::kPublish, flags, len, out);
  PutString(p.topic, out);
  if (p.qos > 0) PutU16(p.packet_id, out);
  out->append(p.payload);
}

Result<Publish> DecodePublish(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kPublish));
  Publish p;
  p.qos = (h.flags >> 1) & 0x3;
  p.dup = h.flags & 0x08;
  p.retain = h.flags & 0x01;
  if (p.qos == 3) return Malformed("PUBLISH with QoS 3");
  if (p.qos == 0 && p.dup) return Malformed("PUBLISH with QoS 0 and the DUP flag set");
  BodyReader r("PUBLISH", body);
  if (!r.String("topic name", true, &p.topic)) return r.status();
  FG_RETURN_IF_ERROR(ValidateTopicName(p.topic));
  if (p.qos > 0) {
    if (!r.U16(&p.packet_id)) return r.status();
    if (p.packet_id == 0) return Malformed("PUBLISH with QoS > 0 and packet identifier 0");
  }
  p.payload = r.Rest();
  return p;
}

void EncodePuback(uint16_t packet_id, std::string* out) {
  out->push_back(static_cast<char>(static_cast<uint8_t>(PacketType::kPuback) << 4));
  out->push_back(2);
  PutU16(packet_id, out);
}

Result<uint16_t> DecodePuback(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kPuback));
  if (body.size() != 2) {
    return Malformed(fmt::format("PUBACK remaining length {} (must be 2)", body.size()));
  }
  const uint16_t id =
      static_cast<uint16_t>((static_cast<uint8_t>(body[0]) << 8) | static_cast<uint8_t>(body[1]));
  if (id == 0) return Malformed("PUBACK with packet identifier 0");
  return id;
}

// --- SUBSCRIBE / SUBACK -------------------------------------------------------------------

void EncodeSubscribe(const Subscribe& s, std::string* out) {
  size_t len = 2;
  for (const auto& [filter, qos] : s.filters) len += 2 + std::min<size_t>(filter.size(), 65535) + 1;
  PutHeader(PacketType::kSubscribe, 0x2, len, out);
  PutU16(s.packet_id, out);
  for (const auto& [filter, qos] : s.filters) {
    PutString(filter, out);
    out->push_back(static_cast<char>(qos));
  }
}

Result<Subscribe> DecodeSubscribe(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kSubscribe));
  BodyReader r("SUBSCRIBE", body);
  Subscribe s;
  if (!r.U16(&s.packet_id)) return r.status();
  if (s.packet_id == 0) return Malformed("SUBSCRIBE with packet identifier 0");
  while (!r.empty()) {
    std::string_view filter;
    uint8_t qos = 0;
    if (!r.String("topic filter", true, &filter) || !r.U8(&qos)) return r.status();
    if (qos > 2) return Malformed(fmt::format("SUBSCRIBE requested QoS byte {:#x}", qos));
    s.filters.emplace_back(filter, qos);
  }
  if (s.filters.empty()) return Malformed("SUBSCRIBE without a topic filter");
  return s;
}

void EncodeSuback(const Suback& s, std::string* out) {
  PutHeader(PacketType::kSuback, 0, 2 + s.return_codes.size(), out);
  PutU16(s.packet_id, out);
  for (uint8_t c : s.return_codes) out->push_back(static_cast<char>(c));
}

Result<Suback> DecodeSuback(const FixedHeader& h, std::string_view body) {
  FG_RETURN_IF_ERROR(CheckType(h, PacketType::kSuback));
  BodyReader r("SUBACK", body);
  Suback s;
  if (!r.U16(&s.packet_id)) return r.status();
  std::string_view codes = r.Rest();
  if (codes.empty()) return Malformed("SUBACK without a return code");
  for (char ch : codes) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (c > 2 && c != 0x80) return Malformed(fmt::format("SUBACK return code {:#x}", c));
    s.return_codes.push_back(c);
  }
  return s;
}

// --- PINGREQ / PINGRESP / DISCONNECT ------------------------------------------------------

void EncodePingreq(std::string* out) { PutHeader(PacketType::kPingreq, 0, 0, out); }
void EncodePingresp(std::string* out) { PutHeader(PacketType::kPingresp, 0, 0, out); }
void EncodeDisconnect(std::string* out) { PutHeader(PacketType::kDisconnect, 0, 0, out); }

Status DecodeEmpty(const FixedHeader& h, std::string_view body) {
  if (h.type != PacketType::kPingreq && h.type != PacketType::kPingresp &&
      h.type != PacketType::kDisconnect) {
    return Status::Internal(fmt::format("DecodeEmpty given a {}", PacketTypeName(h.type)));
  }
  if (!body.empty()) {
    return Malformed(fmt::format("{} with remaining length {} (must be 0)", PacketTypeName(h.type),
                                 body.size()));
  }
  return Status::Ok();
}

}  // namespace fluxgate::mqtt
