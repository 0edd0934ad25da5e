// Helpers shared by the HTTP handlers in web/ (HttpApi, JobsApi, RecordsApi, QualityApi):
// JSON responses and error bodies, and reading a request target's query string.
//
// Thread-safety: free functions on values; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace fluxgate::web {

// A response with content type application/json and `body` as is.
http::Response JsonResponse(int status, std::string body);

// {"error": message} — the shape of the read-only stream and quality endpoints.
http::Response JsonError(int status, std::string_view message);

// {"error": error, "message": message} — `error` is a machine-readable name
// ("InvalidArgument", "StreamNotFound", ...), as the job and ingest endpoints answer.
http::Response JsonError(int status, std::string_view error, std::string_view message);

// URL-decodes a query or path component: %XX (either hex case) and '+' as space. A '%'
// not followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view s);

// The decoded value of the first `key` in the query string of `target` ("/path?a=1&b"),
// "" for a key without '=', or nullopt if the key is absent.
std::optional<std::string> QueryParam(std::string_view target, std::string_view key);

}  // namespace fluxgate::web
