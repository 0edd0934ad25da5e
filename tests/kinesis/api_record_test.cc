// Data plane: PutRecord(s), GetShardIterator, GetRecords, iterator errors.
#include <set>
#include <thread>

#include "api_test_util.h"
#include "common/base64.h"
#include "log/sequence_number.h"

namespace fluxgate::kinesis::testing {
namespace {

using RecordOpsTest = ApiTest;

TEST_F(RecordOpsTest, PutThenGetFromTrimHorizon) {
  CreateStream("s", 1);
  auto [shard, seq1] = Put("s", "aGVsbG8A/w==", "pk");
  EXPECT_EQ(shard, "shardId-000000000000");
  auto [shard2, seq2] = Put("s", Base64Encode("second"), "pk");
  auto parts1 = log::DecodeSequenceNumber(seq1);
  auto parts2 = log::DecodeSequenceNumber(seq2);
  ASSERT_TRUE(parts1 && parts2);
  EXPECT_EQ(parts1->shard_index, 0u);
  EXPECT_LT(parts1->offset, parts2->offset);

  const std::string it = Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  ASSERT_LE(it.size(), 512u);
  auto r = Call("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Size("/Records"), 2u);
  EXPECT_EQ(r.Str("/Records/0/Data"), "aGVsbG8A/w==");
  EXPECT_EQ(r.Str("/Records/0/PartitionKey"), "pk");
  EXPECT_EQ(r.Str("/Records/0/SequenceNumber"), seq1);
  EXPECT_EQ(r.Str("/Records/1/SequenceNumber"), seq2);
  EXPECT_EQ(*Base64Decode(r.Str("/Records/1/Data")), "second");
  double ts = 0;
  ASSERT_EQ(r.json.at_pointer("/Records/0/ApproximateArrivalTimestamp").get(ts), simdjson::SUCCESS);
  EXPECT_GT(ts, 1.6e9);
  EXPECT_EQ(r.Int("/MillisBehindLatest"), 0);
  const std::string next = r.Str("/NextShardIterator");
  ASSERT_NE(next, "<missing>");

  // Nothing new yet: an empty page and another iterator.
  auto empty = Call("GetRecords", R"({"ShardIterator":")" + next + "\"}");
  EXPECT_EQ(empty.Size("/Records"), 0u);
  Put("s", Base64Encode("third"), "pk");
  auto third =
      Call("GetRecords", R"({"ShardIterator":")" + empty.Str("/NextShardIterator") + "\"}");
  ASSERT_EQ(third.Size("/Records"), 1u);
  EXPECT_EQ(*Base64Decode(third.Str("/Records/0/Data")), "third");
}

TEST_F(RecordOpsTest, IteratorTypes) {
  CreateStream("s", 1);
  auto [sh, seq1] = Put("s", Base64Encode("one"), "k");
  auto [sh2, seq2] = Put("s", Base64Encode("two"), "k");
  const std::string shard = "shardId-000000000000";

  auto at = Call("GetRecords", R"({"ShardIterator":")" +
                                   Iterator("s", shard, "AT_SEQUENCE_NUMBER",
                                            ",\"StartingSequenceNumber\":\"" + seq2 + "\"") +
                                   "\"}");
  ASSERT_EQ(at.Size("/Records"), 1u);
  EXPECT_EQ(at.Str("/Records/0/SequenceNumber"), seq2);

  auto after = Call("GetRecords", R"({"ShardIterator":")" +
                                      Iterator("s", shard, "AFTER_SEQUENCE_NUMBER",
                                               ",\"StartingSequenceNumber\":\"" + seq1 + "\"") +
                                      "\"}");
  ASSERT_EQ(after.Size("/Records"), 1u);
  EXPECT_EQ(after.Str("/Records/0/SequenceNumber"), seq2);

  auto latest =
      Call("GetRecords", R"({"ShardIterator":")" + Iterator("s", shard, "LATEST") + "\"}");
  EXPECT_EQ(latest.Size("/Records"), 0u);

  // botocore sends integer seconds; an old timestamp starts at the oldest record.
  auto ts = Call("GetRecords",
                 R"({"ShardIterator":")" +
                     Iterator("s", shard, "AT_TIMESTAMP", ",\"Timestamp\":1000000000") + "\"}");
  EXPECT_EQ(ts.Size("/Records"), 2u);
  auto ts_exp =
      Call("GetRecords", R"({"ShardIterator":")" +
                             Iterator("s", shard, "AT_TIMESTAMP", ",\"Timestamp\":1.0E9") + "\"}");
  EXPECT_EQ(ts_exp.Size("/Records"), 2u);
}

