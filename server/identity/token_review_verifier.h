#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_TOKEN_REVIEW_VERIFIER_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_TOKEN_REVIEW_VERIFIER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/identity/workload_token_source.h"
#include "server/vercel/transport.h"
#include "server/vercel/upstream_types.h"

// Kubernetes workload identity: a projected ServiceAccount token checked by
// the API server's TokenReview
// (POST /apis/authentication.k8s.io/v1/tokenreviews), the way Vault's
// Kubernetes auth does it. The caller becomes
// spiffe://<trust_domain>/ns/<namespace>/sa/<name>.

namespace vercel_tokens {

// The TokenReview request for `token` with `audience`, authorised by the
// server's own ServiceAccount token `bearer`. Pure. `token` (a secret) is
// in the body: the request must never be logged.
UpstreamRequest BuildTokenReview(absl::string_view token,
                                 absl::string_view audience,
                                 absl::string_view bearer);

// What a TokenReview's transfer means.
struct TokenReviewOutcome {
  // The caller (source kubernetes, with the ServiceAccount's UID, the bound
  // pod's name and UID, the JTI), or the call's error:
  //   - not authenticated (HTTP 201 with status.error): UNAUTHENTICATED
  //     WORKLOAD_TOKEN_EXPIRED ("has expired"), WORKLOAD_TOKEN_AUDIENCE
  //     ("audiences ... is invalid"), else WORKLOAD_TOKEN_INVALID;
  //   - authenticated but without `audience` in status.audiences, or not a
  //     system:serviceaccount:<ns>:<name> user: UNAUTHENTICATED;
  //   - 401 or 403 (the server's account may not review), or another 4xx:
  //     UNAVAILABLE IDENTITY_MISCONFIGURED;
  //   - 429, 5xx, a body that is not a TokenReview, or a failed transfer:
  //     UNAVAILABLE IDENTITY_UNAVAILABLE with RetryInfo.
  absl::StatusOr<Caller> caller;
  // The metrics label: authenticated, invalid, expired, audience,
  // forbidden or unavailable.
  absl::string_view outcome;
};

// Maps the result of a TokenReview transfer. The answer echoes `token`:
// nothing of the body reaches a message unredacted. Pure.
TokenReviewOutcome MapTokenReview(
    const absl::StatusOr<UpstreamResponse>& result, absl::string_view token,
    absl::string_view audience, absl::string_view trust_domain, absl::Time now);

// The server's own ServiceAccount token, read from its file at Open and
// again every `reload_interval` on a thread of its own (the kubelet rotates
// the file), so that no call ever reads a file. A failed re-read keeps the
// last token and logs. Thread-safe.
class ServiceAccountTokenFile {
 public:
  // Fails when the file cannot be read or is empty.
  static absl::StatusOr<std::unique_ptr<ServiceAccountTokenFile>> Open(
      std::string path, absl::Duration reload_interval, Logger* logger);

  // Stops the reloading thread.
  ~ServiceAccountTokenFile();

  ServiceAccountTokenFile(const ServiceAccountTokenFile&) = delete;
  ServiceAccountTokenFile& operator=(const ServiceAccountTokenFile&) = delete;

  // The token, trimmed. A secret.
  std::string Current() const;

 private:
  ServiceAccountTokenFile(std::string path, absl::Duration reload_interval,
                          Logger* logger, std::string token);
  void ReloadLoop();

  const std::string path_;
  const absl::Duration reload_interval_;
  Logger* const logger_;
  mutable absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The TokenReview verifier: accepts every token no other verifier took
// (register it last), sends one review per Verify through `transport` (the
// HttpClient of the API server: its own CA, never a gRPC thread) and maps
// the answer (MapTokenReview). Counts each review in Metrics, and logs a
// 401/403 loudly (error level): an operator must bind the server's account
// to system:auth-delegator. Thread-safe; the borrowed pointers must outlive
// it.
class TokenReviewVerifier final : public WorkloadTokenVerifier {
 public:
  struct Options {
    std::string audience = "vercel-user-tokens";
    std::string trust_domain = "cluster.local";
    // How long one review may take.
    absl::Duration timeout = absl::Seconds(5);
  };

  TokenReviewVerifier(UpstreamTransport* transport,
                      const ServiceAccountTokenFile* bearer, Logger* logger,
                      Metrics* metrics, Options options);

  bool Accepts(const UnverifiedJwt& jwt) const override;
  absl::string_view audience() const override { return options_.audience; }
  void Verify(const std::string& token, const UnverifiedJwt& jwt,
              Done done) override;

 private:
  UpstreamTransport* const transport_;
  const ServiceAccountTokenFile* const bearer_;
  Logger* const logger_;
  Metrics* const metrics_;
  const Options options_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_TOKEN_REVIEW_VERIFIER_H_
