#include "server/rpc/in_flight_limiter.h"

#include <atomic>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

TEST(InFlightLimiterTest, RefusesBeyondTheCapUntilAPermitIsReturned) {
  InFlightLimiter limiter(2);
  std::optional<InFlightLimiter::Permit> first = limiter.TryAcquire();
  std::optional<InFlightLimiter::Permit> second = limiter.TryAcquire();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(limiter.TryAcquire().has_value());
  EXPECT_EQ(limiter.in_flight(), 2);

  first.reset();

  EXPECT_EQ(limiter.in_flight(), 1);
  EXPECT_TRUE(limiter.TryAcquire().has_value());
  EXPECT_EQ(limiter.in_flight(), 1);
}

TEST(InFlightLimiterTest, AMovedPermitIsReturnedOnce) {
  InFlightLimiter limiter(1);
  std::optional<InFlightLimiter::Permit> permit = limiter.TryAcquire();
  ASSERT_TRUE(permit.has_value());
  {
    InFlightLimiter::Permit moved = *std::move(permit);
    permit.reset();
    EXPECT_EQ(limiter.in_flight(), 1);
    EXPECT_FALSE(limiter.TryAcquire().has_value());
  }
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(InFlightLimiterTest, MoveAssignmentReturnsThePermitItReplaces) {
  InFlightLimiter limiter(2);
  std::optional<InFlightLimiter::Permit> a = limiter.TryAcquire();
  std::optional<InFlightLimiter::Permit> b = limiter.TryAcquire();
  ASSERT_TRUE(a.has_value() && b.has_value());
  *a = *std::move(b);
  EXPECT_EQ(limiter.in_flight(), 1);
}

TEST(InFlightLimiterTest, NeverHandsOutMoreThanTheCapAcrossThreads) {
  constexpr int kCap = 8;
  InFlightLimiter limiter(kCap);
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::optional<InFlightLimiter::Permit> permit = limiter.TryAcquire();
        if (!permit.has_value()) continue;
        int seen = limiter.in_flight();
        int previous = peak.load();
        while (seen > previous && !peak.compare_exchange_weak(previous, seen)) {
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(peak.load(), kCap);
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(ServerOverloadedErrorTest, IsResourceExhaustedWithReasonAndRetryInfo) {
  const absl::Status status = ServerOverloadedError();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  std::optional<google::rpc::ErrorInfo> info =
      DetailOf<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "SERVER_OVERLOADED");
  EXPECT_EQ(info->domain(), "vercel-user-tokens");
  std::optional<google::rpc::RetryInfo> retry =
      DetailOf<google::rpc::RetryInfo>(status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
}

}  // namespace
}  // namespace vercel_tokens
