// The AVX2 JSON decoder: simdjson's "haswell" kernel as the On-Demand builtin.
//
// simdjson 3.0.1's On-Demand front end is only fully inside target regions for the
// implementation the compiler flags select, so this whole translation unit is compiled
// for AVX2 (the pragma precedes the include). JsonDecoder only constructs this backend
// when the CPU has AVX2, BMI1 and PCLMUL. Caveat: inline functions simdjson shares across
// kernels (error_message, padded_string, ...) are also emitted here with AVX2 code and the
// linker may keep this copy; on a CPU without AVX2 (pre-2013 x86) that could fault, so
// such machines need this file dropped from the build (see docs/design/runtime.md).
#pragma GCC push_options
#pragma GCC target("avx2,bmi,pclmul,lzcnt,popcnt")
#define SIMDJSON_BUILTIN_IMPLEMENTATION haswell
#include <simdjson.h>

#define FG_JSON_NS json_haswell
#include "runtime/json_decoder_impl.inc"
#pragma GCC pop_options
