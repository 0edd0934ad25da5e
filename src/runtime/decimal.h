// DECIMAL(p, s) values as scaled 128-bit integers: the value v is stored as v * 10^s.
//
// Parsing rounds HALF_UP to the target scale (Java's BigDecimal.setScale(s, HALF_UP), which
// Flink uses) and rejects values needing more than p digits. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "runtime/column.h"

namespace fluxgate::runtime {

// 10^n for 0 <= n <= 38.
int128 Pow10(int n);

enum class DecimalParse { kOk, kSyntax, kOverflow };

// Parses a JSON number or decimal text ("-12.345", "1.5e3", "+7") into `*out` scaled to
// `scale`, rounding HALF_UP; kOverflow if |result| >= 10^precision.
DecimalParse ParseDecimal(std::string_view text, int precision, int scale, int128* out);

// Plain (never scientific) text of a scaled value: "-12.30" for (-1230, scale 2).
void AppendDecimal(int128 scaled, int scale, std::string& out);

// Rescales HALF_UP (used by AVG / SUM result types); no overflow check.
int128 RescaleDecimal(int128 v, int from_scale, int to_scale);
// a / b rounded HALF_UP (b != 0).
int128 DivideRoundHalfUp(int128 a, int128 b);

}  // namespace fluxgate::runtime
