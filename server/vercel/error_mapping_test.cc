#include "server/vercel/error_mapping.h"

#include <set>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

UpstreamResponse Response(
    long status, std::string body,
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  UpstreamResponse out;
  out.http_status = status;
  out.body = std::move(body);
  out.headers = std::move(headers);
  return out;
}

google::rpc::ErrorInfo InfoOf(const absl::Status& status) {
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  EXPECT_TRUE(info.has_value()) << status;
  return info.value_or(google::rpc::ErrorInfo());
}

std::optional<absl::Duration> RetryOf(const absl::Status& status) {
  auto retry = DetailOf<google::rpc::RetryInfo>(status);
  if (!retry.has_value()) return std::nullopt;
  return absl::Seconds(retry->retry_delay().seconds()) +
         absl::Nanoseconds(retry->retry_delay().nanos());
}

TEST(CodeForHttpStatusTest, FollowsGoogleRpcHttpMapping) {
  EXPECT_EQ(CodeForHttpStatus(400), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForHttpStatus(401), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForHttpStatus(403), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForHttpStatus(404), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForHttpStatus(409), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForHttpStatus(429), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeForHttpStatus(500), absl::StatusCode::kInternal);
  EXPECT_EQ(CodeForHttpStatus(501), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(CodeForHttpStatus(502), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(503), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(504), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeForHttpStatus(418), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForHttpStatus(599), absl::StatusCode::kInternal);
}

TEST(CodeForHttpStatusTest, EveryOtherStatusHasADocumentedCode) {
  // Redirects are never followed (the bearer token stays on Vercel's
  // origin): Vercel broke the contract.
  for (long status : {300, 301, 302, 303, 304, 307, 308}) {
    EXPECT_EQ(CodeForHttpStatus(status), absl::StatusCode::kInternal) << status;
  }
  for (long status : {0, 100, 101, 103, 199, 600, 999}) {
    EXPECT_EQ(CodeForHttpStatus(status), absl::StatusCode::kUnknown) << status;
  }
}

TEST(HttpStatusLabelTest, NamesMappedStatusesAndClassesTheRest) {
  EXPECT_EQ(HttpStatusLabel(200), "200");
  EXPECT_EQ(HttpStatusLabel(429), "429");
  EXPECT_EQ(HttpStatusLabel(504), "504");
  EXPECT_EQ(HttpStatusLabel(204), "2xx");
  EXPECT_EQ(HttpStatusLabel(302), "3xx");
  EXPECT_EQ(HttpStatusLabel(418), "4xx");
  EXPECT_EQ(HttpStatusLabel(599), "5xx");
  EXPECT_EQ(HttpStatusLabel(103), "1xx");
  EXPECT_EQ(HttpStatusLabel(99), "other");
  EXPECT_EQ(HttpStatusLabel(600), "other");
  EXPECT_EQ(HttpStatusLabel(-1), "other");
}

TEST(HttpStatusLabelTest, HasAtMostNineteenValues) {
  std::set<std::string> labels;
  for (long status = -1000; status < 2000; ++status) {
    labels.insert(HttpStatusLabel(status));
  }
  EXPECT_LE(labels.size(), 19u);
}

TEST(ToUpperSnakeTest, NormalizesVercelCodes) {
  EXPECT_EQ(ToUpperSnake("not_found"), "NOT_FOUND");
  EXPECT_EQ(ToUpperSnake("invalid-email"), "INVALID_EMAIL");
  EXPECT_EQ(ToUpperSnake("rateLimited"), "RATELIMITED");
  EXPECT_EQ(ToUpperSnake("  weird..code__ "), "WEIRD_CODE");
  EXPECT_EQ(ToUpperSnake("404"), "E_404");
  EXPECT_EQ(ToUpperSnake("!!!"), "");
  EXPECT_EQ(ToUpperSnake(std::string(100, 'a')).size(), 63u);
}

TEST(MapUpstreamErrorTest, NotFoundWithVercelBody) {
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault, Response(404, R"({"error": {"code": "not_found",
                                  "message": "Token not found"}})"),
      {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "Vercel API error 404 (not_found): Token not found");
  const google::rpc::ErrorInfo info = InfoOf(s);
  EXPECT_EQ(info.reason(), "NOT_FOUND");
  EXPECT_EQ(info.domain(), "api.vercel.com");
  EXPECT_THAT(info.metadata(),
              UnorderedElementsAre(Pair("http_status", "404"),
                                   Pair("vercel_code", "not_found")));
  EXPECT_FALSE(RetryOf(s).has_value());
}

