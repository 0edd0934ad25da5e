// S3ObjectStore against FakeS3: request shapes (addressing, encoding, signing, SSE),
// listing with continuation, the multipart staging contract of object_store.h (persist,
// crash, resume, publish/abort idempotence), and the retry policy.
#include "store/s3_object_store.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "auth/verifier.h"
#include "common/logging.h"
#include "fake_s3.h"
#include "store/s3_protocol.h"

namespace fluxgate::store {
namespace {

using testing::FakeS3;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::string Bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

struct Env {
  explicit Env(bool path_style = true, std::string sse = "") {
    auto fake_owned = std::make_unique<FakeS3>(path_style);
    fake = fake_owned.get();
    S3Options o;
    o.endpoint = path_style ? "http://127.0.0.1:9000" : "https://s3.example.com";
    o.region = "eu-west-1";
    o.path_style = path_style;
    o.sse = std::move(sse);
    o.credentials = {"AKIDEXAMPLE", kSecret, ""};
    o.clock = [] { return std::chrono::system_clock::from_time_t(1'714'567'890); };
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    auto s = S3ObjectStore::Create(std::move(o), std::move(fake_owned));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
  }
  FakeS3* fake;
  std::unique_ptr<S3ObjectStore> store;
  std::vector<std::chrono::milliseconds> sleeps;
};

TEST(S3ObjectStore, PutGetDeletePathStyle) {
  Env env;
  ASSERT_TRUE(env.store->Put("bkt", "dt=2024-05-01/a b+c.json", "hello").ok());
  const auto& put = env.fake->requests.back();
  EXPECT_EQ(put.method, "PUT");
  // S3 encodes the path once: '=' ' ' '+' escaped, '/' kept.
  EXPECT_EQ(put.target, "/bkt/dt%3D2024-05-01/a%20b%2Bc.json");
  EXPECT_EQ(put.host, "127.0.0.1");
  EXPECT_EQ(put.Header("host"), "127.0.0.1:9000");
  EXPECT_EQ(put.Header("x-amz-content-sha256"), sigv4::Sha256Hex("hello"));
  EXPECT_EQ(put.Header("x-amz-server-side-encryption"), "");
  EXPECT_NE(put.Header("authorization").find("Credential=AKIDEXAMPLE/20240501/eu-west-1/s3/"),
            std::string::npos);

  auto got = env.store->Get("bkt", "dt=2024-05-01/a b+c.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "hello");
  EXPECT_EQ(*env.store->Head("bkt", "dt=2024-05-01/a b+c.json"), 5u);

  ASSERT_TRUE(env.store->Delete("bkt", "dt=2024-05-01/a b+c.json").ok());
  EXPECT_TRUE(env.store->Get("bkt", "dt=2024-05-01/a b+c.json").status().IsNotFound());
  EXPECT_TRUE(env.store->Head("bkt", "dt=2024-05-01/a b+c.json").status().IsNotFound());
  EXPECT_TRUE(env.store->Delete("bkt", "dt=2024-05-01/a b+c.json").ok());  // already gone
}

TEST(S3ObjectStore, VirtualHostedAddressing) {
  Env env(/*path_style=*/false);
  ASSERT_TRUE(env.store->Put("my-bucket", "dir/k.txt", "x").ok());
  const auto& put = env.fake->requests.back();
  EXPECT_EQ(put.host, "my-bucket.s3.example.com");
  EXPECT_EQ(put.Header("host"), "my-bucket.s3.example.com:443");
  EXPECT_EQ(put.target, "/dir/k.txt");
  auto list = env.store->List("my-bucket", "dir/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(env.fake->requests.back().target, "/?list-type=2&prefix=dir%2F");
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].key, "dir/k.txt");
}

TEST(S3ObjectStore, SseHeaderOnPutAndMultipartWhenConfigured) {
  Env env(true, "AES256");
  ASSERT_TRUE(env.store->Put("b", "k", "x").ok());
  EXPECT_EQ(env.fake->objects["b/k"].data, "x");
  EXPECT_EQ(env.fake->requests.back().Header("x-amz-server-side-encryption"), "AES256");
  auto w = env.store->BeginStaged("b", "staged");
  ASSERT_TRUE(w.ok());
  bool saw_create = false;
  for (const auto& r : env.fake->requests) {
    if (r.method == "POST" && r.target.ends_with("?uploads")) {
      saw_create = true;
      EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
    }
  }
  EXPECT_TRUE(saw_create);
}

TEST(S3ObjectStore, ListFollowsContinuationAndHidesDotSegments) {
  Env env;
  env.fake->max_keys = 2;
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(env.store->Put("b", "p/f" + std::to_string(i), std::string(i, 'x')).ok());
  env.fake->objects["b/p/.hidden"] = {"h", {}};
  env.fake->objects["b/p/.tmp/x"] = {"h", {}};
  env.fake->objects["b/q/other"] = {"o", {}};
  const size_t before = env.fake->requests.size();
  auto list = env.store->List("b", "p/");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ((*list)[i].key, "p/f" + std::to_string(i));
    EXPECT_EQ((*list)[i].size, static_cast<uint64_t>(i));
    EXPECT_EQ((*list)[i].last_modified_ms, 1'714'566'896'789);  // 2024-05-01T12:34:56.789Z
  }
  EXPECT_GE(env.fake->requests.size() - before, 4u);  // 9 keys, 2 per page
  EXPECT_NE(env.fake->requests.back().target.find("continuation-token="), std::string::npos);
}

TEST(S3ObjectStore, StagedMultipartPublishesAllBytes) {
  Env env;
  const std::string data = Bytes((12u << 20) + 12345, 1);
  auto w = env.store->BeginStaged("b", "out/part-0");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (size_t off = 0; off < data.size(); off += 100'000)
    ASSERT_TRUE((*w)->Append(std::string_view(data).substr(off, 100'000)).ok());
  EXPECT_EQ((*w)->size(), data.size());
  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->length, data.size());
  EXPECT_TRUE((*w)->Append("more").code() == Status::Code::kResourceBusy);
  EXPECT_FALSE(env.fake->objects.count("b/out/part-0"));  // invisible until published
  ASSERT_TRUE(env.store->PublishStaged(*h).ok());
  EXPECT_EQ(env.fake->objects["b/out/part-0"].data, data);
  EXPECT_TRUE(env.fake->uploads.empty());
  // Idempotent: the upload is gone, the object is there with the handle's length.
  EXPECT_TRUE(env.store->PublishStaged(*h).ok());
  EXPECT_TRUE(env.store->AbortStaged(*h).ok());
}

TEST(S3ObjectStore, PersistKeepsTheTailInTheHandleAndResumeCutsLaterBytes) {
  Env env;
  const std::string a = Bytes((8u << 20) + 7, 2);  // reaches part_size: uploaded as part 1
  const std::string b = Bytes(300'000, 3);         // a tail S3 would refuse as a part
  auto w = env.store->BeginStaged("b", "k");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(a).ok());
  ASSERT_TRUE((*w)->Append(b).ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->length, a.size() + b.size());
  auto state = s3::DecodeStagedState(h->backend);
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->parts.size(), 1u);
  EXPECT_EQ(state->parts[0].size, a.size());
  EXPECT_EQ(state->tail, b);

  // Bytes after the handle (a whole further part, and some buffered) are then lost.
  ASSERT_TRUE((*w)->Append(Bytes(9u << 20, 4)).ok());
  w->reset();

  auto resumed = env.store->ResumeStaged(*h);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ((*resumed)->size(), h->length);
  const std::string c = Bytes(1000, 5);
  ASSERT_TRUE((*resumed)->Append(c).ok());
  auto h2 = (*resumed)->CloseForPublish();
  ASSERT_TRUE(h2.ok());
  ASSERT_TRUE(env.store->PublishStaged(*h2).ok());
  EXPECT_EQ(env.fake->objects["b/k"].data, a + b + c);
}

TEST(S3ObjectStore, PublishingAPersistHandleUploadsItsTail) {
  Env env;
  auto w = env.store->BeginStaged("b", "small");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("just a few bytes").ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(env.store->PublishStaged(*h).ok());
  EXPECT_EQ(env.fake->objects["b/small"].data, "just a few bytes");
  EXPECT_TRUE(env.store->PublishStaged(*h).ok());  // repeated after a crash: still OK
}

TEST(S3ObjectStore, EmptyStagedObjectIsPutWhole) {
  Env env;
  auto w = env.store->BeginStaged("b", "empty");
  ASSERT_TRUE(w.ok());
  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(env.store->PublishStaged(*h).ok());
  ASSERT_TRUE(env.fake->objects.count("b/empty"));
  EXPECT_EQ(env.fake->objects["b/empty"].data, "");
  EXPECT_TRUE(env.fake->uploads.empty());
}

TEST(S3ObjectStore, AbortedOrLostUploads) {
  Env env;
  auto w = env.store->BeginStaged("b", "gone");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("abc").ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(env.store->AbortStaged(*h).ok());
  EXPECT_TRUE(env.fake->uploads.empty());
  EXPECT_TRUE(env.store->AbortStaged(*h).ok());  // idempotent
  EXPECT_TRUE(env.store->ResumeStaged(*h).status().IsNotFound());
  EXPECT_TRUE(env.store->PublishStaged(*h).IsNotFound());
  EXPECT_FALSE(env.fake->objects.count("b/gone"));
}

TEST(S3ObjectStore, ResumeRefusesAHandleThatDisagreesWithTheUpload) {
  Env env;
  auto w = env.store->BeginStaged("b", "k");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(Bytes(6u << 20, 6)).ok());
  auto h = (*w)->Persist();
  ASSERT_TRUE(h.ok());
  auto st = s3::DecodeStagedState(h->backend);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->parts.size(), 1u);
  StagedObject bad = *h;
  st->parts[0].etag = "\"not-the-etag\"";
  bad.backend = s3::EncodeStagedState(*st);
  EXPECT_TRUE(env.store->ResumeStaged(bad).status().IsCorruption());
  bad = *h;
  bad.length += 1;
  EXPECT_TRUE(env.store->ResumeStaged(bad).status().IsCorruption());
  bad = *h;
  bad.backend = "garbage";
  EXPECT_TRUE(env.store->ResumeStaged(bad).status().IsCorruption());
}

TEST(S3ObjectStore, ListStagedAndBeginReplacesAnEarlierUploadOfTheKey) {
  Env env;
  env.fake->max_uploads = 1;  // exercise the markers
  auto w1 = env.store->BeginStaged("b", "p/one");
  auto w2 = env.store->BeginStaged("b", "p/two");
  auto w3 = env.store->BeginStaged("b", "q/three");
  ASSERT_TRUE(w1.ok() && w2.ok() && w3.ok());
  auto staged = env.store->ListStaged("b", "p/");
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  ASSERT_EQ(staged->size(), 2u);
  auto again = env.store->BeginStaged("b", "p/one");  // aborts the first upload of p/one
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(env.fake->uploads.size(), 3u);
  staged = env.store->ListStaged("b", "p/");
  ASSERT_TRUE(staged.ok());
  ASSERT_EQ(staged->size(), 2u);
  for (const auto& h : *staged) ASSERT_TRUE(env.store->AbortStaged(h).ok());
  EXPECT_EQ(env.fake->uploads.size(), 1u);  // q/three remains
}

TEST(S3ObjectStore, RetriesThrottlingServerErrorsAndConnectionErrors) {
  Env env;
  env.fake->inject = {{503, "SlowDown"}, {0, ""}, {500, "InternalError"}};
  ASSERT_TRUE(env.store->Put("b", "k", "v").ok());
  EXPECT_EQ(env.fake->requests.size(), 4u);
  ASSERT_EQ(env.sleeps.size(), 3u);
  // Full jitter under a doubling cap: 100, 200, 400 ms.
  EXPECT_LE(env.sleeps[0].count(), 100);
  EXPECT_LE(env.sleeps[1].count(), 200);
  EXPECT_LE(env.sleeps[2].count(), 400);
  // Each attempt is signed afresh (same clock here, so the same date).
  EXPECT_FALSE(env.fake->requests[0].Header("authorization").empty());
  EXPECT_EQ(env.fake->objects["b/k"].data, "v");
}

TEST(S3ObjectStore, GivesUpAfterMaxAttempts) {
  Env env;
  for (int i = 0; i < 10; ++i) env.fake->inject.push_back({503, "ServiceUnavailable"});
  Status st = env.store->Put("b", "k", "v");
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_EQ(env.fake->requests.size(), 5u);
  EXPECT_NE(st.message().find("ServiceUnavailable"), std::string::npos);
  env.fake->inject = {{429, "TooManyRequests"}, {429, "TooManyRequests"}};
  EXPECT_TRUE(env.store->Put("b", "k2", "v").ok());
}

TEST(S3ObjectStore, ClientErrorsFailAtOnceWithCodeAndNoSecret) {
  Env env;
  env.fake->inject = {{403, "AccessDenied"}};
  Status st = env.store->Put("b", "k", "v");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(env.fake->requests.size(), 1u);
  EXPECT_TRUE(env.sleeps.empty());
  EXPECT_NE(st.message().find("AccessDenied"), std::string::npos);
  EXPECT_NE(st.message().find("fake AccessDenied"), std::string::npos);  // S3's message
  EXPECT_NE(st.message().find("s3://b/k"), std::string::npos);
  EXPECT_EQ(st.message().find(kSecret), std::string::npos);
}

TEST(S3ObjectStore, CompleteAnswering200WithAnErrorIsRetried) {
  Env env;
  auto w = env.store->BeginStaged("b", "k");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("data").ok());
  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok());
  env.fake->error_in_complete_200 = true;
  ASSERT_TRUE(env.store->PublishStaged(*h).ok());
  EXPECT_EQ(env.sleeps.size(), 1u);
  EXPECT_EQ(env.fake->objects["b/k"].data, "data");
}

TEST(S3ObjectStore, RequestsPassOurOwnSigV4Verifier) {
  Env env;
  const std::string data = Bytes(1000, 7);
  ASSERT_TRUE(env.store->Put("bkt", "dir/file.bin", data).ok());
  ASSERT_TRUE(env.store->Get("bkt", "dir/file.bin").ok());
  ASSERT_TRUE(env.store->List("bkt", "dir/").ok());
  auto w = env.store->BeginStaged("bkt", "dir/staged.bin");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(data).ok());
  auto h = (*w)->CloseForPublish();
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(env.store->PublishStaged(*h).ok());

