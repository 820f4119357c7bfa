// Calls per connection (docs/performance.md): the server admits
// --max_concurrent_streams (default 100) calls at once on one HTTP/2
// connection, and a gRPC client queues further calls on that connection
// until one of them ends. So a client that sends slow and quick calls on
// one channel makes the quick ones wait; a channel with a connection of its
// own does not wait, however many calls another connection holds.
//
// The held calls are held by the fake (released only at the end), so what
// the tests show does not depend on how fast the machine is.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/integration/held_calls.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

// More than the default --max_concurrent_streams, on one connection.
constexpr int kHeld = 150;
// --max_upstream_connections' default is 64; one endpoint may hold three
// quarters of them: these reach the fake and are held there, the other
// held calls wait in the server's queue for a connection.
constexpr int kHeldUpstream = 48;
// The slow upstream of issue 18 answered after 5 s: a call that waited
// behind the held ones would take at least that long.
constexpr absl::Duration kSlowUpstream = absl::Seconds(5);
constexpr char kLoginPath[] = "/registration";

class CallsPerConnectionTest : public IntegrationTest {
 protected:
  // Holds kHeld GetAuthToken calls on one connection to `server`, once
  // kHeldUpstream of them have reached the fake.
  void HoldCalls(const ServerProcess& server) {
    Fault hold;
    hold.set_method("GET");
    hold.set_path("/v5/user/tokens/current");
    hold.set_hold(true);
    hold.set_times(kHeldUpstream);
    ASSERT_TRUE(IsOk(fake().AddFault(hold)));
    held_channel_ = server.NewOwnConnection();
    held_stub_ = v1::UserTokensService::NewStub(held_channel_);
    held_ =
        std::make_unique<HeldCalls>(held_stub_.get(), kHeld, absl::Seconds(60));
    ASSERT_TRUE(IsOk(fake().WaitHeld(kHeldUpstream)));
  }

  // Releases the held calls and checks that each ends well.
  void ReleaseHeldCalls() {
    ASSERT_TRUE(IsOk(fake().Release()));
    ASSERT_TRUE(held_->AwaitAll());
    for (const grpc::Status& status : held_->statuses()) {
      EXPECT_TRUE(IsOk(status));
    }
  }

  // An EmailLogin on `channel` with `deadline`; `took` gets its latency.
  static grpc::Status Login(std::shared_ptr<grpc::Channel> channel,
                            absl::Duration deadline, absl::Duration* took) {
    ClientOptions options;
    options.timeout = deadline;
    UserTokensClient client(std::move(channel), options);
    v1::EmailLoginRequest login;
    login.set_email("someone@example.com");
    v1::EmailLoginResponse started;
    const absl::Time start = absl::Now();
    grpc::Status status = client.EmailLogin(login, &started);
    *took = absl::Now() - start;
    return status;
  }

  int Logins() {
    int n = 0;
    for (const RecordedRequest& r : Requests()) n += r.path() == kLoginPath;
    return n;
  }

  std::shared_ptr<grpc::Channel> held_channel_;
  std::unique_ptr<v1::UserTokensService::Stub> held_stub_;
  std::unique_ptr<HeldCalls> held_;
};

TEST_F(CallsPerConnectionTest, ACallOnItsOwnConnectionDoesNotWaitForHeldOnes) {
  HoldCalls(server());
  absl::Duration took;
  const grpc::Status status =
      Login(server().NewOwnConnection(), kSlowUpstream, &took);
  EXPECT_TRUE(IsOk(status));
  EXPECT_LT(took, kSlowUpstream / 2);
  EXPECT_EQ(Logins(), 1);
  EXPECT_EQ(held_->done(), 0) << "the held calls ended early";
  ReleaseHeldCalls();
}

TEST_F(CallsPerConnectionTest, ACallOnTheHeldConnectionWaitsInTheClient) {
  HoldCalls(server());
  absl::Duration took;
  const grpc::Status waited = Login(held_channel_, absl::Seconds(2), &took);
  // The client's own deadline: the call never reached the server, so it
  // carries none of the server's error details, and Vercel never saw it.
  EXPECT_TRUE(HasCode(waited, grpc::StatusCode::DEADLINE_EXCEEDED));
  EXPECT_EQ(DecodeErrorDetails(waited).reason, "");
  EXPECT_EQ(Logins(), 0);
  ReleaseHeldCalls();
  // Once the held calls end, the connection serves calls again.
  EXPECT_TRUE(IsOk(Login(held_channel_, absl::Seconds(10), &took)));
  EXPECT_EQ(Logins(), 1);
}

TEST_F(CallsPerConnectionTest, AHigherStreamLimitAdmitsTheCallOnTheSameOne) {
  ServerOptions options;
  options.flags = {absl::StrCat("--max_concurrent_streams=", kHeld + 1)};
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  HoldCalls(*server);
  absl::Duration took;
  EXPECT_TRUE(IsOk(Login(held_channel_, kSlowUpstream, &took)));
  EXPECT_LT(took, kSlowUpstream / 2);
  EXPECT_EQ(Logins(), 1);
  ReleaseHeldCalls();
}

}  // namespace
}  // namespace vercel_tokens::integration
