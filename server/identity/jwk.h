#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_JWK_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_JWK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/identity/jwt.h"

typedef struct evp_pkey_st EVP_PKEY;

// JSON Web Keys (RFC 7517) and JWS signature verification (RFC 7515, 7518)
// with OpenSSL's libcrypto. Pure functions of their inputs; no I/O.

namespace vercel_tokens {

// Whether `alg` is one of the accepted signature algorithms: RS256, RS384,
// RS512, ES256, ES384, PS256, PS384, PS512. Never `none`, never HMAC.
bool IsAcceptedJwsAlgorithm(absl::string_view alg);

// One public key of a key set. Copyable; the key is shared and immutable, so
// a Jwk may be read from any thread.
struct Jwk {
  std::string kid;
  // "RSA" or "EC".
  std::string kty;
  // The key's `alg` and `use`, "" when absent.
  std::string alg;
  std::string use;
  // For EC keys, the curve: "P-256" or "P-384".
  std::string crv;
  std::shared_ptr<EVP_PKEY> key;
};

// Parses a JWKS document `{"keys":[...]}`. Keys this server cannot use are
// skipped, not fatal: a `kty` other than RSA and EC (e.g. "oct": a shared
// secret is never a verification key), a curve other than P-256 and P-384,
// an RSA modulus under 2048 bits, a `use` other than "sig". Fails when the
// document is not a key set or a usable-looking key is malformed.
absl::StatusOr<std::vector<Jwk>> ParseJwks(absl::string_view json);

// Verifies the signature of `jwt` with `key`: the token's alg must be
// accepted, agree with the key's type (RS/PS: RSA; ES256: P-256; ES384:
// P-384) and with the key's own `alg` when it has one. ES signatures are
// JOSE's r||s, converted to DER for libcrypto. Errors are UNAUTHENTICATED
// WORKLOAD_TOKEN_INVALID with metadata source `source`.
absl::Status VerifyJwtSignature(const Jwt& jwt, const Jwk& key,
                                absl::string_view source);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_JWK_H_
