#include "server/identity/token_review_verifier.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kToken =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
constexpr absl::string_view kAudience = "vercel-user-tokens";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

UpstreamResponse Answer(long status, std::string body) {
  UpstreamResponse response;
  response.http_status = status;
  response.body = std::move(body);
  return response;
}

// The API server's answers, as kubernetes-identity.md records them; each
// echoes spec.token like the real one.
std::string Review(absl::string_view status_json) {
  return absl::StrCat(
      R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1",)",
      R"("metadata":{"creationTimestamp":null},"spec":{"token":")", kToken,
      R"(","audiences":["vercel-user-tokens"]},"status":)", status_json, "}");
}

constexpr absl::string_view kAuthenticated = R"({"authenticated":true,
  "user":{"username":"system:serviceaccount:billing:deployer",
  "uid":"0b4ee6f6-sa","groups":["system:serviceaccounts",
  "system:serviceaccounts:billing","system:authenticated"],
  "extra":{"authentication.kubernetes.io/credential-id":["JTI=jti-7"],
  "authentication.kubernetes.io/pod-name":["api-5d9"],
  "authentication.kubernetes.io/pod-uid":["pod-uid-1"]}},
  "audiences":["vercel-user-tokens"]})";

TokenReviewOutcome Map(const absl::StatusOr<UpstreamResponse>& result) {
  return MapTokenReview(result, kToken, kAudience, "cluster.local", kNow);
}

std::string ReasonOf(const absl::Status& status) {
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  auto retry = DetailOf<google::rpc::RetryInfo>(status);
  if (!retry.has_value()) return std::nullopt;
  return absl::Seconds(retry->retry_delay().seconds()) +
         absl::Nanoseconds(retry->retry_delay().nanos());
}

