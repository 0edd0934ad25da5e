#include "common/config_alarms.h"

#include <toml++/toml.h>

#include "common/config_reader.h"

namespace fluxgate {

using config_internal::TableReader;

Status LoadAlarmsConfig(const toml::array& alarms, const std::string& file, AlarmsConfig& out) {
  out.alarms.clear();
  for (size_t i = 0; i < alarms.size(); ++i) {
    TableReader r(*alarms.get(i)->as_table(), "alarms[" + std::to_string(i) + "].", file);
    AlarmsConfig::Alarm a;
    r.Read("name", a.name);
    FG_RETURN_IF_ERROR(r.Finish());
    out.alarms.push_back(std::move(a));
  }
  return Status::Ok();
}

Status ValidateAlarmsConfig(const AlarmsConfig&) { return Status::Ok(); }

}  // namespace fluxgate
