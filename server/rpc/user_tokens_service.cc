#include "server/rpc/user_tokens_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/crypto.h"
#include "server/common/service_error.h"
#include "server/common/time_conversion.h"
#include "server/rpc/credentials.h"
#include "server/rpc/orphan.h"
#include "server/rpc/trace_context.h"
#include "server/rpc/validation.h"
#include "server/vercel/request_builder.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {
// Written before the call's POST starts (CreateAuthToken, StartCreate,
// ContinueAfterClaim) and read by its hooks after it ends; shared by them.
struct SharedCreateRecord {
  // Null when the call does not use the shared store.
  SharedIdempotencyStore* store = nullptr;
  std::string name;
  std::string fingerprint;
  // This call holds the record's claim.
  std::atomic<bool> claimed{false};
  // The orphan hook took the record over: on_settled leaves it alone.
  std::atomic<bool> taken{false};
};

namespace {

namespace v1 = ::vercel::authentication::v1;

using Next = absl::StatusOr<std::optional<UpstreamRequest>>;

// Moves a mapped response into the RPC's response: the call is then done.
template <typename Response>
Next Deliver(absl::StatusOr<Response> mapped, Response* response) {
  if (!mapped.ok()) return mapped.status();
  *response = *std::move(mapped);
  return std::nullopt;
}

// A success handler for RPCs served by one upstream request whose body maps
// straight to the response.
template <typename Response>
OnUpstreamSuccess MapInto(
    absl::StatusOr<Response> (*map)(absl::string_view body),
    Response* response) {
  return [map, response](const UpstreamRequest&,
                         const UpstreamResponse& upstream) {
    return Deliver(map(upstream.body), response);
  };
}

// Adapts a ListPager, which the success handler owns, to OnUpstreamSuccess.
OnUpstreamSuccess FollowPages(std::unique_ptr<ListPager> pager) {
  return [pager = std::move(pager)](const UpstreamRequest& sent,
                                    const UpstreamResponse& upstream) {
    return pager->OnPage(sent, upstream.body);
  };
}

// `on_success`, holding `permit` for as long as it lives: UpstreamCall owns
// its success handler until the call is done (OnDone), so the call keeps its
// slot of the in-flight cap until then.
OnUpstreamSuccess Holding(InFlightLimiter::Permit permit,
                          OnUpstreamSuccess on_success) {
  return [permit = std::move(permit), on_success = std::move(on_success)](
             const UpstreamRequest& sent,
             const UpstreamResponse& upstream) mutable {
    return on_success(sent, upstream);
  };
}

// What the policy and the audit trail learn from a request: nothing beyond
// the caller and the RPC, except for these.
template <typename Request>
void Describe(const Request&, PolicyQuery*, AuditRecord*) {}

void Describe(const v1::CreateAuthTokenRequest& request, PolicyQuery* query,
              AuditRecord* audit) {
  if (request.has_expires_at()) {
    if (absl::StatusOr<int64_t> millis =
            TimestampToMillis(request.expires_at());
        millis.ok()) {
      query->expires_at = absl::FromUnixMillis(*millis);
    }
  }
  query->token_name = request.name();
  query->team_id = request.team_id();
  audit->token_name = request.name();
  audit->team_id = request.team_id();
  audit->expires_at = query->expires_at;
  if (!request.request_id().empty()) {
    audit->request_id_sha256 =
        Sha256Hex(NormalizedRequestId(request.request_id()));
  }
}

void Describe(const v1::DeleteAuthTokenRequest& request, PolicyQuery* query,
              AuditRecord* audit) {
  query->token_id = request.token_id();
  audit->token_id = request.token_id();
  audit->team_id = request.team_id();
}

void Describe(const v1::EmailLoginRequest& request, PolicyQuery*,
              AuditRecord* audit) {
  audit->token_name = request.token_name();
}

void Describe(const v1::VerifyTokenRequest& request, PolicyQuery*,
              AuditRecord* audit) {
  audit->token_name = request.token_name();
}

// How long a caller told to retry (store unreachable, request in progress
// elsewhere) should wait first.
constexpr absl::Duration kStoreRetryDelay = absl::Seconds(1);

absl::Status StoreUnavailableError() {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnavailable;
  spec.message =
      "the idempotency store cannot be reached, so a request_id cannot be "
      "honoured; retry later";
  spec.reason = "IDEMPOTENCY_STORE_UNAVAILABLE";
  spec.retry_delay = kStoreRetryDelay;
  return MakeError(spec);
}

absl::Status RequestInProgressError() {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kAborted;
  spec.message =
      "a call with this request_id is still in progress on another replica; "
      "retry with the same request_id";
  spec.reason = "REQUEST_IN_PROGRESS";
  spec.retry_delay = kStoreRetryDelay;
  return MakeError(spec);
}

// How a repeat answered from the cache ends: its own log line, metrics and
// audit line (event idempotent_replay), as any call.
std::function<void(const absl::Status&)> FinishReplay(
    Logger* logger, Metrics* metrics, AuditRecord audit, std::string caller,
    absl::string_view caller_source, std::string peer, absl::Time start) {
  return [logger, metrics, audit = std::move(audit), caller = std::move(caller),
          caller_source, peer = std::move(peer),
          start](const absl::Status& status) {
    const std::string code = absl::StatusCodeToString(status.code());
    const absl::Duration latency = absl::Now() - start;
    metrics->CallFinished("CreateAuthToken", code, latency);
    logger->Log(LogLevel::kInfo, "call",
                {{"method", absl::string_view("CreateAuthToken")},
                 {"code", absl::string_view(code)},
                 {"latency_ms", absl::ToDoubleMilliseconds(latency)},
                 {"upstream_requests", int64_t{0}},
                 {"idempotent_replay", absl::string_view("true")},
                 {"peer", absl::string_view(peer)},
                 {"caller", absl::string_view(caller)},
                 {"caller_source", caller_source},
                 {"error", status.message()}});
    AuditRecord record = audit;
    record.event = "idempotent_replay";
    record.caller = caller;
    record.peer = peer;
    record.rpc = "CreateAuthToken";
    record.code = code;
    WriteAudit(*logger, record);
  };
}

// Goes on with a CreateAuthToken once the store shared by the replicas has
// answered its claim: creates when it holds the claim (`claimed`), replays
// a stored response, refuses a mismatch, and answers a claim held elsewhere
// or an unreachable store as docs/replicas.md says. Runs on the store's
// loop thread; `call` waits for exactly this.
void ContinueAfterClaim(absl::StatusOr<SharedIdempotencyStore::Begun> begun,
                        UpstreamCall* call, UpstreamRequest first,
                        std::atomic<bool>& claimed,
                        v1::CreateAuthTokenResponse* response, Metrics& metrics,
                        bool use_memory) {
  if (!begun.ok()) {
    metrics.IdempotencyStoreUnavailable(use_memory);
    if (use_memory) {
      call->Run(std::move(first));
    } else {
      call->Fail(StoreUnavailableError());
    }
    return;
  }
  switch (begun->claim) {
    case SharedIdempotencyStore::Claim::kFirst:
      claimed.store(true);
      call->Run(std::move(first));
      return;
    case SharedIdempotencyStore::Claim::kReplay:
      *response = std::move(begun->response);
      call->Fail(absl::OkStatus());
      return;
    case SharedIdempotencyStore::Claim::kMismatch:
      call->Fail(InvalidField("request_id",
                              "was used before with a different request"));
      return;
    case SharedIdempotencyStore::Claim::kInProgress:
      call->Fail(RequestInProgressError());
      return;
  }
}

// The orphan hooks of a CreateAuthToken: a token whose own caller is gone
// goes to a repeat of the same request_id still waiting for it, on this
// replica (`key` in `cache`) or, when the call holds a claim in the shared
// store (`shared`), on any replica; only when none waits is it revoked. A
// POST abandoned unanswered is recorded.
void SetOrphanHooks(UpstreamCallParams& params, OrphanRevocation revocation,
                    IdempotencyCache* cache, std::string key,
                    std::shared_ptr<SharedCreateRecord> shared) {
  params.on_abandoned = [revocation](const absl::Status& why) {
    RecordUnknownOrphan(revocation, why);
  };
  params.on_orphan =
      [revocation = std::move(revocation), cache, key = std::move(key),
       shared = std::move(shared)](const UpstreamResponse& created) {
        absl::StatusOr<v1::CreateAuthTokenResponse> mapped =
            MapCreateAuthTokenResponse(created.body);
        const bool claimed = shared->claimed.load();
        if (!key.empty() && mapped.ok() &&
            cache->Adopt(key, {absl::OkStatus(), *mapped}, absl::Now())) {
          if (claimed) {
            shared->taken.store(true);
            shared->store->Finish(shared->name, shared->fingerprint,
                                  absl::OkStatus(), *mapped);
          }
          return;
        }
        // Without a claim (or a token to hand over), on_settled releases it.
        if (!claimed || !mapped.ok()) {
          RevokeOrphan(revocation, created);
          return;
        }
        shared->taken.store(true);
        shared->store->HandOver(
            shared->name, shared->fingerprint, *mapped,
            [revocation, created, shared,
             debt = revocation.debts != nullptr ? revocation.debts->Incur()
                                                : nullptr](bool handed) {
              if (handed) return;
              RevokeOrphan(revocation, created);
              shared->store->Finish(shared->name, shared->fingerprint,
                                    absl::CancelledError("orphan revoked"), {});
            });
      };
}

// DeleteAuthToken under revoke_own_only: reads the token, checks that its
// name starts with the caller's prefix, then deletes it.
class OwnTokenRevoker {
 public:
  OwnTokenRevoker(v1::DeleteAuthTokenRequest request, std::string prefix,
                  std::string caller, v1::DeleteAuthTokenResponse* response)
      : request_(std::move(request)),
        prefix_(std::move(prefix)),
        caller_(std::move(caller)),
        response_(response) {}

