#include "quality/schema.h"

#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "sql/parser.h"
#include "sql/types.h"

namespace fluxgate::quality {

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kAny:
      return "any value";
    case FieldType::kString:
      return "a string";
    case FieldType::kNumber:
      return "a number";
    case FieldType::kInteger:
      return "an integer";
    case FieldType::kInt32:
      return "a 32-bit integer";
    case FieldType::kBoolean:
      return "true or false";
    case FieldType::kTimestamp:
      return "a timestamp string";
    case FieldType::kObject:
      return "an object";
    case FieldType::kArray:
      return "an array";
  }
  return "?";
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits at commas outside parentheses and backquotes (DECIMAL(10, 2) stays whole).
std::vector<std::string_view> SplitColumns(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

Result<FieldType> FromSqlType(const sql::DataType& t) {
  switch (t.kind) {
    case sql::TypeKind::kBoolean:
      return FieldType::kBoolean;
    case sql::TypeKind::kInt:
      return FieldType::kInt32;
    case sql::TypeKind::kBigInt:
      return FieldType::kInteger;
    case sql::TypeKind::kDouble:
    case sql::TypeKind::kDecimal:
      return FieldType::kNumber;
    case sql::TypeKind::kString:
      return FieldType::kString;
    case sql::TypeKind::kTimestamp:
    case sql::TypeKind::kTimestampLtz:
      return FieldType::kTimestamp;
    default:
      return Status::InvalidArgument("type " + t.ToString() + " cannot be a JSON field");
  }
}

}  // namespace

Result<Schema> ParseSqlColumns(std::string_view text) {
  Schema schema;
  if (Trim(text).empty()) return Status::InvalidArgument("schema: no columns");
  for (std::string_view col : SplitColumns(text)) {
    col = Trim(col);
    if (col.empty()) return Status::InvalidArgument("schema: empty column (stray ',')");
    FieldRule rule;
    std::string_view rest;
    if (col.front() == '`') {
      size_t close = col.find('`', 1);
      if (close == std::string_view::npos)
        return Status::InvalidArgument("schema: unclosed ` in '" + std::string(col) + "'");
      rule.name = std::string(col.substr(1, close - 1));
      rest = col.substr(close + 1);
    } else {
      size_t space = col.find_first_of(" \t\n\r");
      if (space == std::string_view::npos)
        return Status::InvalidArgument("schema: column '" + std::string(col) + "' has no type");
      rule.name = std::string(col.substr(0, space));
      rest = col.substr(space);
    }
    if (rule.name.empty()) return Status::InvalidArgument("schema: empty column name");
    for (const FieldRule& f : schema.fields) {
      if (f.name == rule.name)
        return Status::InvalidArgument("schema: column '" + rule.name + "' declared twice");
    }
    auto type = sql::ParseDataType(Trim(rest));
    if (!type.ok()) {
      return Status::InvalidArgument("schema: column '" + rule.name +
                                     "': " + type.status().message());
    }
    auto ft = FromSqlType(*type);
    if (!ft.ok())
      return Status::InvalidArgument("schema: column '" + rule.name +
                                     "': " + ft.status().message());
    rule.type = *ft;
    rule.nullable = type->nullable;
    rule.required = !type->nullable;
    schema.fields.push_back(std::move(rule));
  }
  return schema;
}

