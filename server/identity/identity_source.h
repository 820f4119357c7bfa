#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_SOURCE_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "server/identity/caller.h"

// How a server learns who calls it: one interface that every source of
// identity implements (a verified client certificate, a sidecar's forwarded
// certificate, a workload token checked by Kubernetes or an OIDC issuer), and
// the chain that asks them in order.
//
// The order (IdentityChain): the first source whose credential the call
// presents decides, and no later one is asked:
//   1. a workload token (`x-workload-token`): Kubernetes TokenReview or a
//      trusted OIDC issuer (workload_token_source.h);
//   2. a client certificate verified by this server's TLS listener
//      (certificate_source.h);
//   3. the `x-forwarded-client-cert` header of a trusted sidecar
//      (forwarded_cert_source.h), which config.cc never allows together with
//      a TLS listener, so that a header can never override a verified
//      certificate;
//   4. none of them: the caller is `anonymous`.
// A source that finds its credential malformed or refused fails the call
// (UNAUTHENTICATED, or UNAVAILABLE when it cannot decide now); it never
// falls back to a later source or to `anonymous`.

namespace vercel_tokens {

// The names a verified client certificate carries, in certificate order.
struct PeerCertificateNames {
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  std::string common_name;
};

// The metadata key of a workload token (a JWT: a Kubernetes projected
// ServiceAccount token, or an OIDC issuer's).
inline constexpr absl::string_view kWorkloadTokenKey = "x-workload-token";
// The metadata key a service-mesh sidecar forwards the client's certificate
// in (Envoy's format).
inline constexpr absl::string_view kForwardedClientCertKey =
    "x-forwarded-client-cert";

// What a call presents that could identify it, copied out of its context so
// that sources are testable without gRPC. Holds secrets (workload tokens):
// never print it.
struct CallCredentials {
  // The names of the client certificate the TLS listener verified; nullopt
  // when the call came without one (or over plaintext).
  std::optional<PeerCertificateNames> peer_certificate;
  // Every value of x-forwarded-client-cert, in order.
  std::vector<std::string> forwarded_client_certs;
  // Every value of x-workload-token, in order. Secrets.
  std::vector<std::string> workload_tokens;

  // Reads them from `context` (gRPC's peer_uri, peer_dns and
  // x509_common_name properties of an authenticated peer, and the
  // metadata).
  static CallCredentials FromContext(const grpc::ServerContextBase& context);
};

// One source of identity. Implementations are thread-safe.
class IdentitySource {
 public:
  // Receives the caller, or the error that ends the call: UNAUTHENTICATED
  // for a credential that is malformed or refused, UNAVAILABLE when the
  // source cannot decide now (ErrorInfo reasons: identity_errors.h).
  using Done = absl::AnyInvocable<void(absl::StatusOr<Caller>) &&>;

  virtual ~IdentitySource() = default;

  // Whether `call` presents this source's credential at all (present, not
  // necessarily valid). Cheap and pure.
  virtual bool Presented(const CallCredentials& call) const = 0;

  // Identifies the caller of `call` (Presented was true) and runs `done`
  // exactly once: inline when the answer is known at once (a certificate, a
  // cached token), else later on a thread of the source's own (a network
  // review). Never blocks. Copies what it needs of `call` before returning.
  virtual void Identify(const CallCredentials& call, Done done) = 0;
};

// The sources a server trusts, asked in the documented order (above).
// Thread-safe; the sources are owned and live as long as the chain.
class IdentityChain {
 public:
  // `sources` in the order they are asked.
  explicit IdentityChain(std::vector<std::unique_ptr<IdentitySource>> sources);

  IdentityChain(const IdentityChain&) = delete;
  IdentityChain& operator=(const IdentityChain&) = delete;

  // Runs `done` once with the caller of `call`: the first source that
  // Presented decides; anonymous when none does. Inline or later, as
  // IdentitySource::Identify.
  void Identify(const CallCredentials& call, IdentitySource::Done done) const;

 private:
  const std::vector<std::unique_ptr<IdentitySource>> sources_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_IDENTITY_SOURCE_H_
