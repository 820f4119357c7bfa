#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_FORWARDED_CERT_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_FORWARDED_CERT_SOURCE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/identity/identity_source.h"

// Identity from the x-forwarded-client-cert header of a service-mesh sidecar
// (Envoy, Istio) that terminated the client's mutual TLS.
//
// The header is parsed by its grammar, all of it, and refused when it does
// not parse:
//   header  = element *( "," element )
//   element = pair *( ";" pair )
//   pair    = key "=" value
//   key     = 1*( ALPHA / DIGIT / "-" / "_" )
//   value   = quoted / *( any char but "," ";" and '"' )
//   quoted  = '"' *( any char but '"' and "\" / "\" any char ) '"'
// A quote that is never closed, a quote inside an unquoted value, text after
// a closing quote, or a pair without "=" makes the whole header malformed:
// a client cannot open a quote that swallows what the sidecar appends.
//
// Which element is trusted: the sidecar in front of this server either
// replaces the header with one element (Envoy SANITIZE_SET, Istio's default
// at the edge) or appends its own element to what the client sent
// (APPEND_FORWARD). Either way the element it wrote is the last one; with
// `trusted_proxy_hops` > 1 (a chain of trusted proxies, each appending one
// element, e.g. an ingress gateway then the sidecar), the trusted element is
// the hops-th from the end. Elements before it were written by the client
// and are ignored. Fewer elements than hops is refused.

namespace vercel_tokens {

// One element: its key=value pairs in order, values unquoted and unescaped.
using ForwardedElement = std::vector<std::pair<std::string, std::string>>;

// The elements of `header`, or INVALID_ARGUMENT naming what does not parse.
// Pure.
absl::StatusOr<std::vector<ForwardedElement>> ParseForwardedClientCert(
    absl::string_view header);

// The identity one element gives, in the namespaces of certificate_source.h.
// With a Cert= pair (the URL-encoded PEM of the verified client
// certificate, as the chart's nginx front proxy and Envoy send it): the
// certificate's identity, derived exactly as for a certificate this
// server's own TLS listener verified (CertificateNamesFromPem, then
// IdentityFromCertificate: URI SAN, else `dns:`, else `cn:`; a certificate
// without a usable name is UNAUTHENTICATED CLIENT_CERTIFICATE_UNUSABLE). If
// the element also names a URI= or DNS= identity, it must be the
// certificate's: a proxy writes both from one certificate, so a mismatch is
// a forged or broken element and is refused. Without Cert=: its first URI=
// that IsUriIdentity, as is; else `dns:<first DNS=>`. Anything else (no
// name, more than one Cert=, a Cert= that is not one URL-encoded PEM
// certificate) is UNAUTHENTICATED FORWARDED_CLIENT_CERT_INVALID. (Subject
// is not used: a sidecar forwards it for information.) Pure.
absl::StatusOr<std::string> IdentityFromForwardedElement(
    const ForwardedElement& element);

// `value` with each %XX replaced by its byte (RFC 3986 percent-encoding, as
// nginx's $ssl_client_escaped_cert and Envoy's Cert= write it; '+' stays
// '+'), or INVALID_ARGUMENT for a '%' not followed by two hex digits. Pure.
absl::StatusOr<std::string> PercentDecode(absl::string_view value);

// The identity `headers` (every x-forwarded-client-cert value of one call)
// give with `trusted_proxy_hops`: exactly one header is accepted, parsed by
// ParseForwardedClientCert, and the trusted element (above) identifies.
// Anything else fails UNAUTHENTICATED FORWARDED_CLIENT_CERT_INVALID. Pure.
absl::StatusOr<std::string> IdentityFromForwardedClientCert(
    const std::vector<std::string>& headers, int trusted_proxy_hops);

// The forwarded certificate as an IdentitySource (source `xfcc`): presented
// whenever the call carries the header. Answers inline. Immutable;
// thread-safe.
class ForwardedCertSource final : public IdentitySource {
 public:
  // `trusted_proxy_hops` >= 1.
  explicit ForwardedCertSource(int trusted_proxy_hops)
      : trusted_proxy_hops_(trusted_proxy_hops) {}

  bool Presented(const CallCredentials& call) const override;
  void Identify(const CallCredentials& call, Done done) override;

 private:
  const int trusted_proxy_hops_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_FORWARDED_CERT_SOURCE_H_