namespace {

Result<FieldType> JsonTypeName(std::string_view name, bool* nullable) {
  if (name == "null") {
    *nullable = true;
    return FieldType::kAny;
  }
  if (name == "string") return FieldType::kString;
  if (name == "number") return FieldType::kNumber;
  if (name == "integer") return FieldType::kInteger;
  if (name == "boolean") return FieldType::kBoolean;
  if (name == "object") return FieldType::kObject;
  if (name == "array") return FieldType::kArray;
  return Status::InvalidArgument("unknown type '" + std::string(name) + "'");
}

Status ParseProperty(std::string_view name, simdjson::dom::object prop, FieldRule* rule) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("json_schema: property '" + std::string(name) + "': " + what);
  };
  rule->name = std::string(name);
  rule->nullable = false;  // JSON Schema: null only when "type" lists it (or no type)
  bool typed = false;
  for (auto [key, value] : prop) {
    if (key == "type") {
      typed = true;
      std::vector<std::string_view> names;
      if (value.is_string()) {
        names.push_back(std::string_view(value.get_string().value()));
      } else if (simdjson::dom::array arr; !value.get(arr)) {
        for (auto v : arr) {
          if (!v.is_string()) return bad("\"type\" must be a string or a list of strings");
          names.push_back(std::string_view(v.get_string().value()));
        }
      } else {
        return bad("\"type\" must be a string or a list of strings");
      }
      int concrete = 0;
      for (std::string_view n : names) {
        bool is_null = false;
        auto t = JsonTypeName(n, &is_null);
        if (!t.ok()) return bad(t.status().message());
        if (is_null) {
          rule->nullable = true;
        } else {
          // ["integer","number"] and the like: the wider wins; other unions are "any".
          if (concrete++ == 0 || rule->type == *t) {
            rule->type = *t;
          } else if ((rule->type == FieldType::kInteger && *t == FieldType::kNumber) ||
                     (rule->type == FieldType::kNumber && *t == FieldType::kInteger)) {
            rule->type = FieldType::kNumber;
          } else {
            rule->type = FieldType::kAny;
          }
        }
      }
    } else if (key == "minimum" || key == "maximum") {
      double d;
      if (value.get_double().get(d)) return bad("\"" + std::string(key) + "\" must be a number");
      (key == "minimum" ? rule->minimum : rule->maximum) = d;
    } else if (key == "enum") {
      simdjson::dom::array arr;
      if (value.get(arr)) return bad("\"enum\" must be a list");
      for (auto v : arr) {
        if (v.is_string()) {
          rule->enum_strings.emplace_back(std::string_view(v.get_string().value()));
        } else if (v.is_number()) {
          rule->enum_numbers.push_back(v.get_double().value());
        } else {
          return bad("\"enum\" supports strings and numbers only");
        }
      }
    } else if (key == "format") {
      if (value.is_string() && std::string_view(value.get_string().value()) == "date-time")
        rule->type = FieldType::kTimestamp;
    }
    // Other keywords (description, title, ...) are documentation here.
  }
  if (!typed) rule->nullable = true;
  if (rule->type == FieldType::kTimestamp || !rule->enum_strings.empty()) {
    // "format" / string "enum" narrow a string; keep them meaningful only for strings.
    if (rule->type != FieldType::kTimestamp && rule->type != FieldType::kString &&
        rule->type != FieldType::kAny)
      return bad("\"enum\" of strings on a non-string type");
  }
  return Status::Ok();
}

}  // namespace

Result<Schema> ParseJsonSchema(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto e = parser.parse(padded).get(root))
    return Status::InvalidArgument(std::string("json_schema: not JSON: ") +
                                   simdjson::error_message(e));
  simdjson::dom::object obj;
  if (root.get(obj)) return Status::InvalidArgument("json_schema: the document must be an object");
  Schema schema;
  std::vector<std::string> required;
  for (auto [key, value] : obj) {
    if (key == "type") {
      if (!value.is_string() || std::string_view(value.get_string().value()) != "object")
        return Status::InvalidArgument("json_schema: top-level \"type\" must be \"object\"");
    } else if (key == "properties") {
      simdjson::dom::object props;
      if (value.get(props))
        return Status::InvalidArgument("json_schema: \"properties\" must be an object");
      for (auto [name, prop] : props) {
        simdjson::dom::object p;
        if (prop.get(p))
          return Status::InvalidArgument("json_schema: property '" + std::string(name) +
                                         "' must be an object");
        FieldRule rule;
        FG_RETURN_IF_ERROR(ParseProperty(name, p, &rule));
        schema.fields.push_back(std::move(rule));
      }
    } else if (key == "required") {
      simdjson::dom::array arr;
      if (value.get(arr))
        return Status::InvalidArgument("json_schema: \"required\" must be a list of names");
      for (auto v : arr) {
        if (!v.is_string())
          return Status::InvalidArgument("json_schema: \"required\" must be a list of names");
        required.emplace_back(std::string_view(v.get_string().value()));
      }
    } else if (key == "additionalProperties") {
      bool b;
      if (value.get_bool().get(b))
        return Status::InvalidArgument(
            "json_schema: \"additionalProperties\" must be true or false (schemas are not "
            "supported there)");
      schema.additional_properties = b;
    }
  }
  for (const std::string& name : required) {
    FieldRule* found = nullptr;
    for (FieldRule& f : schema.fields)
      if (f.name == name) found = &f;
    if (!found) {  // required but not described: any type, must be present
      schema.fields.push_back(FieldRule{name, FieldType::kAny, true, true, {}, {}, {}, {}});
      continue;
    }
    found->required = true;
  }
  if (schema.fields.empty())
    return Status::InvalidArgument("json_schema: no \"properties\" and no \"required\" fields");
  return schema;
}

Result<Schema> LoadJsonSchemaFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("json_schema '" + path + "': cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto schema = ParseJsonSchema(ss.str());
  if (!schema.ok()) return Status::InvalidArgument(path + ": " + schema.status().message());
  return schema;
}

}  // namespace fluxgate::quality
