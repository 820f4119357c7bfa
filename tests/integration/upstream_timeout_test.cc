// A Vercel API slower than the caller's deadline: the server bounds its
// request a little before that deadline and answers the caller itself.

#include <memory>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;

constexpr char kTokenPath[] = "/v5/user/tokens/tok_1";

using UpstreamTimeoutTest = IntegrationTest;

TEST_F(UpstreamTimeoutTest, SlowUpstreamEndsWithTheServersAnswer) {
  // A server of its own, so that its log holds this call's line only.
  std::unique_ptr<ServerProcess> server = StartServer(ServerOptions{});
  ASSERT_NE(server, nullptr);
  Fault fault;
  fault.set_method("GET");
  fault.set_path(kTokenPath);
  fault.set_hold(true);
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));

  v1::GetAuthTokenRequest request;
  request.set_token_id("tok_1");
  v1::GetAuthTokenResponse response;
  grpc::Status status = ClientOf(*server, kSeedSecret, absl::Seconds(5))
                            .GetAuthToken(request, &response);

  // A deadline the client library raised itself would carry no details.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_TIMEOUT");
  EXPECT_THAT(status.error_message(), HasSubstr("too slow"));
  EXPECT_TRUE(IsOk(fake().WaitAborted(1)));

  absl::StatusOr<std::string> line = server->process().WaitForLine(
      Stream::kStderr, R"("method":"GetAuthToken")", absl::Seconds(10));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr(R"("level":"warning")"));
  EXPECT_THAT(*line, HasSubstr(R"("code":"DEADLINE_EXCEEDED")"));
  EXPECT_THAT(*line, HasSubstr("the Vercel API was too slow"));
}

}  // namespace
}  // namespace vercel_tokens::integration
