#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_

#include <memory>

#include "server/identity/identity_source.h"
#include "server/identity/oidc_verifier.h"

namespace vercel_tokens {

// The IdentitySource of workload tokens (`x-workload-token`) issued by a
// trusted OIDC issuer (policy.proto trusted_issuers): the caller is
// `<issuer>#<sub>`, source kOidc, with the token's jti as credential_id and
// its scalar claims. A token of an issuer not trusted is refused
// (WORKLOAD_TOKEN_INVALID) without contacting anything; so is more than one
// workload token.
//
// Thread-safe. Owns the verifier, whose transports' threads answer the
// calls that wait for a key set.
class OidcSource final : public IdentitySource {
 public:
  explicit OidcSource(std::unique_ptr<OidcVerifier> verifier);

  // A workload token is present.
  bool Presented(const CallCredentials& call) const override;
  void Identify(const CallCredentials& call, Done done) override;

 private:
  const std::unique_ptr<OidcVerifier> verifier_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_
