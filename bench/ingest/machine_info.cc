#include "machine_info.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fluxgate::bench {
namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

MachineInfo ReadMachineInfo() {
  MachineInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) info.cpu_model = Trim(line.substr(colon + 1));
      break;
    }
  }
  if (info.cpu_model.empty()) info.cpu_model = "unknown CPU";
  info.online_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));

  std::ifstream osrelease("/proc/sys/kernel/osrelease");
  std::getline(osrelease, info.kernel);
  info.kernel = Trim(info.kernel);
  if (info.kernel.empty()) info.kernel = "unknown";

  std::ifstream meminfo("/proc/meminfo");
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      std::istringstream in(line.substr(9));
      int64_t kib = 0;
      in >> kib;
      info.mem_total_mib = kib / 1024;
      break;
    }
  }
  std::ifstream loadavg("/proc/loadavg");
  loadavg >> info.load_average_1m;
  return info;
}

double ProcessCpuSeconds(int pid) {
  if (pid == 0) {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) return -1;
  // The command name (field 2) may contain spaces; fields after its closing ')' are fixed.
  const auto close = content.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(content.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  // After ')' come field 3 (state) ... field 14 utime, field 15 stime.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

}  // namespace fluxgate::bench