  Next operator()(const UpstreamRequest& sent,
                  const UpstreamResponse& upstream) {
    if (deleting_) {
      return Deliver(MapDeleteAuthTokenResponse(upstream.body), response_);
    }
    absl::StatusOr<v1::GetAuthTokenResponse> got =
        MapGetAuthTokenResponse(upstream.body);
    if (!got.ok()) return got.status();
    if (!absl::StartsWith(got->token().name(), prefix_)) {
      return PolicyDenied(
          caller_, "DeleteAuthToken",
          absl::StrCat("the caller may only revoke tokens named '", prefix_,
                       "...'"));
    }
    deleting_ = true;
    return BuildDeleteAuthToken(request_, sent.bearer_token);
  }

 private:
  v1::DeleteAuthTokenRequest request_;
  std::string prefix_;
  std::string caller_;
  v1::DeleteAuthTokenResponse* response_;
  bool deleting_ = false;
};

}  // namespace

UserTokensService::UserTokensService(UpstreamTransport* transport,
                                     UserTokensServiceOptions options)
    : transport_(transport),
      options_(std::move(options)),
      anonymous_(std::vector<std::unique_ptr<IdentitySource>>()),
      identity_(options_.identity != nullptr ? options_.identity : &anonymous_),
      limiter_(options_.max_in_flight) {}

