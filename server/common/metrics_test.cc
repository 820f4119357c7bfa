#include "server/common/metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

std::string Exposition(const Metrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

TEST(MetricsTest, CountsCallsByMethodAndCode) {
  Metrics metrics(std::make_shared<prometheus::Registry>());
  metrics.CallStarted("GetAuthToken");
  metrics.CallStarted("GetAuthToken");
  metrics.CallFinished("GetAuthToken", "NOT_FOUND", absl::Milliseconds(30));
  const std::string text = Exposition(metrics);
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_total{code="NOT_FOUND",method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_in_flight{method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_grpc_call_duration_seconds_count{method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_grpc_call_duration_seconds_bucket{method="GetAuthToken",le="0.05"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_grpc_call_duration_seconds_bucket{method="GetAuthToken",le="0.025"} 0)"));
}

TEST(MetricsTest, CountsUpstreamRequestsAndRetries) {
  Metrics metrics(std::make_shared<prometheus::Registry>());
  metrics.UpstreamFinished("GET /v5/user/tokens", "429", absl::Seconds(1));
  metrics.UpstreamRetried("GET /v5/user/tokens");
  metrics.UpstreamFinished("GET /v5/user/tokens", "200", absl::Seconds(1));
  const std::string text = Exposition(metrics);
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_upstream_requests_total{endpoint="GET /v5/user/tokens",status="429"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_upstream_requests_total{endpoint="GET /v5/user/tokens",status="200"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_upstream_retries_total{endpoint="GET /v5/user/tokens"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(vercel_tokens_upstream_request_duration_seconds_count{endpoint="GET /v5/user/tokens"} 2)"));
}

}  // namespace
}  // namespace vercel_tokens