TEST(BuildTokenReviewTest, PostsTheTokenWithOurAudience) {
  UpstreamRequest request = BuildTokenReview(kToken, kAudience, "sa-bearer");
  EXPECT_EQ(request.method, HttpMethod::kPost);
  EXPECT_EQ(request.target, "/apis/authentication.k8s.io/v1/tokenreviews");
  EXPECT_EQ(request.bearer_token, "sa-bearer");
  EXPECT_THAT(request.body, HasSubstr(R"("kind":"TokenReview")"));
  EXPECT_THAT(request.body, HasSubstr(R"("audiences":["vercel-user-tokens"])"));
  EXPECT_THAT(request.body, HasSubstr(absl::StrCat(R"("token":")", kToken)));
  EXPECT_FALSE(request.idempotent);
}

TEST(MapTokenReviewTest, AnAuthenticatedServiceAccountIsItsSpiffeId) {
  TokenReviewOutcome outcome = Map(Answer(201, Review(kAuthenticated)));
  ASSERT_TRUE(outcome.caller.ok()) << outcome.caller.status();
  EXPECT_EQ(outcome.outcome, "authenticated");
  EXPECT_EQ(outcome.caller->id,
            "spiffe://cluster.local/ns/billing/sa/deployer");
  EXPECT_EQ(outcome.caller->source, CallerSource::kKubernetes);
  EXPECT_EQ(outcome.caller->service_account_uid, "0b4ee6f6-sa");
  EXPECT_EQ(outcome.caller->pod_name, "api-5d9");
  EXPECT_EQ(outcome.caller->pod_uid, "pod-uid-1");
  EXPECT_EQ(outcome.caller->credential_id, "jti-7");
}

TEST(MapTokenReviewTest, EachRefusalHasItsReasonAndNeverTheToken) {
  struct Case {
    std::string status;
    absl::string_view reason;
    absl::string_view outcome;
  };
  const Case cases[] = {
      {R"({"user":{},"error":"[invalid bearer token, token audiences [\"vercel-user-tokens\"] is invalid for the target audiences [\"something-else\"]]"})",
       kWorkloadTokenAudience, "audience"},
      {R"({"user":{},"error":"[invalid bearer token, service account token has expired]"})",
       kWorkloadTokenExpired, "expired"},
      {R"({"user":{},"error":"[invalid bearer token, serviceaccounts \"deployer2\" not found]"})",
       kWorkloadTokenInvalid, "invalid"},
      {R"({"user":{},"error":"[invalid bearer token, service account token has been invalidated]"})",
       kWorkloadTokenInvalid, "invalid"},
      {R"({"user":{},"error":"invalid bearer token"})", kWorkloadTokenInvalid,
       "invalid"},
      // Authenticated, but not for us, or not a ServiceAccount.
      {R"({"authenticated":true,"user":{"username":"system:serviceaccount:a:b"},"audiences":["other"]})",
       kWorkloadTokenAudience, "audience"},
      {R"({"authenticated":true,"user":{"username":"alice"},"audiences":["vercel-user-tokens"]})",
       kWorkloadTokenInvalid, "invalid"},
      {R"({"authenticated":true,"user":{"username":"system:serviceaccount:a/b:c"},"audiences":["vercel-user-tokens"]})",
       kWorkloadTokenInvalid, "invalid"},
      {R"({"authenticated":true,"user":{"username":"system:serviceaccount:a:b:c"},"audiences":["vercel-user-tokens"]})",
       kWorkloadTokenInvalid, "invalid"},
  };
  for (const Case& c : cases) {
    TokenReviewOutcome outcome = Map(Answer(201, Review(c.status)));
    EXPECT_EQ(outcome.caller.status().code(),
              absl::StatusCode::kUnauthenticated)
        << c.status;
    EXPECT_EQ(ReasonOf(outcome.caller.status()), c.reason) << c.status;
    EXPECT_EQ(outcome.outcome, c.outcome) << c.status;
    EXPECT_THAT(outcome.caller.status().message(), Not(HasSubstr(kToken)));
  }
}

TEST(MapTokenReviewTest, AForbiddenReviewerIsMisconfigured) {
  TokenReviewOutcome outcome = Map(Answer(
      403,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:default:reviewer\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope","reason":"Forbidden","code":403})"));
  EXPECT_EQ(outcome.caller.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(outcome.caller.status()), kIdentityMisconfigured);
  EXPECT_EQ(outcome.outcome, "forbidden");
}

TEST(MapTokenReviewTest, AnUnreachableOrOverloadedApiServerIsUnavailable) {
  UpstreamResponse throttled = Answer(429, "{}");
  throttled.headers = {{"retry-after", "7"}};
  for (const absl::StatusOr<UpstreamResponse>& result :
       {absl::StatusOr<UpstreamResponse>(
            absl::UnavailableError("connection refused")),
        absl::StatusOr<UpstreamResponse>(
            absl::DeadlineExceededError("timeout")),
        absl::StatusOr<UpstreamResponse>(Answer(503, "")),
        absl::StatusOr<UpstreamResponse>(throttled),
        absl::StatusOr<UpstreamResponse>(Answer(201, "not json"))}) {
    TokenReviewOutcome outcome = Map(result);
    EXPECT_EQ(outcome.caller.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(ReasonOf(outcome.caller.status()), kIdentityUnavailable);
    EXPECT_EQ(outcome.outcome, "unavailable");
    EXPECT_TRUE(RetryDelayOf(outcome.caller.status()).has_value());
  }
  EXPECT_EQ(RetryDelayOf(Map(throttled).caller.status()), absl::Seconds(7));
}

// The kubelet rotates the server's own token: the file is re-read.
TEST(ServiceAccountTokenFileTest, ReadsTheRotatedToken) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/sa-token-", getpid());
  std::ofstream(path) << "first-token\n";
  std::ostringstream log;
  Logger logger(&log, LogLevel::kInfo);
  auto file =
      ServiceAccountTokenFile::Open(path, absl::Milliseconds(10), &logger);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->Current(), "first-token");
  std::ofstream(path) << "second-token";
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((*file)->Current() != "second-token" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ((*file)->Current(), "second-token");
  file->reset();
  std::remove(path.c_str());
  EXPECT_FALSE(
      ServiceAccountTokenFile::Open(path, absl::Seconds(1), &logger).ok());
}

}  // namespace
}  // namespace vercel_tokens
