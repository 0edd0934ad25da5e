#include "alerts/alert.h"

#include <cstdio>
#include <ctime>

#include "common/json_writer.h"

namespace fluxgate::alerts {
namespace {

// FNV-1a with the 128-bit parameters (offset basis and prime from the FNV reference).
// Not cryptographic: ids only need to be stable and collide rarely among one topic's
// alerts, and FNV needs no dependency in this layer.
class Fnv128 {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= kPrime;
    }
  }
  // Length first, so ("ab","c") and ("a","bc") hash differently.
  void AddField(std::string_view field) {
    uint64_t n = field.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    Add(std::string_view(len, 8));
    Add(field);
  }
  std::string Hex() const {
    static const char kDigits[] = "0123456789abcdef";
    std::string out(32, '0');
    unsigned __int128 v = h_;
    for (int i = 31; i >= 0; --i) {
      out[i] = kDigits[static_cast<unsigned>(v & 0xf)];
      v >>= 4;
    }
    return out;
  }

 private:
  static constexpr unsigned __int128 kPrime =
      (static_cast<unsigned __int128>(0x0000000001000000ull) << 64) | 0x000000000000013Bull;
  unsigned __int128 h_ =
      (static_cast<unsigned __int128>(0x6c62272e07bb0142ull) << 64) | 0x62b821756295c58dull;
};

bool LooksLikeObject(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  const auto last = s.find_last_not_of(" \t\r\n");
  return first != std::string_view::npos && s[first] == '{' && s[last] == '}';
}

}  // namespace

std::string AlertId(std::string_view topic, std::string_view rule, std::string_view attributes) {
  Fnv128 h;
  h.AddField(topic);
  h.AddField(rule);
  h.AddField(attributes);
  return h.Hex();
}

std::string FormatTimeUtc(int64_t epoch_ms) {
  int64_t secs = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) {  // floor, so -1 ms is 23:59:59.999 of the day before
    ms += 1000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void AppendAlertJson(const Alert& a, std::string& out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("id").String(a.id);
  w.Key("topic").String(a.topic);
  w.Key("rule").String(a.rule);
  w.Key("severity").String(a.severity);
  w.Key("subject").String(a.subject);
  w.Key("message").String(a.message);
  w.Key("time").String(FormatTimeUtc(a.event_time_ms));
  w.Key("attributes");
  if (a.attributes.empty()) {
    w.Raw("{}");
  } else if (LooksLikeObject(a.attributes)) {
    w.Raw(a.attributes);
  } else {
    w.BeginObject().Key("raw").String(a.attributes).EndObject();
  }
  // Only cooldown summaries carry these, so a plain alert's document is unchanged.
  if (a.count > 1) {
    w.Key("count").Uint(a.count);
    w.Key("first_time").String(FormatTimeUtc(a.first_time_ms));
  }
  w.EndObject();
}

}  // namespace fluxgate::alerts
