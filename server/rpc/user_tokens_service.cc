#include "server/rpc/user_tokens_service.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "server/rpc/credentials.h"
#include "server/rpc/validation.h"
#include "server/vercel/request_builder.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {
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

}  // namespace

UserTokensService::UserTokensService(UpstreamTransport* transport,
                                     UserTokensServiceOptions options)
    : transport_(transport),
      options_(std::move(options)),
      limiter_(options_.max_in_flight) {}

template <typename Request>
absl::StatusOr<std::string> UserTokensService::ValidateAndAuthorize(
    const grpc::CallbackServerContext& context, const Request& request) const {
  if (absl::Status s = Validate(request); !s.ok()) return s;
  std::vector<absl::string_view> values;
  const auto [begin, end] =
      context.client_metadata().equal_range("authorization");
  for (auto it = begin; it != end; ++it) {
    values.emplace_back(it->second.data(), it->second.size());
  }
  return ResolveBearerToken(values, options_.server_token);
}

UpstreamCallParams UserTokensService::Params(
    grpc::CallbackServerContext* context, absl::string_view method) const {
  UpstreamCallParams params;
  params.context = context;
  params.transport = transport_;
  params.peer = context->peer();
  params.logger = options_.logger;
  params.metrics = options_.metrics;
  params.retry_policy = options_.retry_policy;
  params.method = method;
  params.start = absl::Now();
  const auto caller_deadline = context->deadline();
  params.deadline =
      caller_deadline == std::chrono::system_clock::time_point::max()
          ? params.start + options_.default_deadline
          : absl::FromChrono(caller_deadline);
  return params;
}

template <typename Request, typename Build>
grpc::ServerUnaryReactor* UserTokensService::StartAuthenticated(
    grpc::CallbackServerContext* context, absl::string_view method,
    const Request& request, Build build, OnUpstreamSuccess on_success) {
  UpstreamCallParams params = Params(context, method);
  std::optional<InFlightLimiter::Permit> permit = limiter_.TryAcquire();
  if (!permit.has_value()) {
    return UpstreamCall::Reject(std::move(params), ServerOverloadedError());
  }
  absl::StatusOr<std::string> token = ValidateAndAuthorize(*context, request);
  if (!token.ok()) {
    return UpstreamCall::Reject(std::move(params), token.status());
  }
  absl::StatusOr<UpstreamRequest> first = build(request, *token);
  if (!first.ok())
    return UpstreamCall::Reject(std::move(params), first.status());
  params.secrets = {*std::move(token)};
  return UpstreamCall::Start(
      std::move(params), *std::move(first),
      Holding(*std::move(permit), std::move(on_success)));
}

grpc::ServerUnaryReactor* UserTokensService::GetAuthToken(
    grpc::CallbackServerContext* context,
    const v1::GetAuthTokenRequest* request,
    v1::GetAuthTokenResponse* response) {
  return StartAuthenticated(context, "GetAuthToken", *request,
                            &BuildGetAuthToken,
                            MapInto(&MapGetAuthTokenResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::ListAuthTokens(
    grpc::CallbackServerContext* context,
    const v1::ListAuthTokensRequest* request,
    v1::ListAuthTokensResponse* response) {
  return StartAuthenticated(
      context, "ListAuthTokens", *request,
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
  return StartAuthenticated(context, "CreateAuthToken", *request,
                            &BuildCreateAuthToken,
                            MapInto(&MapCreateAuthTokenResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::DeleteAuthToken(
    grpc::CallbackServerContext* context,
    const v1::DeleteAuthTokenRequest* request,
    v1::DeleteAuthTokenResponse* response) {
  return StartAuthenticated(context, "DeleteAuthToken", *request,
                            &BuildDeleteAuthToken,
                            MapInto(&MapDeleteAuthTokenResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::ListAuthTokensRaw(
    grpc::CallbackServerContext* context,
    const v1::ListAuthTokensRawRequest* request,
    v1::ListAuthTokensRawResponse* response) {
  return StartAuthenticated(context, "ListAuthTokensRaw", *request,
                            &BuildListAuthTokensRaw,
                            MapInto(&MapListAuthTokensResponse, response));
}

grpc::ServerUnaryReactor* UserTokensService::EmailLogin(
    grpc::CallbackServerContext* context, const v1::EmailLoginRequest* request,
    v1::EmailLoginResponse* response) {
  UpstreamCallParams params = Params(context, "EmailLogin");
  std::optional<InFlightLimiter::Permit> permit = limiter_.TryAcquire();
  if (!permit.has_value()) {
    return UpstreamCall::Reject(std::move(params), ServerOverloadedError());
  }
  if (absl::Status s = Validate(*request); !s.ok()) {
    return UpstreamCall::Reject(std::move(params), s);
  }
  return UpstreamCall::Start(
      std::move(params), BuildEmailLogin(*request),
      Holding(*std::move(permit), MapInto(&MapEmailLoginResponse, response)));
}

grpc::ServerUnaryReactor* UserTokensService::VerifyToken(
    grpc::CallbackServerContext* context, const v1::VerifyTokenRequest* request,
    v1::VerifyTokenResponse* response) {
  UpstreamCallParams params = Params(context, "VerifyToken");
  std::optional<InFlightLimiter::Permit> permit = limiter_.TryAcquire();
  if (!permit.has_value()) {
    return UpstreamCall::Reject(std::move(params), ServerOverloadedError());
  }
  if (absl::Status s = Validate(*request); !s.ok()) {
    return UpstreamCall::Reject(std::move(params), s);
  }
  params.secrets = {request->token()};
  params.error_context = ErrorContext::kVerifyToken;
  return UpstreamCall::Start(
      std::move(params), BuildVerifyToken(*request),
      Holding(*std::move(permit), MapInto(&MapVerifyTokenResponse, response)));
}

}  // namespace vercel_tokens
