#include "server/identity/workload_token_source.h"

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"
#include "server/identity/identity_errors.h"
#include "server/identity/test_jwt.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kAudience = "vercel-user-tokens";

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
};

// Counts verifications and keeps their callbacks, to answer them later.
class FakeVerifier final : public WorkloadTokenVerifier {
 public:
  bool Accepts(const Jwt& jwt) const override {
    if (on_accepts) std::exchange(on_accepts, nullptr)();
    return issuer.empty() || jwt.iss == issuer;
  }
  absl::string_view audience() const override { return kAudience; }
  void Verify(const std::string& token, const Jwt& jwt, Done done) override {
    ++verifications;
    pending.push_back(std::move(done));
  }
  // Answers the oldest pending verification.
  void Answer(absl::StatusOr<Caller> result) {
    Done done = std::move(pending.front());
    pending.erase(pending.begin());
    std::move(done)(std::move(result));
  }

  std::string issuer;
  // Runs once, at the next Accepts: between a call's look at the cache and
  // its joining a verification in flight.
  mutable std::function<void()> on_accepts;
  int verifications = 0;
  std::vector<Done> pending;
};

Caller Deployer() {
  Caller caller;
  caller.id = "spiffe://cluster.local/ns/billing/sa/deployer";
  caller.source = CallerSource::kKubernetes;
  return caller;
}

std::string ReasonOf(const absl::Status& status) {
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

class WorkloadTokenSourceTest : public ::testing::Test {
 protected:
  void Make(int max_in_flight = 64, size_t max_cache_entries = 100) {
    auto verifier = std::make_unique<FakeVerifier>();
    verifier_ = verifier.get();
    std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers;
    verifiers.push_back(std::move(verifier));
    WorkloadTokenSource::Options options;
    options.max_in_flight = max_in_flight;
    options.max_cache_entries = max_cache_entries;
    options.clock = &clock_;
    source_ =
        std::make_unique<WorkloadTokenSource>(std::move(verifiers), options);
  }

  // Identifies a call with `tokens`; the answer lands in the returned slot.
  std::shared_ptr<std::optional<absl::StatusOr<Caller>>> Identify(
      std::vector<std::string> tokens) {
    auto slot = std::make_shared<std::optional<absl::StatusOr<Caller>>>();
    CallCredentials call;
    call.workload_tokens = std::move(tokens);
    source_->Identify(
        call, [slot](absl::StatusOr<Caller> c) { *slot = std::move(c); });
    return slot;
  }

  std::string Token(absl::string_view jti = "j-1") {
    return MakeServiceAccountJwt(kAudience, clock_.now + absl::Hours(1), jti);
  }

  FakeClock clock_;
  FakeVerifier* verifier_ = nullptr;
  std::unique_ptr<WorkloadTokenSource> source_;
};

TEST_F(WorkloadTokenSourceTest, AVerifiedTokenIsReusedForTenSecondsAtMost) {
  Make();
  const std::string token = Token();
  auto first = Identify({token});
  EXPECT_FALSE(first->has_value());
  verifier_->Answer(Deployer());
  ASSERT_TRUE(first->has_value() && (*first)->ok());
  EXPECT_EQ((**first)->id, Deployer().id);

  clock_.now += absl::Seconds(9);
  auto cached = Identify({token});
  ASSERT_TRUE(cached->has_value() && (*cached)->ok());
  EXPECT_EQ(verifier_->verifications, 1);

  clock_.now += absl::Seconds(2);
  auto again = Identify({token});
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(verifier_->verifications, 2);
}

TEST_F(WorkloadTokenSourceTest, NeverReusedPastTheTokensExp) {
  Make();
  const std::string token =
      MakeServiceAccountJwt(kAudience, clock_.now + absl::Seconds(3));
  Identify({token});
  verifier_->Answer(Deployer());
  clock_.now += absl::Seconds(3);
  auto late = Identify({token});
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ(ReasonOf((*late)->status()), kWorkloadTokenExpired);
  EXPECT_EQ(verifier_->verifications, 1);
}

TEST_F(WorkloadTokenSourceTest, AReviewEndingJustAfterACacheMissIsShared) {
  Make();
  const std::string token = Token();
  auto first = Identify({token});
  // The second call misses the cache, then the first review ends (filling
  // the cache, leaving nothing in flight) before it joins.
  verifier_->on_accepts = [this] { verifier_->Answer(Deployer()); };
  auto second = Identify({token});
  ASSERT_TRUE(first->has_value() && (*first)->ok());
  ASSERT_TRUE(second->has_value() && (*second)->ok());
  EXPECT_EQ((**second)->id, Deployer().id);
  EXPECT_EQ(verifier_->verifications, 1);
}

TEST_F(WorkloadTokenSourceTest, ConcurrentCallsWithOneTokenShareOneReview) {
  Make();
  auto a = Identify({Token()});
  auto b = Identify({Token()});
  auto c = Identify({Token()});
  EXPECT_EQ(verifier_->verifications, 1);
  verifier_->Answer(Deployer());
  for (const auto& slot : {a, b, c}) {
    ASSERT_TRUE(slot->has_value() && (*slot)->ok());
    EXPECT_EQ((**slot)->id, Deployer().id);
  }
}

TEST_F(WorkloadTokenSourceTest, FailuresAreNeverCached) {
  Make();
  auto a = Identify({Token()});
  auto b = Identify({Token()});
  verifier_->Answer(IdentityUnavailable("down", absl::Seconds(1)));
  EXPECT_EQ((*a)->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*b)->status().code(), absl::StatusCode::kUnavailable);
  Identify({Token()});
  EXPECT_EQ(verifier_->verifications, 2);
  verifier_->Answer(UnauthenticatedIdentity(kWorkloadTokenInvalid, "no"));
  Identify({Token()});
  EXPECT_EQ(verifier_->verifications, 3);
}

