#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_TYPES_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_TYPES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace vercel_tokens {

enum class HttpMethod { kGet, kPost, kDelete };

// "GET", "POST" or "DELETE".
absl::string_view HttpMethodName(HttpMethod method);

// One HTTP request to the Vercel API, as built by request_builder.h and sent
// by HttpClient. Plain data.
struct UpstreamRequest {
  HttpMethod method = HttpMethod::kGet;
  // The Vercel route this request hits, without identifiers, e.g.
  // "GET /v5/user/tokens/{tokenId}": a bounded label for metrics.
  std::string endpoint;
  // Path and query, already percent-encoded, e.g.
  // "/v5/user/tokens/abc?teamId=team_1". Appended to the base URL.
  std::string target;
  // A JSON body, sent with Content-Type: application/json when not empty.
  std::string body;
  // The media types of the Accept header.
  std::string accept = "application/json";
  // Sent as "Authorization: Bearer <token>" when not empty. A secret.
  std::string bearer_token;
  // The call's W3C trace context (rpc/trace_context.h), sent as the
  // `traceparent` header when not empty.
  std::string traceparent;
  // Whether sending the request twice has the effect of sending it once, so
  // that a failed attempt may be retried (retry_policy.h). Not every GET is:
  // GET /registration/verify mints a token and consumes the login.
  bool idempotent = false;
};

// The absl::Status payload (no value) that marks a failed transfer which
// never reached the Vercel API: its host name did not resolve, or no
// connection, proxy tunnel or TLS session could be set up before the
// failure. Read by vercel/reachability.h.
inline constexpr absl::string_view kNotConnectedPayload =
    "type.googleapis.com/vercel_tokens.NotConnected";

// What the Vercel API answered: any HTTP status, with its headers and body.
struct UpstreamResponse {
  long http_status = 0;
  // Header names are lower-cased; values have surrounding blanks removed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header named `lower_case_name`, if any.
  std::optional<absl::string_view> Header(
      absl::string_view lower_case_name) const;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_TYPES_H_
