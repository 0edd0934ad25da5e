// Forward declaration of toml::table for the config section headers (config_auth.h,
// config_ingest.h, config_quality.h), so their users need not include toml++, a large
// header-only library. toml++ has no public forward header; the inline namespace must be
// the installed version's (v3), and this is the one place to change when it moves.
#pragma once

namespace toml {
inline namespace v3 {
class table;
class array;
}  // namespace v3
}  // namespace toml
