#include "server/identity/oidc_source.h"

#include <utility>

#include "server/identity/jwt.h"

namespace vercel_tokens {

OidcSource::OidcSource(std::unique_ptr<OidcVerifier> verifier)
    : verifier_(std::move(verifier)) {}

bool OidcSource::Presented(const CallCredentials& call) const {
  if (call.workload_tokens.size() != 1) return false;
  absl::StatusOr<Jwt> jwt = ParseJwt(call.workload_tokens.front());
  return jwt.ok() && verifier_->Trusts(jwt->iss);
}

void OidcSource::Identify(const CallCredentials& call, Done done) {
  if (call.workload_tokens.size() != 1) {
    return std::move(done)(WorkloadTokenError(
        kWorkloadTokenInvalid, "oidc", "more than one x-workload-token"));
  }
  verifier_->Verify(call.workload_tokens.front(),
                    [done = std::move(done)](
                        absl::StatusOr<FederatedCaller> verified) mutable {
                      if (!verified.ok())
                        return std::move(done)(verified.status());
                      Caller caller;
                      caller.id = std::move(verified->identity);
                      caller.source = CallerSource::kOidc;
                      caller.credential_id = std::move(verified->jti);
                      caller.issuer = std::move(verified->issuer);
                      caller.subject = std::move(verified->subject);
                      caller.claims = std::move(verified->claims);
                      std::move(done)(std::move(caller));
                    });
}

}  // namespace vercel_tokens
