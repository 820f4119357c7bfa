#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_METRICS_SCRAPE_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_METRICS_SCRAPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/integration/server_process.h"

namespace vercel_tokens::integration {

// GET /metrics of `server` (started with --metrics_listen), in Prometheus'
// text format; the address comes from its `metrics listening` log line.
absl::StatusOr<std::string> ScrapeMetrics(const ServerProcess& server);

// The value of the sample `series` (a metric name with its labels, exactly
// as exposed, e.g. `vercel_tokens_upstream_reachable`) in `exposition`;
// NOT_FOUND when absent.
absl::StatusOr<double> SampleValue(absl::string_view exposition,
                                   absl::string_view series);

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_METRICS_SCRAPE_H_
