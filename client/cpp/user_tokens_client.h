#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "token_file.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {

// The deadline of a call, retries included, unless the client's options or
// the call's say otherwise.
inline constexpr absl::Duration kDefaultDeadline = absl::Seconds(30);

// The ErrorInfo domain of errors the client raises itself (a credential it
// cannot read), as opposed to the server's.
inline constexpr char kClientErrorDomain[] = "vercel-user-tokens-client";

// Retries of GetAuthToken, ListAuthTokens, ListAuthTokensRaw and
// CreateAuthToken (safe: its request_id is fixed before the first attempt)
// that failed with UNAVAILABLE or RESOURCE_EXHAUSTED. The wait is the
// error's RetryInfo delay when it has one, else initial_backoff doubling per
// attempt, scaled by a random factor in [0.5, 1). A wait that would end at
// or after the call's deadline is not waited: the error is returned at once.
// DeleteAuthToken, EmailLogin and VerifyToken are never retried.
struct RetryPolicy {
  // Attempts per call, the first included.
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(200);
};

// Options that apply to every call a UserTokensClient makes.
struct ClientOptions {
  // The Vercel token sent as `authorization: Bearer <token>`. Empty sends no
  // authorization metadata (the server then uses its own token, if any).
  std::string bearer_token;
  // When set, called before every attempt for the current Vercel token
  // (instead of bearer_token); e.g. TokenFileProvider(path).
  TokenProvider token_provider;
  // When set, this file's contents (a projected ServiceAccount token, e.g.
  // /var/run/secrets/tokens/vercel-user-tokens) are sent as metadata
  // `x-workload-token` on every call; re-read as TokenFileProvider says.
  std::string workload_token_file;
  // How long each call may take, retries included; the deadline is set from
  // it at call time.
  absl::Duration timeout = kDefaultDeadline;
  // Retries; none when unset.
  std::optional<RetryPolicy> retry;

  // The channel MakeChannel builds: TLS (the system's roots) unless
  // `plaintext` is set.
  bool plaintext = false;
  // PEM file of the CAs to trust instead of the system roots.
  std::string tls_ca_file;
  // PEM files of a client certificate (chain) and its key, for a server
  // that requires mutual TLS. Both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The name the server's certificate must carry when it differs from the
  // target's host.
  std::string tls_server_name;
  // How soon the channel tries again after a failed connection: gRPC's
  // reconnect backoff starts at `min_reconnect_backoff` and grows to at most
  // `max_reconnect_backoff`; unset for gRPC's defaults (1 s growing to
  // 120 s). A probe waiting for a server that is about to listen sets both
  // small.
  std::optional<absl::Duration> min_reconnect_backoff;
  std::optional<absl::Duration> max_reconnect_backoff;
};

// Returns a channel to `target` (host:port) as `options` says: TLS unless
// options.plaintext, with its CA, client certificate and server name.
// Fails when a file cannot be read, when a TLS option comes with plaintext,
// or when only one of tls_cert_file and tls_key_file is set.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ClientOptions& options);

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

// The SDK's name (client/SPEC.md §4) for what a call's server metadata says
// on success and on failure: RateLimit carries the request id too.
using ResponseMetadata = RateLimit;

// A handle that cancels the calls made with it (client/SPEC.md §3), from
// any thread:
//
//   CancellationToken cancel;
//   CallOptions call;
//   call.cancellation = &cancel;
//   std::thread worker([&] { status = client.GetAuthToken(r, &out, nullptr,
//                                                         call); });
//   cancel.Cancel();  // the call returns CANCELLED promptly
//
// Cancel() cancels every attempt in flight (grpc::ClientContext::TryCancel,
// so the server sees the cancellation and abandons its upstream request),
// cuts short a retry's wait, and makes every later call or attempt with this
// token fail with CANCELLED before anything is sent. A cancelled token stays
// cancelled; use a new one per operation. A call that already ended is not
// changed. Thread-safe; the token must outlive the calls that use it. Not
// copyable.
class CancellationToken {
 public:
  CancellationToken() = default;
  CancellationToken(const CancellationToken&) = delete;
  CancellationToken& operator=(const CancellationToken&) = delete;