  auth::VerifierOptions vo;
  vo.region = "eu-west-1";
  std::vector<auth::Principal> principals;
  principals.push_back({"AKIDEXAMPLE", kSecret, auth::Permissions({"*"}, {}), "arn"});
  auth::SigV4Verifier verifier(std::move(principals), vo);
  const auto now = std::chrono::system_clock::from_time_t(1'714'567'890);
  ASSERT_GE(env.fake->requests.size(), 6u);
  for (const auto& r : env.fake->requests) {
    http::Request req{r.method, r.target, r.headers, r.body, "test"};
    auth::Verdict v = verifier.Verify(req, "s3", now);
    EXPECT_TRUE(v.ok()) << r.method << " " << r.target << ": " << v.refusal.message;
    // A changed body must not verify.
    req.body += "x";
    EXPECT_FALSE(verifier.Verify(req, "s3", now).ok());
  }
  // Another secret must not verify.
  std::vector<auth::Principal> others;
  others.push_back({"AKIDEXAMPLE", "other", auth::Permissions({"*"}, {}), "arn"});
  auth::SigV4Verifier other(std::move(others), vo);
  const auto& r = env.fake->requests.front();
  EXPECT_FALSE(
      other.Verify(http::Request{r.method, r.target, r.headers, r.body, "t"}, "s3", now).ok());
}

TEST(S3ObjectStore, SecretNeverLogged) {
  std::ostringstream logged;
  auto log = GetLogger("store");
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logged);
  log->sinks().push_back(sink);
  auto old_level = log->level();
  log->set_level(spdlog::level::trace);
  {
    Env env;
    env.fake->inject = {{503, "SlowDown"}, {0, ""}, {403, "AccessDenied"}};
    EXPECT_FALSE(env.store->Put("b", "k", "v").ok());
  }
  log->sinks().pop_back();
  log->set_level(old_level);
  EXPECT_NE(logged.str().find("SlowDown"), std::string::npos);  // the retries were logged
  EXPECT_EQ(logged.str().find(kSecret), std::string::npos);
  EXPECT_EQ(logged.str().find("Signature="), std::string::npos);
}

