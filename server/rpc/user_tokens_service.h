#ifndef VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/rpc/in_flight_limiter.h"
#include "server/rpc/upstream_call.h"
#include "server/vercel/list_pager.h"
#include "server/vercel/transport.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {

struct UserTokensServiceOptions {
  // Borrowed; must outlive the service and its calls.
  Logger* logger = nullptr;
  Metrics* metrics = nullptr;
  RetryPolicy retry_policy;
  // The server's own Vercel token, used by calls that send none; empty for
  // none (such calls then fail UNAUTHENTICATED). A secret.
  std::string server_token;
  // The deadline of calls whose caller set none.
  absl::Duration default_deadline = absl::Seconds(30);
  // How much of Vercel's listing one ListAuthTokens call reads at most.
  ListLimits list_limits;
  // Calls served at once at most; more fail at once with RESOURCE_EXHAUSTED
  // (SERVER_OVERLOADED). Positive.
  int max_in_flight = 1000;
};

// vercel.authentication.v1.UserTokensService on the gRPC callback API.
//
// Each handler takes a slot of the in-flight cap (refusing the call when
// none is free), validates the request, resolves the Vercel token, builds the
// upstream request and hands it to an UpstreamCall, then returns at once; it
// never blocks. The slot is held until the call is done. Thread-safe.
// `transport` must outlive the service and every call it started (shut the
// gRPC server down before the transport).
class UserTokensService final
    : public vercel::authentication::v1::UserTokensService::CallbackService {
 public:
  UserTokensService(UpstreamTransport* transport,
                    UserTokensServiceOptions options);

  grpc::ServerUnaryReactor* GetAuthToken(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::GetAuthTokenRequest* request,
      vercel::authentication::v1::GetAuthTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListAuthTokens(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::ListAuthTokensRequest* request,
      vercel::authentication::v1::ListAuthTokensResponse* response) override;
  grpc::ServerUnaryReactor* CreateAuthToken(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::CreateAuthTokenRequest* request,
      vercel::authentication::v1::CreateAuthTokenResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAuthToken(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::DeleteAuthTokenRequest* request,
      vercel::authentication::v1::DeleteAuthTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListAuthTokensRaw(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::ListAuthTokensRawRequest* request,
      vercel::authentication::v1::ListAuthTokensRawResponse* response) override;
  grpc::ServerUnaryReactor* EmailLogin(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::EmailLoginRequest* request,
      vercel::authentication::v1::EmailLoginResponse* response) override;
  grpc::ServerUnaryReactor* VerifyToken(
      grpc::CallbackServerContext* context,
      const vercel::authentication::v1::VerifyTokenRequest* request,
      vercel::authentication::v1::VerifyTokenResponse* response) override;

 private:
  // Validates `request` (validation.h), then returns the Vercel token the
  // call sends upstream: the caller's, or the server's (credentials.h).
  template <typename Request>
  absl::StatusOr<std::string> ValidateAndAuthorize(
      const grpc::CallbackServerContext& context, const Request& request) const;
  // Serves an RPC that sends the caller's (or the server's) Vercel token:
  // validates `request` and resolves the token, then starts an UpstreamCall
  // with `build(request, token)` (an UpstreamRequest, or a StatusOr of one)
  // as its first request. Any failure finishes the call at once.
  template <typename Request, typename Build>
  grpc::ServerUnaryReactor* StartAuthenticated(
      grpc::CallbackServerContext* context, absl::string_view method,
      const Request& request, Build build, OnUpstreamSuccess on_success);

  // The params of a call of `method` that has just arrived.
  UpstreamCallParams Params(grpc::CallbackServerContext* context,
                            absl::string_view method) const;

  UpstreamTransport* const transport_;
  const UserTokensServiceOptions options_;
  InFlightLimiter limiter_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_
