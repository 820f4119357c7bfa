// The server's life: refusing a bad start, reporting health, and draining
// in-flight calls on SIGTERM.

#include <signal.h>

#include <future>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

using LifecycleTest = IntegrationTest;

TEST_F(LifecycleTest, HealthIsServing) {
  ServingStatus status = ServingStatus::kUnknown;
  ASSERT_TRUE(
      IsOk(CheckHealth(server().NewChannel(), "", absl::Seconds(10), &status)));

  EXPECT_EQ(status, ServingStatus::kServing);
}

TEST_F(LifecycleTest, RefusesToStartWithANonLoopbackHttpUpstream) {
  auto process = ServerProcess::Spawn(
      {"--listen=127.0.0.1:0", "--vercel_api_base_url=http://example.com"}, {});
  ASSERT_TRUE(IsOk(process.status()));

  absl::StatusOr<int> exit_code = (*process)->Wait(absl::Seconds(15));

  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_NE(*exit_code, 0);
  const std::string err = (*process)->Output(Stream::kStderr);
  EXPECT_THAT(err, HasSubstr("loopback"));
  EXPECT_THAT(err, Not(HasSubstr("\"msg\":\"listening\"")));
}

TEST_F(LifecycleTest, SigtermFinishesTheInFlightCallAndRefusesNewOnes) {
  std::unique_ptr<ServerProcess> server = StartServer({});
  ASSERT_NE(server, nullptr);
  Fault hold;
  hold.set_method("GET");
  hold.set_path("/v5/user/tokens/current");
  hold.set_hold(true);
  ASSERT_TRUE(IsOk(fake().AddFault(hold)));
  v1::GetAuthTokenRequest current;
  current.set_token_id("current");

  UserTokensClient in_flight_client =
      ClientOf(*server, kSeedSecret, absl::Seconds(20));
  v1::GetAuthTokenResponse in_flight_response;
  std::future<grpc::Status> in_flight = std::async(std::launch::async, [&] {
    return in_flight_client.GetAuthToken(current, &in_flight_response);
  });
  EXPECT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  EXPECT_TRUE(
      IsOk(server->process()
               .WaitForLine(Stream::kStderr, "\"msg\":\"shutting down\"",
                            absl::Seconds(15))
               .status()));
  // The server logs that line before it stops listening.
  EXPECT_TRUE(IsOk(server->WaitUntilRefusing(absl::Seconds(15))));

  v1::GetAuthTokenResponse refused_response;
  EXPECT_TRUE(HasCode(ClientOf(*server, kSeedSecret, absl::Seconds(5))
                          .GetAuthToken(current, &refused_response),
                      grpc::StatusCode::UNAVAILABLE));

  EXPECT_TRUE(IsOk(fake().Release()));
  EXPECT_TRUE(IsOk(in_flight.get()));
  EXPECT_EQ(in_flight_response.token().id(), seed().id());
  absl::StatusOr<int> exit_code = server->process().Wait(absl::Seconds(15));
  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_EQ(*exit_code, 0);
}

}  // namespace
}  // namespace vercel_tokens::integration
