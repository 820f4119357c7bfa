#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_ERROR_MAPPING_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_ERROR_MAPPING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Which RPC an upstream response belongs to, where the mapping differs.
enum class ErrorContext {
  kDefault,
  // VerifyToken: a 400 "Confirmation incomplete" is FAILED_PRECONDITION, so
  // that callers can poll until the user confirms.
  kVerifyToken,
};

// The gRPC code for an upstream HTTP status, by google.rpc.Code's HTTP
// mapping: 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
// 404 NOT_FOUND, 409 ALREADY_EXISTS, 429 RESOURCE_EXHAUSTED, 500 INTERNAL,
// 501 UNIMPLEMENTED, 502/503 UNAVAILABLE, 504 DEADLINE_EXCEEDED; any other
// 4xx FAILED_PRECONDITION, any other 5xx INTERNAL, anything else UNKNOWN.
absl::StatusCode CodeForHttpStatus(long http_status);

// Turns Vercel's error code (`not_found`, `invalid-email`) into an ErrorInfo
// reason (`NOT_FOUND`, `INVALID_EMAIL`): upper case, every run of other
// characters one '_', at most 63 characters. Empty when nothing is left.
std::string ToUpperSnake(absl::string_view code);

// Parses a Retry-After value: delay-seconds or an HTTP date, relative to
// `now`, clamped to 0 s .. 24 h. nullopt when unparsable.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// How long Vercel asks the caller to wait, from (in this order) Retry-After
// (delay-seconds or an HTTP date), X-RateLimit-Reset (Unix seconds), or the
// error body's limit.resetMs / limit.reset (Unix milliseconds / seconds).
// Waits in the past clamp to zero and waits are capped at one day. `now` is
// the time the response arrived. nullopt when nothing says.
std::optional<absl::Duration> RetryDelay(const UpstreamResponse& response,
                                         int64_t body_reset_ms,
                                         int64_t body_reset_seconds,
                                         absl::Time now);

// Maps a non-2xx Vercel response to the error the caller sees: code by
// CodeForHttpStatus (see ErrorContext), message "Vercel API error <status>
// (<code>): <message>", ErrorInfo reason ToUpperSnake(code) (or one derived
// from the HTTP status when Vercel sent no code), domain api.vercel.com,
// metadata http_status and vercel_code, and RetryInfo on 429 and 503 when
// RetryDelay says how long. Reads `{"error": {...}}` and `{"err": {...}}`
// bodies and survives any other body. Text taken from the body is passed
// through SanitizeUpstreamText with `secrets`.
absl::Status MapUpstreamError(ErrorContext context,
                              const UpstreamResponse& response,
                              const std::vector<std::string>& secrets,
                              absl::Time now);

// Maps a failed transfer (the absl::Status HttpClient reports) to the error
// the caller sees: DEADLINE_EXCEEDED, CANCELLED, INTERNAL for an oversized
// body (UPSTREAM_RESPONSE_TOO_LARGE), UNAVAILABLE otherwise
// (UPSTREAM_UNAVAILABLE), which is worth retrying.
absl::Status MapTransportError(const absl::Status& transport_error);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_ERROR_MAPPING_H_
