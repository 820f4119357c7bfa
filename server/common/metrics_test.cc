#include "server/common/metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

TEST(MetricsTest, OrphanAndPolicyCountersExistAtZeroFromTheStart) {
  Metrics metrics(std::make_shared<prometheus::Registry>());
  const std::string text = Exposition(metrics);
  for (
      const char* series :
      {R"(vercel_tokens_orphaned_tokens_total{outcome="revoked"} 0)",
       R"(vercel_tokens_orphaned_tokens_total{outcome="revoke_failed"} 0)",
       R"(vercel_tokens_orphaned_tokens_total{outcome="orphan_unknown"} 0)",
       "vercel_tokens_policy_reload_failures_total 0",
       R"(vercel_tokens_idempotency_store_unavailable_total{action="refused"} 0)"}) {
    EXPECT_THAT(text, HasSubstr(series));
  }
}

TEST(MetricsTest, PolicyInfoNamesOnlyThePolicyInForce) {
  Metrics metrics(std::make_shared<prometheus::Registry>());
  metrics.SetPolicy("aaaa");
  metrics.SetPolicy("bbbb");
  metrics.PolicyReloadFailed();
  const std::string text = Exposition(metrics);
  EXPECT_THAT(text, HasSubstr(R"(vercel_tokens_policy_info{sha256="bbbb"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(sha256="aaaa")")));
  EXPECT_THAT(text, HasSubstr("vercel_tokens_policy_reload_failures_total 1"));
}

}  // namespace
}  // namespace vercel_tokens
