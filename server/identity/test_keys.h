#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_KEYS_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_KEYS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

// Keys and tokens for tests: a fresh key pair per call, its public half as a
// JWK, and JWTs signed with it. Not for production use.

namespace vercel_tokens::testing {

// A key pair of one kind: "RSA" (2048 bits), "P-256" or "P-384".
class TestKey {
 public:
  // Generates a key; aborts the test program when libcrypto fails.
  TestKey(absl::string_view kind, std::string kid);

  // The public key as a JWK object's JSON, with `alg` when not empty.
  std::string PublicJwk(absl::string_view alg = "") const;

  // A compact JWT over `claims_json` (a JSON object) with header
  // {"alg": alg, "kid": kid, "typ": "JWT"}, signed with `alg` (RS*, PS*,
  // ES*) whatever the key's kind, so that mismatches can be tested.
  std::string Sign(absl::string_view alg, absl::string_view claims_json) const;

  // The public key as SubjectPublicKeyInfo PEM.
  std::string PublicPem() const;

  const std::string& kid() const { return kid_; }

 private:
  std::string kind_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

// `{"keys":[...]}` of the given JWK objects' JSON.
std::string Jwks(std::initializer_list<std::string> jwks);

// A JWT with the given header and claims JSON and `signature` bytes.
std::string RawJwt(absl::string_view header_json, absl::string_view claims_json,
                   absl::string_view signature);

// An HS256 JWT over `claims_json` with `secret` as the HMAC key.
std::string Hs256Jwt(absl::string_view kid, absl::string_view claims_json,
                     absl::string_view secret);

}  // namespace vercel_tokens::testing

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_KEYS_H_
