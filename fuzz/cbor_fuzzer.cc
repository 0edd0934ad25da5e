// Fuzzes the CBOR decoder (kinesis/cbor.h) and the Kinesis CBOR<->JSON transcoder
// (kinesis/cbor_json.h) the API runs on every `application/x-amz-cbor-1.1` request.
//
// Invariants checked on every input:
//  - the visitor sees balanced containers, and a definite array/map exactly the number of
//    items it announced;
//  - Decode and ToDiagnostic agree on whether the input is valid;
//  - re-encoding what the decoder saw with cbor::Writer gives CBOR that decodes again;
//  - CborRequestToJson succeeds only with a JSON object that simdjson parses, and
//    ParseCborRequestBody agrees with it;
//  - JsonResponseToCbor (the reply path) of that JSON, when it succeeds, decodes as CBOR.
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "kinesis/cbor.h"
#include "kinesis/cbor_json.h"

namespace fluxgate::cbor {
namespace {

// Checks container balance and counts while copying every item into a Writer.
class CheckingCopier final : public Visitor {
 public:
  explicit CheckingCopier(std::string& out) : w_(out) {}

  Status Uint(uint64_t v) override {
    return Item([&] { w_.Uint(v); });
  }
  Status NegativeMinusOne(uint64_t n) override {
    return Item([&] { w_.NegativeMinusOne(n); });
  }
  Status Bytes(std::string_view b) override {
    return Item([&] { w_.Bytes(b); });
  }
  Status Text(std::string_view t) override {
    return Item([&] { w_.Text(t); });
  }
  Status BeginArray(std::optional<uint64_t> items) override {
    Count();
    if (items)
      w_.BeginArray(*items);
    else
      w_.BeginIndefinite(Major::kArray);
    open_.push_back({items, 0, false});
    return Status::Ok();
  }
  Status EndArray() override { return End(false); }
  Status BeginMap(std::optional<uint64_t> pairs) override {
    Count();
    if (pairs)
      w_.BeginMap(*pairs);
    else
      w_.BeginIndefinite(Major::kMap);
    // A definite map's pairs can exceed what fits in uint64 items; saturate, it only
    // matters for the equality check below, which such an input never reaches.
    std::optional<uint64_t> items;
    if (pairs) items = *pairs > UINT64_MAX / 2 ? UINT64_MAX : *pairs * 2;
    open_.push_back({items, 0, true});
    return Status::Ok();
  }
  Status EndMap() override { return End(true); }
  Status Tag(uint64_t tag) override {
    w_.Tag(tag);
    return Status::Ok();  // the tagged item that follows is the counted one
  }
  Status Bool(bool v) override {
    return Item([&] { w_.Bool(v); });
  }
  Status Null() override {
    return Item([&] { w_.Null(); });
  }
  Status Undefined() override {
    return Item([&] { w_.Undefined(); });
  }
  Status Simple(uint8_t v) override {
    FUZZ_CHECK(v < 20 || v >= 32);
    return Item([&] { w_.Simple(v); });
  }
  Status Float(double v) override {
    return Item([&] { w_.Double(v); });
  }

  int items = 0;
  bool balanced() const { return open_.empty(); }

 private:
  struct Open {
    std::optional<uint64_t> items;
    uint64_t seen;
    bool map;
  };
  void Count() {
    ++items;
    if (!open_.empty()) ++open_.back().seen;
  }
  template <typename Fn>
  Status Item(Fn&& write) {
    Count();
    write();
    return Status::Ok();
  }
  Status End(bool map) {
    FUZZ_CHECK(!open_.empty());
    const Open& o = open_.back();
    FUZZ_CHECK(o.map == map);
    if (o.items) {
      FUZZ_CHECK(o.seen == *o.items);
    } else {
      FUZZ_CHECK(!map || o.seen % 2 == 0);
      w_.Break();
    }
    open_.pop_back();
    return Status::Ok();
  }

  Writer w_;
  std::vector<Open> open_;
};

}  // namespace
}  // namespace fluxgate::cbor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate;
  const std::string_view in = fuzz::AsView(data, size);

  std::string copy;
  cbor::CheckingCopier copier(copy);
  const Status decoded = cbor::Decode(in, copier);
  const auto diagnostic = cbor::ToDiagnostic(in);
  FUZZ_CHECK(decoded.ok() == diagnostic.ok());
  if (decoded.ok()) {
    FUZZ_CHECK(copier.balanced());
    FUZZ_CHECK(copier.items > 0);
    std::string again;
    cbor::CheckingCopier recheck(again);
    const Status redecoded = cbor::Decode(copy, recheck);
    if (!redecoded.ok()) {
      std::fprintf(stderr, "re-encoded CBOR does not decode: %s\n", redecoded.ToString().c_str());
      FUZZ_CHECK(redecoded.ok());
    }
  }

  std::string json;
  const Status transcoded = kinesis::CborRequestToJson(in, json);
  const std::string body(in);
  auto parsed = kinesis::ParseCborRequestBody(body);
  if (transcoded.ok()) {
    FUZZ_CHECK(decoded.ok());
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    const auto error = parser.parse(json).get(root);
    if (error != simdjson::SUCCESS) {
      std::fprintf(stderr, "transcoded JSON does not parse (%s): %s\n",
                   simdjson::error_message(error), json.c_str());
      FUZZ_CHECK(error == simdjson::SUCCESS);
    }
    FUZZ_CHECK(root.is_object());
    std::string reply;
    if (kinesis::JsonResponseToCbor(json, reply).ok()) {
      std::string sink;
      cbor::CheckingCopier reply_check(sink);
      FUZZ_CHECK(cbor::Decode(reply, reply_check).ok());
    }
  }
  if (!body.empty()) FUZZ_CHECK(transcoded.ok() == parsed.ok());
  return 0;
}
