// Keepalive: a client that pings as often as --keepalive_min_ping_interval
// allows keeps its connection, where a server with gRPC's strict policy
// closes it (GOAWAY too_many_pings). The interval is 1 s here so that the
// test takes seconds; the default (10 s, a client pinging every 10 s) is
// pinned by server/config_test.cc.

#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

using KeepaliveTest = IntegrationTest;

// The server's --keepalive_min_ping_interval and the client's ping interval.
constexpr absl::Duration kPingInterval = absl::Seconds(1);
// How long the refusing server may take to close: its GOAWAY follows the
// third ping (gRPC tolerates two "strikes"); bounded generously for a busy
// machine, and ends as soon as it comes.
constexpr absl::Duration kCloseBound = absl::Seconds(60);
// How many more pings the allowed connection must survive after the other
// one was closed.
constexpr int kMorePings = 3;

// A connected channel to `server` whose client pings every kPingInterval,
// calls or not; null after adding a test failure.
std::shared_ptr<grpc::Channel> PingingChannel(const ServerProcess& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              absl::ToInt64Milliseconds(kPingInterval));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  auto channel = grpc::CreateCustomChannel(
      server.address(), grpc::InsecureChannelCredentials(), args);
  ServingStatus status = ServingStatus::kUnknown;
  if (!IsOk(CheckHealth(channel, "", absl::Seconds(10), &status)) ||
      channel->GetState(false) != GRPC_CHANNEL_READY) {
    ADD_FAILURE() << "the channel did not connect";
    return nullptr;
  }
  return channel;
}

// Whether `channel` leaves READY (its connection closed) within `timeout`.
bool Disconnects(grpc::Channel& channel, absl::Duration timeout) {
  return channel.WaitForStateChange(GRPC_CHANNEL_READY,
                                    absl::ToChronoTime(absl::Now() + timeout));
}

TEST_F(KeepaliveTest, AClientPingingAtTheMinimumIntervalKeepsItsConnection) {
  std::unique_ptr<ServerProcess> allowing =
      StartServer({{absl::StrCat("--keepalive_min_ping_interval=",
                                 absl::FormatDuration(kPingInterval))},
                   {}});
  std::unique_ptr<ServerProcess> strict =
      StartServer({{"--keepalive_min_ping_interval=5m",
                    "--keepalive_permit_without_calls=false"},
                   {}});
  ASSERT_NE(allowing, nullptr);
  ASSERT_NE(strict, nullptr);
  std::shared_ptr<grpc::Channel> to_allowing = PingingChannel(*allowing);
  std::shared_ptr<grpc::Channel> to_strict = PingingChannel(*strict);
  ASSERT_NE(to_allowing, nullptr);
  ASSERT_NE(to_strict, nullptr);

  // Both connections get the same pings; the strict server closes its own
  // after the third, the other keeps it for kMorePings more.
  ASSERT_TRUE(Disconnects(*to_strict, kCloseBound))
      << "the control server kept a connection it should have closed";
  EXPECT_EQ(to_allowing->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_FALSE(Disconnects(*to_allowing, kMorePings * kPingInterval));
}

}  // namespace
}  // namespace vercel_tokens::integration
