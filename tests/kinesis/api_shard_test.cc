// Resharding and shard listing: SplitShard, MergeShards, UpdateShardCount, ListShards.
#include <thread>

#include "api_test_util.h"
#include "common/base64.h"

namespace fluxgate::kinesis::testing {
namespace {

using ShardOpsTest = ApiTest;

TEST_F(ShardOpsTest, SplitClosesParentAndChildShardsAppearAtEnd) {
  CreateStream("s", 1);
  Put("s", Base64Encode("before"), "k");
  auto sp = Call(
      "SplitShard",
      R"({"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"170141183460469231731687303715884105728"})");
  ASSERT_EQ(sp.status, 200) << sp.body;
  auto d = Call("DescribeStream", R"({"StreamName":"s"})");
  ASSERT_EQ(d.Size("/StreamDescription/Shards"), 3u);
  EXPECT_TRUE(d.Has("/StreamDescription/Shards/0/SequenceNumberRange/EndingSequenceNumber"));
  EXPECT_EQ(d.Str("/StreamDescription/Shards/1/ParentShardId"), "shardId-000000000000");
  EXPECT_EQ(d.Str("/StreamDescription/Shards/1/HashKeyRange/EndingHashKey"),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(d.Str("/StreamDescription/Shards/2/HashKeyRange/StartingHashKey"),
            "170141183460469231731687303715884105728");

  // Draining the closed parent: records, then no NextShardIterator and the children.
  auto r = Call("GetRecords", R"({"ShardIterator":")" +
                                  Iterator("s", "shardId-000000000000", "TRIM_HORIZON") + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  if (r.Has("/NextShardIterator")) {  // the log may need one more call to report the end
    EXPECT_EQ(r.Size("/Records"), 1u);
    r = Call("GetRecords", R"({"ShardIterator":")" + r.Str("/NextShardIterator") + "\"}");
  }
  EXPECT_FALSE(r.Has("/NextShardIterator"));
  ASSERT_EQ(r.Size("/ChildShards"), 2u);
  EXPECT_EQ(r.Str("/ChildShards/0/ShardId"), "shardId-000000000001");
  EXPECT_EQ(r.Str("/ChildShards/0/ParentShards/0"), "shardId-000000000000");

  // An AFTER_SEQUENCE_NUMBER on the parent's EndingSequenceNumber is at its end.
  const std::string end =
      d.Str("/StreamDescription/Shards/0/SequenceNumberRange/EndingSequenceNumber");
  auto after = Iterator("s", "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                        ",\"StartingSequenceNumber\":\"" + end + "\"");
  auto tail = Call("GetRecords", R"({"ShardIterator":")" + after + "\"}");
  EXPECT_EQ(tail.Size("/Records"), 0u);
  EXPECT_FALSE(tail.Has("/NextShardIterator"));

  // New writes go to the children only.
  auto [shard, seq] = Put("s", Base64Encode("after"), "k");
  EXPECT_NE(shard, "shardId-000000000000");
}

TEST_F(ShardOpsTest, SplitErrors) {
  CreateStream("s", 1);
  EXPECT_EQ(
      Call("SplitShard",
           R"({"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"0"})")
          .Type(),
      "InvalidArgumentException");
  EXPECT_EQ(
      Call("SplitShard",
           R"({"StreamName":"s","ShardToSplit":"shardId-000000000007","NewStartingHashKey":"5"})")
          .Type(),
      "ResourceNotFoundException");
  EXPECT_EQ(
      Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000"})").Type(),
      "ValidationException");
}

TEST_F(ShardOpsTest, MergeAdjacentShards) {
  CreateStream("s", 3);
  auto bad = Call(
      "MergeShards",
      R"({"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000002"})");
  EXPECT_EQ(bad.Type(), "InvalidArgumentException");
  auto ok = Call(
      "MergeShards",
      R"({"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto d = Call("DescribeStream", R"({"StreamName":"s"})");
  ASSERT_EQ(d.Size("/StreamDescription/Shards"), 4u);
  EXPECT_EQ(d.Str("/StreamDescription/Shards/3/ParentShardId"), "shardId-000000000000");
  EXPECT_EQ(d.Str("/StreamDescription/Shards/3/AdjacentParentShardId"), "shardId-000000000001");
  EXPECT_EQ(d.Str("/StreamDescription/Shards/3/HashKeyRange/StartingHashKey"), "0");
  auto again = Call(
      "MergeShards",
      R"({"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"})");
  EXPECT_EQ(again.Type(), "ResourceInUseException");
}

TEST_F(ShardOpsTest, UpdatingStatusBlocksFurtherResharding) {
  auto o = DefaultOptions();
  o.update_delay_ms = 300;
  Start(o);
  CreateStream("s", 2);
  ASSERT_EQ(
      Call(
          "MergeShards",
          R"({"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"})")
          .status,
      200);
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"s"})").Str("/StreamDescription/StreamStatus"),
            "UPDATING");
  auto busy = Call("UpdateShardCount",
                   R"({"StreamName":"s","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"})");
  EXPECT_EQ(busy.Type(), "ResourceInUseException");
  Put("s", Base64Encode("still writable"), "k");  // puts work while UPDATING
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"s"})").Str("/StreamDescription/StreamStatus"),
            "ACTIVE");
}