TEST(S3ObjectStore, CreateRejectsBadOptions) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:1";
  o.credentials = {"AK", "SK", ""};
  o.part_size = 1 << 20;
  EXPECT_TRUE(S3ObjectStore::Create(o).status().IsInvalidArgument());
  o.part_size = 8 << 20;
  o.sse = "aws:kms";
  EXPECT_TRUE(S3ObjectStore::Create(o).status().IsInvalidArgument());
  o.sse = "";
  o.credentials = {};
  EXPECT_TRUE(S3ObjectStore::Create(o).status().IsInvalidArgument());
  o.credentials = {"AK", "SK", ""};
  o.endpoint = "http://127.0.0.1:1/some/path";
  EXPECT_TRUE(S3ObjectStore::Create(o).status().IsInvalidArgument());
  o.endpoint = "";
  o.region = "ap-south-1";
  EXPECT_TRUE(S3ObjectStore::Create(o).ok());
}

TEST(S3ObjectStore, KeysAreValidatedLikeTheLocalStore) {
  Env env;
  EXPECT_TRUE(env.store->Put("b", "/abs", "x").IsInvalidArgument());
  EXPECT_TRUE(env.store->Put("b", "a/../b", "x").IsInvalidArgument());
  EXPECT_TRUE(env.store->BeginStaged("b", ".hidden").status().IsInvalidArgument());
  EXPECT_TRUE(env.fake->requests.empty());
}

