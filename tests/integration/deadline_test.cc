// Deadlines and cancellation: the caller stops waiting, and the server
// aborts the request it made to Vercel.

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::ElementsAre;

constexpr char kTokenPath[] = "/v5/user/tokens/tok_1";

class DeadlineTest : public IntegrationTest {
 protected:
  // Makes the fake hold the next `GET kTokenPath` until released.
  void HoldNextTokenRequest() {
    Fault fault;
    fault.set_method("GET");
    fault.set_path(kTokenPath);
    fault.set_hold(true);
    ASSERT_TRUE(IsOk(fake().AddFault(fault)));
  }

  // Expects the fake to see the one request it holds aborted by the server.
  void ExpectHeldRequestAborted() {
    EXPECT_TRUE(IsOk(fake().WaitAborted(1)));
    std::vector<RecordedRequest> upstream = Requests();
    ASSERT_THAT(upstream, ElementsAre(IsUpstream("GET", kTokenPath, "")));
    EXPECT_TRUE(upstream[0].aborted());
  }
};

// Starts GetAuthToken("tok_1") with `context` (authorized with kSeedSecret,
// no deadline unless the caller set one) on another thread.
std::future<grpc::Status> GetTokenAsync(v1::UserTokensService::Stub* stub,
                                        grpc::ClientContext* context) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", kSeedSecret));
  return std::async(std::launch::async, [stub, context] {
    v1::GetAuthTokenRequest request;
    request.set_token_id("tok_1");
    v1::GetAuthTokenResponse response;
    return stub->GetAuthToken(context, request, &response);
  });
}

// Waits for `call` at most 15 seconds; cancels it through `context` when it
// takes longer, so that a bug fails the test instead of hanging it.
grpc::Status Await(std::future<grpc::Status>& call,
                   grpc::ClientContext& context) {
  if (call.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    ADD_FAILURE() << "the call did not end within 15 s; cancelling it";
    context.TryCancel();
  }
  return call.get();
}

TEST_F(DeadlineTest, CallerDeadlineAbortsTheUpstreamRequest) {
  HoldNextTokenRequest();
  auto stub = v1::UserTokensService::NewStub(server().NewChannel());

  // The test proves something only if the request reached Vercel before the
  // deadline passed. On a loaded machine a short deadline can pass first;
  // then nothing went upstream, and the test tries a longer one.
  for (absl::Duration deadline = absl::Milliseconds(500);; deadline *= 4) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    std::future<grpc::Status> call = GetTokenAsync(stub.get(), &context);
    // Counts requests received, not held now: the server may have aborted
    // the held request already.
    const bool reached_vercel = fake().WaitForRequests(1).ok();
    EXPECT_TRUE(
        HasCode(Await(call, context), grpc::StatusCode::DEADLINE_EXCEEDED));
    if (reached_vercel) break;
    ASSERT_TRUE(Requests().empty());
    ASSERT_LT(deadline, absl::Seconds(10))
        << "no request reached the fake before the caller's deadline";
  }
  ExpectHeldRequestAborted();
}

TEST_F(DeadlineTest, ServerDefaultDeadlineAppliesWhenTheCallerSetsNone) {
  ServerOptions options;
  options.flags.push_back("--default_deadline=1s");
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  HoldNextTokenRequest();
  auto stub = v1::UserTokensService::NewStub(server->NewChannel());

  grpc::ClientContext context;
  std::future<grpc::Status> call = GetTokenAsync(stub.get(), &context);
  EXPECT_TRUE(IsOk(fake().WaitHeld(1)));
  grpc::Status status = Await(call, context);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::DEADLINE_EXCEEDED));
  ExpectHeldRequestAborted();
}

TEST_F(DeadlineTest, CancelledCallAbortsTheUpstreamRequest) {
  HoldNextTokenRequest();
  auto stub = v1::UserTokensService::NewStub(server().NewChannel());

  grpc::ClientContext context;
  std::future<grpc::Status> call = GetTokenAsync(stub.get(), &context);
  EXPECT_TRUE(IsOk(fake().WaitHeld(1)));
  context.TryCancel();
  grpc::Status status = Await(call, context);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::CANCELLED));
  ExpectHeldRequestAborted();
}

}  // namespace
}  // namespace vercel_tokens::integration
