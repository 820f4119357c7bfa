#include "server/common/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/common/files.h"

namespace vercel_tokens {
namespace {

// Fields of /proc/<pid>/stat counted from 1 (proc(5)).
constexpr int kUtime = 14;
constexpr int kStime = 15;
constexpr int kStartTime = 22;
constexpr int kVsize = 23;
constexpr int kRss = 24;

// How many entries /proc/self/fd lists, or -1.
int OpenFds() {
  std::error_code error;
  int count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end;
       !error && it != end; it.increment(error)) {
    ++count;
  }
  // The iterator's own descriptor is one of them.
  return error ? -1 : count - 1;
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text,
                                       double ticks_per_second,
                                       double page_size) {
  const size_t close = text.rfind(')');
  if (close == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc stat: no command name");
  }
  // Fields 3 onwards.
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(text.substr(close + 1)), ' ',
                     absl::SkipEmpty());
  auto field = [&fields](int number, double* value) {
    const size_t index = static_cast<size_t>(number - 3);
    return index < fields.size() && absl::SimpleAtod(fields[index], value);
  };
  double utime, stime, start, vsize, rss;
  if (!field(kUtime, &utime) || !field(kStime, &stime) ||
      !field(kStartTime, &start) || !field(kVsize, &vsize) ||
      !field(kRss, &rss) || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("/proc stat: too few or bad fields");
  }
  ProcStat stat;
  stat.cpu_seconds = (utime + stime) / ticks_per_second;
  stat.virtual_memory_bytes = vsize;
  stat.resident_memory_bytes = rss * page_size;
  stat.start_seconds_after_boot = start / ticks_per_second;
  return stat;
}

absl::StatusOr<double> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      double seconds;
      if (absl::SimpleAtod(line, &seconds)) return seconds;
    }
  }
  return absl::NotFoundError("/proc/stat: no btime line");
}

ProcessMetrics::ProcessMetrics(prometheus::Registry& registry,
                               absl::string_view version,
                               absl::string_view commit,
                               absl::Duration refresh_interval)
    : cpu_seconds_(prometheus::BuildCounter()
                       .Name("process_cpu_seconds_total")
                       .Help("User and system CPU time the process used.")
                       .Register(registry)
                       .Add({})),
      resident_memory_(prometheus::BuildGauge()
                           .Name("process_resident_memory_bytes")
                           .Help("Resident memory size of the process.")
                           .Register(registry)
                           .Add({})),
      virtual_memory_(prometheus::BuildGauge()
                          .Name("process_virtual_memory_bytes")
                          .Help("Virtual memory size of the process.")
                          .Register(registry)
                          .Add({})),
      open_fds_(prometheus::BuildGauge()
                    .Name("process_open_fds")
                    .Help("File descriptors the process holds open.")
                    .Register(registry)
                    .Add({})),
      max_fds_(prometheus::BuildGauge()
                   .Name("process_max_fds")
                   .Help("The process's limit of open file descriptors.")
                   .Register(registry)
                   .Add({})),
      start_time_(prometheus::BuildGauge()
                      .Name("process_start_time_seconds")
                      .Help("When the process started, in seconds since the "
                            "Unix epoch.")
                      .Register(registry)
                      .Add({})) {
  prometheus::BuildGauge()
      .Name("vercel_tokens_build_info")
      .Help(
          "Always 1; the labels name the server's version and the commit "
          "it was built from (`unknown` outside a git checkout).")
      .Register(registry)
      .Add({{"version", std::string(version)}, {"commit", std::string(commit)}})
      .Set(1);
  // Once here, so that the first scrape sees values; then on the thread,
  // whose first run follows at once.
  Refresh();
  refresh_ =
      std::make_unique<PeriodicTask>(refresh_interval, [this] { Refresh(); });
}

void ProcessMetrics::Refresh() {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (absl::StatusOr<std::string> text = ReadFile("/proc/self/stat");
      text.ok()) {
    if (absl::StatusOr<ProcStat> stat = ParseProcStat(*text, ticks, page);
        stat.ok()) {
      if (stat->cpu_seconds > cpu_seconds_counted_) {
        cpu_seconds_.Increment(stat->cpu_seconds - cpu_seconds_counted_);
        cpu_seconds_counted_ = stat->cpu_seconds;
      }
      resident_memory_.Set(stat->resident_memory_bytes);
      virtual_memory_.Set(stat->virtual_memory_bytes);
      if (start_time_.Value() == 0) {
        if (absl::StatusOr<std::string> boot = ReadFile("/proc/stat");
            boot.ok()) {
          if (absl::StatusOr<double> btime = ParseBootTime(*boot); btime.ok()) {
            start_time_.Set(*btime + stat->start_seconds_after_boot);
          }
        }
      }
    }
  }
  if (const int fds = OpenFds(); fds >= 0) open_fds_.Set(fds);
  if (rlimit limit; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    max_fds_.Set(static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace vercel_tokens
