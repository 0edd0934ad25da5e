// The bearer token of the HTTP listener ([http] bearer_token, --bearer-token;
// docs/design/dashboard.md, "The token"). A request proves it holds the token with
//
//   Authorization: Bearer <token>          any method
//   Cookie: fluxgate_token=<token>         GET and HEAD only
//
// The cookie exists because a browser's EventSource cannot send headers: the dashboard's
// login form stores the token in it (SameSite=Strict). It is accepted only on read-only
// methods, so a cross-site form can never make a state-changing call with it.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "http/message.h"

namespace fluxgate::web {

inline constexpr char kTokenCookie[] = "fluxgate_token";

enum class TokenCheck {
  kAbsent,  // neither header nor (usable) cookie: the caller may try other schemes
  kValid,
  kInvalid,  // a Bearer header or the cookie with the wrong token
};

// Compares in time independent of where the strings differ and of their lengths (both
// are hashed first), so the token cannot be guessed byte by byte.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `token` must not be empty.
TokenCheck CheckBearerToken(const http::Request& request, std::string_view token);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), percent-decoded; empty if
// absent.
std::string CookieValue(std::string_view cookie_header, std::string_view name);

}  // namespace fluxgate::web
