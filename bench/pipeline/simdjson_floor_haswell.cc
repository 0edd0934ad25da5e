// simdjson's AVX2 ("haswell") kernel as the On-Demand builtin for the floor measurement,
// as src/runtime/json_decoder_haswell.cc builds the engine's decoder: with the default
// flags (x86-64 baseline) the portable kernel would be selected and the floor would be
// several times too low. This file is compiled with -mavx2 -mbmi -mpclmul (see
// bench/CMakeLists.txt; a target pragma is not enough for iterate_many's implicit
// destructors) and is only called when the CPU has AVX2, BMI1 and PCLMUL. The runtime's
// caveat applies: shared inline simdjson helpers may be emitted with AVX2 code here.
#define SIMDJSON_BUILTIN_IMPLEMENTATION haswell
#include <simdjson.h>

#define FG_FLOOR_NS floor_haswell
#include "simdjson_floor_impl.inc"
