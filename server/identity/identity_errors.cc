#include "server/identity/identity_errors.h"

#include <string>

#include "server/common/service_error.h"

namespace vercel_tokens {

absl::Status UnauthenticatedIdentity(absl::string_view reason,
                                     absl::string_view message) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnauthenticated;
  spec.reason = std::string(reason);
  spec.message = std::string(message);
  return MakeError(spec);
}

absl::Status IdentityUnavailable(absl::string_view message,
                                 absl::Duration retry_delay) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnavailable;
  spec.reason = std::string(kIdentityUnavailable);
  spec.message = std::string(message);
  spec.retry_delay = retry_delay;
  return MakeError(spec);
}

absl::Status IdentityMisconfigured(absl::string_view message) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnavailable;
  spec.reason = std::string(kIdentityMisconfigured);
  spec.message = std::string(message);
  return MakeError(spec);
}

}  // namespace vercel_tokens
