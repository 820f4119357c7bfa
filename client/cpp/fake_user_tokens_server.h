#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_FAKE_USER_TOKENS_SERVER_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_FAKE_USER_TOKENS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

// Test-only: an in-process UserTokensService whose RPCs run handlers that the
// test sets, served on 127.0.0.1 on a free port with grpc.health.v1.

namespace vercel_tokens {

// Each RPC calls its handler, or fails UNIMPLEMENTED when none is set. Set
// handlers before the first call; they run on gRPC's threads.
class FakeUserTokensService final
    : public vercel::authentication::v1::UserTokensService::Service {
 public:
  template <typename Request, typename Response>
  using Handler = std::function<grpc::Status(grpc::ServerContext*,
                                             const Request&, Response*)>;

  Handler<vercel::authentication::v1::GetAuthTokenRequest,
          vercel::authentication::v1::GetAuthTokenResponse>
      get_auth_token;
  Handler<vercel::authentication::v1::ListAuthTokensRequest,
          vercel::authentication::v1::ListAuthTokensResponse>
      list_auth_tokens;
  Handler<vercel::authentication::v1::CreateAuthTokenRequest,
          vercel::authentication::v1::CreateAuthTokenResponse>
      create_auth_token;
  Handler<vercel::authentication::v1::DeleteAuthTokenRequest,
          vercel::authentication::v1::DeleteAuthTokenResponse>
      delete_auth_token;
  Handler<vercel::authentication::v1::ListAuthTokensRawRequest,
          vercel::authentication::v1::ListAuthTokensRawResponse>
      list_auth_tokens_raw;
  Handler<vercel::authentication::v1::EmailLoginRequest,
          vercel::authentication::v1::EmailLoginResponse>
      email_login;
  Handler<vercel::authentication::v1::VerifyTokenRequest,
          vercel::authentication::v1::VerifyTokenResponse>
      verify_token;

  grpc::Status GetAuthToken(
      grpc::ServerContext* context,
      const vercel::authentication::v1::GetAuthTokenRequest* request,
      vercel::authentication::v1::GetAuthTokenResponse* response) override {
    return Run(get_auth_token, context, request, response);
  }
  grpc::Status ListAuthTokens(
      grpc::ServerContext* context,
      const vercel::authentication::v1::ListAuthTokensRequest* request,
      vercel::authentication::v1::ListAuthTokensResponse* response) override {
    return Run(list_auth_tokens, context, request, response);
  }
  grpc::Status CreateAuthToken(
      grpc::ServerContext* context,
      const vercel::authentication::v1::CreateAuthTokenRequest* request,
      vercel::authentication::v1::CreateAuthTokenResponse* response) override {
    return Run(create_auth_token, context, request, response);
  }
  grpc::Status DeleteAuthToken(
      grpc::ServerContext* context,
      const vercel::authentication::v1::DeleteAuthTokenRequest* request,
      vercel::authentication::v1::DeleteAuthTokenResponse* response) override {
    return Run(delete_auth_token, context, request, response);
  }
  grpc::Status ListAuthTokensRaw(
      grpc::ServerContext* context,
      const vercel::authentication::v1::ListAuthTokensRawRequest* request,
      vercel::authentication::v1::ListAuthTokensRawResponse* response)
      override {
    return Run(list_auth_tokens_raw, context, request, response);
  }
  grpc::Status EmailLogin(
      grpc::ServerContext* context,
      const vercel::authentication::v1::EmailLoginRequest* request,
      vercel::authentication::v1::EmailLoginResponse* response) override {
    return Run(email_login, context, request, response);
  }
  grpc::Status VerifyToken(
      grpc::ServerContext* context,
      const vercel::authentication::v1::VerifyTokenRequest* request,
      vercel::authentication::v1::VerifyTokenResponse* response) override {
    return Run(verify_token, context, request, response);
  }

 private:
  template <typename Request, typename Response>
  static grpc::Status Run(const Handler<Request, Response>& handler,
                          grpc::ServerContext* context, const Request* request,
                          Response* response) {
    if (!handler) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "");
    return handler(context, *request, response);
  }
};

// Returns the value of the `authorization` metadata of a call, or "" when it
// has none.
inline std::string AuthorizationOf(const grpc::ServerContext& context) {
  auto it = context.client_metadata().find("authorization");
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Serves a FakeUserTokensService and grpc.health.v1 (overall status SERVING)
// until destroyed. Not copyable.
class FakeUserTokensServer {
 public:
  FakeUserTokensServer() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  FakeUserTokensServer(const FakeUserTokensServer&) = delete;
  FakeUserTokensServer& operator=(const FakeUserTokensServer&) = delete;
  ~FakeUserTokensServer() { server_->Shutdown(); }

  FakeUserTokensService& service() { return service_; }
  grpc::HealthCheckServiceInterface& health() {
    return *server_->GetHealthCheckService();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::shared_ptr<grpc::Channel> NewChannel() const {
    return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }

 private:
  FakeUserTokensService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_FAKE_USER_TOKENS_SERVER_H_
