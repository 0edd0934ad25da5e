#include "store/sink_location.h"

#include <gtest/gtest.h>

namespace fluxgate::store {
namespace {

TEST(SinkLocationTest, PlainPathAndFileUrlAreLocal) {
  for (const char* p : {"/data/out", "file:///data/out"}) {
    auto loc = ParseSinkLocation(p);
    ASSERT_TRUE(loc.ok()) << p;
    EXPECT_EQ(loc->kind, SinkLocation::Kind::kLocal);
    EXPECT_EQ(loc->local_dir, "/data/out");
    auto t = ResolveLocalSink(*loc, "/var/fg");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->root, "/data/out");
    EXPECT_EQ(t->bucket, "");
    EXPECT_EQ(t->prefix, "");
    EXPECT_EQ(t->dir, "/data/out");
  }
  auto rel = ParseSinkLocation("out/x/");
  ASSERT_TRUE(rel.ok());
  auto t = ResolveLocalSink(*rel, "/var/fg");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dir, "out/x");
}

TEST(SinkLocationTest, S3WithoutObjectStoreMapsUnderDataDir) {
  auto loc = ParseSinkLocation("s3://my-bucket/iot/readings/");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->kind, SinkLocation::Kind::kObjectStore);
  EXPECT_EQ(loc->bucket, "my-bucket");
  EXPECT_EQ(loc->prefix, "iot/readings/");
  auto t = ResolveLocalSink(*loc, "/var/fg");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->root, "/var/fg/objects");
  EXPECT_EQ(t->bucket, "my-bucket");
  EXPECT_EQ(t->prefix, "iot/readings");
  EXPECT_EQ(t->dir, "/var/fg/objects/my-bucket/iot/readings");

  auto bare = ParseSinkLocation("s3a://b");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->prefix, "");
  auto tb = ResolveLocalSink(*bare, "/d");
  ASSERT_TRUE(tb.ok());
  EXPECT_EQ(tb->dir, "/d/objects/b");
}

TEST(SinkLocationTest, RejectsBadPaths) {
  EXPECT_TRUE(ParseSinkLocation("").status().IsInvalidArgument());
  EXPECT_TRUE(ParseSinkLocation("s3:///prefix").status().IsInvalidArgument());
  EXPECT_TRUE(ParseSinkLocation("hdfs://nn/x").status().IsInvalidArgument());
  EXPECT_TRUE(ParseSinkLocation("file://").status().IsInvalidArgument());
  auto up = ParseSinkLocation("s3://b/../../etc");
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(ResolveLocalSink(*up, "/d").status().IsInvalidArgument());
}

}  // namespace
}  // namespace fluxgate::store
