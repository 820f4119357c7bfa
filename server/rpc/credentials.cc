#include "server/rpc/credentials.h"

#include "absl/strings/match.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

constexpr size_t kMaxTokenLength = 4096;
constexpr absl::string_view kBearerPrefix = "bearer ";

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnauthenticated;
  spec.reason = std::string(reason);
  spec.message = std::string(message);
  return MakeError(spec);
}

}  // namespace

bool IsWellFormedToken(absl::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) return false;
  for (char c : token) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

absl::StatusOr<std::string> ResolveBearerToken(
    const std::vector<absl::string_view>& authorization_values,
    absl::string_view server_token) {
  if (authorization_values.empty()) {
    if (!server_token.empty()) return std::string(server_token);
    return Unauthenticated(
        "MISSING_CREDENTIALS",
        "no Vercel token: send metadata \"authorization: Bearer <token>\" "
        "(the server holds no token of its own)");
  }
  const absl::string_view value = authorization_values.front();
  if (authorization_values.size() != 1 || value.size() < kBearerPrefix.size() ||
      !absl::StartsWithIgnoreCase(value, kBearerPrefix) ||
      !IsWellFormedToken(value.substr(kBearerPrefix.size()))) {
    return Unauthenticated(
        "MALFORMED_CREDENTIALS",
        "authorization metadata must be exactly one \"Bearer <token>\" with a "
        "token of printable ASCII characters");
  }
  return std::string(value.substr(kBearerPrefix.size()));
}

}  // namespace vercel_tokens
