// Permissions: what one principal may do, modelled on an IAM identity policy with a single
// Allow statement: `allow` lists actions ("kinesis:PutRecords", "kinesis:Get*", "admin:*")
// and `streams` the stream names, patterns or ARN patterns the stream actions may touch.
// There is no Deny: anything not allowed is refused (docs/design/auth.md).
//
// Thread-safety: immutable after construction; use from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fluxgate::auth {

// IAM-style wildcard match: '*' matches any run of characters (also none), '?' exactly
// one; everything else literally. Action names compare case-insensitively as IAM does,
// resource names exactly (`ignore_case`).
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

class Permissions {
 public:
  // `streams` empty means every stream (docs/configuration.md, [auth]).
  Permissions(std::vector<std::string> allow, std::vector<std::string> streams);

  // Whether some `allow` entry matches the action ("kinesis:PutRecords").
  bool AllowsAction(std::string_view action) const;
  // Whether some `streams` entry matches the stream: entries starting with "arn:" are
  // matched against `stream_arn`, the others against the bare name.
  bool AllowsStream(std::string_view name, std::string_view stream_arn) const;

  const std::vector<std::string>& allow() const { return allow_; }
  const std::vector<std::string>& streams() const { return streams_; }

 private:
  std::vector<std::string> allow_;
  std::vector<std::string> streams_;
};

}  // namespace fluxgate::auth
