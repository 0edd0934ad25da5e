// HTTPS: the server with a certificate and key, the client verifying it. Certificates are
// made at test time with /usr/bin/openssl in a temporary directory.
#include "http/tls.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "http/client.h"
#include "http/http_test_util.h"
#include "http/server.h"

namespace fluxgate::http {
namespace {

namespace fs = std::filesystem;
using testing::MustStart;
using testing::RawConn;

void Echo(Request&& req, Responder respond) {
  Response r;
  r.body = req.method + " " + req.target + " " + req.body;
  respond(std::move(r));
}

// Polls `pred` for up to 10 s: for counters updated just after the client saw the result.
template <typename Pred>
bool WaitUntil(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class TlsTest : public ::testing::Test {
 protected:
  // Self-signed certificates (each is its own CA): `good` names localhost and 127.0.0.1,
  // `other` is an unrelated one, `elsewhere` names only other.example.
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/fluxgate-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    MakeCert("good", "DNS:localhost,IP:127.0.0.1");
    MakeCert("other", "DNS:localhost,IP:127.0.0.1");
    MakeCert("elsewhere", "DNS:other.example");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static void MakeCert(const std::string& name, const std::string& san) {
    const std::string cmd =
        "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-days 2 -subj /CN=" +
        name + " -addext subjectAltName=" + san + " -keyout " + Key(name) + " -out " + Cert(name) +
        " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static std::string Cert(const std::string& name) { return dir_ + "/" + name + ".crt"; }
  static std::string Key(const std::string& name) { return dir_ + "/" + name + ".key"; }

  static ServerOptions TlsOptions(const std::string& name = "good") {
    ServerOptions opt;
    opt.tls_cert_file = Cert(name);
    opt.tls_key_file = Key(name);
    return opt;
  }
  static Url HttpsUrl(uint16_t port, const std::string& host = "127.0.0.1") {
    return Url{"https", host, port, "/"};
  }
  static ClientOptions Trusting(const std::string& name) {
    ClientOptions o;
    o.ca_file = Cert(name);
    return o;
  }

  static std::string dir_;
};

std::string TlsTest::dir_;

TEST_F(TlsTest, RoundTripOverOneKeepAliveConnection) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client client(HttpsUrl(server->port()), Trusting("good"));
  for (int i = 0; i < 3; ++i) {
    auto res = client.Do("POST", "/r" + std::to_string(i), {}, "body");
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /r" + std::to_string(i) + " body");
  }
  EXPECT_EQ(server->stats().connections_accepted, 1u);
  EXPECT_EQ(server->stats().requests, 3u);
}

TEST_F(TlsTest, LargeBodiesBothWays) {
  auto server = MustStart(TlsOptions(), [](Request&& req, Responder respond) {
    Response r;
    r.body = std::string(req.body.rbegin(), req.body.rend());
    respond(std::move(r));
  });
  ASSERT_TRUE(server);
  std::string body(3 << 20, 'x');
  for (size_t i = 0; i < body.size(); i += 4099) body[i] = static_cast<char>('a' + i % 26);
  Client client(HttpsUrl(server->port()), Trusting("good"));
  auto res = client.Do("PUT", "/big", {}, body);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, std::string(body.rbegin(), body.rend()));
}

TEST_F(TlsTest, ConnectionCloseEndsTheSessionAndTheNextRequestReconnects) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client client(HttpsUrl(server->port()), Trusting("good"));
  auto res = client.Do("GET", "/a", {{"connection", "close"}}, "");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, "GET /a ");
  res = client.Do("GET", "/b", {}, "");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, "GET /b ");
  EXPECT_EQ(server->stats().connections_accepted, 2u);
}

TEST_F(TlsTest, HostNameIsChecked) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client by_name(HttpsUrl(server->port(), "localhost"), Trusting("good"));
  auto res = by_name.Do("GET", "/", {}, "");
  ASSERT_TRUE(res.ok()) << res.status().ToString();

  auto elsewhere = MustStart(TlsOptions("elsewhere"), Echo);
  ASSERT_TRUE(elsewhere);
  Client wrong_name(HttpsUrl(elsewhere->port()), Trusting("elsewhere"));
  res = wrong_name.Do("GET", "/", {}, "");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), Status::Code::kIOError);
  EXPECT_TRUE(Contains(res.status().message(), "IP address mismatch")) << res.status().ToString();
}

TEST_F(TlsTest, WrongCaFailsVerification) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client client(HttpsUrl(server->port()), Trusting("other"));
  auto res = client.Do("GET", "/", {}, "");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), Status::Code::kIOError);
  EXPECT_TRUE(Contains(res.status().message(), "not trusted")) << res.status().ToString();
  EXPECT_TRUE(Contains(res.status().message(), kCaFileEnv)) << res.status().ToString();
  EXPECT_TRUE(WaitUntil([&] { return server->stats().tls_handshake_failures == 1; }));
  EXPECT_EQ(server->stats().requests, 0u);
}

TEST_F(TlsTest, SystemStoreDoesNotTrustASelfSignedCertificate) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  ::unsetenv(kCaFileEnv);
  Client client(HttpsUrl(server->port()));
  auto res = client.Do("GET", "/", {}, "");
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(Contains(res.status().message(), "self-signed")) << res.status().ToString();
}

