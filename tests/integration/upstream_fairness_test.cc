// Fair upstream queueing: with 500 GetAuthToken calls held by a slow
// upstream, an EmailLogin, a CreateAuthToken and a ListAuthTokens each reach
// the upstream at once, and each endpoint's queue shows in the metrics.
//
// The held calls come over five connections of 100 calls each, and the
// other calls over a connection of their own: the server admits at most
// --max_concurrent_streams (100) calls per connection, so a call sent on a
// connection already carrying 100 waits in the client for one of them to
// finish (docs/performance.md, "Calls per connection").

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/integration/held_calls.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr int kHeld = 500;
constexpr int kCallsPerConnection = 100;
// --max_upstream_connections' default is 64; one endpoint may hold three
// quarters of them.
constexpr int kHeldUpstream = 48;
// How soon after it is sent a call of another endpoint must be answered:
// the fake answers at once, so this is the time to reach it and back.
constexpr absl::Duration kReachBound = absl::Milliseconds(100);
constexpr char kGetQueue[] =
    "vercel_tokens_upstream_queue_length{endpoint=\"GET "
    "/v5/user/tokens/{tokenId}\"}";

class UpstreamFairnessTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    Fault hold;
    hold.set_method("GET");
    hold.set_path("/v5/user/tokens/current");
    hold.set_hold(true);
    hold.set_times(kHeldUpstream);
    ASSERT_TRUE(IsOk(fake().AddFault(hold)));
    ServerOptions options;
    options.flags = {"--metrics_listen=127.0.0.1:0"};
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
  }

  // The length of GetAuthToken's upstream queue, or -1.
  double GetQueueLength() {
    absl::StatusOr<std::string> scraped = ScrapeMetrics(*server_);
    if (!scraped.ok()) return -1;
    return SampleValue(*scraped, kGetQueue).value_or(-1);
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(UpstreamFairnessTest, OtherEndpointsReachTheUpstreamWhileGetsAreHeld) {
  std::vector<std::unique_ptr<v1::UserTokensService::Stub>> stubs;
  std::vector<std::unique_ptr<HeldCalls>> held;
  for (int i = 0; i < kHeld / kCallsPerConnection; ++i) {
    stubs.push_back(
        v1::UserTokensService::NewStub(server_->NewOwnConnection()));
    held.push_back(std::make_unique<HeldCalls>(
        stubs.back().get(), kCallsPerConnection, absl::Seconds(60)));
  }
  ASSERT_TRUE(IsOk(fake().WaitHeld(kHeldUpstream)));
  // Every held call is in the server, the rest of them queued for a
  // connection to the upstream.
  double queued = GetQueueLength();
  for (int i = 0; i < 100 && queued < kHeld - kHeldUpstream; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    queued = GetQueueLength();
  }
  ASSERT_EQ(queued, kHeld - kHeldUpstream);

  ClientOptions options;
  options.bearer_token = kSeedSecret;
  options.timeout = absl::Seconds(10);
  UserTokensClient client(server_->NewOwnConnection(), options);
  v1::EmailLoginRequest login;
  login.set_email("someone@example.com");
  v1::EmailLoginResponse started;
  absl::Time start = absl::Now();
  const grpc::Status login_status = client.EmailLogin(login, &started);
  const absl::Duration login_took = absl::Now() - start;

  v1::CreateAuthTokenRequest create;
  create.set_name("fairness");
  v1::CreateAuthTokenResponse created;
  start = absl::Now();
  const grpc::Status create_status = client.CreateAuthToken(create, &created);
  const absl::Duration create_took = absl::Now() - start;

  v1::ListAuthTokensResponse listed;
  start = absl::Now();
  const grpc::Status list_status = client.ListAuthTokens({}, &listed);
  const absl::Duration list_took = absl::Now() - start;

  EXPECT_TRUE(IsOk(login_status));
  EXPECT_TRUE(IsOk(create_status));
  EXPECT_TRUE(IsOk(list_status));
  EXPECT_LT(login_took, kReachBound);
  EXPECT_LT(create_took, kReachBound);
  EXPECT_LT(list_took, kReachBound);
  std::cerr << "EmailLogin " << login_took << ", CreateAuthToken "
            << create_took << ", ListAuthTokens " << list_took << " with "
            << queued << " GetAuthToken calls queued\n";
  EXPECT_EQ(GetQueueLength(), kHeld - kHeldUpstream)
      << "the held calls still wait";

  ASSERT_TRUE(IsOk(fake().Release()));
  for (const auto& calls : held) {
    ASSERT_TRUE(calls->AwaitAll());
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
