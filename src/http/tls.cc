#include "http/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fluxgate::http {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 list: forward secrecy and AEAD only.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

// The oldest error OpenSSL queued (the root cause; later ones are context) as text, and
// the queue cleared so the next operation on this thread starts clean.
std::string OpenSslError() {
  unsigned long first = ERR_get_error();
  while (ERR_get_error() != 0) {
  }
  if (first == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(first);
  if (reason != nullptr) return reason;
  char buf[256];
  ERR_error_string_n(first, buf, sizeof buf);
  return buf;
}

// OpenSSL says "no such file" obscurely ("system lib"); check readability first so the
// message is the one a user can act on.
Status CheckReadable(const std::string& path, const char* what) {
  if (path.empty()) return Status::InvalidArgument(std::string(what) + " is not set");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return Status::InvalidArgument(std::string("cannot read ") + what + " '" + path +
                                   "': " + std::strerror(errno));
  std::fclose(f);
  return Status::Ok();
}

// A passphrase callback that has none: OpenSSL's default would prompt on the terminal,
// hanging a server started by a service manager.
int NoPassphrase(char*, int, int, void*) { return 0; }

// The first private key in a PEM file, or null (the reason is on OpenSSL's error queue).
EVP_PKEY* ReadPrivateKey(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr);
  BIO_free(bio);
  return key;
}

Status ApplyPolicy(SSL_CTX* ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
    return Status::Internal("cannot apply the TLS policy: " + OpenSslError());
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  FG_RETURN_IF_ERROR(CheckReadable(cert_file, "TLS certificate file"));
  FG_RETURN_IF_ERROR(CheckReadable(key_file, "TLS key file"));
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  FG_RETURN_IF_ERROR(ApplyPolicy(native));
  SSL_CTX_set_default_passwd_cb(native, NoPassphrase);
  // TLS 1.2 clients may resume sessions; the id context scopes them to this server.
  static constexpr unsigned char kSessionContext[] = "fluxgate";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1)
    return Status::InvalidArgument("cannot load TLS certificate chain from '" + cert_file +
                                   "' (want PEM, leaf certificate first): " + OpenSslError());
  EVP_PKEY* key = ReadPrivateKey(key_file);
  if (key == nullptr)
    return Status::InvalidArgument("cannot load TLS private key from '" + key_file +
                                   "' (want an unencrypted PEM key): " + OpenSslError());
  const int used = SSL_CTX_use_PrivateKey(native, key);
  EVP_PKEY_free(key);  // the context holds its own reference
  if (used != 1 || SSL_CTX_check_private_key(native) != 1)
    return Status::InvalidArgument("TLS private key '" + key_file +
                                   "' does not match the certificate in '" + cert_file +
                                   "': " + OpenSslError());
  return ctx;
}

Status CheckServerTlsFiles(const std::string& cert_file, const std::string& key_file) {
  return MakeServerTlsContext(cert_file, key_file).status();
}

Result<std::unique_ptr<ssl::context>> MakeClientTlsContext(const std::string& ca_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  FG_RETURN_IF_ERROR(ApplyPolicy(native));
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1)
      return Status::Internal("cannot load the system CA store: " + OpenSslError());
    return ctx;
  }
  FG_RETURN_IF_ERROR(CheckReadable(ca_file, "CA file"));
  if (SSL_CTX_load_verify_locations(native, ca_file.c_str(), nullptr) != 1)
    return Status::InvalidArgument("cannot load CA certificates from '" + ca_file +
                                   "' (want PEM): " + OpenSslError());
  return ctx;
}

}  // namespace fluxgate::http
