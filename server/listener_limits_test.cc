#include "server/listener_limits.h"

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

// Answers GetAuthToken with an empty token, whatever the request.
class AnsweringService final : public v1::UserTokensService::CallbackService {
  grpc::ServerUnaryReactor* GetAuthToken(grpc::CallbackServerContext* context,
                                         const v1::GetAuthTokenRequest*,
                                         v1::GetAuthTokenResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// A server on a loopback port with ApplyListenerLimits(config).
class ListenerLimitsTest : public ::testing::Test {
 protected:
  void Start(const ServerConfig& config) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    ApplyListenerLimits(config, builder);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::UserTokensService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // GetAuthToken with a token id of `size` bytes, compressed with
  // `algorithm`.
  grpc::Status Get(size_t size,
                   grpc_compression_algorithm algorithm = GRPC_COMPRESS_NONE,
                   size_t metadata_bytes = 0) {
    grpc::ClientContext context;
    if (metadata_bytes > 0) {
      context.AddMetadata("x-workload-token", std::string(metadata_bytes, 'a'));
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    context.set_compression_algorithm(algorithm);
    v1::GetAuthTokenRequest request;
    request.set_token_id(std::string(size, 'a'));
    v1::GetAuthTokenResponse response;
    return stub_->GetAuthToken(&context, request, &response);
  }

  AnsweringService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::UserTokensService::Stub> stub_;
};

TEST_F(ListenerLimitsTest, ServesARequestWithinTheLimit) {
  ServerConfig config;
  config.max_request_bytes = 4096;
  Start(config);
  EXPECT_TRUE(Get(1000).ok());
}

TEST_F(ListenerLimitsTest, RefusesARequestOverMaxRequestBytes) {
  ServerConfig config;
  config.max_request_bytes = 4096;
  Start(config);
  const grpc::Status status = Get(8192);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
}

// A workload token somewhat over its own 8 KiB bound reaches the service
// (which refuses it as WORKLOAD_TOKEN_INVALID); the header list stays
// bounded: one over kMaxHeaderListBytes is refused by gRPC.
TEST_F(ListenerLimitsTest, BoundsTheHeaderList) {
  Start(ServerConfig{});
  EXPECT_TRUE(Get(10, GRPC_COMPRESS_NONE, 12 << 10).ok());
  const grpc::Status status =
      Get(10, GRPC_COMPRESS_NONE, kMaxHeaderListBytes + 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
}

// A compressed message would be inflated in full before its size is checked:
// 8 MiB of one letter compress to a few KiB.
TEST_F(ListenerLimitsTest, RefusesCompressedRequests) {
  Start(ServerConfig{});
  for (grpc_compression_algorithm algorithm :
       {GRPC_COMPRESS_GZIP, GRPC_COMPRESS_DEFLATE}) {
    const grpc::Status status = Get(8 << 20, algorithm);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
        << algorithm << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace vercel_tokens
