#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_RESPONSE_MAPPING_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_RESPONSE_MAPPING_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// Pure functions from the body of a successful (2xx) Vercel response to the
// public response message. Unknown JSON fields are ignored and `null` reads
// as absent; a body that is not JSON, has a field of the wrong type, lacks
// what the operation must return, or holds a time outside Timestamp's range
// gives INTERNAL with reason UPSTREAM_MALFORMED_RESPONSE. Error messages
// never quote the body, which may hold secrets.

absl::StatusOr<vercel::authentication::v1::GetAuthTokenResponse>
MapGetAuthTokenResponse(absl::string_view body);

// One page of GET /v5/user/tokens (as ListAuthTokensRaw returns it) or of
// GET /v6/user/tokens (ListAuthTokens concatenates the `tokens` of
// successive pages). Vercel's cursors `next` and `prev` may be numbers or
// strings: both come back as text in `next_cursor` / `prev_cursor`, and an
// integral number also in the seed's int64 `next` / `prev`; a cursor of any
// other JSON type is malformed.
absl::StatusOr<vercel::authentication::v1::ListAuthTokensRawResponse>
MapListAuthTokensResponse(absl::string_view body);

absl::StatusOr<vercel::authentication::v1::CreateAuthTokenResponse>
MapCreateAuthTokenResponse(absl::string_view body);

absl::StatusOr<vercel::authentication::v1::DeleteAuthTokenResponse>
MapDeleteAuthTokenResponse(absl::string_view body);

absl::StatusOr<vercel::authentication::v1::EmailLoginResponse>
MapEmailLoginResponse(absl::string_view body);

absl::StatusOr<vercel::authentication::v1::VerifyTokenResponse>
MapVerifyTokenResponse(absl::string_view body);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_RESPONSE_MAPPING_H_