TEST_F(TlsTest, CaFileFromEnvironment) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  ::setenv(kCaFileEnv, Cert("good").c_str(), 1);
  Client client(HttpsUrl(server->port()));
  ::unsetenv(kCaFileEnv);
  auto res = client.Do("GET", "/env", {}, "");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, "GET /env ");
}

TEST_F(TlsTest, UnreadableCaFileIsNamed) {
  const std::string missing = dir_ + "/no-such-ca.pem";
  ClientOptions o;
  o.ca_file = missing;
  Client client(HttpsUrl(1), o);
  auto res = client.Do("GET", "/", {}, "");
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(res.status().IsInvalidArgument()) << res.status().ToString();
  EXPECT_TRUE(Contains(res.status().message(), missing)) << res.status().ToString();
}

TEST_F(TlsTest, PlainHttpToTlsPortIsAnswered400AndClosed) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  RawConn raw(server->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string got = raw.ReadToEof();
  EXPECT_TRUE(raw.eof()) << "connection was not closed";
  EXPECT_EQ(got.rfind("HTTP/1.1 400 ", 0), 0u) << got;
  EXPECT_TRUE(Contains(got, "https://")) << got;

  // The plain client sees the same answer as a response, not a hang or a reset.
  Client plain("127.0.0.1", server->port(), 5000);
  auto res = plain.Do("GET", "/", {}, "");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(Contains(res->body, "HTTPS")) << res->body;
  EXPECT_EQ(server->stats().requests, 0u);
  EXPECT_EQ(server->stats().bad_requests, 2u);
}

TEST_F(TlsTest, SilentClientIsClosedAfterHandshakeTimeout) {
  ServerOptions opt = TlsOptions();
  opt.handshake_timeout_secs = 1;
  auto server = MustStart(opt, Echo);
  ASSERT_TRUE(server);
  RawConn raw(server->port());
  ASSERT_TRUE(raw.connected());
  raw.ReadToEof(/*timeout_ms=*/8000);
  EXPECT_TRUE(raw.eof()) << "a client that never sent a ClientHello was not closed";
  EXPECT_TRUE(WaitUntil([&] { return server->stats().tls_handshake_failures == 1; }));
}

TEST_F(TlsTest, HttpsClientToPlainServerFailsWithAHint) {
  auto server = MustStart({}, Echo);
  ASSERT_TRUE(server);
  Client client(HttpsUrl(server->port()), Trusting("good"));
  auto res = client.Do("GET", "/", {}, "");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), Status::Code::kIOError);
  EXPECT_TRUE(Contains(res.status().message(), "TLS handshake")) << res.status().ToString();
}

TEST_F(TlsTest, StopClosesOpenTlsConnections) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client client(HttpsUrl(server->port()), Trusting("good"));
  ASSERT_TRUE(client.Do("GET", "/", {}, "").ok());
  EXPECT_EQ(server->stats().connections_open, 1u);
  server->Stop();
  EXPECT_EQ(server->stats().connections_open, 0u);
}

TEST_F(TlsTest, StartNamesAMissingFile) {
  ServerOptions opt = TlsOptions();
  opt.tls_cert_file = dir_ + "/missing.crt";
  auto server = Server::Start(opt, Echo);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(server.status().IsInvalidArgument());
  EXPECT_TRUE(Contains(server.status().message(), opt.tls_cert_file)) << server.status().ToString();
  EXPECT_TRUE(Contains(server.status().message(), "No such file")) << server.status().ToString();
}

TEST_F(TlsTest, StartNamesAKeyThatIsNotPem) {
  const std::string bad = dir_ + "/garbage.key";
  std::ofstream(bad) << "this is not a key\n";
  ServerOptions opt = TlsOptions();
  opt.tls_key_file = bad;
  auto server = Server::Start(opt, Echo);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(server.status().IsInvalidArgument());
  EXPECT_TRUE(Contains(server.status().message(), "private key from '" + bad + "'"))
      << server.status().ToString();
  EXPECT_TRUE(CheckServerTlsFiles(opt.tls_cert_file, bad).IsInvalidArgument());
}

TEST_F(TlsTest, StartNamesACertificateThatIsNotPem) {
  const std::string bad = dir_ + "/garbage.crt";
  std::ofstream(bad) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  ServerOptions opt = TlsOptions();
  opt.tls_cert_file = bad;
  auto server = Server::Start(opt, Echo);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(Contains(server.status().message(), "certificate chain from '" + bad + "'"))
      << server.status().ToString();
}

TEST_F(TlsTest, StartRefusesAKeyOfAnotherCertificate) {
  ServerOptions opt = TlsOptions();
  opt.tls_key_file = Key("other");
  auto server = Server::Start(opt, Echo);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(server.status().IsInvalidArgument());
  EXPECT_TRUE(Contains(server.status().message(), "does not match")) << server.status().ToString();
  EXPECT_TRUE(Contains(server.status().message(), Key("other"))) << server.status().ToString();
  EXPECT_TRUE(CheckServerTlsFiles(Cert("good"), Key("good")).ok());
}

TEST_F(TlsTest, CertificateWithoutKeyIsRefused) {
  ServerOptions opt;
  opt.tls_cert_file = Cert("good");
  auto server = Server::Start(opt, Echo);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(Contains(server.status().message(), "key")) << server.status().ToString();
}

}  // namespace
}  // namespace fluxgate::http
