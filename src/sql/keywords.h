// Which words the grammar reserves, and which identifiers must be back-quoted on output.
// Internal to src/sql/. Thread-safe (immutable tables).
#pragma once

#include <string>
#include <string_view>

namespace fluxgate::sql {

// Words that cannot be an unquoted identifier or implicit alias in our grammar (SELECT,
// FROM, AND, ...). Deliberately shorter than Flink's reserved list: words such as
// TIMESTAMP, VALUE, DATE or COUNT are accepted as column names where the grammar is not
// ambiguous (docs/sql.md). `upper` must be upper case.
bool IsReservedWord(std::string_view upper);

// Whether `s` lexes as one unquoted word: [A-Za-z_][A-Za-z0-9_$]*.
bool IsPlainWord(std::string_view s);

// The identifier as canonical SQL: unchanged when it is a plain word that neither we nor
// Flink reserve, otherwise back-quoted with ` doubled. The output is valid Flink SQL.
std::string QuoteIdentifier(std::string_view name);

// 'text' with ' doubled.
std::string QuoteString(std::string_view text);

std::string ToUpper(std::string_view s);

}  // namespace fluxgate::sql