TEST(MapUpstreamErrorTest, ReadsTheErrVariant) {
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault,
      Response(400, R"({"err": {"code": "invalid_email", "message": "Bad"}})"),
      {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InfoOf(s).reason(), "INVALID_EMAIL");
  EXPECT_EQ(s.message(), "Vercel API error 400 (invalid_email): Bad");
}

TEST(MapUpstreamErrorTest, SurvivesBodiesThatAreNotVercelErrors) {
  for (const char* body : {"", "<html>502 Bad Gateway</html>", "[1,2]",
                           R"({"error": "a string"})", "{\"error\": {"}) {
    const absl::Status s =
        MapUpstreamError(ErrorContext::kDefault, Response(502, body), {}, kNow);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << body;
    EXPECT_EQ(s.message(), "Vercel API error 502 (bad_gateway)") << body;
    EXPECT_EQ(InfoOf(s).reason(), "BAD_GATEWAY");
    EXPECT_EQ(InfoOf(s).metadata().at("http_status"), "502");
  }
}

TEST(MapUpstreamErrorTest, UnknownStatusWithoutCodeGetsHttpReason) {
  const absl::Status s =
      MapUpstreamError(ErrorContext::kDefault, Response(418, ""), {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(InfoOf(s).reason(), "HTTP_418");
  EXPECT_EQ(s.message(), "Vercel API error 418");
}

TEST(MapUpstreamErrorTest, RedirectsAndUnexpectedStatusesHaveTheirReasons) {
  const absl::Status redirect = MapUpstreamError(
      ErrorContext::kDefault,
      Response(301, "", {{"location", "https://elsewhere.example/"}}), {},
      kNow);
  EXPECT_EQ(redirect.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(InfoOf(redirect).reason(), "UPSTREAM_REDIRECT");
  EXPECT_EQ(InfoOf(redirect).metadata().at("http_status"), "301");
  EXPECT_EQ(redirect.message().find("elsewhere"), absl::string_view::npos);
  for (long status : {102, 600}) {
    const absl::Status s = MapUpstreamError(ErrorContext::kDefault,
                                            Response(status, ""), {}, kNow);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
    EXPECT_EQ(InfoOf(s).reason(), "UPSTREAM_UNEXPECTED_STATUS");
  }
}

TEST(MapUpstreamErrorTest, InvalidOrMissingTokenIsUnauthenticated) {
  const absl::Status invalid = MapUpstreamError(
      ErrorContext::kDefault,
      Response(403, R"({"error": {"code": "forbidden", "message":
          "Not authorized", "invalidToken": true}})"),
      {}, kNow);
  EXPECT_EQ(invalid.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(InfoOf(invalid).reason(), "INVALID_TOKEN");
  EXPECT_EQ(InfoOf(invalid).domain(), "api.vercel.com");
  EXPECT_EQ(InfoOf(invalid).metadata().at("vercel_code"), "forbidden");
  const absl::Status missing = MapUpstreamError(
      ErrorContext::kDefault,
      Response(403, R"({"error": {"code": "forbidden", "message":
          "Missing token", "missingToken": true}})"),
      {}, kNow);
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(InfoOf(missing).reason(), "MISSING_TOKEN");
  // A plain 403 is still a token without access.
  EXPECT_EQ(MapUpstreamError(ErrorContext::kDefault,
                             Response(403, R"({"error": {"code": "forbidden",
                                 "invalidToken": false}})"),
                             {}, kNow)
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(MapUpstreamErrorTest, SamlEnforcementNamesTheTeamAndScope) {
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault,
      Response(403, R"({"error": {"code": "forbidden", "message":
          "SAML required", "saml": true, "teamId": "team_9",
          "scope": "acme", "enforced": true}})"),
      {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  const google::rpc::ErrorInfo info = InfoOf(s);
  EXPECT_EQ(info.reason(), "SAML_REQUIRED");
  EXPECT_EQ(info.metadata().at("team_id"), "team_9");
  EXPECT_EQ(info.metadata().at("scope"), "acme");
  EXPECT_EQ(info.metadata().at("enforced"), "true");
}

