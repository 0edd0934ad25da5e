// Fuzzes the runtime's JSON record decoder (runtime/json_decoder.h): one Kinesis record /
// NDJSON line into rows of a schema that has a column of every type the decoder converts
// to (with names the seeds and the dictionary use), under each combination of the
// 'json.*' options Flink allows.
//
// Input: one byte choosing the options and whether the record is parsed in place (with
// simdjson's padding readable after it, as the log's reads leave it; the padding holds
// quotes, so a parser that reads it as JSON goes wrong) or copied; then the record. A
// decoder per option set lives
// for the whole run, as one does per worker, so parser and scratch reuse is exercised too.
//
// Invariants: no crash or sanitizer report; kRows appends rows (none only for `[]`) and
// every column then holds exactly num_rows values; kDeadLetter and kSkipped leave the builder
// exactly as it was and return the record's bytes with a reason; kSkipped only with
// ignore-parse-errors; every row renders (RowToString).
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "runtime/json_decoder.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

std::shared_ptr<const Schema> FuzzSchema() {
  static auto* schema = new std::shared_ptr<const Schema>(
      std::make_shared<Schema>(std::vector<Field>{{"device_id", DataType::String()},
                                                  {"timestamp", DataType::Timestamp(3)},
                                                  {"value", DataType::Double()},
                                                  {"count", DataType::Int()},
                                                  {"total", DataType::BigInt()},
                                                  {"price", DataType::Decimal(10, 2)},
                                                  {"big", DataType::Decimal(38, 6)},
                                                  {"ok", DataType::Boolean()},
                                                  {"ts0", DataType::Timestamp(0)},
                                                  {"ltz", DataType::TimestampLtz(6)},
                                                  {"nested", DataType::String()}}));
  return *schema;
}

struct Decoders {
  std::vector<JsonFormatOptions> options;
  std::vector<std::unique_ptr<JsonDecoder>> decoders;
};

Decoders& AllDecoders() {
  static Decoders* d = [] {
    auto* out = new Decoders();
    for (int i = 0; i < 3; ++i) {
      JsonFormatOptions o;
      o.fail_on_missing_field = i == 1;
      o.ignore_parse_errors = i == 2;
      out->options.push_back(o);
      out->decoders.push_back(std::make_unique<JsonDecoder>(FuzzSchema(), o));
    }
    return out;
  }();
  return *d;
}

void CheckShape(const RecordBatchBuilder& b) {
  for (size_t c = 0; c < b.schema().size(); ++c)
    FUZZ_CHECK(b.batch().column(c).size() == b.num_rows());
}

}  // namespace
}  // namespace fluxgate::runtime

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::runtime;
  if (size < 1) return 0;
  Decoders& d = AllDecoders();
  const size_t which = data[0] % d.decoders.size();
  const bool in_place = (data[0] / d.decoders.size()) % 2 == 1;
  // The record in a buffer of its own, followed by padding when parsed in place, so ASan
  // sees any read past what `readable` allows.
  std::string buffer(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t readable = 0;
  if (in_place) {
    buffer.append(simdjson::SIMDJSON_PADDING, '"');
    readable = buffer.size();
  }
  std::unique_ptr<char[]> exact(new char[buffer.size()]);
  std::memcpy(exact.get(), buffer.data(), buffer.size());
  const std::string_view record(exact.get(), size - 1);

  RecordBatchBuilder builder(FuzzSchema());
  // A row already in the builder: a failed record must not disturb it.
  DeadLetter dl;
  FUZZ_CHECK(d.decoders[which]->Decode(R"({"device_id":"seed","value":1})", builder, &dl) ==
                 DecodeOutcome::kRows ||
             d.options[which].fail_on_missing_field);
  const size_t before = builder.num_rows();
  const std::string before_text = before ? builder.batch().RowToString(0) : "";

  dl = DeadLetter{};
  DecodeOutcome outcome = d.decoders[which]->Decode(record, builder, &dl, readable);
  FUZZ_CHECK(std::memcmp(exact.get(), buffer.data(), buffer.size()) == 0);  // read only
  switch (outcome) {
    case DecodeOutcome::kRows:
      // Zero rows only for an empty top-level array.
      FUZZ_CHECK(builder.num_rows() > before || record.find('[') != std::string_view::npos);
      break;
    case DecodeOutcome::kSkipped:
      FUZZ_CHECK(d.options[which].ignore_parse_errors);
      [[fallthrough]];
    case DecodeOutcome::kDeadLetter:
      FUZZ_CHECK(builder.num_rows() == before);
      FUZZ_CHECK(dl.raw == record);
      FUZZ_CHECK(!dl.reason.empty());
      break;
  }
  CheckShape(builder);
  if (before) FUZZ_CHECK(builder.batch().RowToString(0) == before_text);
  for (size_t r = 0; r < builder.num_rows(); ++r) (void)builder.batch().RowToString(r);
  return 0;
}
