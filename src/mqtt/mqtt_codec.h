// MQTT 3.1.1 packet codec: the packets a QoS 0/1 client (and, for tests and the benchmark,
// a broker) exchanges — CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ,
// PINGRESP, DISCONNECT. Format: OASIS MQTT 3.1.1, sections 2 and 3.
//
// Decoding is strict: reserved flag bits, remaining lengths, string lengths, UTF-8 and
// wildcards in topic names are checked, and a malformed packet is an InvalidArgument whose
// message says which rule it broke (the connection is then closed, as the spec requires).
// Decoded packets hold views into the caller's buffer. Encoders append to a string.
// Shared by MQTT ingest (src/ingest/) and the alerts MQTT channel (src/alerts/), hence its
// own library, fg_mqtt. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace fluxgate::mqtt {

enum class PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};
const char* PacketTypeName(PacketType type);

inline constexpr uint32_t kMaxRemainingLength = 268'435'455;  // 4 varint bytes

struct FixedHeader {
  PacketType type = PacketType::kConnect;
  uint8_t flags = 0;              // low nibble of the first byte
  uint32_t remaining_length = 0;  // bytes after the fixed header
  uint32_t header_bytes = 0;      // 1 + varint length (2..5)
  size_t packet_bytes() const { return header_bytes + remaining_length; }
};

// Reads the fixed header at the front of `in`. Returns the total packet size once the
// header is complete (the body may still be incomplete: compare with in.size()), 0 if more
// bytes are needed for the header, or InvalidArgument for a bad type, reserved flags or a
// remaining length that is malformed or above `max_packet_bytes`.
Result<size_t> DecodeFixedHeader(std::string_view in, uint32_t max_packet_bytes,
                                 FixedHeader* header);

// Appends the remaining-length varint (0..kMaxRemainingLength).
void EncodeRemainingLength(uint32_t value, std::string* out);

struct Connect {
  std::string_view client_id;
  bool clean_session = true;
  uint16_t keepalive_secs = 0;
  bool has_username = false;
  std::string_view username;
  bool has_password = false;
  std::string_view password;
  // A will message is not supported by the client; the decoder accepts and skips it.
};
struct Connack {
  bool session_present = false;
  uint8_t return_code = 0;  // 0 accepted; 1..5 refused (ConnackReason)
};
const char* ConnackReason(uint8_t return_code);

struct Publish {
  std::string_view topic;
  std::string_view payload;
  uint16_t packet_id = 0;  // 0 when qos == 0
  uint8_t qos = 0;
  bool dup = false;
  bool retain = false;
};
struct Subscribe {
  uint16_t packet_id = 0;
  std::vector<std::pair<std::string_view, uint8_t>> filters;  // (filter, requested qos)
};
struct Suback {
  uint16_t packet_id = 0;
  std::vector<uint8_t> return_codes;  // granted qos 0..2, or 0x80 = failure
};

// Decoders take the header and the body (header.remaining_length bytes after the header).
Result<Connect> DecodeConnect(const FixedHeader& h, std::string_view body);
Result<Connack> DecodeConnack(const FixedHeader& h, std::string_view body);
Result<Publish> DecodePublish(const FixedHeader& h, std::string_view body);
// PUBACK's packet id (also checks the flags and that it is not 0).
Result<uint16_t> DecodePuback(const FixedHeader& h, std::string_view body);
Result<Subscribe> DecodeSubscribe(const FixedHeader& h, std::string_view body);
Result<Suback> DecodeSuback(const FixedHeader& h, std::string_view body);
// PINGREQ, PINGRESP, DISCONNECT: flags 0, no body.
Status DecodeEmpty(const FixedHeader& h, std::string_view body);

// Encoders. Strings longer than 65535 bytes, packets past kMaxRemainingLength or a
// packet id of 0 with qos > 0 are programmer errors checked by the callers (config
// validation); the encoders then truncate rather than write a malformed length.
void EncodeConnect(const Connect& c, std::string* out);
void EncodeConnack(const Connack& c, std::string* out);
void EncodePublish(const Publish& p, std::string* out);
void EncodePuback(uint16_t packet_id, std::string* out);
void EncodeSubscribe(const Subscribe& s, std::string* out);
void EncodeSuback(const Suback& s, std::string* out);
void EncodePingreq(std::string* out);
void EncodePingresp(std::string* out);
void EncodeDisconnect(std::string* out);

// MQTT topic names (section 4.7.3): at least one byte, well-formed UTF-8, no U+0000, no
// wildcards ('+', '#').
Status ValidateTopicName(std::string_view topic);
// Well-formed UTF-8 without U+0000 and without surrogates (section 1.5.3).
bool IsMqttUtf8(std::string_view s);

}  // namespace fluxgate::mqtt
