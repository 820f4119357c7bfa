// Keepalive: a client that pings every 10 s keeps its connection, where a
// server with gRPC's strict defaults would close it (GOAWAY too_many_pings).

#include <future>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

using KeepaliveTest = IntegrationTest;

// Three client pings and some slack; a server that refuses them sends its
// GOAWAY after the third (gRPC tolerates two "strikes").
constexpr absl::Duration kThreePings = absl::Seconds(35);

// A connected channel to `server` whose client pings every 10 s, calls or
// not; null after adding a test failure.
std::shared_ptr<grpc::Channel> PingingChannel(const ServerProcess& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
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

TEST_F(KeepaliveTest, AClientPingingEvery10sKeepsItsConnection) {
  std::unique_ptr<ServerProcess> strict =
      StartServer({{"--keepalive_min_ping_interval=5m",
                    "--keepalive_permit_without_calls=false"},
                   {}});
  ASSERT_NE(strict, nullptr);
  std::shared_ptr<grpc::Channel> to_default = PingingChannel(server());
  std::shared_ptr<grpc::Channel> to_strict = PingingChannel(*strict);
  ASSERT_NE(to_default, nullptr);
  ASSERT_NE(to_strict, nullptr);

  // Both watched at once, so the test takes the time of one.
  std::future<bool> strict_closed = std::async(std::launch::async, [&] {
    return Disconnects(*to_strict, kThreePings + absl::Seconds(25));
  });
  EXPECT_FALSE(Disconnects(*to_default, kThreePings));
  EXPECT_TRUE(strict_closed.get())
      << "the control server kept a connection it should have closed";
}

}  // namespace
}  // namespace vercel_tokens::integration
