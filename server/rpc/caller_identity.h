#ifndef VERCEL_USER_TOKENS_SERVER_RPC_CALLER_IDENTITY_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_CALLER_IDENTITY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

// Who is calling: the identity that the policy decides on and that every log
// and audit line names.

namespace vercel_tokens {

// The identity of a caller that proved none.
inline constexpr absl::string_view kAnonymousCaller = "anonymous";

// The names a verified client certificate carries, in certificate order.
struct PeerCertificateNames {
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  std::string common_name;
};

// The identity a verified client certificate proves: its first URI SAN (a
// SPIFFE id such as spiffe://cluster.local/ns/billing/sa/deployer), else its
// first DNS SAN, else its subject CN; nullopt when it has none of them. Pure.
std::optional<std::string> IdentityFromCertificate(
    const PeerCertificateNames& names);

// The identity an `x-forwarded-client-cert` header (Envoy's format: elements
// separated by ',', each `Key=value` pairs separated by ';', values possibly
// double-quoted) gives: the URI= of its last element, the one the sidecar in
// front of this server added; nullopt when that element has none. Pure.
std::optional<std::string> IdentityFromForwardedClientCert(
    absl::string_view header);

// How a server learns who calls it.
struct CallerIdentityOptions {
  // Trust the `x-forwarded-client-cert` metadata (safe only when nothing but
  // the mesh's sidecar can reach the port): its identity wins over the
  // transport's, which is the sidecar's.
  bool trust_forwarded_client_cert = false;
};

// The identity of the caller of `context`: the forwarded certificate's when
// trusted and present, else the verified client certificate's (gRPC's
// peer_uri, peer_dns and x509_common_name properties), else
// kAnonymousCaller. Thread-compatible: reads the call's context only.
std::string CallerIdentity(const grpc::ServerContextBase& context,
                           const CallerIdentityOptions& options);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_CALLER_IDENTITY_H_
