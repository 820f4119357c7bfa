#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_ERRORS_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// The errors that end a call before it is identified. Each is an absl::Status
// built by MakeError (common/service_error.h) with an ErrorInfo of the
// service's domain and one of these reasons. Messages never hold a
// credential.

namespace vercel_tokens {

// UNAUTHENTICATED: a workload token that is malformed, badly signed, revoked
// or of an unknown issuer, or more than one.
inline constexpr absl::string_view kWorkloadTokenInvalid =
    "WORKLOAD_TOKEN_INVALID";
// UNAUTHENTICATED: a workload token past its `exp`.
inline constexpr absl::string_view kWorkloadTokenExpired =
    "WORKLOAD_TOKEN_EXPIRED";
// UNAUTHENTICATED: a workload token without this service's audience.
inline constexpr absl::string_view kWorkloadTokenAudience =
    "WORKLOAD_TOKEN_AUDIENCE";
// UNAVAILABLE (with RetryInfo): the verifier could not be asked (API server
// unreachable, 5xx, 429, too many reviews in flight).
inline constexpr absl::string_view kIdentityUnavailable =
    "IDENTITY_UNAVAILABLE";
// UNAVAILABLE: the verifier refuses this server (TokenReview 403: the
// server's account lacks system:auth-delegator). An operator must act.
inline constexpr absl::string_view kIdentityMisconfigured =
    "IDENTITY_MISCONFIGURED";
// UNAUTHENTICATED: an x-forwarded-client-cert that does not parse, has no
// usable element, or comes more than once.
inline constexpr absl::string_view kForwardedClientCertInvalid =
    "FORWARDED_CLIENT_CERT_INVALID";
// UNAUTHENTICATED: a verified client certificate with no usable name.
inline constexpr absl::string_view kClientCertificateUnusable =
    "CLIENT_CERTIFICATE_UNUSABLE";

// UNAUTHENTICATED with `reason` and `message`.
absl::Status UnauthenticatedIdentity(absl::string_view reason,
                                     absl::string_view message);

// UNAVAILABLE IDENTITY_UNAVAILABLE with RetryInfo `retry_delay`.
absl::Status IdentityUnavailable(absl::string_view message,
                                 absl::Duration retry_delay);

// UNAVAILABLE IDENTITY_MISCONFIGURED.
absl::Status IdentityMisconfigured(absl::string_view message);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_ERRORS_H_
