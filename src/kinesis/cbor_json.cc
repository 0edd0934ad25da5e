#include "kinesis/cbor_json.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "common/base64.h"
#include "common/json_writer.h"
#include "kinesis/cbor.h"
#include "kinesis/json_args.h"

namespace fluxgate::kinesis {
namespace {

// |epoch ms| beyond this is nonsense for Kinesis and would lose precision as a double.
constexpr double kMaxEpochMs = 9.0e15;
// simdjson saturates container sizes at this value; such containers are written with
// indefinite length instead.
constexpr size_t kSimdjsonSaturatedSize = 0xFFFFFF;

Status Unmappable(std::string_view what) {
  return Status::InvalidArgument(std::string("CBOR: ") + std::string(what));
}

// A CBOR float or an integer beyond int64 as a JSON number. to_chars may write an integral
// value as bare digits ("18446744073709551616"), which simdjson refuses as an integer out
// of range: such text gets ".0" so it parses as the double it is.
void AppendJsonDouble(double v, std::string& out) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf) - 2, v);
  const std::string_view text(buf, r.ptr - buf);
  out.append(text);
  if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

// Writes JSON as the CBOR items arrive. Each open container is a frame; in a map the
// frame alternates between expecting a key and a value.
class ToJson : public cbor::Visitor {
 public:
  explicit ToJson(std::string& out) : w_(out) {}

  Status Uint(uint64_t v) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    if (TakeEpochTag()) {
      if (v > static_cast<uint64_t>(kMaxEpochMs)) return Unmappable("epoch time out of range");
      w_.TimestampMs(static_cast<int64_t>(v));
    } else {
      w_.Uint(v);
    }
    return AfterValue();
  }
  Status NegativeMinusOne(uint64_t n) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    const bool epoch = TakeEpochTag();
    if (n <= static_cast<uint64_t>(INT64_MAX)) {
      const int64_t v = -1 - static_cast<int64_t>(n);
      if (epoch && v < -static_cast<int64_t>(kMaxEpochMs))
        return Unmappable("epoch time out of range");
      if (epoch)
        w_.TimestampMs(v);
      else
        w_.Int(v);
    } else {
      if (epoch) return Unmappable("epoch time out of range");
      // Below int64: JSON has no exact form the handlers could use; a double keeps the
      // magnitude so they report a range error rather than a parse error.
      std::string num;
      AppendJsonDouble(-(static_cast<double>(n) + 1.0), num);
      w_.Raw(num);
    }
    return AfterValue();
  }
  Status Float(double v) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    if (!std::isfinite(v)) return Unmappable("NaN and infinite floats have no JSON form");
    std::string num;
    if (TakeEpochTag()) {
      if (std::fabs(v) > kMaxEpochMs) return Unmappable("epoch time out of range");
      w_.TimestampMs(std::llround(v));
    } else {
      AppendJsonDouble(v, num);
      w_.Raw(num);
    }
    return AfterValue();
  }
  Status Bytes(std::string_view b) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.Base64(b);
    return AfterValue();
  }
  Status Text(std::string_view s) override {
    if (!frames_.empty() && frames_.back().map && frames_.back().expect_key) {
      epoch_tagged_ = false;  // a tag on a key means nothing here; ignore it
      w_.Key(s);
      frames_.back().expect_key = false;
      return Status::Ok();
    }
    FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.String(s);
    return AfterValue();
  }
  Status BeginArray(std::optional<uint64_t>) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.BeginArray();
    frames_.push_back({false, false});
    return Status::Ok();
  }
  Status EndArray() override {
    frames_.pop_back();
    w_.EndArray();
    return AfterValue();
  }
  Status BeginMap(std::optional<uint64_t>) override {
    if (!frames_.empty()) FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.BeginObject();
    frames_.push_back({true, true});
    return Status::Ok();
  }
  Status EndMap() override {
    frames_.pop_back();
    w_.EndObject();
    return AfterValue();
  }
  Status Tag(uint64_t tag) override {
    if (frames_.empty()) return Unmappable("the request body must be a CBOR map, not a tag");
    // Only the innermost tag decides; an outer tag 1 around another tag is not a time.
    epoch_tagged_ = tag == cbor::kTagEpochTime;
    return Status::Ok();
  }
  Status Bool(bool v) override {
    FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.Bool(v);
    return AfterValue();
  }
  Status Null() override {
    FG_RETURN_IF_ERROR(BeforeValue());
    FG_RETURN_IF_ERROR(NoEpochTag());
    w_.Null();
    return AfterValue();
  }
  Status Undefined() override { return Null(); }
  Status Simple(uint8_t v) override {
    return Unmappable("unassigned simple value " + std::to_string(v) + " has no JSON form");
  }

 private:
  struct Frame {
    bool map;
    bool expect_key;
  };

  Status BeforeValue() {
    if (frames_.empty()) return Unmappable("the request body must be a CBOR map");
    if (frames_.back().map && frames_.back().expect_key)
      return Unmappable("map keys must be text strings");
    return Status::Ok();
  }
  Status AfterValue() {
    epoch_tagged_ = false;
    if (!frames_.empty() && frames_.back().map) frames_.back().expect_key = true;
    return Status::Ok();
  }
  bool TakeEpochTag() {
    const bool t = epoch_tagged_;
    epoch_tagged_ = false;
    return t;
  }
  Status NoEpochTag() {
    if (epoch_tagged_) return Unmappable("tag 1 (epoch time) must hold a number");
    return Status::Ok();
  }

  JsonWriter w_;
  std::vector<Frame> frames_;
  bool epoch_tagged_ = false;
};

