#include "server/vercel/retry_policy.h"

#include <utility>

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
const absl::Time kFarDeadline = kNow + absl::Seconds(30);

absl::StatusOr<UpstreamResponse> Http(
    long status,
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  UpstreamResponse response;
  response.http_status = status;
  response.headers = std::move(headers);
  return response;
}

std::optional<absl::Duration> Delay(
    const absl::StatusOr<UpstreamResponse>& result, int attempts_made = 1,
    bool idempotent = true, absl::Time deadline = kFarDeadline,
    double jitter = 0.0) {
  return NextRetryDelay(RetryPolicy(), idempotent, attempts_made, result, kNow,
                        deadline, jitter);
}

TEST(NextRetryDelayTest, RetriesGetsOnRetryableFailures) {
  for (long status : {429, 502, 503, 504}) {
    EXPECT_TRUE(Delay(Http(status)).has_value()) << status;
  }
  EXPECT_TRUE(Delay(absl::UnavailableError("refused")).has_value());
}

TEST(NextRetryDelayTest, NeverRetriesOtherOutcomes) {
  for (long status : {200, 400, 401, 403, 404, 409, 500, 501}) {
    EXPECT_FALSE(Delay(Http(status)).has_value()) << status;
  }
  EXPECT_FALSE(Delay(absl::DeadlineExceededError("late")).has_value());
  EXPECT_FALSE(Delay(absl::CancelledError("gone")).has_value());
  EXPECT_FALSE(Delay(absl::ResourceExhaustedError("big")).has_value());
}

TEST(NextRetryDelayTest, NeverRetriesWhatIsNotIdempotent) {
  // POST, DELETE and the token-minting GET /registration/verify.
  EXPECT_FALSE(Delay(Http(503), 1, false).has_value());
  EXPECT_FALSE(Delay(Http(429), 1, false).has_value());
  EXPECT_FALSE(
      Delay(absl::UnavailableError("cut mid-body"), 1, false).has_value());
}

TEST(NextRetryDelayTest, StopsAfterMaxAttempts) {
  EXPECT_TRUE(Delay(Http(503), 2).has_value());
  EXPECT_FALSE(Delay(Http(503), 3).has_value());
  RetryPolicy disabled;
  disabled.max_attempts = 1;
  EXPECT_FALSE(
      NextRetryDelay(disabled, true, 1, Http(503), kNow, kFarDeadline, 0)
          .has_value());
}

TEST(NextRetryDelayTest, ExponentialBackoffWithJitter) {
  EXPECT_EQ(Delay(Http(503), 1, true, kFarDeadline, 0.0),
            absl::Milliseconds(50));
  EXPECT_EQ(Delay(Http(503), 1, true, kFarDeadline, 0.5),
            absl::Milliseconds(75));
  EXPECT_EQ(Delay(Http(503), 2, true, kFarDeadline, 0.0),
            absl::Milliseconds(100));
  RetryPolicy many;
  many.max_attempts = 10;
  EXPECT_EQ(
      NextRetryDelay(many, true, 9, Http(503), kNow, kFarDeadline, 0.999999),
      absl::Seconds(2) * (0.5 + 0.999999 / 2));
}

TEST(NextRetryDelayTest, HonoursVercelsDelayWhenShort) {
  EXPECT_EQ(Delay(Http(429, {{"retry-after", "2"}})), absl::Seconds(2));
  EXPECT_FALSE(Delay(Http(429, {{"retry-after", "60"}})).has_value());
  EXPECT_EQ(Delay(Http(503, {{"retry-after", "-3"}})), absl::ZeroDuration());
}

TEST(NextRetryDelayTest, RateLimitResetCountsOnlyFor429) {
  const std::vector<std::pair<std::string, std::string>> reset_in_60s = {
      {"x-ratelimit-reset", "1700000060"}};
  EXPECT_FALSE(Delay(Http(429, reset_in_60s)).has_value());
  EXPECT_EQ(Delay(Http(429, {{"x-ratelimit-reset", "1700000001"}})),
            absl::Seconds(1));
  EXPECT_EQ(Delay(Http(503, reset_in_60s)), absl::Milliseconds(50));
}

TEST(NextRetryDelayTest, NoRetryThatWouldStartAfterTheDeadline) {
  EXPECT_FALSE(
      Delay(Http(429, {{"retry-after", "2"}}), 1, true, kNow + absl::Seconds(1))
          .has_value());
  EXPECT_FALSE(
      Delay(Http(503), 1, true, kNow + absl::Milliseconds(20)).has_value());
}

}  // namespace
}  // namespace vercel_tokens