TEST(MapUpstreamErrorTest, ConfirmationIncompleteIsFailedPreconditionOnVerify) {
  const UpstreamResponse response = Response(
      400,
      R"({"error": {"code": "bad_request", "message": "Confirmation incomplete"}})");
  const absl::Status verify =
      MapUpstreamError(ErrorContext::kVerifyToken, response, {}, kNow);
  EXPECT_EQ(verify.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(InfoOf(verify).reason(), "CONFIRMATION_INCOMPLETE");
  EXPECT_EQ(MapUpstreamError(ErrorContext::kDefault, response, {}, kNow).code(),
            absl::StatusCode::kInvalidArgument);
  const UpstreamResponse other_400 = Response(
      400, R"({"error": {"code": "bad_request", "message": "Bad token"}})");
  EXPECT_EQ(
      MapUpstreamError(ErrorContext::kVerifyToken, other_400, {}, kNow).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(MapUpstreamErrorTest, LegacyLoginDisabledIsFailedPreconditionOnLogin) {
  const UpstreamResponse response = Response(
      400,
      R"({"error": {"code": "bad_request", "message": "The legacy authentication flow is disabled. Please upgrade the Vercel CLI to the latest version."}})");
  for (ErrorContext context :
       {ErrorContext::kEmailLogin, ErrorContext::kVerifyToken}) {
    const absl::Status s = MapUpstreamError(context, response, {}, kNow);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(InfoOf(s).reason(), "LEGACY_LOGIN_DISABLED");
    EXPECT_THAT(std::string(s.message()), HasSubstr("legacy authentication"));
  }
  // The message decides, whatever 4xx carries it; other RPCs keep the
  // status's mapping.
  const UpstreamResponse as_403 = Response(
      403,
      R"({"error": {"code": "forbidden", "message": "The legacy authentication flow is disabled."}})");
  EXPECT_EQ(
      InfoOf(MapUpstreamError(ErrorContext::kEmailLogin, as_403, {}, kNow))
          .reason(),
      "LEGACY_LOGIN_DISABLED");
  EXPECT_EQ(MapUpstreamError(ErrorContext::kDefault, response, {}, kNow).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MapUpstreamErrorTest, RedactsSecretsAndCleansUpstreamText) {
  const absl::Status s =
      MapUpstreamError(ErrorContext::kVerifyToken,
                       Response(403, R"({"error": {"code": "forbidden",
          "message": "token vt_SECRET is invalid\nsee logs"}})"),
                       {"vt_SECRET"}, kNow);
  EXPECT_EQ(s.message(),
            "Vercel API error 403 (forbidden): token [redacted] is invalid?see "
            "logs");
}

TEST(MapUpstreamErrorTest, BoundsTheMessage) {
  const std::string body = R"({"error": {"code": "x", "message": ")" +
                           std::string(5000, 'm') + R"("}})";
  const absl::Status s =
      MapUpstreamError(ErrorContext::kDefault, Response(400, body), {}, kNow);
  EXPECT_LT(s.message().size(), 600u);
}

