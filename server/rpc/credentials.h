#ifndef VERCEL_USER_TOKENS_SERVER_RPC_CREDENTIALS_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_CREDENTIALS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vercel_tokens {

// Decides which Vercel token a call sends upstream.
//
// `authorization_values` are the values of the caller's `authorization`
// metadata. One value of the form "Bearer <token>" (scheme case-insensitive)
// gives the caller's token. No value falls back to `server_token` when it is
// not empty. Otherwise UNAUTHENTICATED: reason MISSING_CREDENTIALS when
// nothing was sent and the server holds no token, MALFORMED_CREDENTIALS when
// the metadata is not one well-formed bearer token. Errors never echo what
// the caller sent.
absl::StatusOr<std::string> ResolveBearerToken(
    const std::vector<absl::string_view>& authorization_values,
    absl::string_view server_token);

// Checks that `token` can travel in an Authorization header: 1 to 4096
// printable ASCII characters without spaces.
bool IsWellFormedToken(absl::string_view token);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_CREDENTIALS_H_
