#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/identity/identity_source.h"

// Identity from a client certificate that this server's TLS listener
// verified (--tls_client_ca_file).

namespace vercel_tokens {

// The identity a certificate's names prove, each kind in its own namespace
// so that no kind can pose as another:
//   - its first URI SAN, as is (a SPIFFE id such as
//     spiffe://cluster.local/ns/billing/sa/deployer); a URI SAN must have a
//     scheme, and not `dns:` or `cn:`, else it is skipped;
//   - else `dns:<first DNS SAN>`;
//   - else `cn:<subject CN>`.
// None of these can equal `anonymous` (no scheme). Fails UNAUTHENTICATED
// CLIENT_CERTIFICATE_UNUSABLE when the certificate has no usable name. Pure.
absl::StatusOr<std::string> IdentityFromCertificate(
    const PeerCertificateNames& names);

// Whether `uri` is usable as a URI identity: a scheme (RFC 3986: a letter,
// then letters, digits, '+', '-', '.') and ':', and not the scheme of
// another namespace (`dns`, `cn`). Pure.
bool IsUriIdentity(absl::string_view uri);

// The verified client certificate as an IdentitySource (source `mtls`):
// presented whenever the TLS listener verified one. Answers inline.
// Stateless; thread-safe.
class CertificateSource final : public IdentitySource {
 public:
  bool Presented(const CallCredentials& call) const override;
  void Identify(const CallCredentials& call, Done done) override;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_CERTIFICATE_SOURCE_H_
