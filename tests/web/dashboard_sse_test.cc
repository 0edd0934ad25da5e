// SSE framing of the dashboard's live stream (web/dashboard_sse.h).
#include "web/dashboard_sse.h"

#include <gtest/gtest.h>

namespace fluxgate::web {
namespace {

TEST(DashboardSseTest, OneLineEventHasIdNameDataAndBlankLine) {
  EXPECT_EQ(SseEvent(7, "snapshot", "{\"a\":1}"), "id: 7\nevent: snapshot\ndata: {\"a\":1}\n\n");
}

TEST(DashboardSseTest, RetryComesFirstWhenGiven) {
  EXPECT_EQ(SseEvent(1, "", "x", 250), "retry: 250\nid: 1\ndata: x\n\n");
}

TEST(DashboardSseTest, EveryLineOfTheDataIsItsOwnDataField) {
  EXPECT_EQ(SseEvent(2, "e", "a\nb\r\nc\rd"),
            "id: 2\nevent: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  // A trailing newline adds no empty data line (the browser would append "\n").
  EXPECT_EQ(SseEvent(3, "e", "a\n"), "id: 3\nevent: e\ndata: a\n\n");
  EXPECT_EQ(SseEvent(4, "e", ""), "id: 4\nevent: e\ndata: \n\n");
}

TEST(DashboardSseTest, LastEventIdMustBeADecimalNumber) {
  EXPECT_EQ(ParseLastEventId("42"), 42u);
  EXPECT_EQ(ParseLastEventId("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseLastEventId(""));
  EXPECT_FALSE(ParseLastEventId("4x"));
  EXPECT_FALSE(ParseLastEventId("-1"));
  EXPECT_FALSE(ParseLastEventId("18446744073709551616"));
}

}  // namespace
}  // namespace fluxgate::web
