// How Vercel's HTTP errors reach the caller: gRPC code, message, ErrorInfo,
// RetryInfo and rate-limit metadata.

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Le;
using ::testing::Not;
using ::testing::Pair;

constexpr char kTokenPath[] = "/v5/user/tokens/tok_1";

// Makes the fake answer the next `GET kTokenPath` with `status` and `body`.
Fault TokenFault(int status, const std::string& body) {
  Fault fault;
  fault.set_method("GET");
  fault.set_path(kTokenPath);
  fault.set_status(status);
  fault.set_body(body);
  return fault;
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  return absl::StrCat(R"({"error":{"code":")", code, R"(","message":")",
                      message, R"("}})");
}

class ErrorMappingTest : public IntegrationTest {
 protected:
  // Calls GetAuthToken("tok_1"), filling `rate_limit` when not null.
  grpc::Status GetToken(RateLimit* rate_limit = nullptr) {
    v1::GetAuthTokenRequest request;
    request.set_token_id("tok_1");
    v1::GetAuthTokenResponse response;
    return Client().GetAuthToken(request, &response, rate_limit);
  }
};

struct HttpErrorCase {
  int http_status;
  std::string vercel_code;
  grpc::StatusCode code;
};

void PrintTo(const HttpErrorCase& c, std::ostream* os) {
  *os << c.http_status << " " << c.vercel_code;
}

class HttpErrorTest : public ErrorMappingTest,
                      public ::testing::WithParamInterface<HttpErrorCase> {};

TEST_P(HttpErrorTest, BecomesGrpcCodeWithErrorInfo) {
  const HttpErrorCase& c = GetParam();
  ASSERT_TRUE(IsOk(fake().AddFault(TokenFault(
      c.http_status, ErrorBody(c.vercel_code, "Something failed")))));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, c.code));
  EXPECT_EQ(status.error_message(),
            absl::StrCat("Vercel API error ", c.http_status, " (",
                         c.vercel_code, "): Something failed"));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, absl::AsciiStrToUpper(c.vercel_code));
  EXPECT_EQ(details.domain, "api.vercel.com");
  EXPECT_THAT(details.metadata,
              AllOf(::testing::Contains(
                        Pair("http_status", absl::StrCat(c.http_status))),
                    ::testing::Contains(Pair("vercel_code", c.vercel_code))));
  EXPECT_THAT(Requests(), ElementsAre(IsUpstream("GET", kTokenPath, "")));
}

INSTANTIATE_TEST_SUITE_P(
    AllStatuses, HttpErrorTest,
    ::testing::Values(
        HttpErrorCase{400, "bad_request", grpc::StatusCode::INVALID_ARGUMENT},
        HttpErrorCase{401, "unauthorized", grpc::StatusCode::UNAUTHENTICATED},
        HttpErrorCase{403, "forbidden", grpc::StatusCode::PERMISSION_DENIED},
        HttpErrorCase{404, "not_found", grpc::StatusCode::NOT_FOUND},
        HttpErrorCase{409, "conflict", grpc::StatusCode::ALREADY_EXISTS},
        HttpErrorCase{418, "teapot", grpc::StatusCode::FAILED_PRECONDITION},
        HttpErrorCase{429, "rate_limited",
                      grpc::StatusCode::RESOURCE_EXHAUSTED},
        HttpErrorCase{500, "internal_server_error", grpc::StatusCode::INTERNAL},
        HttpErrorCase{501, "not_implemented", grpc::StatusCode::UNIMPLEMENTED},
        HttpErrorCase{502, "bad_gateway", grpc::StatusCode::UNAVAILABLE},
        HttpErrorCase{503, "service_unavailable",
                      grpc::StatusCode::UNAVAILABLE},
        HttpErrorCase{504, "gateway_timeout",
                      grpc::StatusCode::DEADLINE_EXCEEDED}),
    [](const ::testing::TestParamInfo<HttpErrorCase>& info) {
      return absl::StrCat("Http", info.param.http_status);
    });

TEST_F(ErrorMappingTest, RealNotFoundNamesTheToken) {
  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(status.error_message(),
            "Vercel API error 404 (not_found): Token not found");
  EXPECT_EQ(DecodeErrorDetails(status).reason, "NOT_FOUND");
}

