#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "server/vercel/upstream_types.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// Pure functions from a validated gRPC request (see validation.h) to the
// Vercel HTTP request that serves it. Path segments and query values are
// percent-encoded whatever they hold; empty optional parameters are left
// out. `bearer_token` is the token resolved by credentials.h.

// GET /v5/user/tokens/{tokenId}?teamId=&slug=
UpstreamRequest BuildGetAuthToken(
    const vercel::authentication::v1::GetAuthTokenRequest& request,
    std::string bearer_token);

// GET /v5/user/tokens?teamId=&slug=&until=. `until` is the cursor of the
// page to read (Vercel's pagination.next of the previous page), unset for the
// first page. Serves ListAuthTokens and ListAuthTokensRaw.
UpstreamRequest BuildListAuthTokens(absl::string_view team_id,
                                    absl::string_view slug,
                                    std::optional<int64_t> until,
                                    std::string bearer_token);

// POST /v3/user/tokens?teamId=&slug= with body {type?, name, expiresAt?,
// clientId?, installationId?}. Fails only for an invalid expires_at.
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
// &teamSlug=&teamPlan=; no Authorization.
UpstreamRequest BuildVerifyToken(
    const vercel::authentication::v1::VerifyTokenRequest& request);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_REQUEST_BUILDER_H_
