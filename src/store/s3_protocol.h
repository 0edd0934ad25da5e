// The S3 wire details S3ObjectStore needs that are not HTTP: reading the few XML elements
// of S3's responses, the error a response carries, and the opaque StagedObject::backend
// text of a staged (multipart) object. Kept apart so tests can check them directly.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::store::s3 {

// Every element <tag>...</tag> directly or indirectly inside `xml`, in order, with
// entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;) decoded. S3 response bodies are
// flat enough that this is all the XML reading needed: no attributes are looked at, and
// an element that contains other elements is returned raw (undecoded) for a second pass.
std::vector<std::string> XmlElements(std::string_view xml, std::string_view tag);
// The first such element, or empty.
std::string XmlFirst(std::string_view xml, std::string_view tag);
// Escapes & < > " ' for an element body.
std::string XmlEscape(std::string_view text);

// An S3 error document (<Error><Code>..</Code><Message>..</Message></Error>).
struct ErrorInfo {
  std::string code;     // "NoSuchKey", "SlowDown"; empty when the body has none
  std::string message;  // S3's own text
};
// Reads the error of a response body; `code` empty when it holds no <Error>.
ErrorInfo ParseError(std::string_view body);

// One uploaded part of a multipart upload.
struct PartRecord {
  uint32_t number = 0;  // 1..10000
  uint64_t size = 0;
  std::string etag;  // as S3 returned it, quotes included
};

// What StagedObject::backend holds for S3: the upload, the parts uploaded so far, and the
// tail — bytes persisted but not yet uploaded, because S3 refuses parts under 5 MiB
// unless they are the last one. Persist uploads any buffer of 5 MiB or more as a part, so
// a tail is always under 5 MiB (docs/design/store.md, "Staged objects on S3").
struct StagedState {
  std::string upload_id;
  std::vector<PartRecord> parts;  // ascending part numbers
  std::string tail;
};
std::string EncodeStagedState(const StagedState& state);
// Corruption when the text is not one EncodeStagedState wrote.
Result<StagedState> DecodeStagedState(std::string_view backend);

}  // namespace fluxgate::store::s3
