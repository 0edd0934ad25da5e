// Refusal: why a request was not let in, as the AWS exception a client expects to see
// ("InvalidSignatureException" + AWS's message). The Kinesis API sends it as its usual
// {"__type","message"} error; the HTTP API as {"error","message"} with status 403.
#pragma once

#include <string>
#include <utility>

namespace fluxgate::auth {

struct Refusal {
  int http_status = 400;  // what Kinesis answers for every authentication error
  std::string type;       // AWS exception name
  std::string message;    // never contains a secret

  static Refusal Make(std::string type, std::string message) {
    return Refusal{400, std::move(type), std::move(message)};
  }
  static Refusal MissingToken() {
    return Make("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  static Refusal Incomplete(std::string m) {
    return Make("IncompleteSignatureException", std::move(m));
  }
  static Refusal InvalidSignature(std::string m) {
    return Make("InvalidSignatureException", std::move(m));
  }
  static Refusal UnrecognizedClient() {
    return Make("UnrecognizedClientException",
                "The security token included in the request is invalid.");
  }
  static Refusal AccessDenied(std::string m) { return Make("AccessDeniedException", std::move(m)); }
};

}  // namespace fluxgate::auth
