#include "server/common/periodic_task.h"

#include <atomic>
#include <memory>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

TEST(PeriodicTaskTest, RunsAtOnceThenEveryInterval) {
  std::atomic<int> runs{0};
  absl::Notification third;
  {
    PeriodicTask task(absl::Milliseconds(1), [&] {
      if (++runs == 3) third.Notify();
    });
    EXPECT_TRUE(third.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }
  EXPECT_GE(runs.load(), 3);
}

TEST(PeriodicTaskTest, DestructionDoesNotWaitForTheInterval) {
  absl::Notification ran;
  const absl::Time start = absl::Now();
  {
    PeriodicTask task(absl::Hours(1), [&] {
      if (!ran.HasBeenNotified()) ran.Notify();
    });
    ran.WaitForNotification();
  }
  EXPECT_LT(absl::Now() - start, absl::Minutes(1));
}

}  // namespace
}  // namespace vercel_tokens
