// Internal: the per-instruction-set implementations behind JsonDecoder.
#pragma once

#include <memory>
#include <string_view>

#include "runtime/json_decoder.h"

namespace fluxgate::runtime {

class JsonDecoderBackend {
 public:
  virtual ~JsonDecoderBackend() = default;
  virtual DecodeOutcome Decode(std::string_view record, RecordBatchBuilder& out,
                               DeadLetter* dead_letter, size_t readable) = 0;
};

namespace json_fallback {
std::unique_ptr<JsonDecoderBackend> MakeBackend(std::shared_ptr<const Schema> schema,
                                                JsonFormatOptions options);
}
namespace json_haswell {
std::unique_ptr<JsonDecoderBackend> MakeBackend(std::shared_ptr<const Schema> schema,
                                                JsonFormatOptions options);
}

}  // namespace fluxgate::runtime