TEST_F(ErrorMappingTest, RateLimitedCarriesRetryInfoAndRateLimitMetadata) {
  Fault fault = TokenFault(429, ErrorBody("rate_limited", "Slow down"));
  (*fault.mutable_headers())["Retry-After"] = "7";
  (*fault.mutable_headers())["X-RateLimit-Limit"] = "100";
  (*fault.mutable_headers())["X-RateLimit-Remaining"] = "0";
  (*fault.mutable_headers())["X-RateLimit-Reset"] = "1900000000";
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  RateLimit rate_limit;
  grpc::Status status = GetToken(&rate_limit);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "RATE_LIMITED");
  EXPECT_EQ(details.retry_delay, absl::Seconds(7));
  EXPECT_EQ(rate_limit.limit, 100);
  EXPECT_EQ(rate_limit.remaining, 0);
  EXPECT_EQ(rate_limit.reset_unix_seconds, 1900000000);
}

// A 503's rate-limit headers say when the window ends, not when Vercel
// recovers: the caller is told to retry after the short backoff.
TEST_F(ErrorMappingTest, UnavailableIgnoresRateLimitResetForRetryInfo) {
  const int64_t reset = absl::ToUnixSeconds(absl::Now()) + 59;
  Fault fault =
      TokenFault(503, ErrorBody("service_unavailable", "Try again later"));
  (*fault.mutable_headers())["X-RateLimit-Reset"] = absl::StrCat(reset);
  (*fault.mutable_headers())["X-RateLimit-Remaining"] = "86";
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  ErrorDetails details = DecodeErrorDetails(status);
  ASSERT_TRUE(details.retry_delay.has_value());
  EXPECT_THAT(*details.retry_delay,
              AllOf(Ge(absl::Seconds(1)), Le(absl::Seconds(2))));
}

TEST_F(ErrorMappingTest, UnavailableWithRetryAfterCarriesIt) {
  Fault fault =
      TokenFault(503, ErrorBody("service_unavailable", "Try again later"));
  (*fault.mutable_headers())["Retry-After"] = "12";
  (*fault.mutable_headers())["X-RateLimit-Reset"] =
      absl::StrCat(absl::ToUnixSeconds(absl::Now()) + 59);
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(DecodeErrorDetails(status).retry_delay, absl::Seconds(12));
}

TEST_F(ErrorMappingTest, ErrVariantOfTheErrorBodyIsUnderstood) {
  ASSERT_TRUE(IsOk(fake().AddFault(TokenFault(
      403, R"({"err":{"code":"forbidden","message":"Not your team"}})"))));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(status.error_message(),
            "Vercel API error 403 (forbidden): Not your team");
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "FORBIDDEN");
  EXPECT_EQ(details.metadata["vercel_code"], "forbidden");
}

TEST_F(ErrorMappingTest, NonJsonErrorBodyStillMapsTheStatus) {
  ASSERT_TRUE(IsOk(
      fake().AddFault(TokenFault(502, "<html><h1>Bad Gateway</h1></html>"))));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_THAT(status.error_message(), HasSubstr("502"));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.domain, "api.vercel.com");
  EXPECT_EQ(details.metadata["http_status"], "502");
  EXPECT_THAT(details.reason, Not(""));
}

TEST_F(ErrorMappingTest, ClosedConnectionIsUnavailable) {
  // More than once: libcurl retries a request once when a reused connection
  // turns out closed.
  Fault fault;
  fault.set_path(kTokenPath);
  fault.set_close(true);
  fault.set_times(5);
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  grpc::Status status = GetToken();

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_UNAVAILABLE");
}

TEST_F(ErrorMappingTest, SuccessCarriesRateLimitMetadata) {
  RateLimit rate_limit;
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(IsOk(Client().GetAuthToken(request, &response, &rate_limit)));

  EXPECT_EQ(rate_limit.limit, 100);
  EXPECT_EQ(rate_limit.remaining, 99);
  ASSERT_TRUE(rate_limit.reset_unix_seconds.has_value());
  EXPECT_GT(*rate_limit.reset_unix_seconds, absl::ToUnixSeconds(absl::Now()));
}

}  // namespace
}  // namespace vercel_tokens::integration
