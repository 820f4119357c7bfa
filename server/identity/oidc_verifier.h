#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_VERIFIER_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/url.h"
#include "server/identity/jwk.h"
#include "server/rpc/policy.pb.h"
#include "server/vercel/transport.h"

namespace vercel_tokens {

// A caller proven by an OIDC token of a trusted issuer.
struct FederatedCaller {
  // `<issuer>#<sub>`: what the policy's `callers` match.
  std::string identity;
  std::string issuer;
  std::string subject;
  // The token's `jti`; empty when it has none.
  std::string jti;
  // The token's scalar claims (jwt.h ScalarClaims), for the policy's claim
  // rules and the audit line.
  std::map<std::string, std::string> claims;
};

// Verifies OIDC identity tokens (JWTs) of the trusted issuers locally:
// signature against the issuer's key set, then iss, sub, exp, nbf, iat and
// aud (jwt.h CheckClaims). A token whose `iss` is not trusted is refused
// before anything is fetched: no URL a token names is ever contacted.
//
// Key sets. Each issuer's JWKS comes from its configured `jwks_uri`, else
// from the `jwks_uri` of `<issuer>/.well-known/openid-configuration`, whose
// `issuer` must equal the configured one. Start() fetches every set; each is
// fetched again `refresh_interval` after the last fetch ended (a transfer
// submitted with that not_before, so no thread of its own waits), and at
// once when a token names a `kid` the set lacks (or no set is cached), at
// most once per `min_refetch_interval` per issuer: a flood of made-up kids
// costs one fetch per interval, and tokens that arrive while a fetch runs
// wait for it. (Start's and the scheduled fetches do not count against that
// interval, so a key rotated in just after them is found at once.) When
// a fetch fails the last good set is kept (stale-on-error) until it is
// `max_stale` old; an issuer with no set answers UNAVAILABLE
// IDENTITY_UNAVAILABLE.
//
// Network I/O runs on the transports (libcurl loops), never on the caller's
// thread: Verify returns at once, and `done` runs either inline (the set is
// cached, or the token is refused on its face) or on a transport thread.
//
// Thread-safe. The transports it creates and the clock outlive every
// callback: the destructor shuts the transports down (their pending
// transfers fail, and their waiting tokens with IDENTITY_UNAVAILABLE)
// before anything else is released.
class OidcVerifier {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<FederatedCaller>) &&>;
  // Makes the transport for one origin (scheme://host[:port]); called at
  // construction and, for a key set on another origin, from a transport
  // thread. Production: an HttpClient with --oidc_ca_file.
  using TransportFactory =
      absl::AnyInvocable<absl::StatusOr<std::unique_ptr<UpstreamTransport>>(
          const BaseUrl&)>;

  struct Options {
    std::vector<policy::TrustedIssuer> issuers;
    absl::Duration refresh_interval = absl::Minutes(15);
    absl::Duration min_refetch_interval = absl::Seconds(30);
    absl::Duration max_stale = absl::Hours(24);
    absl::Duration fetch_timeout = absl::Seconds(10);
    absl::Duration clock_skew = absl::Seconds(60);
    // Tokens waiting for one issuer's fetch, at most; more are refused
    // with UNAVAILABLE.
    size_t max_waiting = 1024;
    // By issuer URL: what its fetches send as `Authorization: Bearer`
    // (TrustedIssuer.bearer_token_file, read by the caller). Called under
    // the verifier's lock: must not block.
    absl::flat_hash_map<std::string, std::function<std::string()>>
        bearer_tokens;
  };

  // Validates the issuers' URLs (policy.h CheckIssuerUrl must have passed)
  // and makes their transports. `clock` must outlive the verifier.
  static absl::StatusOr<std::unique_ptr<OidcVerifier>> Create(
      Options options, TransportFactory transport_factory,
      const Clock* clock = &Clock::Real());

  OidcVerifier(const OidcVerifier&) = delete;
  OidcVerifier& operator=(const OidcVerifier&) = delete;
  ~OidcVerifier();

  // Starts the first fetch of every issuer's key set.
  void Start();

  // Whether `iss` (a token's issuer) is trusted here.
  bool Trusts(absl::string_view iss) const;

  // Verifies `token`; `done` gets the caller, or UNAUTHENTICATED with
  // WORKLOAD_TOKEN_INVALID / _EXPIRED / _AUDIENCE, or UNAVAILABLE with
  // IDENTITY_UNAVAILABLE. Never quotes the token.
  void Verify(absl::string_view token, Done done);

  // How many key set transfers (discovery and JWKS) of `issuer` have ended,
  // successfully or not; cancelled ones are not counted. For tests.
  int64_t Fetches(absl::string_view issuer) const;

 private:
  struct Issuer;
  struct Waiter;

  OidcVerifier(Options options, TransportFactory transport_factory,
               const Clock* clock);

  // Starts a fetch of `issuer`'s set, superseding any other; `not_before`
  // delays it (the scheduled refresh). Fails when nothing could be submitted
  // (the verifier stops, or no transport could be made).
  absl::Status StartFetch(Issuer& issuer, absl::Time not_before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Submits a GET of `url`; `then` receives its body or error on a
  // transport thread.
  absl::Status Get(
      Issuer& issuer, const std::string& url, absl::Time not_before,
      absl::AnyInvocable<void(absl::StatusOr<std::string>) &&> then)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnDiscovery(Issuer& issuer, uint64_t generation,
                   absl::StatusOr<std::string> body);
  // Ends fetch `generation` (ignored when superseded): keeps `keys` or the
  // error, answers the waiters and schedules the next refresh.
  void FinishFetch(Issuer& issuer, uint64_t generation,
                   absl::StatusOr<std::vector<Jwk>> keys);
  absl::StatusOr<UpstreamTransport*> TransportFor(const BaseUrl& origin)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  TransportFactory transport_factory_;
  const Clock* const clock_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // By origin. Declared before issuers_ so that it is destroyed after.
  absl::flat_hash_map<std::string, std::unique_ptr<UpstreamTransport>>
      transports_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<Issuer>> issuers_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_OIDC_VERIFIER_H_
