#include <gtest/gtest.h>

#include "http/client.h"
#include "http/server.h"

namespace fluxgate::http {
namespace {

TEST(ParseHostPortTest, AcceptsIpv4NameAndBracketedIpv6) {
  auto a = ParseHostPort("127.0.0.1:4567");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 4567);
  auto b = ParseHostPort("[::1]:80");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 80);
  auto c = ParseHostPort("localhost:8080");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->first, "localhost");
  EXPECT_EQ(c->second, 8080);
  auto d = ParseHostPort("0.0.0.0:0");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->second, 0);
  EXPECT_EQ(ParseHostPort("h:65535")->second, 65535);
}

TEST(ParseHostPortTest, RejectsMalformed) {
  for (const char* bad :
       {"", "localhost", "localhost:", ":8080", "host:http", "host:65536", "host:-1", "host:80x",
        "::1:80", "[::1]", "[::1]80", "[::1:80", "[]:80", "host: 80"}) {
    auto r = ParseHostPort(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' parsed as " << r->first << ":" << r->second;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    }
  }
  EXPECT_NE(ParseHostPort("localhost").status().message().find("PORT"), std::string::npos);
}

TEST(ParseUrlTest, Parses) {
  auto u = ParseUrl("http://127.0.0.1:4567/v1/streams?x=1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 4567);
  EXPECT_EQ(u->path, "/v1/streams?x=1");

  u = ParseUrl("http://example.com");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path, "/");

  u = ParseUrl("HTTP://[::1]:8080");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/");

  u = ParseUrl("http://[::1]/p");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path, "/p");

  u = ParseUrl("http://h:1?q=2#frag");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->path, "/?q=2");
}

TEST(ParseUrlTest, HttpsDefaultsToPort443) {
  auto u = ParseUrl("HTTPS://example.com/hook?t=1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/hook?t=1");

  u = ParseUrl("https://[::1]:8443");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/");
}

TEST(ParseUrlTest, RejectsMalformed) {
  for (const char* bad : {"", "example.com:80/x", "ftp://h/", "http://", "https://", "http:///x",
                          "http://h:/x", "http://h:99999/", "http://u@h/", "http://[::1/"}) {
    auto r = ParseUrl(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' parsed as host " << r->host;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    }
  }
}

}  // namespace
}  // namespace fluxgate::http
