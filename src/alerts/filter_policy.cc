#include "alerts/filter_policy.h"

#include <simdjson.h>

#include <cmath>

namespace fluxgate::alerts {
namespace {

constexpr size_t kMaxKeys = 16;
constexpr size_t kMaxConditions = 100;

using simdjson::dom::element;
using simdjson::dom::element_type;

Status Bad(const std::string& key, const std::string& what) {
  return Status::InvalidArgument("filter policy: \"" + key + "\": " + what);
}

Status ParseCondition(const std::string& key, element v, FilterPolicy::Condition* c) {
  using Kind = FilterPolicy::Condition::Kind;
  switch (v.type()) {
    case element_type::STRING:
      c->kind = Kind::kExact;
      c->strings.emplace_back(std::string_view(v.get_string().value()));
      return Status::Ok();
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      c->kind = Kind::kNumber;
      c->numbers.push_back(v.get_double().value());
      return Status::Ok();
    case element_type::OBJECT:
      break;
    default:
      return Bad(key, "a condition is a string, a number or an object like {\"prefix\": ...}");
  }
  simdjson::dom::object obj = v.get_object().value();
  if (obj.size() != 1)
    return Bad(key,
               "an operator object has exactly one key (prefix, anything-but, numeric, "
               "exists)");
  for (auto [op_sv, arg] : obj) {
    const std::string op(op_sv);
    if (op == "prefix") {
      if (!arg.is_string()) return Bad(key, "\"prefix\" takes a string");
      c->kind = Kind::kPrefix;
      c->strings.emplace_back(std::string_view(arg.get_string().value()));
    } else if (op == "exists") {
      if (!arg.is_bool()) return Bad(key, "\"exists\" takes true or false");
      c->kind = Kind::kExists;
      c->exists = arg.get_bool().value();
    } else if (op == "anything-but") {
      c->kind = Kind::kAnythingBut;
      auto add = [&](element e) -> Status {
        if (e.is_string()) {
          c->strings.emplace_back(std::string_view(e.get_string().value()));
        } else if (e.is_number()) {
          c->numbers.push_back(e.get_double().value());
        } else {
          return Bad(key, "\"anything-but\" takes strings or numbers");
        }
        return Status::Ok();
      };
      if (arg.is_array()) {
        simdjson::dom::array items = arg.get_array().value();
        for (element e : items) FG_RETURN_IF_ERROR(add(e));
      } else {
        FG_RETURN_IF_ERROR(add(arg));
      }
    } else if (op == "numeric") {
      if (!arg.is_array()) return Bad(key, "\"numeric\" takes [op, number, ...]");
      c->kind = Kind::kNumeric;
      simdjson::dom::array a = arg.get_array().value();
      if (a.size() == 0 || a.size() % 2 != 0 || a.size() > 4)
        return Bad(key, "\"numeric\" takes one or two (op, number) pairs");
      for (size_t i = 0; i < a.size(); i += 2) {
        element o = a.at(i).value(), n = a.at(i + 1).value();
        if (!o.is_string() || !n.is_number())
          return Bad(key, "\"numeric\" takes [op, number, ...]");
        const std::string ops(std::string_view(o.get_string().value()));
        if (ops != "=" && ops != "<" && ops != "<=" && ops != ">" && ops != ">=")
          return Bad(key, "numeric operator must be one of = < <= > >=, got \"" + ops + "\"");
        c->ranges.emplace_back(ops, n.get_double().value());
      }
    } else {
      return Bad(key, "unknown operator \"" + op +
                          "\" (supported: prefix, anything-but, numeric, exists)");
    }
  }
  return Status::Ok();
}

bool Compare(const std::string& op, double v, double bound) {
  if (op == "=") return v == bound;
  if (op == "<") return v < bound;
  if (op == "<=") return v <= bound;
  if (op == ">") return v > bound;
  return v >= bound;
}

// An attribute's value as the policy sees it.
struct Value {
  bool present = false;
  bool is_string = false;
  bool is_number = false;
  std::string_view s;
  double d = 0;
};

bool Satisfies(const FilterPolicy::Condition& c, const Value& v) {
  using Kind = FilterPolicy::Condition::Kind;
  switch (c.kind) {
    case Kind::kExists:
      return v.present == c.exists;
    case Kind::kExact:
      return v.is_string && v.s == c.strings[0];
    case Kind::kNumber:
      return v.is_number && v.d == c.numbers[0];
    case Kind::kPrefix:
      return v.is_string && v.s.substr(0, c.strings[0].size()) == c.strings[0];
    case Kind::kAnythingBut:
      if (!v.present) return false;
      if (v.is_string)
        for (const auto& s : c.strings)
          if (v.s == s) return false;
      if (v.is_number)
        for (double d : c.numbers)
          if (v.d == d) return false;
      return true;
    case Kind::kNumeric:
      if (!v.is_number) return false;
      for (const auto& [op, bound] : c.ranges)
        if (!Compare(op, v.d, bound)) return false;
      return true;
  }
  return false;
}

}  // namespace

Result<FilterPolicy> FilterPolicy::Parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root); err)
    return Status::InvalidArgument(std::string("filter policy is not valid JSON: ") +
                                   simdjson::error_message(err));
  if (!root.is_object())
    return Status::InvalidArgument(
        "filter policy must be a JSON object like {\"severity\": [\"critical\"]}");
  FilterPolicy p;
  size_t conditions = 0;
  simdjson::dom::object keys = root.get_object().value();
  for (auto [key_sv, list] : keys) {
    const std::string key(key_sv);
    if (!list.is_array())
      return Bad(key, "must be a list of conditions, e.g. [\"a\", {\"prefix\": \"b\"}]");
    Rule rule;
    rule.key = key;
    simdjson::dom::array conditions_of_key = list.get_array().value();
    for (element v : conditions_of_key) {
      Condition c;
      FG_RETURN_IF_ERROR(ParseCondition(key, v, &c));
      rule.any_of.push_back(std::move(c));
      if (++conditions > kMaxConditions)
        return Status::InvalidArgument("filter policy has more than 100 conditions");
    }
    if (rule.any_of.empty()) return Bad(key, "the list of conditions is empty");
    p.rules_.push_back(std::move(rule));
    if (p.rules_.size() > kMaxKeys)
      return Status::InvalidArgument("filter policy has more than 16 keys");
  }
  p.json_ = simdjson::minify(root);
  return p;
}

