#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_ERROR_MAPPING_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_ERROR_MAPPING_H_

#include <cstdint>
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
  // VerifyToken: a 400 "Confirmation incomplete" is FAILED_PRECONDITION
  // with reason CONFIRMATION_INCOMPLETE, so that callers can poll until the
  // user confirms (and stop on anything else).
  kVerifyToken,
  // EmailLogin.
  kEmailLogin,
};

// The gRPC code for an upstream HTTP status, by google.rpc.Code's HTTP
// mapping: 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
// 404 NOT_FOUND, 409 ALREADY_EXISTS, 429 RESOURCE_EXHAUSTED, 500 INTERNAL,
// 501 UNIMPLEMENTED, 502/503 UNAVAILABLE, 504 DEADLINE_EXCEEDED; any other
// 4xx FAILED_PRECONDITION, any other 5xx INTERNAL; a 3xx redirect (never
// followed: the bearer token must not go elsewhere) INTERNAL; a final 1xx
// and any status outside 100..599 UNKNOWN. (2xx is success, not an error.)
absl::StatusCode CodeForHttpStatus(long http_status);

// The `status` label of an upstream answer in the metrics: the statuses
// the mapping above names (200, 201, 400, 401, 403, 404, 409, 429, 500, 501,
// 502, 503, 504) as themselves, any other as its class ("2xx" .. "5xx",
// "1xx"), and a status outside 100..599 "other". A bounded set whatever
// the upstream answers.
std::string HttpStatusLabel(long http_status);

// Vercel's request id (the `x-vercel-id` response header), which Vercel
// support asks for: nullopt when absent, empty, longer than 256 bytes or not
// printable ASCII (so that it is safe as gRPC metadata and in a log line).
std::optional<std::string> VercelRequestId(const UpstreamResponse& response);

// A Unix time Vercel sent as `limit.reset` or X-RateLimit-Reset, in seconds
// by older descriptions and in milliseconds by Vercel's CLI: values from
// 10^11 on (year 5138 in seconds, 1973 in milliseconds) are milliseconds.
absl::Time ResetTime(int64_t seconds_or_millis);

// Turns Vercel's error code (`not_found`, `invalid-email`) into an ErrorInfo
// reason (`NOT_FOUND`, `INVALID_EMAIL`): upper case, every run of other
// characters one '_', at most 63 characters. Empty when nothing is left.
std::string ToUpperSnake(absl::string_view code);

// Parses a Retry-After value: delay-seconds or an HTTP date, relative to
// `now`, clamped to 0 s .. 24 h. nullopt when unparsable.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// How long a rate-limited caller (HTTP 429) waits, from (in this order)
// Retry-After (delay-seconds or an HTTP date), X-RateLimit-Reset, or the error
// body's limit.resetMs (Unix milliseconds) / limit.reset (either magnitude, see
// ResetTime). Waits in the past clamp to zero and waits are capped at one
// day. `now` is the time the response arrived. nullopt when nothing says.
std::optional<absl::Duration> RetryDelay(const UpstreamResponse& response,
                                         int64_t body_reset_ms,
                                         int64_t body_reset, absl::Time now);

// The shortest wait suggested after a 503 without Retry-After, and the width
// of its jitter: the suggestion lies in [1 s, 2 s).
inline constexpr absl::Duration kUnavailableBackoff = absl::Seconds(1);

// How long a caller waits after HTTP 503: Retry-After (clamped as in
// RetryDelay) when Vercel sent a parsable one, else kUnavailableBackoff plus
// a jitter of up to kUnavailableBackoff, taken from the sub-second part of
// `now` so that callers failing together do not retry together. Never
// X-RateLimit-Reset or the body's limit: they say when a rate-limit window
// ends, not when Vercel recovers.
absl::Duration UnavailableRetryDelay(const UpstreamResponse& response,
                                     absl::Time now);

// Maps a non-2xx Vercel response to the error the caller sees: code by
// CodeForHttpStatus (see ErrorContext), message "Vercel API error <status>
// (<code>): <message>", ErrorInfo reason ToUpperSnake(code) (or one derived
// from the HTTP status when Vercel sent no code), domain api.vercel.com,
// metadata http_status and vercel_code, and RetryInfo on 429 and 503 (see
// the delays above). Today's flags override the status: a 401/403 with
// `invalidToken` is UNAUTHENTICATED / INVALID_TOKEN (get a new token), with
// `missingToken` UNAUTHENTICATED / MISSING_TOKEN, with `saml`
// PERMISSION_DENIED / SAML_REQUIRED with metadata team_id, scope and
// enforced. For EmailLogin and VerifyToken, a 4xx whose message says "legacy
// authentication flow is disabled" (Vercel's answer to old CLIs since its
// CLI moved to the OAuth device flow) is FAILED_PRECONDITION /
// LEGACY_LOGIN_DISABLED. A 3xx has reason UPSTREAM_REDIRECT, a 1xx or unknown
// status UPSTREAM_UNEXPECTED_STATUS. Reads `{"error": {...}}` and `{"err":
// {...}}` bodies and survives any other body. Text taken from the body is
// passed through SanitizeUpstreamText with `secrets`.
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
