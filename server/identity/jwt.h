#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// The cheap local checks every workload token passes before any verifier
// (TokenReview, an OIDC issuer's keys) is asked: what cannot be a valid
// token is refused without a network call. Pure functions; the token's
// signature is not checked here (verifiers do that), so nothing read here
// is trusted beyond routing and refusing.

namespace vercel_tokens {

// The largest workload token accepted.
inline constexpr size_t kMaxWorkloadTokenBytes = 8 << 10;

// A JWT split and decoded, not verified.
struct UnverifiedJwt {
  // Header.
  std::string alg;
  std::string kid;
  // Claims; absent ones are empty or nullopt.
  std::string iss;
  std::string sub;
  std::string jti;
  std::vector<std::string> aud;
  std::optional<absl::Time> exp;
  std::optional<absl::Time> nbf;
  std::optional<absl::Time> iat;
  // The decoded payload (a JSON object), for verifiers that read more
  // claims.
  std::string payload_json;
  // `<header>.<payload>` as sent, and the decoded signature: what a local
  // signature check needs.
  std::string signing_input;
  std::string signature;
};

// Splits and decodes `token`: at most kMaxWorkloadTokenBytes, exactly three
// base64url parts (no padding), a header and payload that are JSON
// objects, `alg` one of RS256/384/512, ES256/384/512, PS256/384/512, and
// well-typed registered claims (`aud` a string or an array of strings;
// `exp`, `nbf`, `iat` numbers). Anything else fails UNAUTHENTICATED
// WORKLOAD_TOKEN_INVALID; the message never holds the token.
absl::StatusOr<UnverifiedJwt> ParseUnverifiedJwt(absl::string_view token);

// The claim checks that need no key, at `now`: `exp` present and not
// passed (else WORKLOAD_TOKEN_EXPIRED; a token without `exp` is
// WORKLOAD_TOKEN_INVALID), `nbf` not in the future beyond a minute of clock
// skew (WORKLOAD_TOKEN_INVALID), and `audience` among `aud` (else
// WORKLOAD_TOKEN_AUDIENCE). All UNAUTHENTICATED.
absl::Status CheckUnverifiedClaims(const UnverifiedJwt& jwt,
                                   absl::string_view audience, absl::Time now);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_
