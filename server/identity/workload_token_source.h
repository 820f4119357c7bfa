#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_WORKLOAD_TOKEN_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_WORKLOAD_TOKEN_SOURCE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/metrics.h"
#include "server/identity/identity_source.h"
#include "server/identity/jwt.h"

// Identity from a workload token (metadata `x-workload-token`, a JWT): the
// source every JWT verifier plugs into, Kubernetes TokenReview
// (token_review_verifier.h) and OIDC issuers alike.
//
// For one call, in order:
//   1. exactly one token (else WORKLOAD_TOKEN_INVALID);
//   2. the cache, keyed by the token's SHA-256: a token verified less than
//      `max_cache_age` ago and before its `exp` answers at once;
//   3. the local checks (jwt.h: size, shape, alg), then routing: the first
//      verifier that Accepts the unverified token (e.g. by its `iss`) gets
//      it; none: WORKLOAD_TOKEN_INVALID; then the claim checks against that
//      verifier's audience (exp, aud). A refused token costs no review;
//   4. singleflight: a call whose token is already being verified waits for
//      that verification;
//   5. the cap: with `max_in_flight` verifications running, the call fails
//      UNAVAILABLE IDENTITY_UNAVAILABLE with RetryInfo;
//   6. the verifier; its success is cached (at most `max_cache_entries`
//      entries: when full, expired ones are dropped, and if none is, the new
//      one is not cached); failures are never cached.
// Never falls back to another source or to anonymous.

namespace vercel_tokens {

// A way to verify workload tokens. Implementations are thread-safe.
class WorkloadTokenVerifier {
 public:
  using Done = IdentitySource::Done;

  virtual ~WorkloadTokenVerifier() = default;

  // Whether `jwt` (not yet verified) is this verifier's to decide, e.g.
  // because its `iss` is a configured issuer. Cheap and pure.
  virtual bool Accepts(const Jwt& jwt) const = 0;

  // The audience its tokens must carry (jwt.h CheckClaims).
  virtual absl::string_view audience() const = 0;

  // Verifies `token` (whose parse is `jwt`; the local checks passed) and
  // runs `done` exactly once, inline or on a thread of its own, with the
  // caller or an UNAUTHENTICATED / UNAVAILABLE error (identity_errors.h).
  // Never blocks. `token` is a secret: never log it.
  virtual void Verify(const std::string& token, const Jwt& jwt, Done done) = 0;
};

class WorkloadTokenSource final : public IdentitySource {
 public:
  struct Options {
    // Verifications running at once at most; positive.
    int max_in_flight = 64;
    // Verified tokens remembered at most; 0 for no cache.
    size_t max_cache_entries = 10000;
    // How long a verified token is remembered at most.
    absl::Duration max_cache_age = absl::Seconds(10);
    // Borrowed; must outlive the source.
    const Clock* clock = &Clock::Real();
    // Borrowed; may be null.
    Metrics* metrics = nullptr;
  };

  // `verifiers` in routing order (the first that Accepts decides).
  WorkloadTokenSource(
      std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers,
      Options options);

  WorkloadTokenSource(const WorkloadTokenSource&) = delete;
  WorkloadTokenSource& operator=(const WorkloadTokenSource&) = delete;

  bool Presented(const CallCredentials& call) const override;
  void Identify(const CallCredentials& call, Done done) override;

 private:
  struct Cached {
    Caller caller;
    absl::Time expires;
  };

  // The cached caller of the token whose key is `key` if it is still valid
  // at `now`; drops an expired entry.
  std::optional<Caller> CachedCaller(const std::string& key, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Runs when the verification of the token whose key is `key` (valid until
  // `exp`) ends with `result`: caches a success, answers every waiter.
  void Verified(const std::string& key, absl::Time exp,
                absl::StatusOr<Caller> result);
  void Count(absl::string_view how);

  const std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers_;
  const Options options_;

  absl::Mutex mu_;
  // Keyed by the token's SHA-256 (raw bytes).
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
  // The waiters of each verification in flight, the first caller included.
  absl::flat_hash_map<std::string, std::vector<Done>> in_flight_
      ABSL_GUARDED_BY(mu_);
};

// The cache key of `token`: its SHA-256, raw. Pure.
std::string WorkloadTokenKey(absl::string_view token);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_WORKLOAD_TOKEN_SOURCE_H_
