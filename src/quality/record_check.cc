#include "quality/record_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "runtime/timestamp_text.h"

namespace fluxgate::quality {

namespace od = simdjson::ondemand;

const char* ProblemName(Problem p) {
  switch (p) {
    case Problem::kNone:
      return "none";
    case Problem::kMalformed:
      return "malformed";
    case Problem::kNotObject:
      return "not_object";
    case Problem::kMissing:
      return "missing";
    case Problem::kNull:
      return "null";
    case Problem::kType:
      return "type";
    case Problem::kBelowMinimum:
      return "below_minimum";
    case Problem::kAboveMaximum:
      return "above_maximum";
    case Problem::kNotInEnum:
      return "not_in_enum";
    case Problem::kBadTimestamp:
      return "bad_timestamp";
    case Problem::kUnexpectedField:
      return "unexpected_field";
    case Problem::kOutOfRange:
      return "out_of_range";
  }
  return "?";
}

namespace {

const char* JsonTypeText(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "?";
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == ',' || s.back() == '}'))
    s.remove_suffix(1);
  return s;
}

// Records the first problem only.
void Flag(RecordView* v, Problem p, int column, const char* found = nullptr, double number = 0) {
  if (v->problem != Problem::kNone) return;
  v->problem = p;
  v->problem_column = column;
  v->found = found;
  v->number = number;
}

}  // namespace

std::string_view RecordView::ProblemField(const StreamRules& rules) const {
  if (problem == Problem::kUnexpectedField) return detail;
  if (problem_column < 0 || problem_column >= static_cast<int>(rules.columns().size())) return {};
  return rules.columns()[problem_column].name;
}

std::string RecordView::Reason(const StreamRules& rules) const {
  const std::string field(ProblemField(rules));
  switch (problem) {
    case Problem::kNone:
      return {};
    case Problem::kMalformed:
      return "malformed JSON: " + detail;
    case Problem::kNotObject:
      return fmt::format("record is not a JSON object (found {})", found ? found : "?");
    case Problem::kMissing:
      return fmt::format("field '{}': required but missing", field);
    case Problem::kNull:
      return fmt::format("field '{}': must not be null", field);
    case Problem::kType:
      return fmt::format("field '{}': expected {}, got {}", field,
                         FieldTypeName(rules.columns()[problem_column].type), found ? found : "?");
    case Problem::kBelowMinimum:
      return fmt::format("field '{}': {} is below the minimum {}", field, number,
                         *rules.columns()[problem_column].minimum);
    case Problem::kAboveMaximum:
      return fmt::format("field '{}': {} is above the maximum {}", field, number,
                         *rules.columns()[problem_column].maximum);
    case Problem::kNotInEnum:
      return fmt::format("field '{}': value is not one of its enum", field);
    case Problem::kBadTimestamp:
      return fmt::format("field '{}': not a timestamp ({})", field, found ? found : "?");
    case Problem::kUnexpectedField:
      return fmt::format("field '{}': not declared (additionalProperties is false)", field);
    case Problem::kOutOfRange: {
      const SensorRange* r = rules.RangeFor(detail);
      return fmt::format(
          "field '{}': {} is outside the physical range [{}, {}] of sensor type '{}'", field,
          number, r ? r->min : 0, r ? r->max : 0, detail);
    }
  }
  return "invalid";
}

