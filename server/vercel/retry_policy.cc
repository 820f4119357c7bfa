#include "server/vercel/retry_policy.h"

#include <algorithm>

#include "server/vercel/error_mapping.h"

namespace vercel_tokens {
namespace {

bool IsRetryable(const absl::StatusOr<UpstreamResponse>& result) {
  if (!result.ok()) {
    return result.status().code() == absl::StatusCode::kUnavailable;
  }
  switch (result->http_status) {
    case 429:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<absl::Duration> NextRetryDelay(
    const RetryPolicy& policy, bool idempotent, int attempts_made,
    const absl::StatusOr<UpstreamResponse>& result, absl::Time now,
    absl::Time deadline, double jitter) {
  if (!idempotent || attempts_made >= policy.max_attempts ||
      !IsRetryable(result)) {
    return std::nullopt;
  }
  std::optional<absl::Duration> delay;
  if (result.ok() && result->http_status == 429) {
    // The body's limit.reset is not read: it only ever repeats the headers.
    delay = RetryDelay(*result, 0, 0, now);
  } else if (result.ok()) {
    if (auto value = result->Header("retry-after"); value.has_value()) {
      delay = ParseRetryAfter(*value, now);
    }
  }
  if (delay.has_value() && *delay > policy.max_server_delay) {
    return std::nullopt;
  }
  if (!delay.has_value()) {
    absl::Duration backoff = policy.initial_backoff;
    for (int i = 1; i < attempts_made && backoff < policy.max_backoff; ++i) {
      backoff *= 2;
    }
    backoff = std::min(backoff, policy.max_backoff);
    delay = backoff * (0.5 + std::clamp(jitter, 0.0, 1.0) / 2);
  }
  if (now + *delay >= deadline) return std::nullopt;
  return delay;
}

}  // namespace vercel_tokens