TEST_F(RecordOpsTest, IteratorArgumentErrors) {
  CreateStream("s", 2);
  auto [shard, seq] = Put("s", Base64Encode("x"), "k");
  const std::string other =
      shard == "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
  auto missing = Call("GetShardIterator", R"({"StreamName":"s","ShardId":")" + shard +
                                              R"(","ShardIteratorType":"AT_SEQUENCE_NUMBER"})");
  EXPECT_EQ(missing.Type(), "InvalidArgumentException");
  auto forbidden =
      Call("GetShardIterator", R"({"StreamName":"s","ShardId":")" + shard +
                                   R"(","ShardIteratorType":"LATEST","StartingSequenceNumber":")" +
                                   seq + "\"}");
  EXPECT_EQ(forbidden.Type(), "InvalidArgumentException");
  auto wrong_shard = Call(
      "GetShardIterator",
      R"({"StreamName":"s","ShardId":")" + other +
          R"(","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":")" + seq + "\"}");
  EXPECT_EQ(wrong_shard.Type(), "InvalidArgumentException");
  EXPECT_EQ(wrong_shard.Message(), "Invalid StartingSequenceNumber. It encodes " + shard +
                                       ", while it was used in a call to a shard with " + other);
  auto garbage =
      Call("GetShardIterator",
           R"({"StreamName":"s","ShardId":")" + shard +
               R"(","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"12345"})");
  EXPECT_EQ(garbage.Type(), "InvalidArgumentException");
  const int64_t future_secs = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() +
                              3600;
  auto future =
      Call("GetShardIterator", R"({"StreamName":"s","ShardId":")" + shard +
                                   R"(","ShardIteratorType":"AT_TIMESTAMP","Timestamp":)" +
                                   std::to_string(future_secs) + "}");
  EXPECT_EQ(future.Type(), "InvalidArgumentException");
  auto bad_type =
      Call("GetShardIterator",
           R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"})");
  EXPECT_EQ(bad_type.Type(), "ValidationException");
  auto no_shard =
      Call("GetShardIterator",
           R"({"StreamName":"s","ShardId":"shardId-000000000009","ShardIteratorType":"LATEST"})");
  EXPECT_EQ(no_shard.Type(), "ResourceNotFoundException");
}

TEST_F(RecordOpsTest, BadAndExpiredIterators) {
  auto o = DefaultOptions();
  o.iterator_ttl_ms = 100;
  Start(o);
  CreateStream("s", 1);
  const std::string it = Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  auto bad = Call("GetRecords", R"({"ShardIterator":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})");
  EXPECT_EQ(bad.Type(), "InvalidArgumentException");
  EXPECT_EQ(bad.Message(), "Invalid ShardIterator.");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  auto expired = Call("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  EXPECT_EQ(expired.Type(), "ExpiredIteratorException");
}

TEST_F(RecordOpsTest, IteratorOfDeletedAndRecreatedStreamIsRejected) {
  CreateStream("s", 1);
  const std::string it = Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  ASSERT_EQ(Call("DeleteStream", R"({"StreamName":"s"})").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CreateStream("s", 1);
  auto r = Call("GetRecords", R"({"ShardIterator":")" + it + "\"}");
  EXPECT_EQ(r.Type(), "ResourceNotFoundException");
}

TEST_F(RecordOpsTest, PutRecordsMixedShardsAndOrder) {
  CreateStream("s", 4);
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) body += ",";
    body += R"({"Data":")" + Base64Encode("rec-" + std::to_string(i)) +
            R"(","PartitionKey":"key-)" + std::to_string(i) + "\"}";
  }
  body += "]}";
  auto r = Call("PutRecords", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Int("/FailedRecordCount"), 0);
  ASSERT_EQ(r.Size("/Records"), 100u);
  std::set<std::string> shards;
  for (int i = 0; i < 100; ++i) {
    const std::string p = "/Records/" + std::to_string(i);
    const std::string sid = r.Str((p + "/ShardId").c_str());
    shards.insert(sid);
    auto parts = log::DecodeSequenceNumber(r.Str((p + "/SequenceNumber").c_str()));
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ("shardId-00000000000" + std::to_string(parts->shard_index), sid);
  }
  EXPECT_GT(shards.size(), 1u);

  // Read every shard back: all 100 payloads, each once.
  std::set<std::string> seen;
  for (const auto& sid : shards) {
    auto g =
        Call("GetRecords", R"({"ShardIterator":")" + Iterator("s", sid, "TRIM_HORIZON") + "\"}");
    for (size_t i = 0; i < g.Size("/Records"); ++i)
      seen.insert(*Base64Decode(g.Str(("/Records/" + std::to_string(i) + "/Data").c_str())));
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_TRUE(seen.count("rec-42"));
}

