// process_* metrics with the names and meaning client_golang uses, read from
// /proc/self on Linux.
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "vigil/metrics.h"

namespace vigil {
namespace {

struct ProcStat {
  double utime_ticks = 0, stime_ticks = 0, start_ticks = 0, threads = 0, vsize = 0, rss_pages = 0;
  bool ok = false;
};

ProcStat read_stat() {
  ProcStat st;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return st;
  // The command name (field 2) may contain spaces; fields resume after ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return st;
  std::istringstream rest(line.substr(close + 2));
  std::string f[50];
  for (int i = 0; i < 50 && rest >> f[i]; ++i) {}
  // rest starts at field 3 (state): field N is f[N-3].
  try {
    st.utime_ticks = std::stod(f[14 - 3]);
    st.stime_ticks = std::stod(f[15 - 3]);
    st.threads = std::stod(f[20 - 3]);
    st.start_ticks = std::stod(f[22 - 3]);
    st.vsize = std::stod(f[23 - 3]);
    st.rss_pages = std::stod(f[24 - 3]);
    st.ok = true;
  } catch (...) {
  }
  return st;
}

double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double open_fds() {
  double n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
    --n;  // the descriptor opendir itself holds
  }
  return n;
}

double max_fds() {
  std::ifstream in("/proc/self/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Max open files")) {
      std::istringstream f(line.substr(14));
      std::string soft;
      f >> soft;
      return soft == "unlimited" ? 0 : std::stod(soft);
    }
  }
  return 0;
}

void add_gauge(std::vector<MetricFamilySnapshot>& out, std::string name, std::string help, MetricType type,
               double value, std::string unit = "") {
  MetricFamilySnapshot& f = out.emplace_back();
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  f.unit = std::move(unit);
  f.series.emplace_back().value = value;
}

class ProcessCollector final : public Collector {
 public:
  ProcessCollector()
      : ticks_(static_cast<double>(sysconf(_SC_CLK_TCK))),
        page_(static_cast<double>(sysconf(_SC_PAGESIZE))),
        boot_(boot_time()) {}

  void collect(std::vector<MetricFamilySnapshot>& out) const override {
    ProcStat st = read_stat();
    if (!st.ok) return;
    add_gauge(out, "process_cpu_seconds", "Total user and system CPU time spent in seconds.", MetricType::kCounter,
              (st.utime_ticks + st.stime_ticks) / ticks_, "seconds");
    add_gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
              st.rss_pages * page_, "bytes");
    add_gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge, st.vsize,
              "bytes");
    add_gauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
              MetricType::kGauge, boot_ + st.start_ticks / ticks_, "seconds");
    add_gauge(out, "process_open_fds", "Number of open file descriptors.", MetricType::kGauge, open_fds());
    add_gauge(out, "process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge, max_fds());
    add_gauge(out, "process_threads", "Number of OS threads in the process.", MetricType::kGauge, st.threads);
  }

 private:
  double ticks_, page_, boot_;
};

}  // namespace

std::shared_ptr<Collector> make_process_collector() { return std::make_shared<ProcessCollector>(); }

}  // namespace vigil