bool FilterPolicy::Matches(const Alert& alert) const {
  if (rules_.empty()) return true;
  simdjson::dom::parser parser;  // per call: alerts are rare next to records
  simdjson::padded_string padded(alert.attributes.empty() ? std::string_view("{}")
                                                          : std::string_view(alert.attributes));
  simdjson::dom::object attrs;
  const bool have_attrs = !parser.parse(padded).get(attrs);
  for (const Rule& rule : rules_) {
    Value v;
    if (rule.key == "severity" || rule.key == "rule" || rule.key == "topic") {
      v.present = v.is_string = true;
      v.s = rule.key == "severity" ? alert.severity : rule.key == "rule" ? alert.rule : alert.topic;
    } else if (have_attrs) {
      element e;
      if (!attrs.at_key(rule.key).get(e)) {
        v.present = e.type() != element_type::NULL_VALUE;
        if (e.is_string()) {
          v.is_string = true;
          v.s = e.get_string().value();
        } else if (e.is_number()) {
          v.is_number = true;
          v.d = e.get_double().value();
        } else if (e.is_bool()) {
          v.is_string = true;  // SNS compares booleans as their text
          v.s = e.get_bool().value() ? "true" : "false";
        }
      }
    }
    bool any = false;
    for (const Condition& c : rule.any_of) {
      if (Satisfies(c, v)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace fluxgate::alerts