TEST_F(WorkloadTokenSourceTest, GarbageCostsNoReview) {
  Make();
  const std::vector<std::string> refused = {
      "garbage",
      std::string(kMaxWorkloadTokenBytes + 1, 'a'),
      MakeJwt(R"({"alg":"none"})", R"({"aud":"vercel-user-tokens"})"),
      MakeServiceAccountJwt("other-audience", clock_.now + absl::Hours(1)),
      MakeServiceAccountJwt(kAudience, clock_.now - absl::Seconds(1)),
  };
  const absl::string_view reasons[] = {
      kWorkloadTokenInvalid, kWorkloadTokenInvalid, kWorkloadTokenInvalid,
      kWorkloadTokenAudience, kWorkloadTokenExpired};
  for (size_t i = 0; i < refused.size(); ++i) {
    auto slot = Identify({refused[i]});
    ASSERT_TRUE(slot->has_value()) << i;
    EXPECT_EQ((*slot)->status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(ReasonOf((*slot)->status()), reasons[i]) << i;
  }
  auto two = Identify({Token(), Token()});
  EXPECT_EQ(ReasonOf((*two)->status()), kWorkloadTokenInvalid);
  EXPECT_EQ(verifier_->verifications, 0);
}

TEST_F(WorkloadTokenSourceTest, ReviewsInFlightAreCapped) {
  Make(/*max_in_flight=*/2);
  Identify({Token("a")});
  Identify({Token("b")});
  auto third = Identify({Token("c")});
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ((*third)->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf((*third)->status()), kIdentityUnavailable);
  EXPECT_TRUE(DetailOf<google::rpc::RetryInfo>((*third)->status()).has_value());
  EXPECT_EQ(verifier_->verifications, 2);
  verifier_->Answer(Deployer());
  Identify({Token("c")});
  EXPECT_EQ(verifier_->verifications, 3);
}

TEST_F(WorkloadTokenSourceTest, TheCacheHasABound) {
  Make(/*max_in_flight=*/64, /*max_cache_entries=*/1);
  Identify({Token("a")});
  verifier_->Answer(Deployer());
  Identify({Token("b")});
  verifier_->Answer(Deployer());
  Identify({Token("a")});
  Identify({Token("b")});
  // "a" was cached; "b" found the cache full of a live entry.
  EXPECT_EQ(verifier_->verifications, 3);
}

TEST_F(WorkloadTokenSourceTest, ATokenNoVerifierAcceptsIsInvalid) {
  Make();
  verifier_->issuer = "https://issuer.example";
  auto slot = Identify({Token()});
  EXPECT_EQ(ReasonOf((*slot)->status()), kWorkloadTokenInvalid);
  EXPECT_EQ(verifier_->verifications, 0);
}

}  // namespace
}  // namespace vercel_tokens
