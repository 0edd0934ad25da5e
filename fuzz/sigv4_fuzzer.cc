// Fuzzes the SigV4 side of every authenticated request: the Authorization header parser
// and the whole SigV4Verifier::Verify path (X-Amz-Date parsing, scope checks, canonical
// request building over arbitrary targets and headers), plus the canonicalisation
// helpers and the IAM-style glob matcher the permissions use.
//
// Input: an HTTP request in a simple text form, which keeps the seeds readable —
//   METHOD SP TARGET LF  (name ":" value LF)*  LF  body
// Header names are lower-cased as the HTTP server does. The verifier knows AWS's example
// principal (AKIDEXAMPLE) and runs at 2015-08-30T12:36:00Z, so the seeds in
// fuzz/corpus/sigv4/ carry real signatures and reach the final comparison.
//
// Invariants: no crash or sanitizer report; a refusal always names an AWS exception;
// a parsed Authorization formats into a header that parses to the same fields.
#include <chrono>
#include <string>
#include <vector>

#include "auth/permissions.h"
#include "auth/sigv4.h"
#include "auth/verifier.h"
#include "fuzz_util.h"

namespace fluxgate {
namespace {

auth::SigV4Verifier& Verifier() {
  static auth::SigV4Verifier* verifier = [] {
    std::vector<auth::Principal> principals;
    principals.push_back({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          auth::Permissions({"kinesis:*"}, {}),
                          "arn:aws:iam::000000000000:user/AKIDEXAMPLE"});
    return new auth::SigV4Verifier(std::move(principals), auth::VerifierOptions{});
  }();
  return *verifier;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void CheckAuthorizationRoundTrip(std::string_view header) {
  auto parsed = sigv4::ParseAuthorization(header);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.status().message().empty());
    return;
  }
  // Values holding the separators cannot survive formatting; everything else must.
  for (std::string_view v :
       {std::string_view(parsed->signed_headers), std::string_view(parsed->signature)}) {
    if (v.find_first_of(", ") != std::string_view::npos) return;
  }
  auto again = sigv4::ParseAuthorization(sigv4::FormatAuthorization(*parsed));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->access_key == parsed->access_key);
  FUZZ_CHECK(again->scope.ToString() == parsed->scope.ToString());
  FUZZ_CHECK(again->signed_headers == parsed->signed_headers);
  FUZZ_CHECK(again->signature == parsed->signature);
}

}  // namespace
}  // namespace fluxgate

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate;
  std::string_view in = fuzz::AsView(data, size);
  if (size > 64 * 1024) return 0;  // requests are small; big ones only slow the search

  http::Request request;
  std::string_view request_line = fuzz::TakeUntil(in, '\n');
  request.method = std::string(fuzz::TakeUntil(request_line, ' '));
  request.target = std::string(request_line);
  while (!in.empty()) {
    std::string_view line = fuzz::TakeUntil(in, '\n');
    if (line.empty()) break;
    std::string_view name = fuzz::TakeUntil(line, ':');
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    request.headers.push_back({Lower(name), std::string(line)});
  }
  request.body = std::string(in);

  // The pieces the verifier is built from, on their own.
  for (const http::Header& h : request.headers) {
    (void)sigv4::CanonicalHeaderValue(h.value);
    (void)sigv4::SignedHeadersString(sigv4::SplitSignedHeaders(h.value));
    CheckAuthorizationRoundTrip(h.value);
    std::chrono::system_clock::time_point t;
    (void)auth::ParseAmzDate(h.value, &t);
  }
  std::string_view target = request.target;
  std::string_view path = fuzz::TakeUntil(target, '?');
  (void)sigv4::CanonicalUri(path);
  (void)sigv4::CanonicalUri(path, /*double_encode=*/false);
  (void)sigv4::CanonicalQueryString(target);
  if (request.headers.size() >= 2) {
    (void)auth::GlobMatch(request.headers[0].value, request.headers[1].value);
    (void)auth::GlobMatch(request.headers[0].value, request.headers[1].value, true);
  }

  // 2015-08-30T12:36:00Z, the date of AWS's SigV4 examples.
  const auto now = std::chrono::system_clock::from_time_t(1440938160);
  for (std::string_view service : {"kinesis", "fluxgate"}) {
    auth::Verdict verdict = Verifier().Verify(request, service, now);
    if (!verdict.ok()) {
      FUZZ_CHECK(verdict.refusal.type.find("Exception") != std::string::npos);
      FUZZ_CHECK(!verdict.refusal.message.empty());
    } else {
      FUZZ_CHECK(verdict.principal->access_key_id == "AKIDEXAMPLE");
    }
  }
  return 0;
}
