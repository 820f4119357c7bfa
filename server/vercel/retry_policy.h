#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_RETRY_POLICY_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_RETRY_POLICY_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// When a failed upstream request is sent again. Only idempotent requests
// (UpstreamRequest::idempotent: the reads of GetAuthToken, ListAuthTokens
// and ListAuthTokensRaw) are retried: a POST, a DELETE or the token-minting
// GET /registration/verify that failed may still have taken effect (Vercel's
// own clients differ here; this errs on the side of never creating a token
// twice or losing a minted one).
struct RetryPolicy {
  // Attempts per request, the first included; 1 disables retries.
  int max_attempts = 3;
  // Backoff before the second attempt; doubles for each further one.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  // A longer wait asked by Vercel (Retry-After and the like) is not waited
  // out: the caller gets the error, with its RetryInfo, at once.
  absl::Duration max_server_delay = absl::Seconds(5);
};

// Decides whether the request that produced `result` is sent again, and
// after how long. Only an `idempotent` request is retried. Retryable: a
// transfer that could not reach Vercel
// (UNAVAILABLE), and HTTP 429, 502, 503 and 504. The delay is Vercel's own
// when it gives one (on 429 anything RetryDelay reads; on 5xx only
// Retry-After, since X-RateLimit-Reset there says nothing about recovery),
// else exponential backoff scaled by `jitter` (in [0, 1)) into [50%, 100%)
// of its value. No retry when Vercel's delay exceeds max_server_delay, when
// `attempts_made` reached the policy's maximum, or when the next attempt
// would start after `deadline`. Pure.
std::optional<absl::Duration> NextRetryDelay(
    const RetryPolicy& policy, bool idempotent, int attempts_made,
    const absl::StatusOr<UpstreamResponse>& result, absl::Time now,
    absl::Time deadline, double jitter);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_RETRY_POLICY_H_