TEST(MapUpstreamErrorTest, RateLimitedWithRetryAfterSeconds) {
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault,
      Response(429, R"({"error": {"code": "rate_limited", "message": "Slow"}})",
               {{"retry-after", "7"}}),
      {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(InfoOf(s).reason(), "RATE_LIMITED");
  EXPECT_EQ(RetryOf(s), absl::Seconds(7));
}

TEST(MapUpstreamErrorTest, RetryInfoOnlyOn429And503) {
  const auto headers =
      std::vector<std::pair<std::string, std::string>>{{"retry-after", "7"}};
  EXPECT_TRUE(RetryOf(MapUpstreamError(ErrorContext::kDefault,
                                       Response(503, "", headers), {}, kNow))
                  .has_value());
  EXPECT_FALSE(RetryOf(MapUpstreamError(ErrorContext::kDefault,
                                        Response(500, "", headers), {}, kNow))
                   .has_value());
  EXPECT_FALSE(RetryOf(MapUpstreamError(ErrorContext::kDefault,
                                        Response(429, ""), {}, kNow))
                   .has_value());
}

// The reported incident: a 503 without Retry-After, with a rate-limit
// window ending 59 s later and 86 requests left in it. The window says
// nothing about when Vercel recovers; a client's retry must still fire.
TEST(MapUpstreamErrorTest, UnavailableIgnoresRateLimitReset) {
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault,
      Response(503, R"({"error":{"limit":{"reset":1700000059}}})",
               {{"x-ratelimit-reset", "1700000059"},
                {"x-ratelimit-remaining", "86"}}),
      {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(RetryOf(s), absl::Seconds(1));
}

TEST(MapUpstreamErrorTest, UnavailableTakesRetryAfterAsSent) {
  EXPECT_EQ(
      RetryOf(MapUpstreamError(ErrorContext::kDefault,
                               Response(503, "",
                                        {{"retry-after", "30"},
                                         {"x-ratelimit-reset", "1700000059"}}),
                               {}, kNow)),
      absl::Seconds(30));
  EXPECT_EQ(
      RetryOf(MapUpstreamError(
          ErrorContext::kDefault,
          Response(503, "", {{"retry-after", "Tue, 14 Nov 2023 22:13:23 GMT"}}),
          {}, kNow)),
      absl::Seconds(3));
}

TEST(UnavailableRetryDelayTest, JitteredBackoffBetweenOneAndTwoSeconds) {
  EXPECT_EQ(UnavailableRetryDelay(Response(503, ""), kNow), absl::Seconds(1));
  EXPECT_EQ(
      UnavailableRetryDelay(Response(503, ""), kNow + absl::Milliseconds(250)),
      absl::Milliseconds(1250));
  EXPECT_EQ(UnavailableRetryDelay(Response(503, "", {{"retry-after", "soon"}}),
                                  kNow + absl::Milliseconds(999)),
            absl::Milliseconds(1999));
  for (int ms = 0; ms < 1000; ms += 37) {
    const absl::Duration d =
        UnavailableRetryDelay(Response(503, ""), kNow + absl::Milliseconds(ms));
    EXPECT_GE(d, absl::Seconds(1));
    EXPECT_LT(d, absl::Seconds(2));
  }
}

TEST(MapUpstreamErrorTest, RateLimitResetStillSetsA429sDelay) {
  EXPECT_EQ(
      RetryOf(MapUpstreamError(
          ErrorContext::kDefault,
          Response(429, "", {{"x-ratelimit-reset", "1700000059"}}), {}, kNow)),
      absl::Seconds(59));
}

TEST(RetryDelayTest, RetryAfterHttpDate) {
  // kNow is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(
      RetryDelay(
          Response(429, "", {{"retry-after", "Tue, 14 Nov 2023 22:13:50 GMT"}}),
          0, 0, kNow),
      absl::Seconds(30));
}

TEST(RetryDelayTest, RateLimitResetHeaderIsUnixSeconds) {
  EXPECT_EQ(RetryDelay(Response(429, "", {{"x-ratelimit-reset", "1700000042"}}),
                       0, 0, kNow),
            absl::Seconds(42));
}

TEST(RetryDelayTest, BodyLimitResetMsThenReset) {
  EXPECT_EQ(RetryDelay(Response(429, ""), 1700000001500, 1700000009, kNow),
            absl::Milliseconds(1500));
  EXPECT_EQ(RetryDelay(Response(429, ""), 0, 1700000009, kNow),
            absl::Seconds(9));
  const absl::Status s = MapUpstreamError(
      ErrorContext::kDefault,
      Response(429, R"({"error": {"code": "rate_limited", "message": "x",
          "limit": {"remaining": 0, "reset": 1700000005, "resetMs": 1700000005250,
                    "total": 100}}})"),
      {}, kNow);
  EXPECT_EQ(RetryOf(s), absl::Milliseconds(5250));
}