bool RecordChecker::Check(const StreamRules& rules, std::string_view data, RecordView* view) {
  const std::vector<FieldRule>& columns = rules.columns();
  RecordView& v = *view;
  v.cells.assign(columns.size(), Cell::kMissing);
  v.problem = Problem::kNone;
  v.problem_column = -1;
  v.found = nullptr;
  v.number = 0;
  v.detail.clear();
  v.device = {};
  v.sensor_type = {};
  v.has_timestamp = v.has_value = v.out_of_range = v.sensor_has_range = false;

  if (buffer_.size() < data.size() + simdjson::SIMDJSON_PADDING)
    buffer_.resize(std::max(data.size() + simdjson::SIMDJSON_PADDING, 2 * buffer_.size()));
  std::copy(data.begin(), data.end(), buffer_.begin());

  auto malformed = [&](simdjson::error_code e) {
    v.problem = Problem::kMalformed;
    v.problem_column = -1;
    v.detail = simdjson::error_message(e);
    return false;
  };
  od::document doc;
  if (auto e = parser_.iterate(buffer_.data(), data.size(), buffer_.size()).get(doc))
    return malformed(e);
  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return malformed(e);
  if (root_type != od::json_type::object) {
    // The type comes from the first byte only: read a scalar to tell `null` from `nul x`.
    simdjson::error_code e = simdjson::SUCCESS;
    switch (root_type) {
      case od::json_type::null: {
        bool is_null = false;
        e = doc.is_null().get(is_null);
        if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
        break;
      }
      case od::json_type::boolean:
        e = doc.get_bool().error();
        break;
      case od::json_type::number:
        e = doc.get_double().error();
        break;
      case od::json_type::string:
        e = doc.get_string().error();
        break;
      default:
        break;
    }
    if (e) return malformed(e);
    v.problem = Problem::kNotObject;
    v.found = JsonTypeText(root_type);
    return false;
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return malformed(e);

  const int ndeclared = rules.declared_columns();
  size_t expected = 0;  // records usually list fields in schema order
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return malformed(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return malformed(e);
    int col = -1;
    if (expected < columns.size() && columns[expected].name == key) {
      col = static_cast<int>(expected);
    } else {
      col = rules.Find(key);
    }
    if (col < 0) {
      if (!rules.additional_properties() && v.problem == Problem::kNone) {
        v.problem = Problem::kUnexpectedField;
        v.detail = std::string(key);
      }
      continue;  // the value is skipped by the next iteration
    }
    expected = static_cast<size_t>(col) + 1;
    const FieldRule& rule = columns[col];
    od::value value = field.value();
    od::json_type jt;
    if (auto e = value.type().get(jt)) return malformed(e);
    Cell& cell = v.cells[col];
    if (jt == od::json_type::null) {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null)) return malformed(e);
      if (!is_null) return malformed(simdjson::N_ATOM_ERROR);
      cell = Cell::kNull;
      if (!rule.nullable) {
        cell = Cell::kInvalid;
        Flag(&v, Problem::kNull, col);
      }
      continue;
    }
    cell = Cell::kValue;
    const bool declared = col < ndeclared;
    auto type_error = [&] {
      cell = Cell::kInvalid;
      Flag(&v, Problem::kType, col, JsonTypeText(jt));
    };
    auto check_number = [&](double d) {
      if (rule.minimum && d < *rule.minimum) {
        cell = Cell::kInvalid;
        Flag(&v, Problem::kBelowMinimum, col, nullptr, d);
      } else if (rule.maximum && d > *rule.maximum) {
        cell = Cell::kInvalid;
        Flag(&v, Problem::kAboveMaximum, col, nullptr, d);
      } else if (!rule.enum_numbers.empty() &&
                 std::find(rule.enum_numbers.begin(), rule.enum_numbers.end(), d) ==
                     rule.enum_numbers.end()) {
        cell = Cell::kInvalid;
        Flag(&v, Problem::kNotInEnum, col);
      }
    };
    switch (jt) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = value.get_string().get(s)) return malformed(e);
        if (declared && rule.type != FieldType::kString && rule.type != FieldType::kTimestamp &&
            rule.type != FieldType::kAny) {
          type_error();
          break;
        }
        if (!rule.enum_strings.empty() &&
            std::find(rule.enum_strings.begin(), rule.enum_strings.end(), s) ==
                rule.enum_strings.end()) {
          cell = Cell::kInvalid;
          Flag(&v, Problem::kNotInEnum, col);
        }
        if (col == rules.timestamp_column() || rule.type == FieldType::kTimestamp) {
          runtime::ParsedTimestamp ts;
          const char* why = runtime::ParseTimestamp(s, &ts);
          if (why == nullptr && col == rules.timestamp_column()) {
            v.has_timestamp = true;
            // Floor division: times before 1970 stay ordered.
            v.timestamp_ms =
                ts.epoch_micros >= 0 ? ts.epoch_micros / 1000 : -((-ts.epoch_micros + 999) / 1000);
          }
          if (why != nullptr && rule.type == FieldType::kTimestamp) {
            cell = Cell::kInvalid;
            Flag(&v, Problem::kBadTimestamp, col, why);
          }
        }
        if (col == rules.device_column()) v.device = s;
        if (col == rules.sensor_column()) v.sensor_type = s;
        break;
      }
      case od::json_type::number: {
        double d = 0;
        if (rule.type == FieldType::kInteger || rule.type == FieldType::kInt32) {
          int64_t i = 0;
          if (value.get_int64().get(i) ||
              (rule.type == FieldType::kInt32 && (i < INT32_MIN || i > INT32_MAX))) {
            type_error();
            break;
          }
          d = static_cast<double>(i);
        } else if (declared && rule.type != FieldType::kNumber && rule.type != FieldType::kAny) {
          type_error();
          break;
        } else if (auto e = value.get_double().get(d)) {
          return malformed(e);
        }
        check_number(d);
        if (col == rules.value_column()) {
          v.has_value = true;
          v.value = d;
        }
        if (col == rules.timestamp_column() && rule.type == FieldType::kAny && std::isfinite(d)) {
          v.has_timestamp = true;  // an undeclared timestamp may be epoch milliseconds
          v.timestamp_ms = static_cast<int64_t>(d);
        }
        if (col == rules.device_column()) v.device = TrimRight(value.raw_json_token());
        break;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = value.get_bool().get(b)) return malformed(e);
        if (declared && rule.type != FieldType::kBoolean && rule.type != FieldType::kAny)
          type_error();
        break;
      }
      case od::json_type::object:
      case od::json_type::array:
        if (declared && rule.type != FieldType::kAny &&
            rule.type != (jt == od::json_type::object ? FieldType::kObject : FieldType::kArray))
          type_error();
        break;
      case od::json_type::null:
        break;  // handled above
    }
  }
  // Anything after the object ("{...} x") is trailing content; at the end of the document
  // current_location() reports OUT_OF_BOUNDS.
  const char* trailing = nullptr;
  if (!doc.current_location().get(trailing)) return malformed(simdjson::TRAILING_CONTENT);
  for (int col = 0; col < ndeclared; ++col) {
    if (v.cells[col] == Cell::kMissing && columns[col].required) {
      v.cells[col] = Cell::kInvalid;
      Flag(&v, Problem::kMissing, col);
    }
  }
  if (!v.sensor_type.empty()) {
    if (const SensorRange* range = rules.RangeFor(v.sensor_type)) {
      v.sensor_has_range = true;
      if (v.has_value && !(v.value >= range->min && v.value <= range->max)) {
        v.out_of_range = true;
        if (rules.config().range_on_ingest && v.problem == Problem::kNone) {
          v.problem = Problem::kOutOfRange;
          v.problem_column = rules.value_column();
          v.number = v.value;
          v.detail = std::string(v.sensor_type);
          v.found = nullptr;
        }
      }
    }
  }
  return v.ok();
}

}  // namespace fluxgate::quality
