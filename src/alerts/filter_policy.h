// FilterPolicy: which alerts of a topic one subscription receives, as an SNS filter policy
// (JSON) over the alert's attributes:
//
//   {"severity": ["critical"],                         exact strings (any of)
//    "sensor_type": [{"prefix": "temp"}],              string prefix
//    "device_id": [{"anything-but": ["sensor-9"]}],    none of (strings or numbers)
//    "value": [{"numeric": [">", 90, "<=", 120]}],     numeric range
//    "location": [{"exists": false}]}                  attribute present / absent
//
// Every key must match (AND); within a key's list any one condition may match (OR). A key
// is looked up in the alert's `attributes` object (top-level keys), except "severity",
// "rule" and "topic", which are the alert's own fields. Numbers in an exact list match
// numeric attributes. An attribute that is missing matches only {"exists": false}.
//
// Thread-safety: immutable after Parse; Matches may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.h"
#include "common/status.h"

namespace fluxgate::alerts {

class FilterPolicy {
 public:
  // InvalidArgument saying what is wrong (the policy holds no secrets, so it is quoted).
  // Limits: 16 keys, 100 conditions in all, no nested keys.
  static Result<FilterPolicy> Parse(std::string_view json);

  // The alert's `attributes` must be the object text AlertHub::Publish produced.
  bool Matches(const Alert& alert) const;

  // Normalized JSON of the policy (for listings).
  const std::string& json() const { return json_; }

  struct Condition {
    enum class Kind { kExact, kNumber, kPrefix, kAnythingBut, kNumeric, kExists } kind;
    std::vector<std::string> strings;  // kExact / kPrefix (one) / kAnythingBut
    std::vector<double> numbers;       // kNumber (one) / kAnythingBut
    // kNumeric: pairs of (op, bound); op one of "=", "<", "<=", ">", ">="
    std::vector<std::pair<std::string, double>> ranges;
    bool exists = true;  // kExists
  };
  struct Rule {
    std::string key;
    std::vector<Condition> any_of;
  };

 private:
  std::vector<Rule> rules_;
  std::string json_;
};

}  // namespace fluxgate::alerts
