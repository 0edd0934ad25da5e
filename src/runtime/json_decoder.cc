#include "runtime/json_decoder.h"

#include "runtime/json_decoder_backend.h"

namespace fluxgate::runtime {
namespace {

bool CpuHasHaswellKernel() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("pclmul");
}

}  // namespace

JsonDecoder::JsonDecoder(std::shared_ptr<const Schema> schema, JsonFormatOptions options) {
  backend_ = CpuHasHaswellKernel() ? json_haswell::MakeBackend(std::move(schema), options)
                                   : json_fallback::MakeBackend(std::move(schema), options);
}

JsonDecoder::~JsonDecoder() = default;

DecodeOutcome JsonDecoder::Decode(std::string_view record, RecordBatchBuilder& out,
                                  DeadLetter* dead_letter, size_t readable) {
  return backend_->Decode(record, out, dead_letter, readable);
}

}  // namespace fluxgate::runtime
