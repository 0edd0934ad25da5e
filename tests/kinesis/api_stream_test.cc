// Stream lifecycle: create, describe, list, delete, retention, tags, limits, transitions.
#include <thread>

#include "api_test_util.h"

namespace fluxgate::kinesis::testing {
namespace {

using StreamOpsTest = ApiTest;

TEST_F(StreamOpsTest, CreateThenDescribe) {
  CreateStream("orders", 2);
  auto r = Call("DescribeStream", R"({"StreamName":"orders"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str("/StreamDescription/StreamName"), "orders");
  EXPECT_EQ(r.Str("/StreamDescription/StreamARN"),
            "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_EQ(r.Str("/StreamDescription/StreamStatus"), "ACTIVE");
  EXPECT_EQ(r.Str("/StreamDescription/StreamModeDetails/StreamMode"), "PROVISIONED");
  EXPECT_EQ(r.Str("/StreamDescription/EncryptionType"), "NONE");
  EXPECT_EQ(r.Int("/StreamDescription/RetentionPeriodHours"), 24);
  EXPECT_EQ(r.Size("/StreamDescription/EnhancedMonitoring/0/ShardLevelMetrics"), 0u);
  ASSERT_EQ(r.Size("/StreamDescription/Shards"), 2u);
  EXPECT_EQ(r.Str("/StreamDescription/Shards/0/ShardId"), "shardId-000000000000");
  EXPECT_EQ(r.Str("/StreamDescription/Shards/0/HashKeyRange/StartingHashKey"), "0");
  EXPECT_EQ(r.Str("/StreamDescription/Shards/0/HashKeyRange/EndingHashKey"),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(r.Str("/StreamDescription/Shards/1/HashKeyRange/StartingHashKey"),
            "170141183460469231731687303715884105728");
  EXPECT_NE(r.Str("/StreamDescription/Shards/1/SequenceNumberRange/StartingSequenceNumber"),
            "<missing>");
  EXPECT_FALSE(r.Has("/StreamDescription/Shards/1/SequenceNumberRange/EndingSequenceNumber"));
  bool more = true;
  ASSERT_EQ(r.json.at_pointer("/StreamDescription/HasMoreShards").get(more), simdjson::SUCCESS);
  EXPECT_FALSE(more);
  double ts = 0;
  ASSERT_EQ(r.json.at_pointer("/StreamDescription/StreamCreationTimestamp").get(ts),
            simdjson::SUCCESS);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(ts, now, 60);
}

TEST_F(StreamOpsTest, DescribeByArnAndPagination) {
  CreateStream("paged", 3);
  auto r = Call("DescribeStream",
                R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/paged","Limit":2})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Size("/StreamDescription/Shards"), 2u);
  bool more = false;
  ASSERT_EQ(r.json.at_pointer("/StreamDescription/HasMoreShards").get(more), simdjson::SUCCESS);
  EXPECT_TRUE(more);
  auto r2 = Call("DescribeStream",
                 R"({"StreamName":"paged","ExclusiveStartShardId":"shardId-000000000001"})");
  ASSERT_EQ(r2.Size("/StreamDescription/Shards"), 1u);
  EXPECT_EQ(r2.Str("/StreamDescription/Shards/0/ShardId"), "shardId-000000000002");
}

TEST_F(StreamOpsTest, CreateErrors) {
  CreateStream("dup", 1);
  auto r = Call("CreateStream", R"({"StreamName":"dup","ShardCount":1})");
  EXPECT_EQ(r.Type(), "ResourceInUseException");
  EXPECT_EQ(r.Message(), "Stream dup under account 000000000000 already exists.");

  auto v = Call("CreateStream", R"({"StreamName":"a b","ShardCount":0})");
  EXPECT_EQ(v.Type(), "ValidationException");
  EXPECT_EQ(v.Message(),
            "2 validation errors detected: Value 'a b' at 'streamName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1");
  EXPECT_EQ(Call("CreateStream", R"({"ShardCount":1})").Message(),
            "1 validation error detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(
      Call("CreateStream",
           R"({"StreamName":"od","ShardCount":2,"StreamModeDetails":{"StreamMode":"ON_DEMAND"}})")
          .Type(),
      "InvalidArgumentException");
  EXPECT_EQ(Call("CreateStream", R"({"StreamName":"nocount"})").Type(), "InvalidArgumentException");
}

TEST_F(StreamOpsTest, OnDemandStreamGetsConfiguredShards) {
  auto r =
      Call("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Call("DescribeStreamSummary", R"({"StreamName":"od"})");
  EXPECT_EQ(d.Int("/StreamDescriptionSummary/OpenShardCount"), 4);
  EXPECT_EQ(d.Int("/StreamDescriptionSummary/ConsumerCount"), 0);
  EXPECT_EQ(d.Str("/StreamDescriptionSummary/StreamModeDetails/StreamMode"), "ON_DEMAND");
}

TEST_F(StreamOpsTest, ShardLimitIsEnforced) {
  auto o = DefaultOptions();
  o.shard_limit = 3;
  Start(o);
  CreateStream("a", 2);
  auto r = Call("CreateStream", R"({"StreamName":"b","ShardCount":2})");
  EXPECT_EQ(r.Type(), "LimitExceededException");
  auto l = Call("DescribeLimits", "{}");
  EXPECT_EQ(l.Int("/ShardLimit"), 3);
  EXPECT_EQ(l.Int("/OpenShardCount"), 2);
}

TEST_F(StreamOpsTest, NotFoundUsesAwsText) {
  auto r = Call("DescribeStream", R"({"StreamName":"ghost"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Type(), "ResourceNotFoundException");
  EXPECT_EQ(r.Message(), "Stream ghost under account 000000000000 not found.");
  EXPECT_EQ(Call("DeleteStream", R"({"StreamName":"ghost"})").Type(), "ResourceNotFoundException");
}

TEST_F(StreamOpsTest, ListStreamsPaginatesWithNextToken) {
  for (const char* n : {"s1", "s2", "s3"}) CreateStream(n, 1);
  auto r = Call("ListStreams", R"({"Limit":2})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Size("/StreamNames"), 2u);
  EXPECT_EQ(r.Str("/StreamNames/0"), "s1");
  EXPECT_EQ(r.Str("/StreamSummaries/1/StreamName"), "s2");
  EXPECT_EQ(r.Str("/StreamSummaries/1/StreamStatus"), "ACTIVE");
  bool more = false;
  ASSERT_EQ(r.json["HasMoreStreams"].get(more), simdjson::SUCCESS);
  EXPECT_TRUE(more);
  const std::string token = r.Str("/NextToken");
  ASSERT_NE(token, "<missing>");
  auto r2 = Call("ListStreams", R"({"NextToken":")" + token + "\"}");
  ASSERT_EQ(r2.Size("/StreamNames"), 1u);
  EXPECT_EQ(r2.Str("/StreamNames/0"), "s3");
  EXPECT_FALSE(r2.Has("/NextToken"));
  auto r3 = Call("ListStreams", R"({"ExclusiveStartStreamName":"s1"})");
  EXPECT_EQ(r3.Size("/StreamNames"), 2u);
}

TEST_F(StreamOpsTest, TransitionsCreatingAndDeleting) {
  auto o = DefaultOptions();
  o.create_delay_ms = 300;
  o.delete_delay_ms = 300;
  Start(o);
  CreateStream("t", 1);
  auto d = Call("DescribeStream", R"({"StreamName":"t"})");
  EXPECT_EQ(d.Str("/StreamDescription/StreamStatus"), "CREATING");
  EXPECT_EQ(d.Size("/StreamDescription/Shards"), 0u);
  // Data-plane calls on a CREATING stream: ResourceNotFound, as AWS.
  auto p = Call("PutRecord", R"({"StreamName":"t","Data":"AA==","PartitionKey":"k"})");
  EXPECT_EQ(p.Type(), "ResourceNotFoundException");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"t"})").Str("/StreamDescription/StreamStatus"),
            "ACTIVE");

  ASSERT_EQ(Call("DeleteStream", R"({"StreamName":"t"})").status, 200);
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"t"})").Str("/StreamDescription/StreamStatus"),
            "DELETING");
  EXPECT_EQ(Call("ListStreams", "{}").Str("/StreamSummaries/0/StreamStatus"), "DELETING");
  EXPECT_EQ(Call("CreateStream", R"({"StreamName":"t","ShardCount":1})").Type(),
            "ResourceInUseException");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"t"})").Type(), "ResourceNotFoundException");
  EXPECT_EQ(Call("ListStreams", "{}").Size("/StreamNames"), 0u);
}

