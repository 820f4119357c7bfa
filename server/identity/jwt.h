#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_

#include <cstddef>
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

// JSON Web Tokens (RFC 7519) in compact form: the one parser and the one
// set of claim checks that need no key, used by every workload token
// verifier (Kubernetes TokenReview and OIDC issuers alike). What cannot be
// a valid token is refused here, without a network call. Pure functions of
// their inputs; no I/O. The signature is not checked here (jwk.h does it
// for OIDC issuers, the API server for TokenReview), so nothing read here
// is trusted beyond routing and refusing. A token is a secret: no error
// message here quotes it or any part of it.

namespace vercel_tokens {

// The largest workload token accepted, in bytes.
inline constexpr size_t kMaxWorkloadTokenBytes = 8 << 10;

// A compact JWT split and decoded, not yet verified.
struct Jwt {
  // The JOSE header and the claims, as JSON objects.
  google::protobuf::Struct header;
  google::protobuf::Struct claims;
  // header.alg and header.kid ("" when absent).
  std::string alg;
  std::string kid;
  // The registered claims, typed; absent ones are empty or nullopt.
  std::string iss;
  std::string sub;
  std::string jti;
  std::vector<std::string> aud;
  std::optional<absl::Time> exp;
  std::optional<absl::Time> nbf;
  std::optional<absl::Time> iat;
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

// Splits and decodes `token`: at most kMaxWorkloadTokenBytes, exactly three
// base64url parts (no padding), a header and a payload that are JSON
// objects, a header `alg` among RS256/384/512, ES256/384/512 and
// PS256/384/512 (never `none` nor HMAC), a string `kid` when present, no
// `crit`, and well-typed registered claims (`iss`, `sub`, `jti` strings;
// `aud` a string or an array of strings; `exp`, `nbf`, `iat` numbers).
// Anything else fails UNAUTHENTICATED WORKLOAD_TOKEN_INVALID; the message
// never holds the token.
absl::StatusOr<Jwt> ParseJwt(absl::string_view token);

// The error of a refused workload token: UNAUTHENTICATED with `reason` in
// the service's domain, metadata `source` (e.g. "oidc"), message `why`.
absl::Status WorkloadTokenError(absl::string_view reason,
                                absl::string_view source,
                                absl::string_view why);

// What the claim checks accept.
struct ClaimExpectations {
  // The `iss` the token must carry exactly; empty: not checked (TokenReview,
  // where the API server decides).
  std::string issuer;
  // The token's `aud` must contain one of these. Never empty.
  std::vector<std::string> audiences;
  // Whether a non-empty `sub` is required.
  bool require_subject = true;
  // How far the clocks of issuer and server may disagree, for `nbf` and
  // `iat`.
  absl::Duration clock_skew = absl::Seconds(60);
  // The tolerance past `exp`. TokenReview uses zero: the API server itself
  // refuses an expired token, so leeway here would turn EXPIRED into INVALID.
  absl::Duration expiry_skew = absl::Seconds(60);
  // Appended to the audience refusal, e.g. where the caller sets it.
  std::string audience_hint;
};

// Checks the registered claims of `jwt` at `now`: `iss` equal to the
// expected issuer (when one is expected), a non-empty `sub` (when
// required), an `exp` that has not passed (WORKLOAD_TOKEN_EXPIRED), `nbf`
// and `iat` when present not in the future, and `aud` containing an
// accepted audience (WORKLOAD_TOKEN_AUDIENCE). Other failures are
// WORKLOAD_TOKEN_INVALID; all UNAUTHENTICATED with metadata `source`. Pure.
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

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_JWT_H_