template <typename Request>
absl::StatusOr<UserTokensService::Admission> UserTokensService::Admit(
    const grpc::CallbackServerContext& context,
    const UpstreamCallParams& params, const Caller& caller,
    const Request& request, bool needs_token) const {
  if (absl::Status s = Validate(request); !s.ok()) return s;
  Admission admission;
  if (needs_token) {
    std::vector<absl::string_view> values;
    const auto [begin, end] =
        context.client_metadata().equal_range("authorization");
    for (auto it = begin; it != end; ++it) {
      values.emplace_back(it->second.data(), it->second.size());
    }
    absl::StatusOr<std::string> token =
        ResolveBearerToken(values, options_.server_token);
    if (!token.ok()) return token.status();
    admission.token = *std::move(token);
    admission.server_token_used = values.empty();
  }
  if (options_.policy == nullptr) return admission;
  PolicyQuery query;
  query.caller = caller.id;
  query.rpc = std::string(params.method);
  query.uses_server_token = admission.server_token_used;
  if (options_.server_token_id != nullptr && admission.server_token_used &&
      params.method == "DeleteAuthToken") {
    query.server_token_id = options_.server_token_id->Get();
  }
  if (caller.source == CallerSource::kOidc) query.claims = caller.claims;
  AuditRecord audit = AuditFor(caller);
  Describe(request, &query, &audit);
  absl::StatusOr<PolicyGrant> grant =
      Decide(*options_.policy->Current(), query, params.start);
  if (!grant.ok()) return grant.status();
  if (grant->would_deny.has_value()) {
    // Audit mode: allowed, and the line says what enforcing would deny.
    audit.event = "would_deny";
    audit.caller = params.caller;
    audit.peer = params.peer;
    audit.rpc = std::string(params.method);
    audit.rule = grant->rule;
    audit.would_deny = *grant->would_deny;
    WriteAudit(*options_.logger, audit);
  }
  admission.grant = *std::move(grant);
  return admission;
}

