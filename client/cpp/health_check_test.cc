#include "health_check.h"

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_user_tokens_server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using namespace std::string_literals;

// Decodes `bytes`, expecting success.
ServingStatus Decode(absl::string_view bytes) {
  absl::StatusOr<ServingStatus> status = DecodeHealthCheckResponse(bytes);
  EXPECT_TRUE(status.ok()) << status.status();
  return status.value_or(ServingStatus::kUnknown);
}

TEST(EncodeHealthCheckRequestTest, OmitsEmptyService) {
  EXPECT_EQ(EncodeHealthCheckRequest(""), "");
}

TEST(EncodeHealthCheckRequestTest, EncodesServiceAsFieldOne) {
  EXPECT_EQ(EncodeHealthCheckRequest("svc"), "\x0a\x03svc");
}

TEST(DecodeHealthCheckResponseTest, DecodesEveryStatus) {
  EXPECT_EQ(Decode(""), ServingStatus::kUnknown);
  EXPECT_EQ(Decode("\x08\x01"), ServingStatus::kServing);
  EXPECT_EQ(Decode("\x08\x02"), ServingStatus::kNotServing);
  EXPECT_EQ(Decode("\x08\x03"), ServingStatus::kServiceUnknown);
  EXPECT_EQ(Decode("\x08\x07"), ServingStatus::kUnknown);
}

TEST(DecodeHealthCheckResponseTest, SkipsUnknownFields) {
  EXPECT_EQ(Decode("\x12\x01x\x08\x01\x18\x05"s), ServingStatus::kServing);
}

TEST(DecodeHealthCheckResponseTest, RejectsMalformedBytes) {
  EXPECT_FALSE(DecodeHealthCheckResponse("\x08").ok());
  EXPECT_FALSE(DecodeHealthCheckResponse("\x0a\x05x").ok());
}

TEST(ServingStatusNameTest, UsesProtoNames) {
  EXPECT_EQ(ServingStatusName(ServingStatus::kServing), "SERVING");
  EXPECT_EQ(ServingStatusName(ServingStatus::kNotServing), "NOT_SERVING");
  EXPECT_EQ(ServingStatusName(ServingStatus::kServiceUnknown),
            "SERVICE_UNKNOWN");
  EXPECT_EQ(ServingStatusName(ServingStatus::kUnknown), "UNKNOWN");
}

// Checks the hand-encoded messages against gRPC's own health service.
class CheckHealthTest : public ::testing::Test {
 protected:
  FakeUserTokensServer server_;
};

TEST_F(CheckHealthTest, ReportsServingServer) {
  ServingStatus status = ServingStatus::kUnknown;
  const grpc::Status call =
      CheckHealth(server_.NewChannel(), "", absl::Seconds(10), &status);
  ASSERT_TRUE(call.ok()) << call.error_message();
  EXPECT_EQ(status, ServingStatus::kServing);
}

TEST_F(CheckHealthTest, ReportsNotServingService) {
  server_.health().SetServingStatus(
      "vercel.authentication.v1.UserTokensService", false);
  ServingStatus status = ServingStatus::kUnknown;
  const grpc::Status call = CheckHealth(
      server_.NewChannel(), "vercel.authentication.v1.UserTokensService",
      absl::Seconds(10), &status);
  ASSERT_TRUE(call.ok()) << call.error_message();
  EXPECT_EQ(status, ServingStatus::kNotServing);
}

TEST_F(CheckHealthTest, UnknownServiceIsNotFound) {
  ServingStatus status = ServingStatus::kUnknown;
  EXPECT_EQ(CheckHealth(server_.NewChannel(), "no.such.Service",
                        absl::Seconds(10), &status)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(CheckHealthWaitTest, WaitsForAnUnreachableServerUntilTheTimeout) {
  // Nothing listens on port 1: without waiting the check fails at once,
  // with it the check keeps trying until its deadline.
  auto channel =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  ServingStatus status = ServingStatus::kUnknown;
  EXPECT_EQ(CheckHealth(channel, "", absl::Seconds(10), &status).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  const absl::Time start = absl::Now();
  EXPECT_EQ(CheckHealth(channel, "", absl::Milliseconds(300), &status,
                        /*wait_for_ready=*/true)
                .error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

}  // namespace
}  // namespace vercel_tokens
