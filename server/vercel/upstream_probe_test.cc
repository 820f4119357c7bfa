#include "server/vercel/upstream_probe.h"

#include <deque>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

// A transport that keeps what is submitted until the test completes it,
// and completes a cancelled transfer with CANCELLED on a thread of its own,
// as HttpClient does on its loop; thread-safe, since the probe submits from
// its timer thread.
class FakeTransport final : public UpstreamTransport {
 public:
  ~FakeTransport() override {
    for (std::thread& t : cancellers_) t.join();
  }

  absl::StatusOr<uint64_t> Submit(UpstreamRequest request, absl::Time deadline,
                                  Callback done, absl::Time) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    timeouts_.push_back(deadline - absl::Now());
    pending_.push_back({next_id_, std::move(done)});
    return next_id_++;
  }
  void Cancel(uint64_t id) override {
    absl::MutexLock lock(&mu_);
    cancelled_.push_back(id);
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->first != id) continue;
      cancellers_.emplace_back([done = std::move(it->second)]() mutable {
        std::move(done)(absl::CancelledError("cancelled"));
      });
      pending_.erase(it);
      return;
    }
  }

  // Waits until `n` probes were submitted in all.
  void AwaitSubmitted(size_t n) {
    absl::MutexLock lock(&mu_);
    awaited_ = n;
    mu_.Await(absl::Condition(this, &FakeTransport::SubmittedEnough));
  }

  // Completes the oldest pending probe with `result`, on this thread.
  void Complete(absl::StatusOr<UpstreamResponse> result) {
    Callback done;
    {
      absl::MutexLock lock(&mu_);
      ASSERT_FALSE(pending_.empty());
      done = std::move(pending_.front().second);
      pending_.pop_front();
    }
    std::move(done)(std::move(result));
  }

  std::vector<absl::Duration> timeouts() {
    absl::MutexLock lock(&mu_);
    return timeouts_;
  }
  std::vector<uint64_t> cancelled() {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }

 private:
  bool SubmittedEnough() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return requests_.size() >= awaited_;
  }

  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  size_t awaited_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<UpstreamRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Duration> timeouts_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<uint64_t, Callback>> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> cancellers_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> cancelled_ ABSL_GUARDED_BY(mu_);
};

absl::Status NotConnected() {
  absl::Status status = absl::UnavailableError("Could not resolve host");
  status.SetPayload(kNotConnectedPayload, absl::Cord());
  return status;
}

class UpstreamProbeTest : public ::testing::Test {
 protected:
  double Reachable() {
    for (const auto& family : registry_->Collect()) {
      if (family.name == "vercel_tokens_upstream_reachable") {
        return family.metric.at(0).gauge.value;
      }
    }
    ADD_FAILURE() << "no vercel_tokens_upstream_reachable";
    return -1;
  }

  std::ostringstream log_;
  Logger logger_{&log_, LogLevel::kInfo};
  std::shared_ptr<prometheus::Registry> registry_ =
      std::make_shared<prometheus::Registry>();
  Metrics metrics_{registry_};
  UpstreamReachability reachability_{absl::Seconds(60), &logger_, &metrics_};
  FakeTransport transport_;
};

TEST(ProbeRequestTest, IsACheapUnauthenticatedGet) {
  const UpstreamRequest request = ProbeRequest();
  EXPECT_EQ(request.method, HttpMethod::kGet);
  EXPECT_EQ(request.target, "/v2/user");
  EXPECT_EQ(request.bearer_token, "");
  EXPECT_EQ(request.body, "");
  EXPECT_FALSE(request.idempotent);  // never retried
}

TEST_F(UpstreamProbeTest, AnUnreachableApiTurnsTheGaugeToZeroWithoutCalls) {
  UpstreamProbe probe(&transport_, &reachability_, absl::Hours(1));
  transport_.AwaitSubmitted(1);
  EXPECT_EQ(Reachable(), 1);

  transport_.Complete(NotConnected());

  EXPECT_EQ(Reachable(), 0);
  EXPECT_THAT(log_.str(), HasSubstr("upstream unreachable"));
}

TEST_F(UpstreamProbeTest, AnyAnswerIsReachable) {
  UpstreamProbe probe(&transport_, &reachability_, absl::Hours(1));
  transport_.AwaitSubmitted(1);
  UpstreamResponse forbidden;
  forbidden.http_status = 403;
  transport_.Complete(forbidden);
  EXPECT_EQ(Reachable(), 1);
}

TEST_F(UpstreamProbeTest, ProbesEveryIntervalEachWithinTheInterval) {
  UpstreamProbe probe(&transport_, &reachability_, absl::Milliseconds(5));
  transport_.AwaitSubmitted(1);
  transport_.Complete(NotConnected());
  transport_.AwaitSubmitted(2);
  transport_.Complete(NotConnected());
  transport_.AwaitSubmitted(3);
  for (absl::Duration timeout : transport_.timeouts()) {
    EXPECT_LE(timeout, absl::Milliseconds(5));
  }
  EXPECT_EQ(Reachable(), 0);
}

TEST_F(UpstreamProbeTest, OneProbeAtATimeAndAtMostTenSeconds) {
  // A probe that never answers: the timer keeps firing every millisecond,
  // and no second probe goes out while it is in flight.
  UpstreamProbe probe(&transport_, &reachability_, absl::Milliseconds(1));
  transport_.AwaitSubmitted(1);
  UpstreamProbe slow(&transport_, &reachability_, absl::Hours(1));
  transport_.AwaitSubmitted(2);
  EXPECT_EQ(transport_.timeouts().size(), 2u);
  EXPECT_LE(transport_.timeouts()[1], absl::Seconds(10));
  EXPECT_GT(transport_.timeouts()[1], absl::Seconds(9));
  EXPECT_EQ(Reachable(), 1);
}

TEST_F(UpstreamProbeTest, DestructionCancelsTheProbeInFlight) {
  auto probe = std::make_unique<UpstreamProbe>(&transport_, &reachability_,
                                               absl::Hours(1));
  transport_.AwaitSubmitted(1);
  // The destructor cancels the probe and waits for its callback.
  probe.reset();
  EXPECT_EQ(transport_.cancelled(), std::vector<uint64_t>{1});
  EXPECT_EQ(Reachable(), 1);  // a cancelled probe says nothing
}

}  // namespace
}  // namespace vercel_tokens
