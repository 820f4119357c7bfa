#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_JWT_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_JWT_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// Unsigned-but-well-formed JWTs for the identity tests: the local checks
// never look at the signature; verifiers are faked.

namespace vercel_tokens {

// A JWT with `header_json` and `payload_json` and a dummy signature.
inline std::string MakeJwt(absl::string_view header_json,
                           absl::string_view payload_json) {
  return absl::StrCat(absl::WebSafeBase64Escape(header_json), ".",
                      absl::WebSafeBase64Escape(payload_json), ".",
                      absl::WebSafeBase64Escape("signature"));
}

// A Kubernetes-shaped ServiceAccount token for `audience`, expiring at
// `exp`, with jti `jti`.
inline std::string MakeServiceAccountJwt(absl::string_view audience,
                                         absl::Time exp,
                                         absl::string_view jti = "j-1") {
  return MakeJwt(
      R"({"alg":"RS256","kid":"k1"})",
      absl::StrCat(R"({"iss":"https://kubernetes.default.svc.cluster.local",)",
                   R"("sub":"system:serviceaccount:billing:deployer","aud":[")",
                   audience, R"("],"exp":)", absl::ToUnixSeconds(exp),
                   R"(,"iat":1,"nbf":1,"jti":")", jti, R"("})"));
}

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_JWT_H_
