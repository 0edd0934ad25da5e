// TableReader: reads one TOML table of the config file into typed fields, remembering the
// keys it was asked for so Finish() can name any unknown key. Shared by the loaders of
// each config section (config.cc, config_ingest.cc, config_auth.cc, config_quality.cc),
// with the checks and error text those loaders have in common.
//
// Thread-safety: a reader is used by one thread while loading a file.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"

namespace fluxgate::config_internal {

// The error for a bad value at `key` (the full dotted key, e.g. "ingest.mqtt[0].qos"):
// "<file>: config key '<key>': <what>".
inline Status KeyError(const std::string& file, std::string_view key, std::string_view what) {
  return Status::InvalidArgument(file + ": config key '" + std::string(key) +
                                 "': " + std::string(what));
}

// 1 to `max_size` characters of [a-zA-Z0-9_.-]: Kinesis stream names (128) and alert topics.
inline bool ValidName(std::string_view s, size_t max_size) {
  if (s.empty() || s.size() > max_size) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}
inline bool ValidStreamName(std::string_view s) { return ValidName(s, 128); }

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

  // Reads an array of tables ([[prefix.key]]) into `out`: for each entry, a T and a reader
  // whose prefix names the entry ("ingest.mqtt[0].") go to
  // read_entry(TableReader& entry, const toml::table& table, T& item) -> Status, which
  // reads the keys and calls entry.Finish(); the first error is returned. Absent: `out`
  // keeps its defaults. Not an array of tables: this reader fails (see Finish()).
  template <typename T, typename ReadEntry>
  Status ReadTables(const char* key, std::vector<T>& out, ReadEntry read_entry) {
    const toml::array* entries = Tables(key);
    if (entries == nullptr) return Status::Ok();
    out.clear();
    for (size_t i = 0; i < entries->size(); ++i) {
      const toml::table& table = *entries->get(i)->as_table();
      TableReader entry(table, prefix_ + key + "[" + std::to_string(i) + "].", file_);
      T item;
      FG_RETURN_IF_ERROR(read_entry(entry, table, item));
      out.push_back(std::move(item));
    }
    return Status::Ok();
  }

  // The prefix of this table's keys ("ingest." or "ingest.mqtt[0].") and the file name.
  const std::string& prefix() const { return prefix_; }
  const std::string& file() const { return file_; }

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
    if (status_.ok()) status_ = KeyError(file_, prefix_ + key, what);
  }
  const toml::table& table_;
  std::string prefix_;
  std::string file_;
  std::set<std::string> seen_;
  Status status_;
};

}  // namespace fluxgate::config_internal
