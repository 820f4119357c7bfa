#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {

// Options that apply to every call a UserTokensClient makes.
struct ClientOptions {
  // The Vercel token sent as `authorization: Bearer <token>`. Empty sends no
  // authorization metadata (the server then uses its own token, if any).
  std::string bearer_token;
  // How long each call may take; the deadline is set from it at call time.
  absl::Duration timeout = absl::Seconds(30);
};

// Response metadata the server relays from Vercel, when present: its
// rate-limit headers (`x-ratelimit-*`) and its request id (`x-vercel-id`,
// which Vercel support asks for; a failed call carries it in the ErrorInfo
// metadata `vercel_request_id` instead).
struct RateLimit {
  std::optional<int64_t> limit;
  std::optional<int64_t> remaining;
  std::optional<int64_t> reset_unix_seconds;
  std::optional<std::string> vercel_request_id;
};

// One field the server rejected (google.rpc.BadRequest.FieldViolation).
struct FieldViolation {
  std::string field;
  std::string description;
};

// The error details of a failed call, decoded from the google.rpc.Status in
// the grpc::Status's binary details.
struct ErrorDetails {
  // google.rpc.ErrorInfo: reason (e.g. `NOT_FOUND`), domain (e.g.
  // `api.vercel.com`) and metadata (e.g. `http_status`, `vercel_code`).
  std::string reason;
  std::string domain;
  std::map<std::string, std::string> metadata;
  // google.rpc.RetryInfo's delay, when the server says how long to wait.
  std::optional<absl::Duration> retry_delay;
  // google.rpc.BadRequest's field violations, for INVALID_ARGUMENT.
  std::vector<FieldViolation> field_violations;
};

// Decodes the details of `status`. Returns an empty ErrorDetails when the
// status is OK or carries no (or undecodable) details.
ErrorDetails DecodeErrorDetails(const grpc::Status& status);

// Reads `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset` and
// `x-vercel-id` from a call's server metadata. A header that is absent (or,
// for the x-ratelimit-* ones, not an integer) leaves its field unset.
RateLimit ParseRateLimit(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// A thin, synchronous client of vercel.authentication.v1.UserTokensService.
//
// Each method sets the deadline and the authorization metadata, makes one
// blocking call and, when `rate_limit` is not null, fills it from the
// server's initial metadata. Thread-safe: calls may run concurrently from
// many threads. The client shares ownership of the channel.
class UserTokensClient {
 public:
  UserTokensClient(std::shared_ptr<grpc::ChannelInterface> channel,
                   ClientOptions options);

  grpc::Status GetAuthToken(
      const vercel::authentication::v1::GetAuthTokenRequest& request,
      vercel::authentication::v1::GetAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status ListAuthTokens(
      const vercel::authentication::v1::ListAuthTokensRequest& request,
      vercel::authentication::v1::ListAuthTokensResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status CreateAuthToken(
      const vercel::authentication::v1::CreateAuthTokenRequest& request,
      vercel::authentication::v1::CreateAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status DeleteAuthToken(
      const vercel::authentication::v1::DeleteAuthTokenRequest& request,
      vercel::authentication::v1::DeleteAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status ListAuthTokensRaw(
      const vercel::authentication::v1::ListAuthTokensRawRequest& request,
      vercel::authentication::v1::ListAuthTokensRawResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status EmailLogin(
      const vercel::authentication::v1::EmailLoginRequest& request,
      vercel::authentication::v1::EmailLoginResponse* response,
      RateLimit* rate_limit = nullptr) const;
  grpc::Status VerifyToken(
      const vercel::authentication::v1::VerifyTokenRequest& request,
      vercel::authentication::v1::VerifyTokenResponse* response,
      RateLimit* rate_limit = nullptr) const;

 private:
  // The stub's blocking method for one RPC, e.g. `&Stub::GetAuthToken`.
  template <typename Request, typename Response>
  using StubMethod =
      grpc::Status (vercel::authentication::v1::UserTokensService::Stub::*)(
          grpc::ClientContext*, const Request&, Response*);

  // Makes one call of `method` with this client's deadline and authorization
  // metadata; every public method is this with its stub method.
  template <typename Request, typename Response>
  grpc::Status Call(StubMethod<Request, Response> method,
                    const Request& request, Response* response,
                    RateLimit* rate_limit) const;

  std::unique_ptr<vercel::authentication::v1::UserTokensService::Stub> stub_;
  ClientOptions options_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_
