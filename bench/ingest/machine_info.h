// MachineInfo: the machine description every benchmark prints (CPU model, cores, kernel,
// memory, load), read from /proc so figures can be compared across machines.
#pragma once

#include <cstdint>
#include <string>

namespace fluxgate::bench {

struct MachineInfo {
  std::string cpu_model;  // "model name" of the first CPU in /proc/cpuinfo
  int online_cpus = 0;    // sysconf(_SC_NPROCESSORS_ONLN)
  std::string kernel;     // from /proc/sys/kernel/osrelease
  int64_t mem_total_mib = 0;
  // 1-minute load average when the benchmark started: other work on the machine (a
  // compiler, say) skews every figure, so the report shows it.
  double load_average_1m = -1;
};

MachineInfo ReadMachineInfo();

// CPU time (user + system) a process has used, in seconds; -1 when unreadable.
// pid 0 means this process.
double ProcessCpuSeconds(int pid);

}  // namespace fluxgate::bench
