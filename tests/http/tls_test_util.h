// A temporary directory of self-signed certificates for tests that need an HTTPS server:
// each certificate is its own CA, made at test time with /usr/bin/openssl (as
// tests/http/tls_test.cc does), so no key material is checked in.
//
// Thread-safety: none needed; create and use it from the test's thread.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "http/server.h"

namespace fluxgate::http::testing {

class TestCerts {
 public:
  // Creates an empty directory under /tmp; Make() adds certificates to it.
  TestCerts() {
    char tmpl[] = "/tmp/fluxgate-test-certs-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) dir_ = tmpl;
    EXPECT_FALSE(dir_.empty()) << "mkdtemp failed";
  }
  ~TestCerts() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  // A self-signed EC certificate and key named `name` for the subjectAltName `san`
  // (e.g. "DNS:localhost,IP:127.0.0.1"). False (and a test failure) if openssl failed.
  bool Make(const std::string& name, const std::string& san = "DNS:localhost,IP:127.0.0.1") {
    const std::string cmd =
        "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-days 2 -subj /CN=" +
        name + " -addext subjectAltName=" + san + " -keyout " + Key(name) + " -out " + Cert(name) +
        " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    return rc == 0;
  }

  std::string Cert(const std::string& name) const { return dir_ + "/" + name + ".crt"; }
  std::string Key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  const std::string& dir() const { return dir_; }

  // Server options serving certificate `name` (HTTPS only).
  ServerOptions ServerTls(const std::string& name) const {
    ServerOptions options;
    options.tls_cert_file = Cert(name);
    options.tls_key_file = Key(name);
    return options;
  }

 private:
  std::string dir_;
};

}  // namespace fluxgate::http::testing
