// Fuzzes the Kinesis JSON 1.1 request decoding: ParseRequestBody (simdjson with the
// thread's reusable parser) and the JsonArgs getters every operation reads its members
// with, walking the shapes of PutRecords/PutRecord/GetRecords/CreateStream requests. The
// blobs go through the strict base64 decoder, hash keys through ParseU128.
//
// Invariants: no crash or sanitizer report; a Base64Decode result fits the bound the
// callers size their arena by; a decoded blob re-encodes to its input (one encoding).
#include <string>

#include "common/base64.h"
#include "fuzz_util.h"
#include "kinesis/json_args.h"
#include "kinesis/validation.h"
#include "log/types.h"

namespace fluxgate::kinesis {
namespace {

void CheckBlob(std::string_view text) {
  std::string out(Base64MaxDecodedSize(text.size()), '\0');
  std::optional<size_t> n = Base64Decode(text, out.data());
  if (!n) return;
  FUZZ_CHECK(*n <= out.size());
  out.resize(*n);
  FUZZ_CHECK(Base64Encode(out) == text);
}

void ReadRecord(JsonArgs& args) {
  if (auto data = args.String("Data")) CheckBlob(*data);
  if (auto key = args.String("PartitionKey")) (void)log::HashPartitionKey(*key);
  if (auto hash = args.String("ExplicitHashKey")) {
    if (MatchesDecimalPattern(*hash, 39)) (void)log::ParseU128(*hash);
  }
}

void ReadRequest(JsonArgs& args) {
  if (auto name = args.String("StreamName")) (void)MatchesNamePattern(*name);
  if (auto arn = args.String("StreamARN")) {
    std::string_view region, account, name;
    (void)ParseStreamArn(*arn, &region, &account, &name);
  }
  (void)args.Int("ShardCount");
  (void)args.Int("Limit");
  (void)args.Bool("EnforceConsumerDeletion");
  (void)args.TimestampMs("Timestamp");
  (void)args.TimestampMs("ExclusiveStartTimestamp");
  (void)args.String("ShardIteratorType");
  (void)args.String("StartingSequenceNumber");
  if (auto mode = args.Object("StreamModeDetails")) {
    JsonArgs inner(*mode);
    (void)inner.String("StreamMode");
  }
  if (auto tags = args.Object("Tags")) {
    for (auto [key, value] : *tags) {
      std::optional<ApiError> error;
      (void)key;
      (void)AsString(value, &error);
    }
  }
  if (auto filter = args.Object("ShardFilter")) {
    JsonArgs inner(*filter);
    (void)inner.String("Type");
    (void)inner.TimestampMs("Timestamp");
  }
  ReadRecord(args);  // PutRecord carries the record members at the top level
  if (auto records = args.Array("Records")) {
    for (simdjson::dom::element e : *records) {
      simdjson::dom::object obj;
      if (e.get(obj) != simdjson::SUCCESS) continue;
      JsonArgs record(obj);
      ReadRecord(record);
    }
  }
  if (auto keys = args.Array("TagKeys")) {
    for (simdjson::dom::element e : *keys) {
      std::optional<ApiError> error;
      (void)AsString(e, &error);
      (void)AsInt(e, &error);
      (void)AsTimestampMs(e, &error);
    }
  }
}

}  // namespace
}  // namespace fluxgate::kinesis

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::kinesis;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto obj = ParseRequestBody(body);
  if (!obj.ok()) {
    FUZZ_CHECK(obj.error().type == "SerializationException");
    return 0;
  }
  JsonArgs args(*obj);
  ReadRequest(args);
  if (!args.ok()) FUZZ_CHECK(!args.error()->type.empty());
  return 0;
}