UpstreamCallParams UserTokensService::Params(
    grpc::CallbackServerContext* context, absl::string_view method) const {
  UpstreamCallParams params;
  params.context = context;
  params.transport = transport_;
  params.peer = context->peer();
  params.logger = options_.logger;
  params.metrics = options_.metrics;
  params.reachability = options_.reachability;
  params.retry_policy = options_.retry_policy;
  params.method = method;
  params.start = absl::Now();
  const auto caller_deadline = context->deadline();
  params.deadline =
      caller_deadline == std::chrono::system_clock::time_point::max()
          ? params.start + options_.default_deadline
          : absl::FromChrono(caller_deadline);
  // An invalid traceparent is ignored, as W3C Trace Context asks.
  if (auto it = context->client_metadata().find(kTraceparentKey);
      it != context->client_metadata().end()) {
    params.traceparent = ValidTraceparent(absl::string_view(it->second.data(),
                                                            it->second.size()))
                             .value_or("");
  }
  return params;
}

AuditRecord UserTokensService::AuditFor(const Caller& caller) const {
  AuditRecord record = AuditOf(caller);
  if (options_.policy == nullptr) return record;
  const std::shared_ptr<const policy::Policy> policy =
      options_.policy->Current();
  const policy::Rule* rule = RuleFor(*policy, caller.id);
  if (rule == nullptr) return record;
  record.rule = PolicyRuleName(*policy, rule);
  for (const auto* required : {&rule->claims(), &rule->claim_patterns()}) {
    for (const auto& [name, unused] : *required) {
      auto it = caller.claims.find(name);
      record.claims[name] = it == caller.claims.end() ? "" : it->second;
    }
  }
  return record;
}

void UserTokensService::Audit(UpstreamCallParams& params, AuditRecord audit,
                              std::function<void(AuditRecord&)> fill) const {
  if (!IsAudited(params.method) && params.caller_source != "oidc") return;
  audit.caller = params.caller;
  audit.peer = params.context->peer();
  audit.rpc = std::string(params.method);
  params.on_finish = [logger = options_.logger, audit = std::move(audit),
                      fill = std::move(fill)](
                         const absl::Status& status,
                         absl::string_view vercel_request_id) mutable {
    audit.code = absl::StatusCodeToString(status.code());
    audit.vercel_request_id = std::string(vercel_request_id);
    if (fill && status.ok()) fill(audit);
    WriteAudit(*logger, audit);
  };
}

grpc::ServerUnaryReactor* UserTokensService::Identified(
    grpc::CallbackServerContext* context, absl::string_view method,
    Serve serve) {
  auto* reactor = new CallReactor(context);
  UpstreamCallParams params = Params(context, method);
  std::optional<InFlightLimiter::Permit> permit = limiter_.TryAcquire();
  if (!permit.has_value()) {
    reactor->Reject(std::move(params), ServerOverloadedError());
    return reactor;
  }
  identity_->Identify(
      CallCredentials::FromContext(*context),
      [this, reactor, params = std::move(params), permit = *std::move(permit),
       serve = std::move(serve)](absl::StatusOr<Caller> caller) mutable {
        if (!caller.ok()) {
          Audit(params, AuditRecord());
          reactor->Reject(std::move(params), caller.status());
          return;
        }
        params.caller = PrintableIdentity(caller->id);
        params.caller_source = CallerSourceName(caller->source);
        std::move(serve)(*reactor, std::move(params), std::move(permit),
                         *caller);
      });
  return reactor;
}

