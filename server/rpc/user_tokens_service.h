#ifndef VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/identity/caller.h"
#include "server/identity/identity_source.h"
#include "server/issuance/shared_idempotency.h"
#include "server/rpc/audit.h"
#include "server/rpc/idempotency.h"
#include "server/rpc/in_flight_limiter.h"
#include "server/rpc/orphan.h"
#include "server/rpc/policy.h"
#include "server/rpc/policy_store.h"
#include "server/rpc/server_token_id.h"
#include "server/rpc/upstream_call.h"
#include "server/vercel/list_pager.h"
#include "server/vercel/transport.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {

// A CreateAuthToken's record in the store shared by the replicas
// (user_tokens_service.cc).
struct SharedCreateRecord;

struct UserTokensServiceOptions {
  // Borrowed; must outlive the service and its calls.
  Logger* logger = nullptr;
  Metrics* metrics = nullptr;
  // Borrowed like the logger; may be null.
  UpstreamReachability* reachability = nullptr;
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
  // How callers are identified (identity/identity_source.h). Borrowed, like
  // logger; null: every caller is anonymous.
  const IdentityChain* identity = nullptr;
  // The issuance policy; null for none (every caller may do everything).
  // Borrowed, like logger.
  PolicyStore* policy = nullptr;
  // The server token's own id, which the policy protects; null when there
  // is no server token or no policy. Borrowed.
  ServerTokenId* server_token_id = nullptr;
  // Remembers CreateAuthToken request_ids; null for none. Borrowed.
  IdempotencyCache* idempotency = nullptr;
  // How long a stopping server waits for CreateAuthTokens whose caller is
  // gone (--orphan_grace); also how long past a call's deadline its claim
  // in the shared store holds.
  absl::Duration orphan_grace = absl::Seconds(10);
  // How long past its caller's deadline a CreateAuthToken's POST may run
  // while the process lives: an answer within it is still revoked (or
  // adopted); a POST still unanswered then is abandoned (orphan_unknown).
  absl::Duration orphan_transfer_limit = absl::Minutes(2);
  // How long the DELETE revoking an orphaned token may take.
  absl::Duration orphan_revoke_timeout = absl::Seconds(10);
  // What shutdown waits for: creates that may orphan a token and their
  // revocations. Borrowed; may be null.
  OrphanDebts* orphan_debts = nullptr;
  // The store shared by replicas, behind `idempotency`; null for memory
  // only. Borrowed.
  SharedIdempotencyStore* shared_idempotency = nullptr;
  // When the shared store cannot be reached: remember in memory only
  // (true) or refuse the create (false).
  bool store_unavailable_uses_memory = false;
};

// vercel.authentication.v1.UserTokensService on the gRPC callback API.
//
// Each handler creates the call's reactor (CallReactor), takes a slot of the
// in-flight cap (refusing the call when none is free), asks the identity
// chain for the caller and returns at once; it never blocks. The chain
// answers inline or later from its own thread (a TokenReview); the
// continuation then validates the request, resolves the Vercel token, asks
// the policy (when there is one), builds the upstream request and starts an
// UpstreamCall on the reactor. The slot is held until the call is done.
// State-changing calls write an audit line (audit.h) as they finish, allowed or
// denied. Thread-safe. `transport` must outlive the service and every call it
// started (shut the gRPC server down before the transport).
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
  // What a call was admitted with.
  struct Admission {
    // The Vercel token it sends upstream (a secret); empty for the calls
    // that send none.
    std::string token;
    bool server_token_used = false;
    PolicyGrant grant;
  };

  // The last stages of a CreateAuthToken that goes upstream: the hooks that
  // end its idempotency entries (`idempotency_key`, empty for none), its
  // shared-store claim (under `caller_id`) and shutdown's debt once nothing
  // of it runs, then the call on `reactor`, started at once or after the
  // shared store's claim.
  void StartCreate(
      CallReactor& reactor, UpstreamCallParams params, UpstreamRequest first,
      InFlightLimiter::Permit permit, absl::string_view caller_id,
      const vercel::authentication::v1::CreateAuthTokenRequest& request,
      const std::string& token, std::string idempotency_key,
      std::shared_ptr<SharedCreateRecord> shared_record,
      vercel::authentication::v1::CreateAuthTokenResponse* response);

  // Validates `request` (validation.h), resolves the Vercel token
  // (credentials.h) when `needs_token`, and asks the policy about `caller`.
  template <typename Request>
  absl::StatusOr<Admission> Admit(const grpc::CallbackServerContext& context,
                                  const UpstreamCallParams& params,
                                  const Caller& caller, const Request& request,
                                  bool needs_token) const;

  // What serves a call once its caller is known: runs on the thread that
  // identified it, must not block, and serves `reactor` (CallReactor).
  using Serve =
      absl::AnyInvocable<void(CallReactor& reactor, UpstreamCallParams params,
                              InFlightLimiter::Permit permit,
                              const Caller& caller) &&>;
  // The reactor of a call of `method`: takes a slot of the in-flight cap,
  // identifies the caller, then runs `serve`; a failure to identify ends
  // the call (audited when `method` is).
  grpc::ServerUnaryReactor* Identified(grpc::CallbackServerContext* context,
                                       absl::string_view method, Serve serve);

  // Serves an RPC that sends the caller's (or the server's) Vercel token:
  // admits `request`, then starts an UpstreamCall with `build(request,
  // token)` (an UpstreamRequest, or a StatusOr of one) as its first
  // request. Any failure finishes the call at once.
  template <typename Request, typename Build>
  grpc::ServerUnaryReactor* StartAuthenticated(
      grpc::CallbackServerContext* context, absl::string_view method,
      const Request* request, Build build, OnUpstreamSuccess on_success);

  // CreateAuthToken once its caller is known: admission, the idempotency
  // cache (a repeat is answered by a Replay), then Vercel.
  void ServeCreate(
      CallReactor& reactor, UpstreamCallParams params,
      InFlightLimiter::Permit permit, const Caller& caller,
      grpc::CallbackServerContext& context,
      const vercel::authentication::v1::CreateAuthTokenRequest& request,
      vercel::authentication::v1::CreateAuthTokenResponse* response);

  // The params of a call of `method` that has just arrived.
  UpstreamCallParams Params(grpc::CallbackServerContext* context,
                            absl::string_view method) const;

  // Makes `params` write `audit` (completed with the call's code, Vercel's
  // request id and whatever `fill` adds) as the call finishes, when
  // `params.method` is audited or the caller is federated (OIDC).
  void Audit(UpstreamCallParams& params, AuditRecord audit,
             std::function<void(AuditRecord&)> fill = nullptr) const;

  // AuditOf(caller), plus the rule the policy applies to the caller and the
  // token claims that rule requires, with the caller's values.
  AuditRecord AuditFor(const Caller& caller) const;

  UpstreamTransport* const transport_;
  const UserTokensServiceOptions options_;
  // Asks no source: the chain of a service given none.
  const IdentityChain anonymous_;
  // options_.identity, else &anonymous_.
  const IdentityChain* const identity_;
  InFlightLimiter limiter_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_USER_TOKENS_SERVICE_H_
