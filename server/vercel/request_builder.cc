#include "server/vercel/request_builder.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/time_conversion.h"
#include "server/common/url.h"
#include "server/vercel/vercel_wire.pb.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;
namespace wire = ::vercel::authentication::wire;

constexpr absl::string_view kTokensPath = "/v5/user/tokens";
constexpr absl::string_view kTokensV6Path = "/v6/user/tokens";
constexpr absl::string_view kTokensV3Path = "/v3/user/tokens";

// Serializes a wire message as the compact camelCase JSON Vercel expects;
// fields left at their defaults are omitted.
std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  // Printing a message with no Any or enum field cannot fail, so the
  // returned status carries no information.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

enum class Idempotency { kIdempotent, kNotIdempotent };

UpstreamRequest Request(HttpMethod method, absl::string_view route,
                        std::string target, std::string bearer_token,
                        Idempotency idempotency, std::string body = "") {
  UpstreamRequest out;
  out.method = method;
  out.idempotent = idempotency == Idempotency::kIdempotent;
  out.endpoint = absl::StrCat(HttpMethodName(method), " ", route);
  out.target = std::move(target);
  out.bearer_token = std::move(bearer_token);
  out.body = std::move(body);
  return out;
}

std::string TokenTarget(absl::string_view base, absl::string_view token_id,
                        absl::string_view team_id, absl::string_view slug) {
  return WithQuery(absl::StrCat(base, "/", PercentEncode(token_id)),
                   {{"teamId", team_id}, {"slug", slug}});
}

}  // namespace

UpstreamRequest BuildGetAuthToken(const v1::GetAuthTokenRequest& request,
                                  std::string bearer_token) {
  return Request(HttpMethod::kGet, "/v5/user/tokens/{tokenId}",
                 TokenTarget(kTokensPath, request.token_id(), request.team_id(),
                             request.slug()),
                 std::move(bearer_token), Idempotency::kIdempotent);
}

UpstreamRequest BuildListAuthTokensPage(absl::string_view team_id,
                                        absl::string_view slug,
                                        absl::string_view until,
                                        std::string bearer_token) {
  const std::string limit = absl::StrCat(kListPageLimit);
  return Request(HttpMethod::kGet, kTokensV6Path,
                 WithQuery(kTokensV6Path, {{"teamId", team_id},
                                           {"slug", slug},
                                           {"limit", limit},
                                           {"until", until}}),
                 std::move(bearer_token), Idempotency::kIdempotent);
}

UpstreamRequest BuildListAuthTokensRaw(
    const v1::ListAuthTokensRawRequest& request, std::string bearer_token) {
  const std::string limit =
      request.limit() > 0 ? absl::StrCat(request.limit()) : std::string();
  return Request(HttpMethod::kGet, kTokensPath,
                 WithQuery(kTokensPath, {{"teamId", request.team_id()},
                                         {"slug", request.slug()},
                                         {"limit", limit},
                                         {"until", request.until()},
                                         {"since", request.since()}}),
                 std::move(bearer_token), Idempotency::kIdempotent);
}

absl::StatusOr<UpstreamRequest> BuildCreateAuthToken(
    const v1::CreateAuthTokenRequest& request, std::string bearer_token) {
  wire::CreateTokenRequestBody body;
  body.set_type(request.type());
  body.set_name(request.name());
  body.set_client_id(request.client_id());
  body.set_installation_id(request.installation_id());
  body.set_project_id(request.project_id());
  if (request.has_expires_at()) {
    absl::StatusOr<int64_t> millis = TimestampToMillis(request.expires_at());
    if (!millis.ok()) return millis.status();
    body.set_expires_at(static_cast<double>(*millis));
  }
  return Request(
      HttpMethod::kPost, kTokensV3Path,
      WithQuery(kTokensV3Path,
                {{"teamId", request.team_id()}, {"slug", request.slug()}}),
      std::move(bearer_token), Idempotency::kNotIdempotent, ToJson(body));
}

UpstreamRequest BuildDeleteAuthToken(const v1::DeleteAuthTokenRequest& request,
                                     std::string bearer_token) {
  return Request(HttpMethod::kDelete, "/v3/user/tokens/{tokenId}",
                 TokenTarget(kTokensV3Path, request.token_id(),
                             request.team_id(), request.slug()),
                 std::move(bearer_token), Idempotency::kNotIdempotent);
}

UpstreamRequest BuildEmailLogin(const v1::EmailLoginRequest& request) {
  wire::EmailLoginRequestBody body;
  body.set_email(request.email());
  body.set_token_name(request.token_name());
  return Request(HttpMethod::kPost, "/registration", "/registration", "",
                 Idempotency::kNotIdempotent, ToJson(body));
}

UpstreamRequest BuildVerifyToken(const v1::VerifyTokenRequest& request) {
  return Request(
      HttpMethod::kGet, "/registration/verify",
      WithQuery("/registration/verify", {{"token", request.token()},
                                         {"email", request.email()},
                                         {"tokenName", request.token_name()},
                                         {"ssoUserId", request.sso_user_id()},
                                         {"teamName", request.team_name()},
                                         {"teamSlug", request.team_slug()},
                                         {"teamPlan", request.team_plan()}}),
      "", Idempotency::kNotIdempotent);
}

}  // namespace vercel_tokens
