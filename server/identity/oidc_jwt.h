#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_JWT_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_JWT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "server/identity/identity_errors.h"

// JSON Web Tokens (RFC 7519) in compact form: parsing and the checks of
// their claims that need no key. Pure functions of their inputs; no I/O.
// A token is a secret: no error message here quotes it or any part of it.

namespace vercel_tokens {

// The largest token accepted, in bytes.
inline constexpr size_t kMaxJwtBytes = 8 * 1024;

// A compact JWT split and decoded, not yet verified.
struct Jwt {
  // The JOSE header and the claims, as JSON objects.
  google::protobuf::Struct header;
  google::protobuf::Struct claims;
  // header.alg and header.kid ("" when absent).
  std::string alg;
  std::string kid;
  // `<header>.<payload>` as sent: what the signature covers.
  std::string signing_input;
  // The decoded signature.
  std::string signature;
};

// Decodes base64url without padding (RFC 7515 section 2); padding, other
// alphabets and non-zero trailing bits are refused. Pure.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

// Encodes base64url without padding. Pure.
std::string Base64UrlEncode(absl::string_view data);

// Splits and decodes `token`: at most kMaxJwtBytes, three base64url parts,
// a header and a payload that are JSON objects, a header `alg` that is a
// string and no `crit`. Errors are UNAUTHENTICATED with reason
// WORKLOAD_TOKEN_INVALID and never quote the token.
absl::StatusOr<Jwt> ParseJwt(absl::string_view token);

// The error of a refused workload token: UNAUTHENTICATED with `reason` in
// the service's domain, metadata `source` (e.g. "oidc"), message `why`.
absl::Status WorkloadTokenError(absl::string_view reason,
                                absl::string_view source,
                                absl::string_view why);

// What the claim checks accept.
struct ClaimExpectations {
  // The `iss` the token must carry exactly.
  std::string issuer;
  // The token's `aud` (a string or an array of strings) must contain one of
  // these. Never empty.
  std::vector<std::string> audiences;
  // How far the clocks of issuer and server may disagree.
  absl::Duration clock_skew = absl::Seconds(60);
};

// Checks the registered claims of `jwt` at `now`: `iss` equal to the
// expected issuer, a non-empty string `sub`, a numeric `exp` that has not
// passed (WORKLOAD_TOKEN_EXPIRED), `nbf` and `iat` when present not in the
// future, and `aud` containing an accepted audience
// (WORKLOAD_TOKEN_AUDIENCE); each with `clock_skew` of tolerance. Other
// failures are WORKLOAD_TOKEN_INVALID. Pure.
absl::Status CheckClaims(const Jwt& jwt, const ClaimExpectations& expected,
                         absl::Time now, absl::string_view source);

// A claim as text for exact comparison: a string as is, a bool as
// "true"/"false", an integral number in decimal; nullopt for other numbers,
// null, arrays and objects, and for a claim that is absent. Pure.
std::optional<std::string> ClaimText(const google::protobuf::Struct& claims,
                                     absl::string_view name);

// Every claim ClaimText can render, by name. Pure.
std::map<std::string, std::string> ScalarClaims(
    const google::protobuf::Struct& claims);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_JWT_H_
