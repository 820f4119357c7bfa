#include "server/rpc/user_tokens_service.h"

#include <chrono>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
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

// The first page of GET /v5/user/tokens, for both listing RPCs.
template <typename Request>
UpstreamRequest BuildFirstPage(const Request& request,
                               std::string bearer_token) {
  return BuildListAuthTokens(request.team_id(), request.slug(), std::nullopt,
                             std::move(bearer_token));
}

// Follows the pages of GET /v5/user/tokens, appending every page's tokens to
// the response, until Vercel reports no next page, repeats a cursor, or
// `max_pages` pages have been read. Each page goes with the previous one's
// team, slug and token.
class ListPager {
 public:
  ListPager(const v1::ListAuthTokensRequest& request, int max_pages,
            v1::ListAuthTokensResponse* response)
      : team_id_(request.team_id()),
        slug_(request.slug()),
        max_pages_(max_pages),
        response_(response) {}

  Next operator()(const UpstreamRequest& sent,
                  const UpstreamResponse& upstream) {
    absl::StatusOr<v1::ListAuthTokensRawResponse> page =
        MapListAuthTokensResponse(upstream.body);
    if (!page.ok()) return page.status();
    for (v1::AuthToken& token : *page->mutable_tokens()) {
      *response_->add_tokens() = std::move(token);
    }
    ++pages_read_;
    const v1::Pagination& pagination = page->pagination();
    if (!pagination.has_next() || pages_read_ >= max_pages_ ||
        !cursors_seen_.insert(pagination.next()).second) {
      return std::nullopt;
    }
    return BuildListAuthTokens(team_id_, slug_, pagination.next(),
                               sent.bearer_token);
  }

 private:
  std::string team_id_;
  std::string slug_;
  int max_pages_;
  v1::ListAuthTokensResponse* response_;
  int pages_read_ = 0;
  absl::flat_hash_set<int64_t> cursors_seen_;
};

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
      &BuildFirstPage<v1::ListAuthTokensRequest>,
      ListPager(*request, options_.max_list_pages, response));
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
                            &BuildFirstPage<v1::ListAuthTokensRawRequest>,
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