template <typename Request, typename Build>
grpc::ServerUnaryReactor* UserTokensService::StartAuthenticated(
    grpc::CallbackServerContext* context, absl::string_view method,
    const Request* request, Build build, OnUpstreamSuccess on_success) {
  return Identified(
      context, method,
      [this, context, request, build = std::move(build),
       on_success = std::move(on_success)](
          CallReactor& reactor, UpstreamCallParams params,
          InFlightLimiter::Permit permit, const Caller& caller) mutable {
        Audit(params, AuditFor(caller));
        absl::StatusOr<Admission> admission =
            Admit(*context, params, caller, *request, /*needs_token=*/true);
        if (!admission.ok()) {
          reactor.Reject(std::move(params), admission.status());
          return;
        }
        absl::StatusOr<UpstreamRequest> first =
            build(*request, admission->token);
        if (!first.ok()) {
          reactor.Reject(std::move(params), first.status());
          return;
        }
        params.secrets = {std::move(admission->token)};
        reactor.Start(std::move(params), *std::move(first),
                      Holding(std::move(permit), std::move(on_success)));
      });
}

grpc::ServerUnaryReactor* UserTokensService::GetAuthToken(
    grpc::CallbackServerContext* context,
    const v1::GetAuthTokenRequest* request,
    v1::GetAuthTokenResponse* response) {
  return StartAuthenticated(context, "GetAuthToken", request,
                            &BuildGetAuthToken,
                            MapInto(&MapGetAuthTokenResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::ListAuthTokens(
    grpc::CallbackServerContext* context,
    const v1::ListAuthTokensRequest* request,
    v1::ListAuthTokensResponse* response) {
  return StartAuthenticated(
      context, "ListAuthTokens", request,
      [](const v1::ListAuthTokensRequest& r, std::string bearer_token) {
        return BuildListAuthTokensPage(r.team_id(), r.slug(), "",
                                       std::move(bearer_token));
      },
      FollowPages(std::make_unique<ListPager>(request->team_id(),
                                              request->slug(),
                                              options_.list_limits, response)));
}

grpc::ServerUnaryReactor* UserTokensService::CreateAuthToken(
    grpc::CallbackServerContext* context,
    const v1::CreateAuthTokenRequest* request,
    v1::CreateAuthTokenResponse* response) {
  return Identified(context, "CreateAuthToken",
                    [this, context, request, response](
                        CallReactor& reactor, UpstreamCallParams params,
                        InFlightLimiter::Permit permit, const Caller& caller) {
                      ServeCreate(reactor, std::move(params), std::move(permit),
                                  caller, *context, *request, response);
                    });
}

void UserTokensService::ServeCreate(CallReactor& reactor,
                                    UpstreamCallParams params,
                                    InFlightLimiter::Permit permit,
                                    const Caller& caller,
                                    grpc::CallbackServerContext& context,
                                    const v1::CreateAuthTokenRequest& request,
                                    v1::CreateAuthTokenResponse* response) {
  AuditRecord audit = AuditFor(caller);
  PolicyQuery unused;
  Describe(request, &unused, &audit);
  absl::StatusOr<Admission> admission =
      Admit(context, params, caller, request, /*needs_token=*/true);
  if (!admission.ok()) {
    Audit(params, std::move(audit));
    reactor.Reject(std::move(params), admission.status());
    return;
  }
  audit.server_token_used = admission->server_token_used;
  v1::CreateAuthTokenRequest sent = request;
  if (const auto& expiry = admission->grant.default_expires_at) {
    if (auto timestamp = MillisToTimestamp(absl::ToUnixMillis(*expiry));
        timestamp.ok()) {
      *sent.mutable_expires_at() = *timestamp;
      audit.expires_at = *expiry;
    }
  }

  std::string idempotency_key;
  // A request_id is remembered only under something its caller alone holds:
  // a proven identity, or the bearer token it sent. Anonymous callers of the
  // server's token share both, so theirs are never remembered.
  const bool remembered = caller.source != CallerSource::kAnonymous ||
                          !admission->server_token_used;
  std::optional<InFlightLimiter::Permit> held = std::move(permit);
  if (options_.idempotency != nullptr && !request.request_id().empty() &&
      remembered) {
    const std::string request_id = NormalizedRequestId(request.request_id());
    idempotency_key =
        IdempotencyCache::Key(caller.id, admission->token, request_id);
    // A waiting or replayed repeat holds its slot of --max_in_flight until
    // it finishes, as any call; a first call takes it back below.
    auto held_permit = std::make_shared<std::optional<InFlightLimiter::Permit>>(
        std::move(held));
    // From Attach on, a cancel may finish the call (gRPC then frees its
    // request and context) until Disarm says otherwise: read the request
    // before.
    v1::CreateAuthTokenRequest normalized = request;
    normalized.set_request_id(request_id);
    const std::string fingerprint = IdempotencyCache::Fingerprint(normalized);
    const std::shared_ptr<Replay> replay = Replay::Attach(
        reactor, response,
        [finish = FinishReplay(options_.logger, options_.metrics, audit,
                               params.caller, params.caller_source,
                               context.peer(), params.start),
         held_permit](const absl::Status& status) { finish(status); });
    CreateOutcome remembered_outcome;
    const IdempotencyCache::Start start = options_.idempotency->Begin(
        idempotency_key, fingerprint, params.start, replay->AsWaiter(),
        &remembered_outcome, replay->AsLiveness());
    if (start != IdempotencyCache::Start::kFirst &&
        start != IdempotencyCache::Start::kUnremembered) {
      options_.metrics->CallStarted("CreateAuthToken");
    }
    switch (start) {
      case IdempotencyCache::Start::kReplay:
        replay->Deliver(remembered_outcome);
        return;
      case IdempotencyCache::Start::kWaiting:
        return;
      case IdempotencyCache::Start::kMismatch:
        replay->Deliver({InvalidField("request_id",
                                      "was used before with a different "
                                      "request"),
                         {}});
        return;
      case IdempotencyCache::Start::kUnremembered:
        idempotency_key.clear();
        [[fallthrough]];
      case IdempotencyCache::Start::kFirst:
        if (!replay->Disarm()) {
          // The caller cancelled before the call started: the replay has
          // answered CANCELLED (and counted the call as finished).
          options_.metrics->CallStarted("CreateAuthToken");
          if (!idempotency_key.empty()) {
            options_.idempotency->Finish(
                idempotency_key,
                {absl::CancelledError("the call was cancelled"), {}},
                absl::Now());
          }
          return;
        }
        held = std::move(*held_permit);
        break;
    }
  }

  absl::StatusOr<UpstreamRequest> first =
      BuildCreateAuthToken(sent, admission->token);
  if (!first.ok()) {
    if (!idempotency_key.empty()) {
      options_.idempotency->Finish(idempotency_key, {first.status(), {}},
                                   absl::Now());
    }
    Audit(params, std::move(audit));
    reactor.Reject(std::move(params), first.status());
    return;
  }
  OrphanRevocation revocation;
  revocation.transport = transport_;
  revocation.logger = options_.logger;
  revocation.metrics = options_.metrics;
  revocation.bearer_token = admission->token;
  revocation.team_id = request.team_id();
  revocation.slug = request.slug();
  revocation.timeout = options_.orphan_revoke_timeout;
  revocation.debts = options_.orphan_debts;
  revocation.audit = audit;
  revocation.audit.caller = params.caller;
  revocation.audit.peer = context.peer();
  revocation.audit.rpc = "CreateAuthToken";
  auto shared_record = std::make_shared<SharedCreateRecord>();
  SetOrphanHooks(params, std::move(revocation), options_.idempotency,
                 idempotency_key, shared_record);
  params.orphan_grace = options_.orphan_transfer_limit;
  params.secrets = {admission->token};
  Audit(params, std::move(audit), [response](AuditRecord& record) {
    record.token_id = response->token().id();
    record.token_name = response->token().name();
    record.token_sha256 = TokenSha256(response->bearer_token());
  });
  StartCreate(reactor, std::move(params), *std::move(first), *std::move(held),
              caller.id, request, admission->token, std::move(idempotency_key),
              std::move(shared_record), response);
}

void UserTokensService::StartCreate(
    CallReactor& reactor, UpstreamCallParams params, UpstreamRequest first,
    InFlightLimiter::Permit permit, absl::string_view caller_id,
    const v1::CreateAuthTokenRequest& request, const std::string& token,
    std::string idempotency_key,
    std::shared_ptr<SharedCreateRecord> shared_record,
    v1::CreateAuthTokenResponse* response) {
  // The idempotency entries and shutdown's debt end when nothing of the call
  // runs any more (on_settled), which for a create answered at its deadline
  // is when its POST ends: a repeat meanwhile waits for it.
  if (!idempotency_key.empty()) {
    params.on_settled = [cache = options_.idempotency, key = idempotency_key,
                         response](const absl::Status& status) {
      cache->Finish(
          key,
          {status, status.ok() ? *response : v1::CreateAuthTokenResponse()},
          absl::Now());
    };
  }
  SharedIdempotencyStore* const shared = options_.shared_idempotency;
  if (shared != nullptr && !idempotency_key.empty()) {
    shared_record->store = shared;
    shared_record->name = shared->RecordName(
        caller_id, token, NormalizedRequestId(request.request_id()));
    v1::CreateAuthTokenRequest normalized = request;
    normalized.clear_request_id();
    shared_record->fingerprint = IdempotencyCache::Fingerprint(normalized);
    // The claim's outcome goes to the other replicas too: kept when OK,
    // released otherwise, unless the orphan hook took the record over.
    params.on_settled = [hook = std::move(params.on_settled), shared_record,
                         response](const absl::Status& status) {
      if (hook) hook(status);
      if (shared_record->claimed.load() && !shared_record->taken.load()) {
        shared_record->store->Finish(
            shared_record->name, shared_record->fingerprint, status,
            status.ok() ? *response : v1::CreateAuthTokenResponse());
      }
    };
  }
  if (options_.orphan_debts != nullptr) {
    // Shutdown waits for this create until it ends (and for a revocation
    // it starts, which holds a debt of its own from before this one ends).
    params.on_settled = [hook = std::move(params.on_settled),
                         debt = options_.orphan_debts->Incur()](
                            const absl::Status& status) mutable {
      if (hook) hook(status);
      debt.reset();
    };
  }
  if (shared_record->store == nullptr) {
    reactor.Start(std::move(params), std::move(first),
                  Holding(std::move(permit),
                          MapInto(&MapCreateAuthTokenResponse, response)));
    return;
  }
  // First here: ask the store shared by the replicas before creating. The
  // claim outlives a replica that dies with it by at most the call's
  // deadline plus the orphan grace; a wait for another replica's claim
  // ends a little before this caller's deadline.
  const absl::Time now = absl::Now();
  const absl::Duration claim_ttl =
      std::max(params.deadline - now, absl::ZeroDuration()) +
      options_.orphan_grace + absl::Seconds(1);
  const absl::Time wait_until = UpstreamDeadline(params.start, params.deadline);
  UpstreamCall* const call =
      reactor.Defer(std::move(params),
                    Holding(std::move(permit),
                            MapInto(&MapCreateAuthTokenResponse, response)));
  shared->Begin(
      shared_record->name, shared_record->fingerprint, claim_ttl, wait_until,
      [call, first = std::move(first), shared_record, response,
       metrics = options_.metrics,
       use_memory = options_.store_unavailable_uses_memory](
          absl::StatusOr<SharedIdempotencyStore::Begun> begun) mutable {
        ContinueAfterClaim(std::move(begun), call, std::move(first),
                           shared_record->claimed, response, *metrics,
                           use_memory);
      });
}

grpc::ServerUnaryReactor* UserTokensService::DeleteAuthToken(
    grpc::CallbackServerContext* context,
    const v1::DeleteAuthTokenRequest* request,
    v1::DeleteAuthTokenResponse* response) {
  return Identified(
      context, "DeleteAuthToken",
      [this, context, request, response](
          CallReactor& reactor, UpstreamCallParams params,
          InFlightLimiter::Permit permit, const Caller& caller) {
        AuditRecord audit = AuditFor(caller);
        PolicyQuery unused;
        Describe(*request, &unused, &audit);
        absl::StatusOr<Admission> admission =
            Admit(*context, params, caller, *request, /*needs_token=*/true);
        if (admission.ok())
          audit.server_token_used = admission->server_token_used;
        Audit(params, std::move(audit));
        if (!admission.ok()) {
          reactor.Reject(std::move(params), admission.status());
          return;
        }
        params.secrets = {admission->token};
        if (const auto& prefix = admission->grant.required_name_prefix) {
          v1::GetAuthTokenRequest get;
          get.set_token_id(request->token_id());
          get.set_team_id(request->team_id());
          get.set_slug(request->slug());
          UpstreamRequest first = BuildGetAuthToken(get, admission->token);
          OnUpstreamSuccess revoker =
              OwnTokenRevoker(*request, *prefix, caller.id, response);
          reactor.Start(std::move(params), std::move(first),
                        Holding(std::move(permit), std::move(revoker)));
          return;
        }
        UpstreamRequest first =
            BuildDeleteAuthToken(*request, admission->token);
        reactor.Start(std::move(params), std::move(first),
                      Holding(std::move(permit),
                              MapInto(&MapDeleteAuthTokenResponse, response)));
      });
}

grpc::ServerUnaryReactor* UserTokensService::ListAuthTokensRaw(
    grpc::CallbackServerContext* context,
    const v1::ListAuthTokensRawRequest* request,
    v1::ListAuthTokensRawResponse* response) {
  return StartAuthenticated(context, "ListAuthTokensRaw", request,
                            &BuildListAuthTokensRaw,
                            MapInto(&MapListAuthTokensResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::EmailLogin(
    grpc::CallbackServerContext* context, const v1::EmailLoginRequest* request,
    v1::EmailLoginResponse* response) {
  return Identified(
      context, "EmailLogin",
      [this, context, request, response](
          CallReactor& reactor, UpstreamCallParams params,
          InFlightLimiter::Permit permit, const Caller& caller) {
        AuditRecord audit = AuditFor(caller);
        PolicyQuery unused;
        Describe(*request, &unused, &audit);
        Audit(params, std::move(audit));
        if (absl::StatusOr<Admission> admission = Admit(
                *context, params, caller, *request, /*needs_token=*/false);
            !admission.ok()) {
          reactor.Reject(std::move(params), admission.status());
          return;
        }
        params.error_context = ErrorContext::kEmailLogin;
        reactor.Start(std::move(params), BuildEmailLogin(*request),
                      Holding(std::move(permit),
                              MapInto(&MapEmailLoginResponse, response)));
      });
}

grpc::ServerUnaryReactor* UserTokensService::VerifyToken(
    grpc::CallbackServerContext* context, const v1::VerifyTokenRequest* request,
    v1::VerifyTokenResponse* response) {
  return Identified(
      context, "VerifyToken",
      [this, context, request, response](
          CallReactor& reactor, UpstreamCallParams params,
          InFlightLimiter::Permit permit, const Caller& caller) {
        AuditRecord audit = AuditFor(caller);
        PolicyQuery unused;
        Describe(*request, &unused, &audit);
        Audit(params, std::move(audit), [response](AuditRecord& record) {
          record.team_id = response->team_id();
        });
        if (absl::StatusOr<Admission> admission = Admit(
                *context, params, caller, *request, /*needs_token=*/false);
            !admission.ok()) {
          reactor.Reject(std::move(params), admission.status());
          return;
        }
        params.secrets = {request->token()};
        params.error_context = ErrorContext::kVerifyToken;
        reactor.Start(std::move(params), BuildVerifyToken(*request),
                      Holding(std::move(permit),
                              MapInto(&MapVerifyTokenResponse, response)));
      });
}

}  // namespace vercel_tokens
