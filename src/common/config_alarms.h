// AlarmsConfig: the [[alarms]] tables of the serve config — CloudWatch-style alarms over
// fluxgate's own metrics (docs/configuration.md "[[alarms]]", docs/design/alarms.md).
// The defaults are the recipe's two alarms; an [[alarms]] list in the file replaces them.
// Plain values and pure functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "common/config_toml_fwd.h"
#include "common/status.h"

namespace fluxgate {

struct AlarmsConfig {
  struct Alarm {
    std::string name;
  };
  std::vector<Alarm> alarms;
};

// Reads the top-level [[alarms]] array into `out` (replacing the defaults).
Status LoadAlarmsConfig(const toml::array& alarms, const std::string& file, AlarmsConfig& out);
Status ValidateAlarmsConfig(const AlarmsConfig& config);

}  // namespace fluxgate
