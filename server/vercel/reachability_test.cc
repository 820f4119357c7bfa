#include "server/vercel/reachability.h"

#include <optional>

#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
constexpr absl::Duration kWindow = absl::Seconds(30);

absl::Status NotConnected() {
  absl::Status status = absl::UnavailableError(
      "cannot reach the Vercel API: Could not resolve host: api.vercel.com");
  status.SetPayload(kNotConnectedPayload, absl::Cord());
  return status;
}

TEST(ReachOfTest, ClassifiesTransferOutcomes) {
  UpstreamResponse forbidden;
  forbidden.http_status = 403;
  EXPECT_EQ(ReachOf(forbidden), Reach::kReached);
  EXPECT_EQ(ReachOf(NotConnected()), Reach::kNotReached);
  EXPECT_EQ(ReachOf(absl::UnavailableError("connection reset")),
            Reach::kUnknown);
  EXPECT_EQ(ReachOf(absl::CancelledError("cancelled")), Reach::kUnknown);
}

TEST(ReachabilityWindowTest, StartsReachableAndTurnsOnAFailureToConnect) {
  ReachabilityWindow window(kWindow);
  EXPECT_TRUE(window.reachable());

  EXPECT_EQ(window.Record(Reach::kNotReached, kT0), false);
  EXPECT_EQ(window.Record(Reach::kNotReached, kT0 + absl::Seconds(1)),
            std::nullopt);
  EXPECT_FALSE(window.reachable());
}

TEST(ReachabilityWindowTest, OneAnswerMakesItReachableAgain) {
  ReachabilityWindow window(kWindow);
  window.Record(Reach::kNotReached, kT0);

  EXPECT_EQ(window.Record(Reach::kReached, kT0 + absl::Seconds(5)), true);
  EXPECT_TRUE(window.reachable());
}

TEST(ReachabilityWindowTest, AFailureSoonAfterAnAnswerIsNotAnOutage) {
  ReachabilityWindow window(kWindow);
  window.Record(Reach::kReached, kT0);

  EXPECT_EQ(window.Record(Reach::kNotReached, kT0 + absl::Seconds(10)),
            std::nullopt);
  EXPECT_TRUE(window.reachable());
  // Once the last answer is older than the window, failures count.
  EXPECT_EQ(window.Record(Reach::kNotReached, kT0 + absl::Seconds(31)), false);
}

TEST(ReachabilityWindowTest, UnknownOutcomesChangeNothing) {
  ReachabilityWindow window(kWindow);
  window.Record(Reach::kNotReached, kT0);

  EXPECT_EQ(window.Record(Reach::kUnknown, kT0 + absl::Seconds(1)),
            std::nullopt);
  EXPECT_FALSE(window.reachable());
}

}  // namespace
}  // namespace vercel_tokens
