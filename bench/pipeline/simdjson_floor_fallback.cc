// simdjson's portable kernel for the floor measurement, on CPUs without AVX2.
#define SIMDJSON_BUILTIN_IMPLEMENTATION fallback
#include <simdjson.h>

#define FG_FLOOR_NS floor_fallback
#include "simdjson_floor_impl.inc"
