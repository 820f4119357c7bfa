#ifndef VERCEL_USER_TOKENS_SERVER_RPC_VALIDATION_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// Checks a request before anything goes upstream. Returns OK, or an
// INVALID_ARGUMENT error (see InvalidField) naming the first offending field.
// Messages describe the rule broken and never echo the value, which may be a
// secret.
//
// Identifiers (token_id, team_id, slug, client_id, installation_id,
// project_id) must be 1 to 256 letters, digits, '-' or '_': nothing that
// could change the upstream URL (no '/', '.', '?', '%', spaces or control
// characters). Free text (name, token_name, team_name) must be valid UTF-8
// without control characters (C0, DEL, C1) or bidirectional formatting
// characters (IsUnsafeInText), bounded in length. Listing cursors (until,
// since) are opaque: 1 to 256 printable ASCII characters without spaces.
// Create needs a name; team_id is optional (none: an account-wide token) but
// project_id requires it.
absl::Status Validate(
    const vercel::authentication::v1::GetAuthTokenRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::ListAuthTokensRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::CreateAuthTokenRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::DeleteAuthTokenRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::ListAuthTokensRawRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::EmailLoginRequest& request);
absl::Status Validate(
    const vercel::authentication::v1::VerifyTokenRequest& request);

// The nil UUID, which a CreateAuthToken's request_id must not be: a client
// that sends it has not generated an id, and every such client would share
// one.
inline constexpr absl::string_view kNilUuid =
    "00000000-0000-0000-0000-000000000000";

// A valid request_id in the one form it is remembered, hashed and logged
// in: lower case, so that the same UUID in either case is one request. Pure.
std::string NormalizedRequestId(absl::string_view request_id);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_VALIDATION_H_