TEST_F(RecordOpsTest, ExplicitHashKeyRoutes) {
  CreateStream("s", 2);
  auto r = Call(
      "PutRecord",
      R"({"StreamName":"s","Data":"AA==","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211455"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str("/ShardId"), "shardId-000000000001");
  auto over = Call(
      "PutRecord",
      R"({"StreamName":"s","Data":"AA==","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211456"})");
  EXPECT_EQ(over.Type(), "InvalidArgumentException");
  auto bad = Call("PutRecord",
                  R"({"StreamName":"s","Data":"AA==","PartitionKey":"k","ExplicitHashKey":"-1"})");
  EXPECT_EQ(bad.Type(), "ValidationException");
}

TEST_F(RecordOpsTest, PutValidation) {
  CreateStream("s", 1);
  EXPECT_EQ(Call("PutRecord", R"({"StreamName":"s","Data":"!!!","PartitionKey":"k"})").Type(),
            "SerializationException");
  auto nopk = Call("PutRecord", R"({"StreamName":"s","Data":"AA=="})");
  EXPECT_EQ(nopk.Message(),
            "1 validation error detected: Value null at 'partitionKey' failed to satisfy "
            "constraint: Member must not be null");
  auto empty = Call("PutRecords", R"({"StreamName":"s","Records":[]})");
  EXPECT_EQ(empty.Type(), "ValidationException");
  auto rec = Call(
      "PutRecords",
      R"({"StreamName":"s","Records":[{"Data":"AA==","PartitionKey":"k"},{"Data":"AA==","PartitionKey":""}]})");
  EXPECT_EQ(rec.Message(),
            "1 validation error detected: Value '' at 'records.2.member.partitionKey' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1");
  std::string big = R"({"StreamName":"s","Records":[)";
  const std::string chunk = Base64Encode(std::string(1000 * 1000, 'x'));
  for (int i = 0; i < 6; ++i)
    big += (i ? "," : "") + (R"({"Data":")" + chunk + R"(","PartitionKey":"k"})");
  big += "]}";
  auto too_big = Call("PutRecords", big);
  EXPECT_EQ(too_big.Type(), "InvalidArgumentException");
  std::string many = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 501; ++i)
    many += std::string(i ? "," : "") + R"({"Data":"AA==","PartitionKey":"k"})";
  many += "]}";
  EXPECT_EQ(Call("PutRecords", many).Type(), "ValidationException");
  EXPECT_EQ(
      Call("PutRecords", R"({"StreamName":"nope","Records":[{"Data":"AA==","PartitionKey":"k"}]})")
          .Type(),
      "ResourceNotFoundException");
}

TEST_F(RecordOpsTest, GetRecordsLimit) {
  CreateStream("s", 1);
  for (int i = 0; i < 5; ++i) Put("s", Base64Encode(std::to_string(i)), "k");
  const std::string it = Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  auto r = Call("GetRecords", R"({"ShardIterator":")" + it + R"(","Limit":2})");
  ASSERT_EQ(r.Size("/Records"), 2u);
  auto r2 = Call("GetRecords", R"({"ShardIterator":")" + r.Str("/NextShardIterator") + R"("})");
  ASSERT_EQ(r2.Size("/Records"), 3u);
  EXPECT_EQ(*Base64Decode(r2.Str("/Records/0/Data")), "2");
  EXPECT_EQ(Call("GetRecords", R"({"ShardIterator":")" + it + R"(","Limit":10001})").Type(),
            "ValidationException");
}

}  // namespace
}  // namespace fluxgate::kinesis::testing
