#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_PROCESS_METRICS_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_PROCESS_METRICS_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "server/common/periodic_task.h"

namespace vercel_tokens {

// What /proc/self/stat says about a process, in Prometheus' units.
struct ProcStat {
  // User plus system CPU time.
  double cpu_seconds = 0;
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
  // Since the system booted.
  double start_seconds_after_boot = 0;
};

// Parses the contents of /proc/<pid>/stat (proc(5)); `ticks_per_second` is
// sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE). The command name
// (field 2) may hold spaces and parentheses, so fields are counted from the
// last ')'. Pure.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text,
                                       double ticks_per_second,
                                       double page_size);

// The `btime` line of /proc/stat: when the system booted, in seconds since
// the Unix epoch. Pure.
absl::StatusOr<double> ParseBootTime(absl::string_view proc_stat);

// The process metrics every Prometheus client library exports, and the
// server's build:
//
//   process_cpu_seconds_total        counter
//   process_resident_memory_bytes    gauge
//   process_virtual_memory_bytes     gauge
//   process_open_fds                 gauge
//   process_max_fds                  gauge
//   process_start_time_seconds       gauge (seconds since the Unix epoch)
//   vercel_tokens_build_info{version,commit}  gauge, always 1
//
// registered in `registry` and read from /proc/self when constructed, then
// every `refresh_interval` on a thread of its own (prometheus-cpp's registry
// cannot run code at scrape time), so a scrape sees values at most that old.
// build_info exists from the start, so dashboards and absent() alerts can
// rely on it. A /proc file that cannot be read leaves the previous values.
// The registry is shared and must outlive this object; destroying it stops
// the thread.
class ProcessMetrics {
 public:
  ProcessMetrics(prometheus::Registry& registry, absl::string_view version,
                 absl::string_view commit, absl::Duration refresh_interval);

  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

 private:
  // Reads /proc/self and updates the metrics; runs on the refresh thread.
  void Refresh();

  prometheus::Counter& cpu_seconds_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& virtual_memory_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;
  prometheus::Gauge& start_time_;
  // The CPU time already added to cpu_seconds_ (the counter only grows).
  double cpu_seconds_counted_ = 0;
  // Declared last: the thread must stop before the members it uses go.
  std::unique_ptr<PeriodicTask> refresh_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_PROCESS_METRICS_H_