TEST(S3Protocol, XmlAndStagedStateRoundTrip) {
  auto keys = s3::XmlElements(
      "<R><Contents><Key>a&amp;b&lt;c&#x41;&#66;</Key></Contents><KeyCount>1</KeyCount>"
      "<Key>plain</Key><Key/></R>",
      "Key");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], "a&b<cAB");
  EXPECT_EQ(keys[1], "plain");
  EXPECT_EQ(keys[2], "");
  auto err = s3::ParseError("<?xml?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>");
  EXPECT_EQ(err.code, "NoSuchKey");
  EXPECT_EQ(err.message, "gone");
  EXPECT_EQ(s3::ParseError("<ListBucketResult/>").code, "");

  s3::StagedState st{
      "id-1", {{1, 5u << 20, "\"e1\""}, {3, 6u << 20, "\"e3\""}}, std::string("t\0ail", 5)};
  auto back = s3::DecodeStagedState(s3::EncodeStagedState(st));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->upload_id, "id-1");
  ASSERT_EQ(back->parts.size(), 2u);
  EXPECT_EQ(back->parts[1].number, 3u);
  EXPECT_EQ(back->parts[1].etag, "\"e3\"");
  EXPECT_EQ(back->tail, std::string("t\0ail", 5));
  std::string enc = s3::EncodeStagedState(st);
  EXPECT_TRUE(s3::DecodeStagedState(enc.substr(0, enc.size() - 1)).status().IsCorruption());
  EXPECT_TRUE(s3::DecodeStagedState("").status().IsCorruption());
}

}  // namespace
}  // namespace fluxgate::store
