// OpenSinkStore / SinkStoreOpener: s3:// to S3 only with [store.s3]; everything else as
// ResolveLocalSink lays it out. No network: S3 stores are only constructed here.
#include "store/open_store.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/logging.h"
#include "store/s3_object_store.h"

namespace fluxgate::store {
namespace {

EnvLookup NoEnv() {
  return [](const char*) -> std::optional<std::string> { return std::nullopt; };
}

StoreConfig S3Config() {
  StoreConfig c;
  c.s3.emplace();
  c.s3->endpoint = "http://127.0.0.1:4569";
  c.s3->access_key_id = "AKID";
  c.s3->secret_access_key = "very-secret-value";
  c.s3->path_style = true;
  return c;
}

TEST(OpenSinkStore, WithoutS3ConfigS3PathsStayLocal) {
  auto loc = ParseSinkLocation("s3://bucket/raw-data/");
  ASSERT_TRUE(loc.ok());
  auto s = OpenSinkStore(*loc, "/data", StoreConfig{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->remote);
  EXPECT_NE(dynamic_cast<LocalObjectStore*>(s->store.get()), nullptr);
  EXPECT_EQ(static_cast<LocalObjectStore*>(s->store.get())->root(), "/data/objects");
  EXPECT_EQ(s->bucket, "bucket");
  EXPECT_EQ(s->prefix, "raw-data");
  EXPECT_EQ(s->local_dir, "/data/objects/bucket/raw-data");
  auto t = ResolveLocalSink(*loc, "/data");  // unchanged for its current callers
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dir, s->local_dir);
}

TEST(OpenSinkStore, WithS3ConfigS3PathsGoToS3AndDirectoriesStayLocal) {
  SinkStoreOpener opener(S3Config(), "/data", NoEnv());
  auto a = opener.Open(*ParseSinkLocation("s3://bkt/processed/x"));
  auto b = opener.Open(*ParseSinkLocation("s3a://bkt2"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(a->remote);
  auto* s3 = dynamic_cast<S3ObjectStore*>(a->store.get());
  ASSERT_NE(s3, nullptr);
  EXPECT_EQ(a->store, b->store);  // one S3 store (one connection pool) for every sink
  EXPECT_EQ(a->bucket, "bkt");
  EXPECT_EQ(a->prefix, "processed/x");
  EXPECT_EQ(b->prefix, "");
  EXPECT_TRUE(s3->options().path_style);
  EXPECT_EQ(s3->options().region, "us-east-1");
  EXPECT_EQ(s3->options().endpoint, "http://127.0.0.1:4569");

  auto dir = opener.Open(*ParseSinkLocation("/tmp/out"));
  ASSERT_TRUE(dir.ok());
  EXPECT_FALSE(dir->remote);
  EXPECT_EQ(dir->local_dir, "/tmp/out");

  EXPECT_TRUE(opener.Open(*ParseSinkLocation("s3://bkt/a/../b")).status().IsInvalidArgument());
}

TEST(OpenSinkStore, DefaultEndpointFollowsTheRegionChain) {
  StoreConfig c = S3Config();
  c.s3->endpoint = "";
  c.s3->access_key_id = c.s3->secret_access_key = "";
  auto env = [](const char* name) -> std::optional<std::string> {
    std::string n = name;
    if (n == "AWS_DEFAULT_REGION") return "eu-central-1";
    if (n == "AWS_ACCESS_KEY_ID") return "AKENV";
    if (n == "AWS_SECRET_ACCESS_KEY") return "env-secret";
    return std::nullopt;
  };
  auto o = S3OptionsFromConfig(*c.s3, env);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->region, "eu-central-1");
  EXPECT_EQ(o->endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(o->credentials.access_key, "AKENV");
}

TEST(OpenSinkStore, NoCredentialsIsAClearErrorAndSecretsAreNotLogged) {
  std::ostringstream logged;
  auto log = GetLogger("store");
  log->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
  auto old_level = log->level();
  log->set_level(spdlog::level::trace);
  auto ok = S3OptionsFromConfig(*S3Config().s3, NoEnv());
  StoreConfig none = S3Config();
  none.s3->access_key_id = none.s3->secret_access_key = "";
  auto bad = OpenS3Store(none, NoEnv());
  log->sinks().pop_back();
  log->set_level(old_level);
  ASSERT_TRUE(ok.ok());
  EXPECT_NE(logged.str().find("credentials from config"), std::string::npos);
  EXPECT_EQ(logged.str().find("very-secret-value"), std::string::npos);
  ASSERT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("no S3 credentials"), std::string::npos);
}

}  // namespace
}  // namespace fluxgate::store
