// TLS contexts for the HTTP server and client (OpenSSL through Boost.Asio). Callers outside
// src/http only need CheckServerTlsFiles(); the contexts themselves stay behind the server
// and client, so this header names the OpenSSL-backed type without including it.
//
// Policy, the same for both sides: TLS 1.2 and 1.3 only; for TLS 1.2 only forward-secret
// AEAD suites (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305); no compression, no
// renegotiation. TLS 1.3 uses OpenSSL's default suites, which are all AEAD.
//
// Thread-safety: a context is immutable once made and may be shared by every connection of
// a server (OpenSSL's SSL_CTX is safe for concurrent SSL objects).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}

namespace fluxgate::http {

// Loads a PEM certificate chain (leaf first, then intermediates) and its PEM private key
// into a server context. InvalidArgument naming the file when a file cannot be read or
// parsed, or when the key does not belong to the certificate.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

// The same checks as MakeServerTlsContext, for refusing a bad [tls] section at startup
// before anything else is opened.
Status CheckServerTlsFiles(const std::string& cert_file, const std::string& key_file);

// A client context that verifies the server's certificate against the CA certificates in
// the PEM file `ca_file`, or against the system CA store when `ca_file` is empty.
// InvalidArgument naming the file when it cannot be loaded.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const std::string& ca_file);

// Environment variable naming a PEM CA file every https client trusts instead of the system
// store (see ClientOptions::ca_file): how the CLI and webhooks trust a private CA.
inline constexpr char kCaFileEnv[] = "FLUXGATE_CA_FILE";

}  // namespace fluxgate::http
