#include "metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fluxgate::metrics {

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Seconds since the epoch at boot ("btime" of /proc/stat), or -1.
double BootTimeSeconds() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

}  // namespace

void CollectProcessMetrics(FamilySink& out) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // /proc/self/stat: "pid (comm) state ..."; comm may hold spaces, so split after ')'.
  const std::string stat = ReadFile("/proc/self/stat");
  if (auto close = stat.rfind(')'); close != std::string::npos && ticks > 0) {
    std::istringstream in(stat.substr(close + 2));
    // Fields from 3 (state) on: utime=14, stime=15, starttime=22, vsize=23, rss=24.
    int n = 3;
    std::string f;
    double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    for (; n <= 24 && in >> f; ++n) {
      if (n == 14) utime = std::stod(f);
      if (n == 15) stime = std::stod(f);
      if (n == 22) start = std::stod(f);
      if (n == 23) vsize = std::stod(f);
      if (n == 24) rss = std::stod(f);
    }
    if (n > 24) {
      out.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                  {}, (utime + stime) / ticks);
      out.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {}, vsize);
      out.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {}, rss * page);
      if (double boot = BootTimeSeconds(); boot >= 0) {
        out.Gauge("process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.", {},
                  boot + start / ticks);
      }
    }
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    double fds = 0;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++fds;
    }
    ::closedir(d);
    out.Gauge("process_open_fds", "Number of open file descriptors.", {}, fds - 1);  // minus d
  }
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out.Gauge("process_max_fds", "Maximum number of open file descriptors.", {},
              static_cast<double>(rl.rlim_cur));
  }
}

}  // namespace fluxgate::metrics