TEST(RetryDelayTest, LimitResetInEitherMagnitude) {
  // Older descriptions say seconds, Vercel's CLI reads milliseconds.
  EXPECT_EQ(RetryDelay(Response(429, ""), 0, 1700000004000, kNow),
            absl::Seconds(4));
  EXPECT_EQ(RetryDelay(Response(429, ""), 0, 1700000004, kNow),
            absl::Seconds(4));
  EXPECT_EQ(
      RetryDelay(Response(429, "", {{"x-ratelimit-reset", "1700000006000"}}), 0,
                 0, kNow),
      absl::Seconds(6));
  EXPECT_EQ(ResetTime(99'999'999'999), absl::FromUnixSeconds(99'999'999'999));
  EXPECT_EQ(ResetTime(100'000'000'000), absl::FromUnixMillis(100'000'000'000));
}

TEST(VercelRequestIdTest, OnlyASafeHeaderValue) {
  EXPECT_EQ(VercelRequestId(
                Response(200, "", {{"x-vercel-id", "fra1::iad1::abc-123"}})),
            "fra1::iad1::abc-123");
  EXPECT_FALSE(VercelRequestId(Response(200, "")).has_value());
  EXPECT_FALSE(
      VercelRequestId(Response(200, "", {{"x-vercel-id", ""}})).has_value());
  EXPECT_FALSE(VercelRequestId(Response(200, "", {{"x-vercel-id", "a\x85"}}))
                   .has_value());
  EXPECT_FALSE(VercelRequestId(
                   Response(200, "", {{"x-vercel-id", std::string(300, 'a')}}))
                   .has_value());
}

TEST(RetryDelayTest, RetryAfterWinsOverOtherSources) {
  EXPECT_EQ(RetryDelay(Response(429, "",
                                {{"x-ratelimit-reset", "1700000042"},
                                 {"retry-after", "3"}}),
                       1700000009000, 0, kNow),
            absl::Seconds(3));
}

TEST(RetryDelayTest, NegativeWaitsClampToZeroAndLongOnesToADay) {
  EXPECT_EQ(RetryDelay(Response(429, "", {{"retry-after", "-70"}}), 0, 0, kNow),
            absl::ZeroDuration());
  EXPECT_EQ(RetryDelay(Response(429, "", {{"x-ratelimit-reset", "1600000000"}}),
                       0, 0, kNow),
            absl::ZeroDuration());
  EXPECT_EQ(
      RetryDelay(Response(429, "", {{"retry-after", "999999999"}}), 0, 0, kNow),
      absl::Hours(24));
}

TEST(RetryDelayTest, UnparsableOrAbsentSaysNothing) {
  EXPECT_FALSE(
      RetryDelay(Response(429, "", {{"retry-after", "soon"}}), 0, 0, kNow)
          .has_value());
  EXPECT_FALSE(RetryDelay(Response(429, ""), 0, 0, kNow).has_value());
}

TEST(MapTransportErrorTest, MapsEachFailureKind) {
  struct Case {
    absl::Status in;
    absl::StatusCode code;
    const char* reason;
  };
  for (const Case& c : {
           Case{absl::DeadlineExceededError("late"),
                absl::StatusCode::kDeadlineExceeded, "UPSTREAM_TIMEOUT"},
           Case{absl::CancelledError("gone"), absl::StatusCode::kCancelled,
                "CANCELLED"},
           Case{absl::ResourceExhaustedError("big"),
                absl::StatusCode::kInternal, "UPSTREAM_RESPONSE_TOO_LARGE"},
           Case{absl::UnavailableError("refused"),
                absl::StatusCode::kUnavailable, "UPSTREAM_UNAVAILABLE"},
       }) {
    const absl::Status s = MapTransportError(c.in);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.in.message());
    EXPECT_EQ(InfoOf(s).reason(), c.reason);
    EXPECT_EQ(InfoOf(s).domain(), "vercel-user-tokens");
  }
}

}  // namespace
}  // namespace vercel_tokens
