#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_URL_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_URL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vercel_tokens {

// Percent-encodes every byte of `value` except RFC 3986's unreserved
// characters (ALPHA / DIGIT / "-" / "." / "_" / "~"), so that the result is
// safe as one path segment or one query value.
std::string PercentEncode(absl::string_view value);

// Builds `path?k1=v1&k2=v2` from `path` (already encoded) and the parameters
// in order, skipping those whose value is empty; keys and values are
// percent-encoded. No `?` when no parameter remains.
std::string WithQuery(
    absl::string_view path,
    const std::vector<std::pair<absl::string_view, absl::string_view>>& query);

// The validated origin of the upstream API: scheme, host and optional port,
// with no path, query, fragment or credentials.
struct BaseUrl {
  // `https://api.vercel.com` or `http://127.0.0.1:8080`: what request paths
  // are appended to.
  std::string origin;
  bool is_https = true;
};

// Parses --vercel_api_base_url. https:// is accepted for any host; http://
// only for a loopback host (localhost, 127.0.0.0/8, [::1]), since tokens
// travel in the clear otherwise. A trailing "/" is dropped. Errors say why.
absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url);

// An absolute URL split into its origin and its path.
struct OriginAndPath {
  // Validated as ParseBaseUrl validates an origin.
  BaseUrl origin;
  // "" or starting with "/", as given (already percent-encoded).
  std::string path;
};

// Splits an absolute http(s) URL such as `https://oidc.vercel.com/acme`
// into origin and path; refuses a query, a fragment, user info, spaces, and
// what ParseBaseUrl refuses in the origin. Pure.
absl::StatusOr<OriginAndPath> SplitUrl(absl::string_view url);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_URL_H_
