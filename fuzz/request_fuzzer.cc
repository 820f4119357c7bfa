// Feeds arbitrary requests to validation and, when they pass, to request
// building: a valid request must never produce an upstream target that
// leaves its route (a path segment that is empty, "." or "..", a raw '?',
// '#', '%' outside an escape, a space or a control character).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/rpc/validation.h"
#include "server/vercel/request_builder.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

bool IsHex(char c) {
  return absl::ascii_isxdigit(static_cast<unsigned char>(c));
}

// Checks `target` against the route it must stay on, e.g. "/v5/user/tokens/".
void CheckTarget(const UpstreamRequest& request, absl::string_view route,
                 size_t segments) {
  const std::string& target = request.target;
  if (!absl::StartsWith(target, route)) __builtin_trap();
  const size_t query = target.find('?');
  const absl::string_view path = absl::string_view(target).substr(0, query);
  if (static_cast<size_t>(std::count(path.begin(), path.end(), '/')) !=
      segments) {
    __builtin_trap();
  }
  for (absl::string_view segment : absl::StrSplit(path.substr(1), '/')) {
    if (segment.empty() || segment == "." || segment == "..") __builtin_trap();
  }
  if (target.find('?', query == std::string::npos ? 0 : query + 1) !=
      std::string::npos) {
    __builtin_trap();
  }
  for (size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (c <= ' ' || c > '~' || c == '#') __builtin_trap();
    if (c == '%' && (i + 2 >= target.size() || !IsHex(target[i + 1]) ||
                     !IsHex(target[i + 2]))) {
      __builtin_trap();
    }
  }
}

template <typename Request>
bool Parse(const uint8_t* data, size_t size, Request* request) {
  return request->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace
}  // namespace vercel_tokens

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vercel_tokens;
  if (size < 1) return 0;
  const uint8_t kind = data[0] % 7;
  ++data;
  --size;
  switch (kind) {
    case 0: {
      v1::GetAuthTokenRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        CheckTarget(BuildGetAuthToken(r, "t"), "/v5/user/tokens/", 4);
      }
      break;
    }
    case 1: {
      v1::DeleteAuthTokenRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        CheckTarget(BuildDeleteAuthToken(r, "t"), "/v3/user/tokens/", 4);
      }
      break;
    }
    case 2: {
      v1::ListAuthTokensRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        CheckTarget(BuildListAuthTokensPage(r.team_id(), r.slug(),
                                            "1700000000000", "t"),
                    "/v6/user/tokens", 3);
      }
      break;
    }
    case 3: {
      v1::CreateAuthTokenRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        auto built = BuildCreateAuthToken(r, "t");
        if (!built.ok()) __builtin_trap();  // Validation let it through.
        CheckTarget(*built, "/v3/user/tokens", 3);
      }
      break;
    }
    case 4: {
      v1::VerifyTokenRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        const UpstreamRequest built = BuildVerifyToken(r);
        if (!built.bearer_token.empty()) __builtin_trap();
        CheckTarget(built, "/registration/verify", 2);
      }
      break;
    }
    case 5: {
      v1::EmailLoginRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        const UpstreamRequest built = BuildEmailLogin(r);
        if (!built.bearer_token.empty()) __builtin_trap();
        CheckTarget(built, "/registration", 1);
      }
      break;
    }
    case 6: {
      v1::ListAuthTokensRawRequest r;
      if (Parse(data, size, &r) && Validate(r).ok()) {
        CheckTarget(BuildListAuthTokensRaw(r, "t"), "/v5/user/tokens", 3);
      }
      break;
    }
  }
  return 0;
}
