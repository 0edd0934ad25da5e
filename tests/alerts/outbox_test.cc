#include "alerts/outbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fluxgate::alerts {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/fluxgate_outbox_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Outbox> Open(std::vector<Outbox::Pending>* recovered, uint64_t max = 1 << 20) {
    auto box = Outbox::Open(dir_, max, /*sync=*/true, recovered);
    EXPECT_TRUE(box.ok()) << box.status().ToString();
    return box.ok() ? std::move(box).value() : nullptr;
  }
  std::string path() const { return dir_ + "/outbox.log"; }
  uint64_t FileSize() const { return std::filesystem::file_size(path()); }

  std::string dir_;
};

Alert MakeAlert(int i) {
  Alert a;
  a.id = "id-" + std::to_string(i);
  a.topic = "iot-alerts";
  a.rule = "anomalies";
  a.severity = "critical";
  a.subject = "subject";
  a.message = "message " + std::to_string(i);
  a.event_time_ms = 1764097500123 + i;
  a.attributes = "{\"device_id\":\"sensor-" + std::to_string(i) + "\"}";
  return a;
}

TEST(AlertCodecTest, RoundTripsEveryField) {
  Alert a = MakeAlert(7);
  a.count = 12;
  a.first_time_ms = 42;
  std::string bytes;
  EncodeAlert(a, bytes);
  auto back = DecodeAlert(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->id, a.id);
  EXPECT_EQ(back->topic, a.topic);
  EXPECT_EQ(back->rule, a.rule);
  EXPECT_EQ(back->severity, a.severity);
  EXPECT_EQ(back->subject, a.subject);
  EXPECT_EQ(back->message, a.message);
  EXPECT_EQ(back->event_time_ms, a.event_time_ms);
  EXPECT_EQ(back->attributes, a.attributes);
  EXPECT_EQ(back->count, 12u);
  EXPECT_EQ(back->first_time_ms, 42);
  EXPECT_TRUE(
      DecodeAlert(std::string_view(bytes).substr(0, bytes.size() - 1)).status().IsCorruption());
}

TEST_F(OutboxTest, PendingAlertsComeBackAfterReopenAndDoneOnesDoNot) {
  {
    std::vector<Outbox::Pending> none;
    auto box = Open(&none);
    ASSERT_TRUE(box);
    EXPECT_TRUE(none.empty());
    auto s1 = box->Append(MakeAlert(1), {"sub-a", "sub-b"});
    auto s2 = box->Append(MakeAlert(2), {"sub-a"});
    auto s3 = box->Append(MakeAlert(3), {"sub-b"});
    ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok());
    EXPECT_LT(*s1, *s2);
    box->MarkDone(*s1, "sub-a");
    box->MarkDone(*s2, "sub-a");
    box->MarkDone(*s3, "sub-c");  // not one of its subscriptions: ignored
    EXPECT_EQ(box->stats().pending_alerts, 2u);
  }  // no Close: what is on disk is what a kill -9 leaves
  std::vector<Outbox::Pending> got;
  auto box = Open(&got);
  ASSERT_TRUE(box);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].alert.id, "id-1");
  EXPECT_EQ(got[0].subscriptions, std::vector<std::string>{"sub-b"});
  EXPECT_EQ(got[1].alert.id, "id-3");
  EXPECT_EQ(got[1].alert.message, "message 3");
  EXPECT_EQ(got[1].subscriptions, std::vector<std::string>{"sub-b"});
  // Sequence numbers keep growing past the recovered ones.
  auto s4 = box->Append(MakeAlert(4), {"sub-a"});
  ASSERT_TRUE(s4.ok());
  EXPECT_GT(*s4, got[1].seq);
}

TEST_F(OutboxTest, TornLastFrameIsDroppedAndEarlierOnesKept) {
  {
    auto box = Open(nullptr);
    ASSERT_TRUE(box);
    ASSERT_TRUE(box->Append(MakeAlert(1), {"sub-a"}).ok());
    ASSERT_TRUE(box->Append(MakeAlert(2), {"sub-a"}).ok());
  }
  // A crash mid-write: the last frame is cut short.
  const uint64_t size = FileSize();
  ASSERT_EQ(::truncate(path().c_str(), static_cast<off_t>(size - 5)), 0);
  std::vector<Outbox::Pending> got;
  auto box = Open(&got);
  ASSERT_TRUE(box);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].alert.id, "id-1");
  // The outbox goes on appending after the truncated tail.
  ASSERT_TRUE(box->Append(MakeAlert(3), {"sub-a"}).ok());
  box.reset();
  got.clear();
  box = Open(&got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].alert.id, "id-3");
}

TEST_F(OutboxTest, CorruptFrameEndsTheLog) {
  {
    auto box = Open(nullptr);
    ASSERT_TRUE(box);
    ASSERT_TRUE(box->Append(MakeAlert(1), {"sub-a"}).ok());
    ASSERT_TRUE(box->Append(MakeAlert(2), {"sub-a"}).ok());
  }
  // Flip a byte in the last frame's payload: its CRC no longer matches.
  const uint64_t size = FileSize();
  const int fd = ::open(path().c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(size - 3)), 1);
  c ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(size - 3)), 1);
  ::close(fd);
  std::vector<Outbox::Pending> got;
  auto box = Open(&got);
  ASSERT_TRUE(box);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].alert.id, "id-1");
}

TEST_F(OutboxTest, RefusesPastItsLimitUntilAlertsAreDone) {
  auto box = Open(nullptr, /*max=*/4096);
  ASSERT_TRUE(box);
  std::vector<uint64_t> seqs;
  Status last;
  for (int i = 0; i < 1000; ++i) {
    auto s = box->Append(MakeAlert(i), {"sub-a"});
    if (!s.ok()) {
      last = s.status();
      break;
    }
    seqs.push_back(*s);
  }
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.code(), Status::LimitExceeded("").code());
  EXPECT_NE(last.message().find("outbox_max_bytes"), std::string::npos) << last.message();
  EXPECT_GT(seqs.size(), 5u);
  EXPECT_EQ(box->stats().refused, 1u);
  EXPECT_LE(box->stats().pending_bytes, 4096u);
  box->MarkDone(seqs[0], "sub-a");
  EXPECT_TRUE(box->Append(MakeAlert(2000), {"sub-a"}).ok());
}

TEST_F(OutboxTest, CompactionDropsDoneEntriesAndKeepsPendingOnes) {
  auto box = Open(nullptr, 64 << 20);
  ASSERT_TRUE(box);
  std::string big(2000, 'x');
  uint64_t keep = 0;
  for (int i = 0; i < 800; ++i) {
    Alert a = MakeAlert(i);
    a.message = big;
    auto s = box->Append(a, {"sub-a"});
    ASSERT_TRUE(s.ok());
    if (i == 400) {
      keep = *s;
      continue;
    }
    box->MarkDone(*s, "sub-a");
  }
  EXPECT_GE(box->stats().compactions, 2u);  // one at Open, at least one since
  EXPECT_LT(FileSize(), 1u << 20);          // 800 x 2 KB were written
  EXPECT_EQ(box->stats().pending_alerts, 1u);
  box.reset();
  std::vector<Outbox::Pending> got;
  box = Open(&got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, keep);
  EXPECT_EQ(got[0].alert.id, "id-400");
}

}  // namespace
}  // namespace fluxgate::alerts