  // Cancels as the class comment says. Idempotent; never blocks on a call.
  void Cancel() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether Cancel() was called.
  bool cancelled() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend class UserTokensClient;

  // Registers `context` as an attempt in flight, to be cancelled by
  // Cancel() until Finish(context). Returns false (and registers nothing)
  // when the token is already cancelled: the attempt must not start.
  bool Start(grpc::ClientContext* context) ABSL_LOCKS_EXCLUDED(mu_);
  // Unregisters `context`; after this Cancel() no longer touches it.
  void Finish(grpc::ClientContext* context) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits `wait`, or less when Cancel() comes first; returns whether the
  // token is cancelled.
  bool WaitUnlessCancelled(absl::Duration wait) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<grpc::ClientContext*> in_flight_ ABSL_GUARDED_BY(mu_);
};

// Options of one call (client/SPEC.md §3).
struct CallOptions {
  // Replaces the client's timeout for this call, retries included.
  std::optional<absl::Duration> deadline;
  // Sent after the client's own metadata; an `authorization` here replaces
  // the client's credentials.
  std::vector<std::pair<std::string, std::string>> metadata;
  // When set, Cancel() on it ends this call with CANCELLED (retries
  // included); not owned, must outlive the call. May be shared by calls.
  CancellationToken* cancellation = nullptr;
};

// The error families of client/SPEC.md §1: one per gRPC code the server
// returns. kOther for the codes the server never returns.
enum class ErrorFamily {
  kOk,
  kInvalidArgument,
  kFailedPrecondition,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kRateLimited,
  kUnavailable,
  kDeadlineExceeded,
  kCancelled,
  kInternal,
  kUnimplemented,
  kUnknown,
  kOther,
};

// The family of a gRPC code: RESOURCE_EXHAUSTED is kRateLimited.
ErrorFamily FamilyOf(grpc::StatusCode code);

// One field the server rejected (google.rpc.BadRequest.FieldViolation).
struct FieldViolation {
  std::string field;
  std::string description;
};

// The error details of a failed call, decoded from the google.rpc.Status in
// the grpc::Status's binary details and, with the two-argument
// DecodeErrorDetails, from the call's response metadata.
struct ErrorDetails {
  ErrorFamily family = ErrorFamily::kOk;
  // ErrorInfo metadata `http_status` as an integer; 0 when absent.
  int http_status = 0;
  // Vercel's request id: the `x-vercel-id` response metadata (initial or
  // trailing) when the call's ResponseMetadata is given and has it, else
  // ErrorInfo metadata `vercel_request_id`; empty when the call never reached
  // Vercel.
  std::string vercel_request_id;
  // The call's `x-ratelimit-*` metadata (client/SPEC.md §4), e.g. the
  // remaining requests and the window's reset of a RESOURCE_EXHAUSTED; all
  // unset unless the call's ResponseMetadata is given.
  RateLimit rate_limit;
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

// As above, with the response metadata the call filled (its `rate_limit`
// argument): adds the rate limit and prefers its `x-vercel-id` as the
// request id, as client/SPEC.md §1 says:
//
//   ResponseMetadata metadata;
//   grpc::Status status = client.GetAuthToken(request, &response, &metadata);
//   ErrorDetails details = DecodeErrorDetails(status, metadata);
ErrorDetails DecodeErrorDetails(const grpc::Status& status,
                                const ResponseMetadata& metadata);

// Reads `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset` and
// `x-vercel-id` from a call's server metadata. A header that is absent (or,
// for the x-ratelimit-* ones, not an integer) leaves its field unset.
RateLimit ParseRateLimit(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// What a call's initial and trailing metadata say together: each field from
// the initial metadata, else from the trailing metadata (where a
// trailers-only response, such as most errors, carries everything).
ResponseMetadata ParseResponseMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& initial,
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing);

// A synchronous client of vercel.authentication.v1.UserTokensService.
//
// Each method sets the deadline and the credentials (bearer token or
// provider, workload token), makes the call (retrying as options.retry
// says) and, when `rate_limit` is not null, fills it from the server's
// metadata of the last attempt. CreateAuthToken sends a fresh UUID v4 as
// `request_id` when the request has none, the same on every retry.
// Thread-safe: calls may run concurrently from many threads. The client
// shares ownership of the channel.
class UserTokensClient {
 public:
  UserTokensClient(std::shared_ptr<grpc::ChannelInterface> channel,
                   ClientOptions options);