bool IsTimestampMember(std::string_view key) {
  return key == "ApproximateArrivalTimestamp" || key == "StreamCreationTimestamp" ||
         key == "ConsumerCreationTimestamp";
}

Status ElementToCbor(simdjson::dom::element e, std::string_view key, cbor::Writer& w, int depth) {
  using simdjson::dom::element_type;
  if (depth > 64) return Status::InvalidArgument("reply nests too deeply");
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj = e.get_object().value_unsafe();
      const size_t n = obj.size();
      const bool indefinite = n >= kSimdjsonSaturatedSize;
      if (indefinite)
        w.BeginIndefinite(cbor::Major::kMap);
      else
        w.BeginMap(n);
      for (auto field : obj) {
        w.Text(field.key);
        FG_RETURN_IF_ERROR(ElementToCbor(field.value, field.key, w, depth + 1));
      }
      if (indefinite) w.Break();
      return Status::Ok();
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr = e.get_array().value_unsafe();
      const size_t n = arr.size();
      const bool indefinite = n >= kSimdjsonSaturatedSize;
      if (indefinite)
        w.BeginIndefinite(cbor::Major::kArray);
      else
        w.BeginArray(n);
      // Members of a list keep the list's key: no Kinesis list holds blobs or times
      // directly, and passing it on would be wrong for lists of strings named "Data".
      for (simdjson::dom::element item : arr)
        FG_RETURN_IF_ERROR(ElementToCbor(item, {}, w, depth + 1));
      if (indefinite) w.Break();
      return Status::Ok();
    }
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (key == "Data") {
        auto bytes = Base64Decode(s);
        if (!bytes) return Status::InvalidArgument("reply Data is not base64");
        w.Bytes(*bytes);
      } else {
        w.Text(s);
      }
      return Status::Ok();
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      if (IsTimestampMember(key)) {
        const double secs = e.get_double().value_unsafe();
        w.Tag(cbor::kTagEpochTime).Int(std::llround(secs * 1000.0));
      } else if (e.type() == element_type::INT64) {
        w.Int(e.get_int64().value_unsafe());
      } else if (e.type() == element_type::UINT64) {
        w.Uint(e.get_uint64().value_unsafe());
      } else {
        w.Double(e.get_double().value_unsafe());
      }
      return Status::Ok();
    }
    case element_type::BOOL:
      w.Bool(e.get_bool().value_unsafe());
      return Status::Ok();
    case element_type::NULL_VALUE:
      w.Null();
      return Status::Ok();
  }
  return Status::InvalidArgument("unknown JSON element type");
}

}  // namespace

Status CborRequestToJson(std::string_view cbor_body, std::string& json) {
  // Base64 grows blobs by 4/3; keys gain quotes and punctuation. Reserving once avoids
  // regrowing (and copying) a large PutRecords body several times.
  json.reserve(json.size() + cbor_body.size() / 3 * 4 + cbor_body.size() / 2 + 64);
  ToJson v(json);
  return cbor::Decode(cbor_body, v);
}

ApiResult<simdjson::dom::object> ParseCborRequestBody(const std::string& body) {
  if (body.empty()) return ParseRequestBody(body);
  thread_local std::string json;
  json.clear();
  if (Status st = CborRequestToJson(body, json); !st.ok())
    return ApiError::Serialization(st.message());
  return ParseRequestBody(json);
}

Status JsonResponseToCbor(std::string_view json, std::string& out) {
  // Own parser: the request's DOM (json_args.cc's parser) may still be referenced.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS)
    return Status::InvalidArgument("reply is not JSON");
  cbor::Writer w(out);
  return ElementToCbor(root, {}, w, 0);
}

void WriteCborError(const ApiError& error, std::string& out) {
  cbor::Writer w(out);
  w.BeginMap(2).Text("__type").Text(error.type).Text("message").Text(error.message);
}

}  // namespace fluxgate::kinesis
