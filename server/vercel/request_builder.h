#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/vercel/upstream_types.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// Pure functions from a validated gRPC request (see validation.h) to the
// Vercel HTTP request that serves it. Path segments and query values are
// percent-encoded whatever they hold; empty optional parameters are left
// out. `bearer_token` is the token resolved by credentials.h.

// GET /v5/user/tokens/{tokenId}?teamId=&slug=; idempotent.
UpstreamRequest BuildGetAuthToken(
    const vercel::authentication::v1::GetAuthTokenRequest& request,
    std::string bearer_token);

// The page size ListAuthTokens asks for: the most today's API allows.
inline constexpr int kListPageLimit = 100;

// GET /v6/user/tokens?teamId=&slug=&limit=100&until=, today's documented
// listing, for ListAuthTokens; idempotent. `until` is the opaque cursor of
// the page to read (the previous page's pagination.next as text), empty for
// the first page.
UpstreamRequest BuildListAuthTokensPage(absl::string_view team_id,
                                        absl::string_view slug,
                                        absl::string_view until,
                                        std::string bearer_token);

// GET /v5/user/tokens?teamId=&slug=&limit=&until=&since=, the seed's
// listing, for ListAuthTokensRaw; `limit` is left out when 0. Idempotent.
UpstreamRequest BuildListAuthTokensRaw(
    const vercel::authentication::v1::ListAuthTokensRawRequest& request,
    std::string bearer_token);

// POST /v3/user/tokens?teamId=&slug= with body {type?, name, expiresAt?,
// clientId?, installationId?, projectId?}; without a team_id no teamId is
// sent (an account-wide token). Fails only for an invalid expires_at.
absl::StatusOr<UpstreamRequest> BuildCreateAuthToken(
    const vercel::authentication::v1::CreateAuthTokenRequest& request,
    std::string bearer_token);

// DELETE /v3/user/tokens/{tokenId}?teamId=&slug=
UpstreamRequest BuildDeleteAuthToken(
    const vercel::authentication::v1::DeleteAuthTokenRequest& request,
    std::string bearer_token);

// POST /registration with body {email, tokenName?}; no Authorization.
UpstreamRequest BuildEmailLogin(
    const vercel::authentication::v1::EmailLoginRequest& request);

// GET /registration/verify?token=&email=&tokenName=&ssoUserId=&teamName=
// &teamSlug=&teamPlan=; no Authorization. Not idempotent: Vercel mints a
// token and consumes the login, so a repeat fails.
UpstreamRequest BuildVerifyToken(
    const vercel::authentication::v1::VerifyTokenRequest& request);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_
