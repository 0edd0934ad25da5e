// Inputs found by fuzz/json_decoder_fuzzer.cc (docs/design/fuzzing.md), each kept as the
// test that would have caught it.
#include <gtest/gtest.h>

#include "runtime/json_decoder.h"

namespace fluxgate::runtime {
namespace {

using sql::DataType;

// An empty top-level array is a record with no rows: kRows with nothing appended (what
// Flink's JSON format does), not a dead letter. The header promised "one or more rows";
// it now says so.
TEST(JsonDecoderRegression, EmptyTopLevelArrayGivesNoRows) {
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"device_id", DataType::String()}, {"value", DataType::Double()}});
  JsonDecoder decoder(schema, JsonFormatOptions{});
  RecordBatchBuilder builder(schema);
  DeadLetter dl;
  ASSERT_EQ(decoder.Decode(R"({"device_id":"a","value":1})", builder, &dl), DecodeOutcome::kRows);
  EXPECT_EQ(decoder.Decode("[]", builder, &dl), DecodeOutcome::kRows);
  EXPECT_EQ(decoder.Decode(" [ ] ", builder, &dl), DecodeOutcome::kRows);
  EXPECT_EQ(builder.num_rows(), 1u);
  EXPECT_EQ(builder.batch().RowToString(0), "[a, 1.0]");
  // Anything after the array is still malformed.
  EXPECT_EQ(decoder.Decode("[] x", builder, &dl), DecodeOutcome::kDeadLetter);
  EXPECT_EQ(builder.num_rows(), 1u);
}

}  // namespace
}  // namespace fluxgate::runtime
