#include "server/rpc/idempotency.h"

#include <string>

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;
using Start = IdempotencyCache::Start;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

CreateOutcome Created(const std::string& id) {
  CreateOutcome outcome;
  outcome.response.mutable_token()->set_id(id);
  return outcome;
}

IdempotencyCache::Waiter Ignore() {
  return [](const CreateOutcome&) {};
}

TEST(IdempotencyCacheTest, RepeatGetsTheFirstOutcomeAndWaitersAreTold) {
  IdempotencyCache cache(absl::Minutes(10), 100);
  CreateOutcome replay;
  EXPECT_EQ(cache.Begin("k", "f", kNow, Ignore(), &replay), Start::kFirst);
  std::string told;
  EXPECT_EQ(
      cache.Begin(
          "k", "f", kNow,
          [&told](const CreateOutcome& o) { told = o.response.token().id(); },
          &replay),
      Start::kWaiting);
  EXPECT_EQ(told, "");
  cache.Finish("k", Created("tok_1"), kNow);
  EXPECT_EQ(told, "tok_1");
  EXPECT_EQ(cache.Begin("k", "f", kNow + absl::Minutes(9), Ignore(), &replay),
            Start::kReplay);
  EXPECT_EQ(replay.response.token().id(), "tok_1");
  EXPECT_EQ(cache.Begin("k", "other", kNow, Ignore(), &replay),
            Start::kMismatch);
  // Past the window the id is free again.
  EXPECT_EQ(cache.Begin("k", "f", kNow + absl::Minutes(11), Ignore(), &replay),
            Start::kFirst);
}

TEST(IdempotencyCacheTest, FailureIsForgottenSoARetryCreates) {
  IdempotencyCache cache(absl::Minutes(10), 100);
  CreateOutcome replay;
  ASSERT_EQ(cache.Begin("k", "f", kNow, Ignore(), &replay), Start::kFirst);
  cache.Finish("k", {absl::CancelledError("gone"), {}}, kNow);
  EXPECT_EQ(cache.Begin("k", "f", kNow, Ignore(), &replay), Start::kFirst);
}

TEST(IdempotencyCacheTest, ALiveWaiterAdoptsTheOutcomeOfAGoneFirstCaller) {
  IdempotencyCache cache(absl::Minutes(10), 100);
  CreateOutcome replay;
  ASSERT_EQ(cache.Begin("k", "f", kNow, Ignore(), &replay), Start::kFirst);
  EXPECT_FALSE(cache.Adopt("k", Created("tok_1"), kNow));  // Nobody waits.
  std::string told;
  bool live = true;
  ASSERT_EQ(
      cache.Begin(
          "k", "f", kNow,
          [&told](const CreateOutcome& o) { told = o.response.token().id(); },
          &replay, [&live] { return live; }),
      Start::kWaiting);
  live = false;
  EXPECT_FALSE(cache.Adopt("k", Created("tok_1"), kNow));  // Gone too.
  live = true;
  EXPECT_TRUE(cache.Adopt("k", Created("tok_1"), kNow));
  EXPECT_EQ(told, "tok_1");
  // The first caller's own CANCELLED does not forget the adopted token.
  cache.Finish("k", {absl::CancelledError("gone"), {}}, kNow);
  EXPECT_EQ(cache.Begin("k", "f", kNow, Ignore(), &replay), Start::kReplay);
  EXPECT_EQ(replay.response.token().id(), "tok_1");
}

TEST(IdempotencyCacheTest, StaysBoundedEvictingTheOldestFinished) {
  IdempotencyCache cache(absl::Minutes(10), 2);
  CreateOutcome replay;
  ASSERT_EQ(cache.Begin("a", "f", kNow, Ignore(), &replay), Start::kFirst);
  ASSERT_EQ(cache.Begin("b", "f", kNow, Ignore(), &replay), Start::kFirst);
  EXPECT_EQ(cache.Begin("c", "f", kNow, Ignore(), &replay),
            Start::kUnremembered);
  cache.Finish("a", Created("tok_a"), kNow);
  EXPECT_EQ(cache.Begin("c", "f", kNow, Ignore(), &replay), Start::kFirst);
  EXPECT_EQ(cache.Begin("a", "f", kNow, Ignore(), &replay),
            Start::kUnremembered);
}

TEST(IdempotencyCacheTest, KeysSeparateCallersAndCredentials) {
  EXPECT_NE(IdempotencyCache::Key("a", "tok", "id"),
            IdempotencyCache::Key("b", "tok", "id"));
  EXPECT_NE(IdempotencyCache::Key("a", "tok1", "id"),
            IdempotencyCache::Key("a", "tok2", "id"));
  EXPECT_NE(IdempotencyCache::Key("ab", "c", "id"),
            IdempotencyCache::Key("a", "bc", "id"));
  v1::CreateAuthTokenRequest one;
  one.set_name("n");
  one.set_request_id("r1");
  v1::CreateAuthTokenRequest two = one;
  two.set_request_id("r2");
  EXPECT_EQ(IdempotencyCache::Fingerprint(one),
            IdempotencyCache::Fingerprint(two));
  two.set_team_id("t");
  EXPECT_NE(IdempotencyCache::Fingerprint(one),
            IdempotencyCache::Fingerprint(two));
}

}  // namespace
}  // namespace vercel_tokens