TEST_F(StreamOpsTest, RetentionRules) {
  CreateStream("r", 1);
  auto inc =
      Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":48})");
  ASSERT_EQ(inc.status, 200) << inc.body;
  EXPECT_EQ(Call("DescribeStreamSummary", R"({"StreamName":"r"})")
                .Int("/StreamDescriptionSummary/RetentionPeriodHours"),
            48);
  auto shorter =
      Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":30})");
  EXPECT_EQ(shorter.Type(), "InvalidArgumentException");
  EXPECT_EQ(shorter.Message(),
            "Requested retention period (30 hours) for stream r can not be shorter than existing "
            "retention period (48 hours). Use DecreaseRetentionPeriod API.");
  EXPECT_EQ(
      Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":8761})")
          .Type(),
      "InvalidArgumentException");
  EXPECT_EQ(Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":23})")
                .Message(),
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) "
            "is too short.");
  EXPECT_EQ(Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":24})")
                .status,
            200);
  EXPECT_EQ(
      Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":100})")
          .Type(),
      "InvalidArgumentException");
}

TEST_F(StreamOpsTest, Tags) {
  CreateStream("tagged", 1);
  ASSERT_EQ(
      Call("AddTagsToStream", R"({"StreamName":"tagged","Tags":{"b":"2","a":"1","c":""}})").status,
      200);
  auto l = Call("ListTagsForStream", R"({"StreamName":"tagged","Limit":2})");
  ASSERT_EQ(l.Size("/Tags"), 2u);
  EXPECT_EQ(l.Str("/Tags/0/Key"), "a");
  EXPECT_EQ(l.Str("/Tags/1/Value"), "2");
  bool more = false;
  ASSERT_EQ(l.json["HasMoreTags"].get(more), simdjson::SUCCESS);
  EXPECT_TRUE(more);
  auto l2 = Call("ListTagsForStream", R"({"StreamName":"tagged","ExclusiveStartTagKey":"b"})");
  ASSERT_EQ(l2.Size("/Tags"), 1u);
  EXPECT_EQ(l2.Str("/Tags/0/Key"), "c");
  ASSERT_EQ(Call("RemoveTagsFromStream", R"({"StreamName":"tagged","TagKeys":["a","c"]})").status,
            200);
  auto l3 = Call("ListTagsForResource",
                 R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/tagged"})");
  ASSERT_EQ(l3.Size("/Tags"), 1u);
  EXPECT_EQ(l3.Str("/Tags/0/Key"), "b");
  EXPECT_EQ(Call("AddTagsToStream", R"({"StreamName":"tagged","Tags":{"bad*":"x"}})").Type(),
            "InvalidArgumentException");
  EXPECT_EQ(Call("AddTagsToStream", R"({"StreamName":"tagged","Tags":{}})").Type(),
            "ValidationException");
  EXPECT_EQ(Call("ListTagsForStream", R"({"StreamName":"tagged","Limit":51})").Type(),
            "ValidationException");
}

TEST_F(StreamOpsTest, CreateWithTags) {
  ASSERT_EQ(
      Call("CreateStream", R"({"StreamName":"ct","ShardCount":1,"Tags":{"env":"dev"}})").status,
      200);
  auto l = Call("ListTagsForStream", R"({"StreamName":"ct"})");
  EXPECT_EQ(l.Str("/Tags/0/Key"), "env");
  EXPECT_EQ(l.Str("/Tags/0/Value"), "dev");
}

}  // namespace
}  // namespace fluxgate::kinesis::testing
