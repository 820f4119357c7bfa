// Non-blocking end to end: calls waiting on Vercel hold no gRPC thread, so a
// server with many calls in flight still answers others at once.

#include <memory>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/held_calls.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

// Far more than the gRPC server's callback threads (a few per core): if a
// handler blocked on the network, these alone would exhaust them.
constexpr int kHeldCalls = 48;

using ConcurrencyTest = IntegrationTest;

TEST_F(ConcurrencyTest, ManyCallsWaitingOnVercelBlockNoOtherCall) {
  Fault hold;
  hold.set_method("GET");
  hold.set_path("/v5/user/tokens/current");
  hold.set_hold(true);
  hold.set_times(kHeldCalls);
  ASSERT_TRUE(IsOk(fake().AddFault(hold)));
  ServerOptions options;
  options.flags = {"--max_upstream_connections=0"};
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto stub = v1::UserTokensService::NewStub(server->NewChannel());

  HeldCalls held(stub.get(), kHeldCalls, absl::Seconds(30));
  ASSERT_TRUE(IsOk(fake().WaitHeld(kHeldCalls)));

  v1::ListAuthTokensRawResponse listed;
  EXPECT_TRUE(IsOk(ClientOf(*server).ListAuthTokensRaw({}, &listed)));
  EXPECT_EQ(listed.tokens_size(), 1);
  EXPECT_EQ(held.done(), 0);

  ASSERT_TRUE(IsOk(fake().Release()));
  ASSERT_TRUE(held.AwaitAll());
  for (const grpc::Status& status : held.statuses()) {
    EXPECT_TRUE(IsOk(status));
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
