// TableReader: reads one TOML table of the config file into typed fields, remembering the
// keys it was asked for so Finish() can name any unknown key. Shared by the loaders of
// each config section (config.cc, config_ingest.cc, config_auth.cc).
//
// Thread-safety: a reader is used by one thread while loading a file.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"

namespace fluxgate::config_internal {

// Walks one TOML table, assigning known keys and collecting unknown ones.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string file)
      : table_(table), prefix_(std::move(prefix)), file_(std::move(file)) {}

  template <typename T>
  void Read(const char* key, T& out) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr || !status_.ok()) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) {
        out = *v;
        return;
      }
      Fail(key, "expected a string");
    } else if constexpr (std::is_same_v<T, std::optional<std::vector<std::string>>> ||
                         std::is_same_v<T, std::vector<std::string>>) {
      std::vector<std::string> items;
      const toml::array* array = node->as_array();
      for (size_t i = 0; array != nullptr && i < array->size(); ++i) {
        auto v = array->get(i)->value<std::string>();
        if (!v) {
          array = nullptr;
        } else {
          items.push_back(*v);
        }
      }
      if (array == nullptr) return Fail(key, "expected an array of strings");
      out = std::move(items);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value_exact<bool>()) {
        out = *v;
        return;
      }
      Fail(key, "expected true or false");
    } else {
      auto v = node->value<int64_t>();
      if (!v) return Fail(key, "expected an integer");
      if (*v < 0) return Fail(key, "must not be negative");
      out = static_cast<T>(*v);
    }
  }

  const toml::table* Sub(const char* key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      Fail(key, "expected a table");
      return nullptr;
    }
    return node->as_table();
  }

  // An array of tables ([[prefix.key]]); nullptr if absent or not an array (then failed).
  const toml::array* Tables(const char* key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      Fail(key, "expected an array of tables ([[...]])");
      return nullptr;
    }
    return array;
  }

  Status Finish() {
    if (!status_.ok()) return status_;
    for (const auto& [k, v] : table_) {
      if (!seen_.count(std::string(k.str()))) {
        return Status::InvalidArgument(file_ + ": unknown config key '" + prefix_ +
                                       std::string(k.str()) + "'");
      }
    }
    return Status::Ok();
  }

 private:
  void Fail(const char* key, const char* what) {
    if (status_.ok())
      status_ = Status::InvalidArgument(file_ + ": config key '" + prefix_ + key + "': " + what);
  }
  const toml::table& table_;
  std::string prefix_;
  std::string file_;
  std::set<std::string> seen_;
  Status status_;
};

}  // namespace fluxgate::config_internal