  // A client of `target` over MakeChannel(target, options).
  static absl::StatusOr<UserTokensClient> Connect(const std::string& target,
                                                  ClientOptions options);

  grpc::Status GetAuthToken(
      const vercel::authentication::v1::GetAuthTokenRequest& request,
      vercel::authentication::v1::GetAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status ListAuthTokens(
      const vercel::authentication::v1::ListAuthTokensRequest& request,
      vercel::authentication::v1::ListAuthTokensResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status CreateAuthToken(
      const vercel::authentication::v1::CreateAuthTokenRequest& request,
      vercel::authentication::v1::CreateAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status DeleteAuthToken(
      const vercel::authentication::v1::DeleteAuthTokenRequest& request,
      vercel::authentication::v1::DeleteAuthTokenResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status ListAuthTokensRaw(
      const vercel::authentication::v1::ListAuthTokensRawRequest& request,
      vercel::authentication::v1::ListAuthTokensRawResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status EmailLogin(
      const vercel::authentication::v1::EmailLoginRequest& request,
      vercel::authentication::v1::EmailLoginResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;
  grpc::Status VerifyToken(
      const vercel::authentication::v1::VerifyTokenRequest& request,
      vercel::authentication::v1::VerifyTokenResponse* response,
      RateLimit* rate_limit = nullptr,
      const CallOptions& call_options = CallOptions()) const;

  // Calls ListAuthTokensRaw from `request`'s cursor, hands each page to
  // `on_page`, and goes on with the page's pagination.next_cursor as `until`
  // until a page has no next cursor (or repeats the one sent), `on_page`
  // returns false, or a call fails (that status is returned). Each page is
  // one call with `call_options`.
  grpc::Status ListAuthTokensRawPages(
      const vercel::authentication::v1::ListAuthTokensRawRequest& request,
      const std::function<
          bool(const vercel::authentication::v1::ListAuthTokensRawResponse&)>&
          on_page,
      const CallOptions& call_options = CallOptions()) const;

 private:
  // The stub's blocking method for one RPC, e.g. `&Stub::GetAuthToken`.
  template <typename Request, typename Response>
  using StubMethod =
      grpc::Status (vercel::authentication::v1::UserTokensService::Stub::*)(
          grpc::ClientContext*, const Request&, Response*);

  // Makes the call of `method`, with retries when `retryable` and the
  // options ask for them; every public method is this with its stub method.
  template <typename Request, typename Response>
  grpc::Status Call(StubMethod<Request, Response> method,
                    const Request& request, Response* response,
                    RateLimit* rate_limit, const CallOptions& call_options,
                    bool retryable) const;

  // Adds the credentials and the call's metadata to `context`; fails (with
  // CREDENTIALS_UNAVAILABLE) when a provider does.
  grpc::Status AddMetadata(const CallOptions& call_options,
                           grpc::ClientContext* context) const;

  std::unique_ptr<vercel::authentication::v1::UserTokensService::Stub> stub_;
  ClientOptions options_;
  TokenProvider workload_token_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_USER_TOKENS_CLIENT_H_
