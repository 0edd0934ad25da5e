#include "runtime/schema.h"

namespace fluxgate::runtime {

std::optional<size_t> Schema::Find(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string Schema::ToString() const {
  std::string s = "(";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) s += ", ";
    s += fields_[i].name;
    s += ' ';
    s += fields_[i].type.ToString();
  }
  s += ')';
  return s;
}

}  // namespace fluxgate::runtime
