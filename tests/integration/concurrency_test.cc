// Non-blocking end to end: calls waiting on Vercel hold no gRPC thread, so a
// server with many calls in flight still answers others at once.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

// Far more than the gRPC server's callback threads (a few per core): if a
// handler blocked on the network, these alone would exhaust them.
constexpr int kHeldCalls = 48;

// kHeldCalls GetAuthToken calls made with gRPC's callback client API, so
// that no test thread waits on any of them.
class HeldCalls {
 public:
  explicit HeldCalls(v1::UserTokensService::Stub* stub) : calls_(kHeldCalls) {
    for (Call& call : calls_) {
      call.context.AddMetadata("authorization",
                               absl::StrCat("Bearer ", kSeedSecret));
      call.context.set_deadline(std::chrono::system_clock::now() +
                                std::chrono::seconds(30));
      call.request.set_token_id("current");
      stub->async()->GetAuthToken(&call.context, &call.request, &call.response,
                                  [this, &call](grpc::Status status) {
                                    absl::MutexLock lock(&mu_);
                                    call.status = std::move(status);
                                    ++done_;
                                  });
    }
  }

  // Waits until every call has finished; false after 30 s.
  bool AwaitAll() {
    absl::MutexLock lock(&mu_);
    auto all_done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return done_ == kHeldCalls;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(30));
  }

  int done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }

  std::vector<grpc::Status> statuses() {
    absl::MutexLock lock(&mu_);
    std::vector<grpc::Status> out;
    for (const Call& call : calls_) out.push_back(call.status);
    return out;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    v1::GetAuthTokenRequest request;
    v1::GetAuthTokenResponse response;
    grpc::Status status;
  };

  std::vector<Call> calls_;
  absl::Mutex mu_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
};

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

  HeldCalls held(stub.get());
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
