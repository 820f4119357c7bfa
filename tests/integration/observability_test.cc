// Retries of failed upstream GETs, the Prometheus metrics endpoint and the
// JSON log line of each call, against a server with its default retry
// policy.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTokenPath[] = "/v5/user/tokens/tok_1";

Fault Unavailable(const std::string& method, const std::string& path,
                  int times) {
  Fault fault;
  fault.set_method(method);
  fault.set_path(path);
  fault.set_status(503);
  fault.set_times(times);
  fault.set_body(
      R"({"error":{"code":"service_unavailable","message":"down"}})");
  return fault;
}

class ObservabilityTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ServerOptions options;
    options.flags = {"--metrics_listen=127.0.0.1:0"};
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
  }

  grpc::Status GetToken(const std::string& token_id = "tok_1") {
    v1::GetAuthTokenRequest request;
    request.set_token_id(token_id);
    v1::GetAuthTokenResponse response;
    return ClientOf(*server_).GetAuthToken(request, &response);
  }

  // GET /metrics of the server, in Prometheus' text format.
  std::string Scrape() {
    absl::StatusOr<std::string> metrics = ScrapeMetrics(*server_);
    EXPECT_TRUE(IsOk(metrics.status()));
    return metrics.value_or("");
  }

  // The server's next `count` JSON log lines of finished calls, waiting for
  // each: a call's line may reach the test's reader thread after the
  // caller has its answer.
  std::vector<std::string> NextCallLogLines(int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<std::string> line = server_->process().WaitForLine(
          Stream::kStderr, "\"msg\":\"call\"", absl::Seconds(15));
      if (!line.ok()) {
        ADD_FAILURE() << line.status();
        break;
      }
      out.push_back(*std::move(line));
    }
    return out;
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ObservabilityTest, RetriesAGetAfterA503) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("GET", kTokenPath, 1))));

  EXPECT_TRUE(HasCode(GetToken(), grpc::StatusCode::NOT_FOUND));

  EXPECT_THAT(Requests(), ElementsAre(IsUpstream("GET", kTokenPath, ""),
                                      IsUpstream("GET", kTokenPath, "")));
}

TEST_F(ObservabilityTest, GivesUpAfterThreeAttempts) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("GET", kTokenPath, 10))));

  const grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(Requests().size(), 3u);
}

TEST_F(ObservabilityTest, NeverRetriesACreate) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("POST", "/v3/user/tokens", 1))));
  v1::CreateAuthTokenRequest request;
  request.set_team_id(kSeedTeam);
  request.set_name("once");
  v1::CreateAuthTokenResponse response;

  const grpc::Status status =
      ClientOf(*server_).CreateAuthToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(ObservabilityTest, DoesNotWaitOutALongRetryAfter) {
  Fault fault = Unavailable("GET", kTokenPath, 1);
  fault.set_status(429);
  (*fault.mutable_headers())["Retry-After"] = "60";
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  const grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(DecodeErrorDetails(status).retry_delay, absl::Seconds(60));
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(ObservabilityTest, MetricsCountCallsUpstreamRequestsAndRetries) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("GET", kTokenPath, 1))));
  EXPECT_TRUE(HasCode(GetToken(), grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(IsOk(GetToken("current")));
  EXPECT_TRUE(HasCode(GetToken("a/b"), grpc::StatusCode::INVALID_ARGUMENT));

  const std::string metrics = Scrape();

  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_total{code="OK",method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_total{code="NOT_FOUND",method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_total{code="INVALID_ARGUMENT",method="GetAuthToken"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_grpc_calls_in_flight{method="GetAuthToken"} 0)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_grpc_call_duration_seconds_count{method="GetAuthToken"} 3)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_upstream_requests_total{endpoint="GET /v5/user/tokens/{tokenId}",status="503"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_upstream_requests_total{endpoint="GET /v5/user/tokens/{tokenId}",status="404"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_upstream_requests_total{endpoint="GET /v5/user/tokens/{tokenId}",status="200"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_upstream_retries_total{endpoint="GET /v5/user/tokens/{tokenId}"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(vercel_tokens_upstream_request_duration_seconds_count{endpoint="GET /v5/user/tokens/{tokenId}"} 3)"));
}

TEST_F(ObservabilityTest, LogsOneJsonLinePerCallWithoutSecrets) {
  EXPECT_TRUE(IsOk(GetToken("current")));
  EXPECT_TRUE(HasCode(GetToken(), grpc::StatusCode::NOT_FOUND));

  const std::vector<std::string> lines = NextCallLogLines(2);

  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(
      lines[0],
      HasSubstr(
          R"("level":"info","msg":"call","method":"GetAuthToken","code":"OK")"));
  EXPECT_THAT(
      lines[0],
      HasSubstr(
          R"("upstream_requests":1,"upstream_status":"200","peer":"ipv)"));
  EXPECT_THAT(lines[1], HasSubstr(R"("code":"NOT_FOUND")"));
  EXPECT_THAT(lines[1], HasSubstr(R"("upstream_status":"404")"));
  EXPECT_THAT(
      lines[1],
      HasSubstr(
          R"("error":"Vercel API error 404 (not_found): Token not found")"));
  for (const std::string& line : lines) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
    EXPECT_THAT(line, Not(HasSubstr(kSeedSecret)));
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