TEST_F(ShardOpsTest, UpdateShardCountUniformScaling) {
  CreateStream("s", 2);
  auto r = Call("UpdateShardCount",
                R"({"StreamName":"s","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Int("/CurrentShardCount"), 2);
  EXPECT_EQ(r.Int("/TargetShardCount"), 4);
  EXPECT_EQ(r.Str("/StreamName"), "s");
  EXPECT_EQ(r.Str("/StreamARN"), "arn:aws:kinesis:us-east-1:000000000000:stream/s");
  EXPECT_EQ(Call("DescribeStreamSummary", R"({"StreamName":"s"})")
                .Int("/StreamDescriptionSummary/OpenShardCount"),
            4);
  EXPECT_EQ(Call("UpdateShardCount",
                 R"({"StreamName":"s","TargetShardCount":9,"ScalingType":"UNIFORM_SCALING"})")
                .Type(),
            "InvalidArgumentException");
  EXPECT_EQ(Call("UpdateShardCount",
                 R"({"StreamName":"s","TargetShardCount":1,"ScalingType":"UNIFORM_SCALING"})")
                .Type(),
            "InvalidArgumentException");
  EXPECT_EQ(Call("UpdateShardCount",
                 R"({"StreamName":"s","TargetShardCount":3,"ScalingType":"WHATEVER"})")
                .Type(),
            "ValidationException");
}

TEST_F(ShardOpsTest, ListShardsPaginationAndFilters) {
  CreateStream("s", 3);
  auto r = Call("ListShards", R"({"StreamName":"s","MaxResults":2})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Size("/Shards"), 2u);
  const std::string token = r.Str("/NextToken");
  ASSERT_NE(token, "<missing>");
  // botocore re-sends StreamName with NextToken; accept it.
  auto r2 = Call("ListShards", R"({"StreamName":"s","NextToken":")" + token + "\"}");
  ASSERT_EQ(r2.status, 200) << r2.body;
  ASSERT_EQ(r2.Size("/Shards"), 1u);
  EXPECT_EQ(r2.Str("/Shards/0/ShardId"), "shardId-000000000002");
  EXPECT_FALSE(r2.Has("/NextToken"));
  EXPECT_EQ(Call("ListShards", R"({"NextToken":"garbage"})").Type(), "InvalidArgumentException");

  ASSERT_EQ(
      Call(
          "SplitShard",
          R"({"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"})")
          .status,
      200);
  auto latest = Call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"}})");
  EXPECT_EQ(latest.Size("/Shards"), 4u);  // 1, 2 and the two children
  auto horizon =
      Call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_TRIM_HORIZON"}})");
  EXPECT_EQ(horizon.Size("/Shards"), 3u);  // the original three
  auto all = Call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"FROM_TRIM_HORIZON"}})");
  EXPECT_EQ(all.Size("/Shards"), 5u);
  auto after = Call(
      "ListShards",
      R"({"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000002"}})");
  EXPECT_EQ(after.Size("/Shards"), 2u);
  auto from_ts =
      Call("ListShards",
           R"({"StreamName":"s","ShardFilter":{"Type":"FROM_TIMESTAMP","Timestamp":4000000000}})");
  EXPECT_EQ(from_ts.Size("/Shards"), 4u);
  EXPECT_EQ(
      Call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP"}})").Type(),
      "InvalidArgumentException");
  auto start =
      Call("ListShards", R"({"StreamName":"s","ExclusiveStartShardId":"shardId-000000000003"})");
  EXPECT_EQ(start.Size("/Shards"), 1u);
}

}  // namespace
}  // namespace fluxgate::kinesis::testing
