#include "server/common/process_metrics.h"

#include <map>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace vercel_tokens {
namespace {

// A /proc/<pid>/stat line whose command name holds a space and a ')'.
constexpr char kStat[] =
    "4242 (vercel (tokens) x) S 1 4242 4242 0 -1 4194560 2000 0 0 0 "
    "350 150 0 0 20 0 17 0 12345 104857600 2560 18446744073709551615 1 1 0 "
    "0 0 0 0 4096 17922 0 0 0 17 1 0 0 0 0 0\n";

TEST(ParseProcStatTest, ReadsCpuMemoryAndStart) {
  absl::StatusOr<ProcStat> stat = ParseProcStat(kStat, 100, 4096);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_DOUBLE_EQ(stat->cpu_seconds, 5.0);  // (350 + 150) / 100
  EXPECT_DOUBLE_EQ(stat->virtual_memory_bytes, 104857600);
  EXPECT_DOUBLE_EQ(stat->resident_memory_bytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(stat->start_seconds_after_boot, 123.45);
}

TEST(ParseProcStatTest, RefusesTruncatedOrMalformedText) {
  EXPECT_FALSE(ParseProcStat("4242 (x) S 1 2 3", 100, 4096).ok());
  EXPECT_FALSE(ParseProcStat("no name here", 100, 4096).ok());
  std::string bad = kStat;
  bad.replace(bad.find(" 350 "), 5, " abc ");
  EXPECT_FALSE(ParseProcStat(bad, 100, 4096).ok());
}

TEST(ParseBootTimeTest, ReadsTheBtimeLine) {
  absl::StatusOr<double> btime =
      ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1764900000\nprocesses 9\n");
  ASSERT_TRUE(btime.ok());
  EXPECT_DOUBLE_EQ(*btime, 1764900000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
}

// Every unlabelled sample's value, and build_info's labels.
std::map<std::string, double> Samples(
    prometheus::Registry& registry,
    std::map<std::string, std::string>* build_labels) {
  std::map<std::string, double> out;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      const double value = family.type == prometheus::MetricType::Counter
                               ? metric.counter.value
                               : metric.gauge.value;
      out[family.name] = value;
      if (family.name == "vercel_tokens_build_info") {
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          (*build_labels)[label.name] = label.value;
        }
      }
    }
  }
  return out;
}

TEST(ProcessMetricsTest, ExportsThisProcessAndTheBuild) {
  prometheus::Registry registry;
  ProcessMetrics metrics(registry, "1.2.3", "0123456789ab", absl::Hours(1));
  std::map<std::string, std::string> build;
  std::map<std::string, double> samples = Samples(registry, &build);

  EXPECT_EQ(samples["vercel_tokens_build_info"], 1);
  EXPECT_EQ(build, (std::map<std::string, std::string>{
                       {"version", "1.2.3"}, {"commit", "0123456789ab"}}));
  EXPECT_GT(samples["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GE(samples["process_virtual_memory_bytes"],
            samples["process_resident_memory_bytes"]);
  EXPECT_GE(samples["process_open_fds"], 3);  // stdin, stdout, stderr
  EXPECT_GE(samples["process_max_fds"], samples["process_open_fds"]);
  EXPECT_GE(samples["process_cpu_seconds_total"], 0);
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_GT(samples["process_start_time_seconds"], now - 24 * 3600);
  EXPECT_LE(samples["process_start_time_seconds"], now + 1);
}

}  // namespace
}  // namespace vercel_tokens
