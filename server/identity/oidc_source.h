#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_

#include <memory>

#include "server/identity/identity_source.h"
#include "server/identity/oidc_verifier.h"

namespace vercel_tokens {

// The IdentitySource of workload tokens (`x-workload-token`) issued by a
// trusted OIDC issuer (policy.proto trusted_issuers): the caller is
// `<issuer>#<sub>`, source kOidc, with the token's jti as credential_id and
// its scalar claims. Asked before the WorkloadTokenSource
// (workload_token_source.h), it presents itself only for one token whose
// unverified `iss` is a trusted issuer; every other token goes on to that
// source, which refuses what no verifier takes, so that nothing is fetched
// for an issuer nobody trusts.
//
// Thread-safe. Owns the verifier, whose transports' threads answer the
// calls that wait for a key set.
class OidcSource final : public IdentitySource {
 public:
  explicit OidcSource(std::unique_ptr<OidcVerifier> verifier);

  // Exactly one workload token, whose (unverified) `iss` is trusted.
  bool Presented(const CallCredentials& call) const override;
  void Identify(const CallCredentials& call, Done done) override;

 private:
  const std::unique_ptr<OidcVerifier> verifier_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_SOURCE_H_
