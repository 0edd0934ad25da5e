// The portable JSON decoder (simdjson's scalar "fallback" kernel).
#define SIMDJSON_BUILTIN_IMPLEMENTATION fallback
#include <simdjson.h>

#define FG_JSON_NS json_fallback
#include "runtime/json_decoder_impl.inc"
