// Overload: with --max_in_flight calls being served, the next call fails at
// once with RESOURCE_EXHAUSTED (SERVER_OVERLOADED, with a RetryInfo) instead
// of queueing; health checks still answer; the cap frees as calls finish.

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/held_calls.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr int kMaxInFlight = 3;

class OverloadTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    Fault hold;
    hold.set_method("GET");
    hold.set_path("/v5/user/tokens/current");
    hold.set_hold(true);
    hold.set_times(kMaxInFlight);
    ASSERT_TRUE(IsOk(fake().AddFault(hold)));
    ServerOptions options;
    options.flags = {absl::StrCat("--max_in_flight=", kMaxInFlight)};
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
    stub_ = v1::UserTokensService::NewStub(server_->NewChannel());
  }

  grpc::Status ListRaw() {
    v1::ListAuthTokensRawResponse listed;
    return ClientOf(*server_).ListAuthTokensRaw({}, &listed);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::UserTokensService::Stub> stub_;
};

TEST_F(OverloadTest, CallBeyondTheCapFailsAtOnceWithRetryInfo) {
  HeldCalls held(stub_.get(), kMaxInFlight, absl::Seconds(60));
  ASSERT_TRUE(IsOk(fake().WaitHeld(kMaxInFlight)));

  const absl::Time start = absl::Now();
  const grpc::Status refused = ListRaw();
  const absl::Duration took = absl::Now() - start;

  EXPECT_TRUE(HasCode(refused, grpc::StatusCode::RESOURCE_EXHAUSTED));
  const ErrorDetails details = DecodeErrorDetails(refused);
  EXPECT_EQ(details.reason, "SERVER_OVERLOADED");
  EXPECT_EQ(details.domain, "vercel-user-tokens");
  EXPECT_EQ(details.retry_delay, absl::Seconds(1));
  // Refused without waiting for a held call: those wait until released.
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_EQ(Requests().size(), static_cast<size_t>(kMaxInFlight));

  ASSERT_TRUE(IsOk(fake().Release()));
  ASSERT_TRUE(held.AwaitAll());
  for (const grpc::Status& status : held.statuses()) {
    EXPECT_TRUE(IsOk(status));
  }
}

TEST_F(OverloadTest, HealthChecksAreNotRefused) {
  HeldCalls held(stub_.get(), kMaxInFlight, absl::Seconds(60));
  ASSERT_TRUE(IsOk(fake().WaitHeld(kMaxInFlight)));

  ServingStatus serving = ServingStatus::kUnknown;
  EXPECT_TRUE(IsOk(
      CheckHealth(server_->NewChannel(), "", absl::Seconds(10), &serving)));
  EXPECT_EQ(serving, ServingStatus::kServing);

  ASSERT_TRUE(IsOk(fake().Release()));
  ASSERT_TRUE(held.AwaitAll());
}

TEST_F(OverloadTest, TheCapFreesWhenCallsFinish) {
  {
    HeldCalls held(stub_.get(), kMaxInFlight, absl::Seconds(60));
    ASSERT_TRUE(IsOk(fake().WaitHeld(kMaxInFlight)));
    EXPECT_TRUE(HasCode(ListRaw(), grpc::StatusCode::RESOURCE_EXHAUSTED));
    ASSERT_TRUE(IsOk(fake().Release()));
    ASSERT_TRUE(held.AwaitAll());
  }

  // Each held call's slot is given back once it is done, a little after its
  // caller saw the answer; until then the server may still refuse.
  grpc::Status status = ListRaw();
  for (int i = 0;
       i < 50 && status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
       ++i) {
    absl::SleepFor(absl::Milliseconds(20) * (i + 1));
    status = ListRaw();
  }
  EXPECT_TRUE(IsOk(status));
}

}  // namespace
}  // namespace vercel_tokens::integration
