// Server-Sent Events framing for the dashboard's live stream (GET /v1/events), as the
// HTML Living Standard's "Server-sent events" section parses it: optional `retry:`, an
// `id:`, an `event:` name, one `data:` line per line of the payload, a blank line.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fluxgate::web {

// One event. `data` may contain newlines ("\n", "\r\n" or "\r"): each line becomes its own
// data: field, which the browser joins again with "\n". retry_ms < 0: no retry field.
std::string SseEvent(uint64_t id, std::string_view event, std::string_view data, int retry_ms = -1);

// The id a reconnecting EventSource sends back (Last-Event-ID header): nullopt unless it
// is a decimal number that fits in 64 bits.
std::optional<uint64_t> ParseLastEventId(std::string_view header);

}  // namespace fluxgate::web
