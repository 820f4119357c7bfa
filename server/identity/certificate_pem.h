#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_PEM_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_PEM_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/identity/identity_source.h"

// The names of a client certificate given as PEM text, as a proxy that
// verified it forwards it (x-forwarded-client-cert's Cert= element, which
// nginx fills from $ssl_client_escaped_cert and Envoy from the peer
// certificate). The names are read as gRPC's TLS stack reads them from a
// certificate its own listener verified (its peer_uri, peer_dns and
// x509_common_name properties), so that IdentityFromCertificate
// (certificate_source.h) gives one caller for one certificate on both paths.

namespace vercel_tokens {

// The longest PEM text read; longer is refused before OpenSSL sees it. A
// forwarded header cannot be longer anyway (kMaxHeaderListBytes, 16 KiB).
inline constexpr size_t kMaxCertificatePemBytes = 16 << 10;

// The names of the one certificate `pem` holds: every URI and DNS subject
// alternative name in certificate order, and the first subject CN, each as
// UTF-8. Fails INVALID_ARGUMENT when `pem` is longer than
// kMaxCertificatePemBytes, is not exactly one PEM certificate (nothing but
// whitespace around it), or a name cannot be read as UTF-8. Says nothing of
// who issued the certificate: the caller trusts whoever verified it. Pure
// (OpenSSL's parser, no I/O); thread-safe.
absl::StatusOr<PeerCertificateNames> CertificateNamesFromPem(
    absl::string_view pem);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_PEM_H_
